//! Checking and inserting one append inside the writer's open transaction.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use ticketflow_events::{Hash, RecordedEvent, StreamId, Timestamp};
use uuid::Uuid;

use super::chunks;
use super::stream_index::Tail;
use super::writer::AppendJob;
use crate::append::{AppendOutcome, RecordedId, Replay, replay_of};
use crate::chain::log_hash;
use crate::error::{StoreError, StoreResult};

/// A batch's view of what it has written so far, on top of the file.
#[derive(Default)]
pub struct Pending {
    /// Stream heads written by the batch.
    pub heads: HashMap<StreamId, (u64, Hash)>,
    /// Last position the batch assigned.
    pub position: u64,
    /// Log hash at `position`.
    pub log_hash: Hash,
    /// (stream, version, position) of every event the batch recorded, in position order:
    /// added to the unindexed tail once the batch committed.
    pub added: Vec<(StreamId, u64, u64)>,
}

/// The one INSERT of an event; prepared once per batch by the writer ([`insert_statement`]).
const INSERT: &str = "INSERT INTO events (position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash, log_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// The batch's INSERT statement, prepared once per transaction: looking a cached statement up
/// hashes its SQL text, which cost more than binding the row when it was done per append.
pub fn insert_statement(tx: &Connection) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
    tx.prepare_cached(INSERT)
}

fn lookup_id(tx: &Connection, id: &Uuid) -> rusqlite::Result<Option<RecordedId>> {
    tx.prepare_cached(
        "SELECT stream_id, stream_version, position, prev_hash, hash FROM events WHERE event_id = ?1",
    )?
    .query_row([&id.as_bytes()[..]], |r| {
        let stream: String = r.get(0)?;
        let version: i64 = r.get(1)?;
        let position: i64 = r.get(2)?;
        let prev: Vec<u8> = r.get(3)?;
        let hash: Vec<u8> = r.get(4)?;
        Ok((stream, version, position, prev, hash))
    })
    .optional()
    .map(|found| {
        found.and_then(|(stream, version, position, prev, hash)| {
            Some(RecordedId {
                stream: stream.parse().ok()?,
                version: version.max(0) as u64,
                position: position.max(0) as u64,
                prev_hash: Hash(<[u8; 32]>::try_from(prev.as_slice()).ok()?),
                hash: Hash(<[u8; 32]>::try_from(hash.as_slice()).ok()?),
            })
        })
    })
}

/// The newest version and hash of a stream in the file (inside the writer's transaction):
/// its newest unindexed entry, or else the stream index.
fn stream_head(
    tx: &Connection,
    stream: &StreamId,
    tail: &Tail,
) -> rusqlite::Result<Option<(u64, Hash)>> {
    let position: Option<i64> = match tail.last(stream) {
        Some((_, position)) => Some(position as i64),
        None => chunks::last_position(tx, stream)?.map(|p| p as i64),
    };
    let Some(position) = position else {
        return Ok(None);
    };
    let found: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT stream_version, hash FROM events WHERE position = ?1")?
        .query_row([position], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(found.map(|(v, h)| {
        (
            v.max(0) as u64,
            Hash(<[u8; 32]>::try_from(h.as_slice()).unwrap_or([0xff; 32])),
        )
    }))
}

/// True for the unique-constraint failures an already-recorded event id causes.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// The slow path of idempotency: looks the append's ids up (inside the transaction, so the
/// batch's own rows count) and decides. `None` means none of the ids is recorded.
fn replay(
    tx: &Connection,
    job: &AppendJob,
) -> rusqlite::Result<Option<StoreResult<AppendOutcome>>> {
    let mut found = Vec::with_capacity(job.events.len());
    for e in &job.events {
        found.push(lookup_id(tx, &e.event_id)?);
    }
    Ok(match replay_of(&job.stream, &job.events, &found) {
        Ok(Replay::Fresh) => None,
        Ok(Replay::AlreadyRecorded(outcome)) => Some(Ok(outcome)),
        Err(e) => Some(Err(e)),
    })
}

/// Checks and inserts one append. The outer error aborts the batch; the inner one answers
/// only this caller.
///
/// The common case costs one INSERT per event: the stream head comes from the writer's cache
/// and idempotency is enforced by the unique index on `event_id`. Only when the index refuses
/// a row (a retry or a reused id), or the expected version does not match (it may be a retry
/// of an append that already moved the stream), are the ids looked up. A multi-event append
/// runs under a savepoint so that a refusal half-way leaves nothing behind.
pub fn append_one(
    tx: &Connection,
    insert: &mut rusqlite::Statement<'_>,
    job: &AppendJob,
    recorded_at: Timestamp,
    pending: &mut Pending,
    committed: &HashMap<StreamId, (u64, Hash)>,
    tail: &Tail,
) -> rusqlite::Result<StoreResult<AppendOutcome>> {
    let head = match pending
        .heads
        .get(&job.stream)
        .or_else(|| committed.get(&job.stream))
    {
        Some(h) => Some(*h),
        None => stream_head(tx, &job.stream, tail)?,
    };
    let actual = head.map(|h| h.0);
    if !job.expected.admits(actual) {
        if let Some(answer) = replay(tx, job)? {
            return Ok(answer);
        }
        return Ok(Err(StoreError::WrongExpectedVersion {
            stream: job.stream.clone(),
            expected: job.expected,
            actual,
        }));
    }
    let savepoint = job.events.len() > 1;
    if savepoint {
        tx.prepare_cached("SAVEPOINT append")?.execute([])?;
    }
    let (mut version, mut prev) = head.unwrap_or((0, Hash::ZERO));
    let mut position = pending.position;
    let mut chained = pending.log_hash;
    let first_version = version + 1;
    let first_position = position + 1;
    for e in &job.events {
        version += 1;
        position += 1;
        let hash = RecordedEvent::compute_hash(&prev, &job.stream, version, e);
        chained = log_hash(&chained, &hash, position, recorded_at);
        let inserted = insert.execute(params![
            position as i64,
            job.stream.as_str(),
            version as i64,
            &e.event_id.as_bytes()[..],
            e.event_type,
            e.schema_version,
            recorded_at.timestamp_micros(),
            e.occurred_at.timestamp_micros(),
            e.actor,
            &e.correlation_id.as_bytes()[..],
            e.causation_id.as_ref().map(|c| &c.as_bytes()[..]),
            e.payload,
            &prev.0[..],
            &hash.0[..],
            &chained.0[..],
        ]);
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => {
                if savepoint {
                    tx.prepare_cached("ROLLBACK TO append")?.execute([])?;
                    tx.prepare_cached("RELEASE append")?.execute([])?;
                }
                // Anything but a known id means the writer's view is wrong: fail the batch,
                // which resynchronises it from the file.
                return replay(tx, job)?.ok_or(err);
            }
            Err(err) => return Err(err),
        }
        prev = hash;
    }
    if savepoint {
        tx.prepare_cached("RELEASE append")?.execute([])?;
    }
    pending.added.extend(
        (first_version..=version)
            .zip(first_position..=position)
            .map(|(v, p)| (job.stream.clone(), v, p)),
    );
    pending.position = position;
    pending.log_hash = chained;
    pending.heads.insert(job.stream.clone(), (version, prev));
    Ok(Ok(AppendOutcome {
        first_version,
        last_version: version,
        first_position,
        last_position: position,
    }))
}
