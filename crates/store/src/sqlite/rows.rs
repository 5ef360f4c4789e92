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
/// row that arrived but does not make an envelope. Fixed-size columns are read as borrowed
/// blobs, so decoding allocates only the strings and the payload.
pub fn decode(row: &Row<'_>) -> rusqlite::Result<Result<(RecordedEvent, Hash), Undecodable>> {
    let position: i64 = row.get(0)?;
    let text = |i: usize| -> rusqlite::Result<Result<&str, String>> {
        Ok(match row.get_ref(i)? {
            ValueRef::Text(t) => {
                std::str::from_utf8(t).map_err(|_| format!("column {i} is not UTF-8"))
            }
            other => Err(format!("column {i} is {:?}, not text", other.data_type())),
        })
    };
    let blob = |i: usize| -> rusqlite::Result<Option<&[u8]>> {
        Ok(match row.get_ref(i)? {
            ValueRef::Blob(b) => Some(b),
            _ => None,
        })
    };
    let stream_id = text(1)?;
    let stream_version: i64 = row.get(2)?;
    let event_id = blob(3)?;
    let event_type = text(4)?;
    let schema_version: i64 = row.get(5)?;
    let recorded_at: i64 = row.get(6)?;
    let occurred_at: i64 = row.get(7)?;
    let actor = text(8)?;
    let correlation_id = blob(9)?;
    let causation_id = blob(10)?;
    let payload = blob(11)?;
    let prev_hash = blob(12)?;
    let own_hash = blob(13)?;
    let log_hash = blob(14)?;
    let build = || -> Result<(RecordedEvent, Hash), String> {
        let event = RecordedEvent {
            stream_id: stream_id?.parse::<StreamId>().map_err(|e| e.to_string())?,
            stream_version: unsigned(stream_version, "stream version")?,
            global_position: unsigned(position, "position")?,
            event_id: uuid(event_id.unwrap_or_default(), "event id")?,
            event_type: event_type?.to_owned(),
            schema_version: u16::try_from(schema_version)
                .map_err(|_| format!("schema version {schema_version} is out of range"))?,
            recorded_at: time(recorded_at, "recorded_at")?,
            occurred_at: time(occurred_at, "occurred_at")?,
            actor: actor?.to_owned(),
            correlation_id: uuid(correlation_id.unwrap_or_default(), "correlation id")?,
            causation_id: causation_id.map(|c| uuid(c, "causation id")).transpose()?,
            payload: payload.unwrap_or_default().to_vec(),
            prev_hash: hash(prev_hash.unwrap_or_default(), "prev_hash")?,
            hash: hash(own_hash.unwrap_or_default(), "hash")?,
        };
        Ok((event, hash(log_hash.unwrap_or_default(), "log_hash")?))
    };
    Ok(build().map_err(|d| Undecodable(position.max(0) as u64, d)))
}

fn unreadable(u: Undecodable) -> StoreError {
    StoreError::UnreadableRecord {
        position: u.0,
        detail: u.1,
    }
}

/// Reads one stream, up to the durable position `durable`.
pub fn read_stream(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    read: StreamRead,
    durable: u64,
) -> StoreResult<Vec<RecordedEvent>> {
    let err = |e| storage_error(path, "reading a stream", e);
    let sql = match read.direction {
        Direction::Forward => format!(
            "SELECT {COLUMNS} FROM events WHERE stream_id = ?1 AND stream_version >= ?2 AND position <= ?4 ORDER BY stream_version ASC LIMIT ?3"
        ),
        Direction::Backward => format!(
            "SELECT {COLUMNS} FROM events WHERE stream_id = ?1 AND stream_version <= ?2 AND position <= ?4 ORDER BY stream_version DESC LIMIT ?3"
        ),
    };
    let from = i64::try_from(read.from).unwrap_or(i64::MAX);
    let limit = i64::try_from(read.max_count).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
    let mut rows = stmt
        .query(params![stream.as_str(), from, limit, clamp(durable)])
        .map_err(err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        out.push(decode(row).map_err(err)?.map_err(unreadable)?.0);
    }
    Ok(out)
}

/// Positions are stored as SQLite integers.
fn clamp(position: u64) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}

/// The last durable version of a stream. Walks the stream index backwards from the newest
/// entry: the commits not yet durable are the newest, so this stops after a few rows.
pub fn stream_version(
    path: &Path,
    conn: &Connection,
    stream: &StreamId,
    durable: u64,
) -> StoreResult<Option<u64>> {
    let err = |e| storage_error(path, "reading a stream version", e);
    let v: Option<i64> = conn
        .prepare_cached(
            "SELECT stream_version FROM events WHERE stream_id = ?1 AND position <= ?2 ORDER BY stream_version DESC LIMIT 1",
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
        sql.push_str(&format!(" AND stream_id IN ({})", marks.join(", ")));
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
        out.push(decode(row).map_err(err)?.map_err(unreadable)?.0);
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
            match decode(row).map_err(err)? {
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
