//! The queries that read one stream: its indexed part through `stream_index`, its unindexed
//! tail by position, and its last version.
//!
//! Every statement here has a fixed text, so the per-connection statement cache serves every
//! call, and the connections hold their plans across rebinds (`schema::fix_plans`; without
//! that, SQLite recompiled every one of these at each execution). No statement binds a
//! `LIMIT` either: the row count is enforced by stopping the step loop, which reads exactly
//! the same rows.

use std::fmt::Write as _;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use ticketflow_events::{RecordedEvent, StreamId};

use super::rows::{clamp, decode, unreadable};
use super::schema::storage_error;
use super::stream_index::Entries;
use crate::error::{StoreError, StoreResult};
use crate::read::{Direction, StreamRead};

/// The indexed part of a stream, ascending versions from `?2`, bounded by the durable head.
const INDEXED_FORWARD: &str = "SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version, e.recorded_at, e.occurred_at, e.actor, e.correlation_id, e.causation_id, e.payload, e.prev_hash, e.hash FROM stream_index si JOIN events e ON e.position = si.position WHERE si.stream_id = ?1 AND si.stream_version >= ?2 AND si.position <= ?3 ORDER BY si.stream_version ASC";

/// The indexed part of a stream, descending versions from `?2`, bounded by the durable head.
const INDEXED_BACKWARD: &str = "SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version, e.recorded_at, e.occurred_at, e.actor, e.correlation_id, e.causation_id, e.payload, e.prev_hash, e.hash FROM stream_index si JOIN events e ON e.position = si.position WHERE si.stream_id = ?1 AND si.stream_version <= ?2 AND si.position <= ?3 ORDER BY si.stream_version DESC";

/// Events by position (a JSON array of positions, expanded by `json_each`).
const BY_POSITIONS: &str = "SELECT position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash FROM events WHERE position IN (SELECT value FROM json_each(?1)) ORDER BY position ASC";

/// Reads of at most this many events reserve room for all of them up front (~256 bytes per
/// envelope, so at most ~1 MiB); growing a vector of a thousand envelopes copies each of
/// them several times.
const EXACT_ROOM: usize = 4096;

/// A stream's unindexed (version, position) entries up to `durable`, read from the file:
/// for connections that have no in-memory [`super::stream_index::Tail`] (another process
/// reading the file). Scans only the events after the stream index's mark.
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
///
/// A forward read that starts at or after the tail's first version skips the index: every
/// later version of the stream has a later position, so it was unindexed too when the tail
/// was copied, and is in the copy if it is durable (a ticket written since the last bulk
/// index write is read with one statement).
pub fn read_stream(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    read: StreamRead,
    durable: u64,
    tail: &[(u64, u64)],
) -> StoreResult<Vec<RecordedEvent>> {
    let limit = read.max_count;
    // A bounded read (the pieces of a long load are exact) gets its room at once; an
    // unbounded one grows from a guess rather than reserving for `usize::MAX`.
    let room = if limit <= EXACT_ROOM {
        limit
    } else {
        tail.len() + 64
    };
    let mut out = Vec::with_capacity(room);
    if limit == 0 {
        return Ok(out);
    }
    match read.direction {
        Direction::Forward => {
            let in_tail = tail.first().is_some_and(|&(v, _)| v <= read.from.max(1));
            if !in_tail {
                indexed(path, conn, stream, read, durable, limit, &mut out)?;
            }
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

/// The indexed part of a stream read: at most `limit` events appended to `out`.
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
        Direction::Forward => INDEXED_FORWARD,
        Direction::Backward => INDEXED_BACKWARD,
    };
    let from = i64::try_from(read.from).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(sql).map_err(err)?;
    let mut rows = stmt
        .query(params![stream.as_str(), from, clamp(durable)])
        .map_err(err)?;
    let mut taken = 0;
    while taken < limit {
        let Some(row) = rows.next().map_err(err)? else {
            break;
        };
        out.push(
            decode(row, Some(stream))
                .map_err(err)?
                .map_err(unreadable)?,
        );
        taken += 1;
    }
    Ok(())
}

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
        // Writing into a String cannot fail.
        let _ = write!(list, "{p}");
    }
    list.push(']');
    let mut stmt = conn.prepare_cached(BY_POSITIONS).map_err(err)?;
    let mut rows = stmt.query([list]).map_err(err)?;
    let before = out.len();
    while let Some(row) = rows.next().map_err(err)? {
        out.push(
            decode(row, Some(stream))
                .map_err(err)?
                .map_err(unreadable)?,
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
