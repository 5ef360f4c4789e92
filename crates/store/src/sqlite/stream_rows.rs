//! The queries that read one stream: its indexed part through the stream index's chunks, its
//! unindexed tail by position, and its last version.
//!
//! Every statement here has a fixed text, so the per-connection statement cache serves every
//! call, and the connections hold their plans across rebinds (`schema::fix_plans`; without
//! that, SQLite recompiled every one of these at each execution). No statement binds a
//! `LIMIT` either: the row count is enforced by stopping the step loop, which reads exactly
//! the same rows.

use std::path::Path;

use rusqlite::{Connection, params};
use ticketflow_events::{RecordedEvent, StreamId};

use super::chunks;
use super::rows::{by_positions, clamp};
use super::schema::storage_error;
use super::stream_index::Entries;
use crate::error::{StoreError, StoreResult};
use crate::read::{Direction, StreamRead};

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
/// The indexed part comes from the stream index's chunks ([`chunks`]); `tail` holds the
/// stream's unindexed (version, position) entries (ascending, all `<= durable`), read
/// *before* the index (see [`super::stream_index`] for why that order never misses an
/// event). An entry present in both is taken once. The events are then fetched by position
/// with one statement.
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
    if limit == 0 {
        return Ok(Vec::new());
    }
    match read.direction {
        Direction::Forward => {
            let in_tail = tail.first().is_some_and(|&(v, _)| v <= read.from.max(1));
            let mut wanted = if in_tail {
                Vec::new()
            } else {
                chunks::forward(path, conn, stream, read.from, durable, limit)?
            };
            let after = wanted.last().map_or(0, |&(v, _)| v);
            let room = limit - wanted.len();
            wanted.extend(
                tail.iter()
                    .filter(|&&(v, _)| v >= read.from && v > after)
                    .take(room)
                    .copied(),
            );
            fetch(path, conn, stream, &wanted)
        }
        Direction::Backward => {
            let mut wanted: Vec<(u64, u64)> = tail
                .iter()
                .rev()
                .filter(|&&(v, _)| v <= read.from)
                .take(limit)
                .copied()
                .collect();
            let below = wanted
                .last()
                .map_or(read.from, |&(v, _)| v.saturating_sub(1));
            if wanted.len() < limit && (wanted.is_empty() || below > 0) {
                let room = limit - wanted.len();
                wanted.extend(chunks::backward(path, conn, stream, below, durable, room)?);
            }
            wanted.reverse();
            let mut out = fetch(path, conn, stream, &wanted)?;
            out.reverse();
            Ok(out)
        }
    }
}

/// A forward read of a stream with no unindexed entries, if it returns at most `small`
/// events: `None` when it would return more (the caller reads it in pieces).
pub fn read_if_small(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    read: StreamRead,
    durable: u64,
    small: usize,
) -> StoreResult<Option<Vec<RecordedEvent>>> {
    let limit = read.max_count.min(small.saturating_add(1));
    let wanted = chunks::forward(path, conn, stream, read.from, durable, limit)?;
    if wanted.len() > small && read.max_count > small {
        return Ok(None);
    }
    let wanted = &wanted[..wanted.len().min(read.max_count)];
    fetch(path, conn, stream, wanted).map(Some)
}

/// The events of `stream` at the `wanted` (version, position) entries (ascending), in that
/// order, each checked to be the version of the stream the index says it is.
fn fetch(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    wanted: &[(u64, u64)],
) -> StoreResult<Vec<RecordedEvent>> {
    let positions: Vec<u64> = wanted.iter().map(|&(_, p)| p).collect();
    let out = by_positions(path, conn, &positions, Some(stream))?;
    for (event, &(version, position)) in out.iter().zip(wanted) {
        if event.stream_id != *stream || event.stream_version != version {
            return Err(StoreError::UnreadableRecord {
                position,
                detail: format!(
                    "the stream index names position {position} as version {version} of {stream}, but it holds version {} of {}",
                    event.stream_version, event.stream_id
                ),
            });
        }
    }
    Ok(out)
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
    chunks::last_version(path, conn, stream, durable)
}
