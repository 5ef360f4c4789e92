//! Reading rows back into envelopes, and the read queries.
//!
//! Decoding never panics: a row that does not decode (wrong blob length, invalid stream id,
//! out-of-range time) becomes [`StoreError::UnreadableRecord`] naming its position.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, params};
use ticketflow_events::{Hash, RecordedEvent, StreamId, Timestamp};
use uuid::Uuid;

use super::schema::storage_error;
use crate::error::{StoreError, StoreResult};
use crate::read::{Direction, Filter, StreamRead};
use crate::verify::{ChainVerifier, VerifyReport};

use super::stream_index::Entries;

/// The columns every read selects, in the order [`decode`] expects.
pub const COLUMNS: &str = "position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash, log_hash";

/// A row that did not decode: its position and what is wrong.
pub struct Undecodable(pub u64, pub String);

fn hash(bytes: &[u8], what: &str) -> Result<Hash, String> {
    <[u8; 32]>::try_from(bytes)
        .map(Hash)
        .map_err(|_| format!("{what} is {} bytes, not 32", bytes.len()))
}

fn uuid(bytes: &[u8], what: &str) -> Result<Uuid, String> {
    Uuid::from_slice(bytes).map_err(|_| format!("{what} is {} bytes, not 16", bytes.len()))
}

fn time(micros: i64, what: &str) -> Result<Timestamp, String> {
    chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| format!("{what} {micros} is out of range"))
}

fn unsigned(v: i64, what: &str) -> Result<u64, String> {
    u64::try_from(v).map_err(|_| format!("{what} {v} is negative"))
}

/// Decodes one row selected with [`COLUMNS`] into the event and its log hash.
///
/// The outer error is SQLite failing to deliver the row (damaged file); the inner one is a
/// row that arrived but does not make an envelope. Each column is fetched once as a borrowed
/// value and fixed-size columns are copied straight into the envelope, so decoding allocates
/// only the stream id, the two strings and the payload. `same_stream` is a stream id the
/// caller expects (a stream read): when the row's bytes equal it, it is cloned instead of
/// parsed and validated again.
pub fn decode(
    row: &Row<'_>,
    same_stream: Option<&StreamId>,
) -> rusqlite::Result<Result<(RecordedEvent, Hash), Undecodable>> {
    let mut cols = [ValueRef::Null; 15];
    for (i, col) in cols.iter_mut().enumerate() {
        *col = row.get_ref(i)?;
    }
    let position = match cols[0] {
        ValueRef::Integer(p) => p,
        _ => 0,
    };
    Ok(build(&cols, same_stream).map_err(|d| Undecodable(position.max(0) as u64, d)))
}

fn integer(v: ValueRef<'_>, what: &str) -> Result<i64, String> {
    match v {
        ValueRef::Integer(i) => Ok(i),
        other => Err(format!("{what} is {:?}, not an integer", other.data_type())),
    }
}

fn text<'a>(v: ValueRef<'a>, what: &str) -> Result<&'a str, String> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).map_err(|_| format!("{what} is not UTF-8")),
        other => Err(format!("{what} is {:?}, not text", other.data_type())),
    }
}

fn blob<'a>(v: ValueRef<'a>) -> Option<&'a [u8]> {
    match v {
        ValueRef::Blob(b) => Some(b),
        _ => None,
    }
}

fn stream_id(v: ValueRef<'_>, same_stream: Option<&StreamId>) -> Result<StreamId, String> {
    if let (ValueRef::Text(t), Some(known)) = (v, same_stream)
        && t == known.as_str().as_bytes()
    {
        return Ok(known.clone());
    }
    text(v, "stream id")?
        .parse::<StreamId>()
        .map_err(|e| e.to_string())
}

fn build(
    cols: &[ValueRef<'_>; 15],
    same_stream: Option<&StreamId>,
) -> Result<(RecordedEvent, Hash), String> {
    let schema_version = integer(cols[5], "schema version")?;
    let event = RecordedEvent {
        global_position: unsigned(integer(cols[0], "position")?, "position")?,
        stream_id: stream_id(cols[1], same_stream)?,
        stream_version: unsigned(integer(cols[2], "stream version")?, "stream version")?,
        event_id: uuid(blob(cols[3]).unwrap_or_default(), "event id")?,
        event_type: text(cols[4], "event type")?.to_owned(),
        schema_version: u16::try_from(schema_version)
            .map_err(|_| format!("schema version {schema_version} is out of range"))?,
        recorded_at: time(integer(cols[6], "recorded_at")?, "recorded_at")?,
        occurred_at: time(integer(cols[7], "occurred_at")?, "occurred_at")?,
        actor: text(cols[8], "actor")?.to_owned(),
        correlation_id: uuid(blob(cols[9]).unwrap_or_default(), "correlation id")?,
        causation_id: blob(cols[10])
            .map(|c| uuid(c, "causation id"))
            .transpose()?,
        payload: blob(cols[11]).unwrap_or_default().to_vec(),
        prev_hash: hash(blob(cols[12]).unwrap_or_default(), "prev_hash")?,
        hash: hash(blob(cols[13]).unwrap_or_default(), "hash")?,
    };
    Ok((event, hash(blob(cols[14]).unwrap_or_default(), "log_hash")?))
}

fn unreadable(u: Undecodable) -> StoreError {
    StoreError::UnreadableRecord {
        position: u.0,
        detail: u.1,
    }
}

/// [`COLUMNS`] of the `events` table aliased `e`, for joins with `stream_index`.
const E_COLUMNS: &str = "e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version, e.recorded_at, e.occurred_at, e.actor, e.correlation_id, e.causation_id, e.payload, e.prev_hash, e.hash, e.log_hash";

/// A stream's unindexed (version, position) entries up to `durable`, read from the file:
/// for connections that have no in-memory [`super::stream_index::Tail`] (another process
/// reading the file). Scans only the events after the stream index's mark.
#[allow(dead_code)] // for readers of the file without the store's tail (a read-only opener)
pub fn unindexed_entries(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    durable: u64,
) -> StoreResult<Entries> {
    let err = |e| storage_error(path, "reading the unindexed tail of a stream", e);
    let mut stmt = conn
        .prepare_cached(
            "SELECT stream_version, position FROM events WHERE position > (SELECT indexed FROM head WHERE id = 1) AND position <= ?2 AND stream_id = ?1 ORDER BY position",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(params![stream.as_str(), clamp(durable)], |r| {
            Ok((
                r.get::<_, i64>(0)?.max(0) as u64,
                r.get::<_, i64>(1)?.max(0) as u64,
            ))
        })
        .map_err(err)?;
    rows.collect::<rusqlite::Result<Entries>>().map_err(err)
}

/// Reads one stream, up to the durable position `durable`.
///
/// The indexed part comes from `stream_index` joined with `events`; `tail` holds the
/// stream's unindexed (version, position) entries (ascending, all `<= durable`), read
/// *before* this query (see [`super::stream_index`] for why that order never misses an
/// event). An entry present in both is returned once.
pub fn read_stream(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    read: StreamRead,
    durable: u64,
    tail: &[(u64, u64)],
) -> StoreResult<Vec<RecordedEvent>> {
    let limit = read.max_count;
    let mut out = Vec::with_capacity(limit.min(tail.len() + 64));
    if limit == 0 {
        return Ok(out);
    }
    match read.direction {
        Direction::Forward => {
            indexed(path, conn, stream, read, durable, limit, &mut out)?;
            let after = out.last().map_or(0, |e: &RecordedEvent| e.stream_version);
            let wanted: Vec<u64> = tail
                .iter()
                .filter(|&&(v, _)| v >= read.from && v > after)
                .take(limit - out.len())
                .map(|&(_, p)| p)
                .collect();
            by_positions(path, conn, stream, &wanted, &mut out)?;
        }
        Direction::Backward => {
            let taken: Vec<(u64, u64)> = tail
                .iter()
                .rev()
                .filter(|&&(v, _)| v <= read.from)
                .take(limit)
                .copied()
                .collect();
            let below = taken
                .last()
                .map_or(read.from, |&(v, _)| v.saturating_sub(1));
            let mut positions: Vec<u64> = taken.iter().map(|&(_, p)| p).collect();
            positions.reverse();
            by_positions(path, conn, stream, &positions, &mut out)?;
            out.reverse();
            if out.len() < limit && (taken.is_empty() || below > 0) {
                let rest = StreamRead {
                    from: below,
                    ..read
                };
                indexed(
                    path,
                    conn,
                    stream,
                    rest,
                    durable,
                    limit - out.len(),
                    &mut out,
                )?;
            }
        }
    }
    Ok(out)
}

/// The indexed part of a stream read.
fn indexed(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    read: StreamRead,
    durable: u64,
    limit: usize,
    out: &mut Vec<RecordedEvent>,
) -> StoreResult<()> {
    let err = |e| storage_error(path, "reading a stream", e);
    let sql = match read.direction {
        Direction::Forward => format!(
            "SELECT {E_COLUMNS} FROM stream_index si JOIN events e ON e.position = si.position WHERE si.stream_id = ?1 AND si.stream_version >= ?2 AND si.position <= ?4 ORDER BY si.stream_version ASC LIMIT ?3"
        ),
        Direction::Backward => format!(
            "SELECT {E_COLUMNS} FROM stream_index si JOIN events e ON e.position = si.position WHERE si.stream_id = ?1 AND si.stream_version <= ?2 AND si.position <= ?4 ORDER BY si.stream_version DESC LIMIT ?3"
        ),
    };
    let from = i64::try_from(read.from).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
    let mut rows = stmt
        .query(params![stream.as_str(), from, limit, clamp(durable)])
        .map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        out.push(
            decode(row, Some(stream))
                .map_err(err)?
                .map_err(unreadable)?
                .0,
        );
    }
    Ok(())
}

const BY_POSITIONS: &str = "SELECT position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash, log_hash FROM events WHERE position IN (SELECT value FROM json_each(?1)) ORDER BY position ASC";

/// The events of `stream` at `positions` (unindexed entries, ascending), appended to `out`
/// in that order: one statement whatever their number (the positions travel as a JSON
/// array, expanded by SQLite's `json_each`).
fn by_positions(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    positions: &[u64],
    out: &mut Vec<RecordedEvent>,
) -> StoreResult<()> {
    let Some(&first) = positions.first() else {
        return Ok(());
    };
    let err = |e| storage_error(path, "reading a stream", e);
    let mut list = String::with_capacity(positions.len() * 8 + 2);
    list.push('[');
    for (i, p) in positions.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        list.push_str(&p.to_string());
    }
    list.push(']');
    let mut stmt = conn.prepare_cached(BY_POSITIONS).map_err(err)?;
    let mut rows = stmt.query([list]).map_err(err)?;
    let before = out.len();
    while let Some(row) = rows.next().map_err(err)? {
        out.push(
            decode(row, Some(stream))
                .map_err(err)?
                .map_err(unreadable)?
                .0,
        );
    }
    if out.len() - before != positions.len() {
        let missing = positions
            .iter()
            .find(|p| !out[before..].iter().any(|e| e.global_position == **p))
            .copied()
            .unwrap_or(first);
        return Err(StoreError::UnreadableRecord {
            position: missing,
            detail: format!(
                "the stream index names position {missing} for {stream}, but no event is there"
            ),
        });
    }
    Ok(())
}

/// Positions are stored as SQLite integers.
fn clamp(position: u64) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}

/// The last durable version of a stream: the newest unindexed entry (`tail_last`, already
/// bounded by `durable`) or else the stream index.
pub fn stream_version(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    durable: u64,
    tail_last: Option<u64>,
) -> StoreResult<Option<u64>> {
    if tail_last.is_some() {
        return Ok(tail_last);
    }
    let err = |e| storage_error(path, "reading a stream version", e);
    let v: Option<i64> = conn
        .prepare_cached(
            "SELECT stream_version FROM stream_index WHERE stream_id = ?1 AND position <= ?2 ORDER BY stream_version DESC LIMIT 1",
        )
        .map_err(err)?
        .query_row(params![stream.as_str(), clamp(durable)], |r| r.get(0))
        .optional()
        .map_err(err)?;
    Ok(v.map(|v| v.max(0) as u64))
}

/// Reads the global log from `from`, keeping what passes the filter.
///
/// Stream filters use the stream index; category and type filters are checked on the stream
/// id and type columns before the rest of the row is decoded, so skipping is cheap.
pub fn read_all(
    path: &Path,
    conn: &Connection,
    from: u64,
    filter: &Filter,
    max_count: usize,
    durable: u64,
) -> StoreResult<Vec<RecordedEvent>> {
    let err = |e| storage_error(path, "reading the log", e);
    let from = i64::try_from(from.max(1)).unwrap_or(i64::MAX);
    let mut out = Vec::with_capacity(max_count.min(4096));
    if max_count == 0 {
        return Ok(out);
    }
    let mut sql = format!("SELECT {COLUMNS} FROM events WHERE position >= ?1 AND position <= ?2");
    let mut values: Vec<rusqlite::types::Value> = vec![from.into(), clamp(durable).into()];
    if !filter.streams.is_empty() {
        let marks: Vec<String> = (0..filter.streams.len())
            .map(|i| format!("?{}", i + 3))
            .collect();
        // The stream index finds the indexed positions; the unindexed tail is scanned.
        let marks = marks.join(", ");
        sql.push_str(&format!(
            " AND stream_id IN ({marks}) AND position IN (SELECT position FROM stream_index WHERE stream_id IN ({marks}) AND position >= ?1 AND position <= ?2 UNION ALL SELECT position FROM events WHERE position > (SELECT indexed FROM head WHERE id = 1) AND position >= ?1 AND position <= ?2)"
        ));
        values.extend(filter.streams.iter().map(|s| s.as_str().to_owned().into()));
    }
    sql.push_str(" ORDER BY position ASC");
    if filter.categories.is_empty() && filter.event_types.is_empty() {
        let limit = i64::try_from(max_count).unwrap_or(i64::MAX);
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(values))
        .map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        if !filter.categories.is_empty() {
            let stream = row.get_ref(1).map_err(err)?.as_str().unwrap_or("");
            let category = stream.split_once('-').map_or(stream, |(c, _)| c);
            if !filter.categories.iter().any(|c| c == category) {
                continue;
            }
        }
        if !filter.event_types.is_empty() {
            let t = row.get_ref(4).map_err(err)?.as_str().unwrap_or("");
            if !filter.event_types.iter().any(|x| x == t) {
                continue;
            }
        }
        out.push(decode(row, None).map_err(err)?.map_err(unreadable)?.0);
        if out.len() >= max_count {
            break;
        }
    }
    Ok(out)
}

/// Walks the whole log in one read transaction (one consistent snapshot).
pub fn verify(path: &Path, conn: &mut Connection) -> StoreResult<VerifyReport> {
    let err = |e| storage_error(path, "verifying the log", e);
    let tx = conn.transaction().map_err(err)?;
    let mut v = ChainVerifier::new();
    {
        let mut stmt = tx
            .prepare(&format!(
                "SELECT {COLUMNS} FROM events ORDER BY position ASC"
            ))
            .map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            match decode(row, None).map_err(err)? {
                Ok((e, h)) => v.check(&e, &h),
                Err(Undecodable(position, detail)) => v.unreadable(position, detail),
            }
            if v.is_broken() {
                break;
            }
        }
    }
    let head: (i64, Vec<u8>) = tx
        .query_row(
            "SELECT position, log_hash FROM head WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(err)?;
    let head_hash = hash(&head.1, "head log hash").unwrap_or(Hash([0xff; 32]));
    Ok(v.finish(Some((head.0.max(0) as u64, head_hash))))
}
