//! The persistent stream index of format 3: each stream's positions, packed into chunks.
//!
//! A row of `stream_chunks` says where a run of consecutive versions of one stream lies in
//! the log: the stream, its first and last version, its last position, and the positions
//! themselves packed into a blob (the first as a LEB128 varint, then each difference to the
//! previous one). A bulk write of the stream index ([`super::stream_index`]) adds one row per
//! stream it indexes (more for a stream with more than [`MAX_ENTRIES`] new events).
//!
//! # Why
//!
//! Format 2 had one index row per event. With one row per stream per bulk write, writing the
//! index costs a few dozen row inserts instead of a thousand, on the writer's thread, where
//! every microsecond it spends is a microsecond no append is recorded (the 64-writer
//! benchmark lost ~20 % of its rate to the index; see `docs/performance.md`, session 12).
//! It also lets the bulk writes be rarer for the same cost per event ([`super::stream_index::INDEX_EVERY`]).
//!
//! The chunk rows are derived data: the events table alone says everything (`verify` reads
//! only it). A chunk that does not unpack — wrong count, positions not increasing — is
//! reported as an unreadable record, never guessed around.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use ticketflow_events::StreamId;

use super::rows::clamp;
use super::schema::storage_error;
use crate::error::{StoreError, StoreResult};

/// Most entries packed into one chunk: keeps a row well inside one page (at most ~1 KiB
/// even when every difference takes 8 bytes), and a read from the middle of a long stream
/// unpacks at most this many positions it does not want.
pub const MAX_ENTRIES: usize = 128;

/// The table, as created by format 3 (and by the migration from format 2).
pub const CREATE: &str = "
CREATE TABLE stream_chunks (
    stream_id      TEXT    NOT NULL,
    first_version  INTEGER NOT NULL,
    last_version   INTEGER NOT NULL,
    last_position  INTEGER NOT NULL,
    positions      BLOB    NOT NULL,  -- first position, then differences, as LEB128 varints
    PRIMARY KEY (stream_id, first_version)
) WITHOUT ROWID;
";

/// Packs ascending positions: the first as a varint, then each difference to the previous.
pub fn pack(positions: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(positions.len() * 2 + 8);
    let mut previous = 0;
    for &p in positions {
        let mut v = p.wrapping_sub(previous);
        previous = p;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

/// Unpacks `count` positions, checking that they strictly increase and that the blob holds
/// exactly them.
pub fn unpack(blob: &[u8], count: usize) -> Result<Vec<u64>, String> {
    let mut out = Vec::with_capacity(count);
    let mut bytes = blob.iter();
    let mut previous = 0u64;
    while out.len() < count {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = bytes.next() else {
                return Err(format!(
                    "its positions end after {} of {count} entries",
                    out.len()
                ));
            };
            if shift > 63 || (shift == 63 && b & 0x7e != 0) {
                return Err("a position difference is longer than 64 bits".to_owned());
            }
            v |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        if v == 0 && !out.is_empty() {
            return Err("two entries name the same position".to_owned());
        }
        previous = previous
            .checked_add(v)
            .ok_or_else(|| "a position is beyond 2^64".to_owned())?;
        out.push(previous);
    }
    if bytes.next().is_some() {
        return Err(format!("its positions hold more than {count} entries"));
    }
    Ok(out)
}

/// Writes the chunks of one stream's new entries (ascending versions): one row per run of
/// consecutive versions of at most [`MAX_ENTRIES`].
pub fn insert(
    conn: &Connection,
    stream: &StreamId,
    entries: &[(u64, u64)],
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO stream_chunks (stream_id, first_version, last_version, last_position, positions) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut rows = 0;
    let mut rest = entries;
    while let Some(&(first, _)) = rest.first() {
        // A run ends at MAX_ENTRIES or at a gap in the versions (there is none: the tail
        // holds every version after the indexed mark; a gap would be a writer bug, and a
        // run per side of it keeps each row's count equal to its version span).
        let run = rest
            .iter()
            .take(MAX_ENTRIES)
            .enumerate()
            .take_while(|&(i, &(v, _))| v == first + i as u64)
            .count();
        let (chunk, after) = rest.split_at(run);
        let positions: Vec<u64> = chunk.iter().map(|&(_, p)| p).collect();
        let (last_version, last_position) = chunk[run - 1];
        stmt.execute(params![
            stream.as_str(),
            clamp(first),
            clamp(last_version),
            clamp(last_position),
            pack(&positions)
        ])?;
        rows += 1;
        rest = after;
    }
    Ok(rows)
}

/// One chunk row as read back.
struct Row {
    first_version: u64,
    last_version: u64,
    positions: Vec<u8>,
}

impl Row {
    /// The chunk's (version, position) entries, ascending.
    fn entries(&self, path: &Path, stream: &StreamId) -> StoreResult<Vec<(u64, u64)>> {
        let count = self
            .last_version
            .checked_sub(self.first_version)
            .and_then(|span| usize::try_from(span).ok())
            .filter(|&span| span < MAX_ENTRIES * 64)
            .map(|span| span + 1);
        let unpacked = count
            .ok_or_else(|| {
                format!(
                    "it spans versions {} to {}",
                    self.first_version, self.last_version
                )
            })
            .and_then(|count| unpack(&self.positions, count));
        match unpacked {
            Ok(positions) => Ok(positions
                .into_iter()
                .enumerate()
                .map(|(i, p)| (self.first_version + i as u64, p))
                .collect()),
            Err(detail) => Err(StoreError::Corrupt {
                path: path.to_owned(),
                detail: format!(
                    "the stream index chunk of {stream} from version {} does not unpack: {detail}; the events are intact (run verify), the index is derived from them",
                    self.first_version
                ),
            }),
        }
    }
}

fn chunk_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        first_version: r.get::<_, i64>(0)?.max(0) as u64,
        last_version: r.get::<_, i64>(1)?.max(0) as u64,
        positions: r.get(2)?,
    })
}

/// Every chunk of a stream, ascending.
const WHOLE_STREAM: &str = "SELECT first_version, last_version, positions FROM stream_chunks WHERE stream_id = ?1 ORDER BY first_version ASC";

/// A stream's chunks from the one holding version `?2` onwards, ascending.
const FROM_VERSION: &str = "SELECT first_version, last_version, positions FROM stream_chunks WHERE stream_id = ?1 AND first_version >= COALESCE((SELECT first_version FROM stream_chunks WHERE stream_id = ?1 AND first_version <= ?2 ORDER BY first_version DESC LIMIT 1), 0) ORDER BY first_version ASC";

/// Whether a walk over chunk entries goes on.
enum Walk {
    On,
    Stop,
}

/// Runs a chunk query (selecting first version, last version, positions) and hands `take`
/// every entry in the order of its rows — within a row ascending, or descending with
/// `descending` — until `take` says stop.
fn walk(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    query: (&str, &[&dyn rusqlite::ToSql]),
    descending: bool,
    mut take: impl FnMut(u64, u64) -> Walk,
) -> StoreResult<()> {
    let err = |e| storage_error(path, "reading the stream index", e);
    let mut stmt = conn.prepare_cached(query.0).map_err(err)?;
    let mut rows = stmt.query(query.1).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let mut entries = chunk_row(row).map_err(err)?.entries(path, stream)?;
        if descending {
            entries.reverse();
        }
        for (v, p) in entries {
            if let Walk::Stop = take(v, p) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Up to `limit` indexed (version, position) entries of `stream` with versions from `from`
/// upwards and positions up to `durable`, ascending.
pub fn forward(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    from: u64,
    durable: u64,
    limit: usize,
) -> StoreResult<Vec<(u64, u64)>> {
    // From the chunk holding `from` (the last one starting at or before it) onwards; a whole
    // stream (the usual ticket load) needs no search for that chunk.
    let query = if from <= 1 {
        (WHOLE_STREAM, params![stream.as_str()])
    } else {
        (FROM_VERSION, params![stream.as_str(), clamp(from)])
    };
    let mut out = Vec::new();
    walk(path, conn, stream, query, false, |v, p| {
        // Later versions have later positions: past `durable`, nothing more is wanted.
        if p > durable || out.len() >= limit {
            return Walk::Stop;
        }
        if v >= from {
            out.push((v, p));
        }
        Walk::On
    })?;
    Ok(out)
}

/// Up to `limit` indexed entries of `stream` with versions up to `from` and positions up to
/// `durable`, descending.
pub fn backward(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    from: u64,
    durable: u64,
    limit: usize,
) -> StoreResult<Vec<(u64, u64)>> {
    let query = (
        "SELECT first_version, last_version, positions FROM stream_chunks WHERE stream_id = ?1 AND first_version <= ?2 ORDER BY first_version DESC",
        params![stream.as_str(), clamp(from)],
    );
    let mut out = Vec::new();
    walk(path, conn, stream, query, true, |v, p| {
        if out.len() >= limit {
            return Walk::Stop;
        }
        if v <= from && p <= durable {
            out.push((v, p));
        }
        Walk::On
    })?;
    Ok(out)
}

/// Up to `limit` indexed positions of `stream` from `from` to `durable`, ascending (for log
/// reads filtered by stream).
pub fn positions_from(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    from: u64,
    durable: u64,
    limit: usize,
) -> StoreResult<Vec<u64>> {
    let query = (
        "SELECT first_version, last_version, positions FROM stream_chunks WHERE stream_id = ?1 AND last_position >= ?2 ORDER BY first_version ASC",
        params![stream.as_str(), clamp(from)],
    );
    let mut out = Vec::new();
    walk(path, conn, stream, query, false, |_, p| {
        if p > durable || out.len() >= limit {
            return Walk::Stop;
        }
        if p >= from {
            out.push(p);
        }
        Walk::On
    })?;
    Ok(out)
}

/// The newest indexed version of `stream` whose position is at most `durable`: the last
/// chunk's last version when that is durable (always, but for a bulk write racing ahead of
/// the flush), without unpacking it.
pub fn last_version(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    durable: u64,
) -> StoreResult<Option<u64>> {
    let err = |e| storage_error(path, "reading the stream index", e);
    let last: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT last_version, last_position FROM stream_chunks WHERE stream_id = ?1 ORDER BY first_version DESC LIMIT 1",
        )
        .map_err(err)?
        .query_row([stream.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(err)?;
    match last {
        None => Ok(None),
        Some((version, position)) if position.max(0) as u64 <= durable => {
            Ok(Some(version.max(0) as u64))
        }
        Some(_) => Ok(backward(path, conn, stream, u64::MAX, durable, 1)?
            .first()
            .map(|&(v, _)| v)),
    }
}

/// The position of the newest indexed event of `stream`, durable or not (for the writer,
/// inside its own transaction).
pub fn last_position(conn: &Connection, stream: &StreamId) -> rusqlite::Result<Option<u64>> {
    conn.prepare_cached(
        "SELECT last_position FROM stream_chunks WHERE stream_id = ?1 ORDER BY first_version DESC LIMIT 1",
    )?
    .query_row([stream.as_str()], |r| r.get::<_, i64>(0))
    .optional()
    .map(|p| p.map(|p| p.max(0) as u64))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_through_the_packing() {
        let cases: [&[u64]; 5] = [
            &[1],
            &[1, 2, 3, 4],
            &[5, 69, 133, 100_000, 100_001],
            &[u64::MAX - 1, u64::MAX],
            &[127, 128, 16_383, 16_384, 2_097_151, 2_097_152],
        ];
        for positions in cases {
            let blob = pack(positions);
            assert_eq!(unpack(&blob, positions.len()).unwrap(), positions);
        }
        assert_eq!(
            pack(&[1, 2, 3]),
            vec![1, 1, 1],
            "small differences take a byte"
        );
    }

    #[test]
    fn a_damaged_chunk_is_refused_with_what_is_wrong() {
        let blob = pack(&[10, 20, 30]);
        assert!(unpack(&blob, 4).unwrap_err().contains("end after 3 of 4"));
        assert!(unpack(&blob, 2).unwrap_err().contains("more than 2"));
        assert!(unpack(&[10, 0], 2).unwrap_err().contains("same position"));
        assert!(unpack(&[0xff; 11], 1).unwrap_err().contains("64 bits"));
        assert!(unpack(&[0xff], 1).unwrap_err().contains("end after 0 of 1"));
    }
}
