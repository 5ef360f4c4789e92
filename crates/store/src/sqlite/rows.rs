//! Reading rows back into envelopes, and the queries over the whole log (the queries of one
//! stream are in [`super::stream_rows`]).
//!
//! Decoding never panics: a row that does not decode (wrong blob length, invalid stream id,
//! out-of-range time) becomes [`StoreError::UnreadableRecord`] naming its position.

use std::path::Path;

use std::rc::Rc;

use rusqlite::types::ValueRef;
use rusqlite::vtab::array::Array;
use rusqlite::{Connection, Row};
use ticketflow_events::{Hash, RecordedEvent, StreamId, Timestamp};
use uuid::Uuid;

use super::chunks;
use super::schema::storage_error;
use crate::error::{StoreError, StoreResult};
use crate::read::Filter;
use crate::verify::{ChainVerifier, VerifyReport};

/// The columns every read selects, in the order [`decode`] expects. The log hash is left
/// out: only [`verify`] needs it (it selects it as a 15th column), and every column costs a
/// copy in SQLite and three checked calls in rusqlite per row.
pub const COLUMNS: &str = "position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash";

/// The events at a list of positions, in the list's order: `rarray` is the outer loop (it
/// tells the planner it yields few rows at a cost of 1), each position one rowid lookup.
const BY_POSITIONS: &str = "SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version, e.recorded_at, e.occurred_at, e.actor, e.correlation_id, e.causation_id, e.payload, e.prev_hash, e.hash FROM rarray(?1) a JOIN events e ON e.position = a.value";

/// How many columns [`COLUMNS`] names.
const N_COLUMNS: usize = 14;

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

/// Decodes one row selected with [`COLUMNS`] into the event.
///
/// The outer error is SQLite failing to deliver the row (damaged file); the inner one is a
/// row that arrived but does not make an envelope. Each column is fetched once as a borrowed
/// value and fixed-size columns are copied straight into the envelope, so decoding allocates
/// only the stream id, the two strings and the payload. `same_stream` is a stream id the
/// caller expects (a stream read, or the previous row of a log read): when the row's bytes
/// equal it, it is cloned instead of parsed and validated again.
pub fn decode(
    row: &Row<'_>,
    same_stream: Option<&StreamId>,
) -> rusqlite::Result<Result<RecordedEvent, Undecodable>> {
    let mut cols = [ValueRef::Null; N_COLUMNS];
    for (i, col) in cols.iter_mut().enumerate() {
        *col = row.get_ref(i)?;
    }
    let position = match cols[0] {
        ValueRef::Integer(p) => p,
        _ => 0,
    };
    Ok(build(&cols, same_stream).map_err(|d| Undecodable(position.max(0) as u64, d)))
}

/// Decodes one row selected with [`COLUMNS`] and `log_hash` into the event and its log hash
/// (for [`verify`]).
fn decode_with_log_hash(
    row: &Row<'_>,
) -> rusqlite::Result<Result<(RecordedEvent, Hash), Undecodable>> {
    let log_hash = row.get_ref(N_COLUMNS)?;
    Ok(decode(row, None)?.and_then(|event| {
        match hash(blob(log_hash).unwrap_or_default(), "log_hash") {
            Ok(h) => Ok((event, h)),
            Err(d) => Err(Undecodable(event.global_position, d)),
        }
    }))
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
    cols: &[ValueRef<'_>; N_COLUMNS],
    same_stream: Option<&StreamId>,
) -> Result<RecordedEvent, String> {
    let schema_version = integer(cols[5], "schema version")?;
    Ok(RecordedEvent {
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
    })
}

/// The error a row that does not decode becomes.
pub fn unreadable(u: Undecodable) -> StoreError {
    StoreError::UnreadableRecord {
        position: u.0,
        detail: u.1,
    }
}

/// Positions are stored as SQLite integers.
pub fn clamp(position: u64) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
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
    // Room for what the durable range can hold at most: a live subscriber asks for pages of
    // 1,000 and usually gets a few events, and 1,000 envelopes are a 250 KB allocation.
    let range = usize::try_from(durable.saturating_add(1).saturating_sub(from.max(1)))
        .unwrap_or(usize::MAX);
    let from = i64::try_from(from.max(1)).unwrap_or(i64::MAX);
    let mut out = Vec::with_capacity(max_count.min(range).min(4096));
    if max_count == 0 {
        return Ok(out);
    }
    if !filter.streams.is_empty() {
        return read_streams(
            path,
            conn,
            from.max(0) as u64,
            filter,
            max_count,
            durable,
            out,
        );
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE position >= ?1 AND position <= ?2 ORDER BY position ASC"
    );
    // No LIMIT: the loop below stops at `max_count`, and one statement text keeps every page
    // size on the same cached statement.
    let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
    let mut rows = stmt
        .query(rusqlite::params![from, clamp(durable)])
        .map_err(err)?;
    let filtered = !filter.categories.is_empty() || !filter.event_types.is_empty();
    while let Some(row) = rows.next().map_err(err)? {
        // Unfiltered reads (catch-up, rebuilds) skip the two column lookups per row.
        if filtered {
            let stream = row.get_ref(1).map_err(err)?.as_str().unwrap_or("");
            let t = row.get_ref(4).map_err(err)?.as_str().unwrap_or("");
            if !passes(filter, stream, t) {
                continue;
            }
        }
        // Consecutive events often share a stream (one command's events): the previous
        // row's stream id spares parsing it again.
        let event = decode(row, out.last().map(|e: &RecordedEvent| &e.stream_id))
            .map_err(err)?
            .map_err(unreadable)?;
        out.push(event);
        if out.len() >= max_count {
            break;
        }
    }
    Ok(out)
}

/// True when a row of `stream` and `event_type` passes the category and type filters.
fn passes(filter: &Filter, stream: &str, event_type: &str) -> bool {
    let category = stream.split_once('-').map_or(stream, |(c, _)| c);
    (filter.categories.is_empty() || filter.categories.iter().any(|c| c == category))
        && (filter.event_types.is_empty() || filter.event_types.iter().any(|x| x == event_type))
}

/// [`read_all`] with a stream filter: the positions of the streams' events come from the
/// stream index and from the unindexed tail of the file, in one read transaction (so a bulk
/// index write between the two cannot hide an event), then the events by position.
fn read_streams(
    path: &Path,
    conn: &Connection,
    from: u64,
    filter: &Filter,
    max_count: usize,
    durable: u64,
    mut out: Vec<RecordedEvent>,
) -> StoreResult<Vec<RecordedEvent>> {
    let err = |e| storage_error(path, "reading the log", e);
    let tx = conn.unchecked_transaction().map_err(err)?;
    // Each stream contributes at most `max_count` events unless other filters may drop some.
    let per_stream = if filter.categories.is_empty() && filter.event_types.is_empty() {
        max_count
    } else {
        usize::MAX
    };
    let mut positions = Vec::new();
    for stream in &filter.streams {
        positions.extend(chunks::positions_from(
            path, &tx, stream, from, durable, per_stream,
        )?);
    }
    let marks: Vec<String> = (0..filter.streams.len())
        .map(|i| format!("?{}", i + 3))
        .collect();
    let sql = format!(
        "SELECT position FROM events WHERE position > (SELECT indexed FROM head WHERE id = 1) AND position >= ?1 AND position <= ?2 AND stream_id IN ({}) ORDER BY position",
        marks.join(", ")
    );
    let mut values: Vec<rusqlite::types::Value> = vec![clamp(from).into(), clamp(durable).into()];
    values.extend(filter.streams.iter().map(|s| s.as_str().to_owned().into()));
    {
        let mut stmt = tx.prepare_cached(&sql).map_err(err)?;
        let unindexed = stmt
            .query_map(rusqlite::params_from_iter(values), |r| r.get::<_, i64>(0))
            .map_err(err)?;
        for p in unindexed {
            positions.push(p.map_err(err)?.max(0) as u64);
        }
    }
    positions.sort_unstable();
    positions.dedup();
    // Fetched in pages, so a filter that drops most events never fetches the whole range.
    for page in positions.chunks(1024) {
        for event in by_positions(path, &tx, page, None)? {
            if passes(filter, event.stream_id.as_str(), &event.event_type)
                && filter.streams.contains(&event.stream_id)
            {
                out.push(event);
                if out.len() >= max_count {
                    return Ok(out);
                }
            }
        }
    }
    Ok(out)
}

/// The events at `positions` (ascending), in that order: one statement whatever their number
/// (the positions travel as an `rarray`). A position with no event — the index naming an
/// event that is not there — is an unreadable record. `same_stream` as for [`decode`].
pub fn by_positions(
    path: &Path,
    conn: &Connection,
    positions: &[u64],
    same_stream: Option<&StreamId>,
) -> StoreResult<Vec<RecordedEvent>> {
    let mut out = Vec::with_capacity(positions.len());
    if positions.is_empty() {
        return Ok(out);
    }
    let err = |e| storage_error(path, "reading events by position", e);
    let list: Array = Rc::new(
        positions
            .iter()
            .map(|&p| rusqlite::types::Value::Integer(clamp(p)))
            .collect(),
    );
    let mut stmt = conn.prepare_cached(BY_POSITIONS).map_err(err)?;
    let mut rows = stmt.query([list]).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let same = same_stream.or(out.last().map(|e: &RecordedEvent| &e.stream_id));
        let event = decode(row, same).map_err(err)?.map_err(unreadable)?;
        // The join walks the list in order; anything else is a missing event.
        if positions.get(out.len()) != Some(&event.global_position) {
            break;
        }
        out.push(event);
    }
    if let Some(&missing) = positions.get(out.len()) {
        return Err(StoreError::UnreadableRecord {
            position: missing,
            detail: format!("the stream index names position {missing}, but no event is there"),
        });
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
                "SELECT {COLUMNS}, log_hash FROM events ORDER BY position ASC"
            ))
            .map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            match decode_with_log_hash(row).map_err(err)? {
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
