//! The writer thread: group commit.
//!
//! Exactly one thread owns the write connection. Appends arrive on a channel; the writer takes
//! the first one, drains everything else already queued (up to [`MAX_BATCH_EVENTS`]) and
//! records the whole batch in **one** transaction, which SQLite commits with one fsync of the
//! WAL (`synchronous=FULL`). Only after the commit returned does it publish the new head and
//! answer each caller, so an answer always means "durable".
//!
//! Invariants:
//! * Positions are assigned here, in order, from `next_position`; nobody else assigns them,
//!   so they strictly increase in commit order. A failed batch assigns nothing: the in-memory
//!   head only advances after a successful commit.
//! * Each append is checked against the file plus the batch's own earlier appends: the
//!   expected version before anything is inserted, idempotency by the unique index on
//!   `event_id` (a multi-event append runs under a savepoint and is rolled back to it when
//!   the index refuses one of its ids). A refused append therefore leaves nothing behind and
//!   the rest of the batch proceeds.
//! * The writer caches committed stream heads; the cache is only extended after a successful
//!   commit and is dropped after a failed one.
//! * A storage failure (full disk, I/O error) aborts the whole batch: it is rolled back and
//!   every caller in it gets the error. Nothing of it becomes visible.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};
use ticketflow_events::{Hash, NewEvent, RecordedEvent, StreamId, Timestamp};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use super::collector::{Collector, MAX_LINGER};
pub use super::counters::WriterCounters;
use super::schema::storage_error;
use crate::append::{AppendOutcome, ExpectedVersion, RecordedId, Replay, replay_of};
use crate::chain::{log_hash, now_micros};
use crate::error::{StoreError, StoreResult};

/// Upper bound of events in one group commit, so one transaction stays short.
pub const MAX_BATCH_EVENTS: usize = 8192;

/// One queued append.
pub struct AppendJob {
    /// Target stream.
    pub stream: StreamId,
    /// Concurrency condition.
    pub expected: ExpectedVersion,
    /// The events, already validated.
    pub events: Vec<NewEvent>,
    /// Where the answer goes.
    pub reply: oneshot::Sender<StoreResult<AppendOutcome>>,
    /// The caller's tokio task, so the writer can tell when the callers it answered are back.
    pub caller: Option<tokio::task::Id>,
    /// The caller's place in the queue; released when the job is answered (backpressure).
    pub _permit: tokio::sync::OwnedSemaphorePermit,
}

/// The writer's state; lives on its own thread.
pub struct Writer {
    pub(super) path: PathBuf,
    pub(super) conn: Connection,
    /// Last committed position.
    pub(super) position: u64,
    /// Log hash at `position`.
    pub(super) log_hash: Hash,
    pub(super) head: watch::Sender<u64>,
    pub(super) stats: std::sync::Arc<WriterCounters>,
    /// Last version and hash of recently written streams, as committed.
    pub(super) heads: HashMap<StreamId, (u64, Hash)>,
}

/// Streams whose heads the writer remembers; beyond this the cache starts over.
const HEAD_CACHE_STREAMS: usize = 100_000;

/// A batch's view of what it has written so far, on top of the file.
#[derive(Default)]
struct Pending {
    heads: HashMap<StreamId, (u64, Hash)>,
    position: u64,
    log_hash: Hash,
}

const INSERT: &str = "INSERT INTO events (position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash, log_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

impl Writer {
    /// Runs until every sender is gone, then checkpoints the WAL into the main file.
    pub fn run(mut self, rx: Receiver<AppendJob>) {
        let mut returning = HashSet::new();
        let mut linger = Duration::ZERO;
        while let Ok(first) = rx.recv() {
            let mut collector = Collector {
                rx: &rx,
                returning: std::mem::take(&mut returning),
                deadline: Instant::now() + linger,
                events: 0,
                first: Some(first),
            };
            let (answered, commit_time) = self.commit_batch(&mut collector);
            returning = answered;
            linger = (commit_time / 2).min(MAX_LINGER);
        }
        // Clean shutdown: fold the WAL into the main file so a copy of the file alone is
        // complete. Failure is harmless (the WAL stays and is replayed on open).
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(path = %self.path.display(), error = %e, "checkpoint at shutdown failed");
        }
    }

    /// Records one batch and answers its callers; returns the task ids answered and how long
    /// the COMMIT took.
    fn commit_batch(
        &mut self,
        collector: &mut Collector<'_>,
    ) -> (HashSet<tokio::task::Id>, Duration) {
        let recorded_at = now_micros();
        let mut pending = Pending {
            position: self.position,
            log_hash: self.log_hash,
            ..Pending::default()
        };
        let mut jobs = Vec::new();
        let mut answers = Vec::new();
        let mut commit_time = Duration::ZERO;
        let outcome = self.write_batch(
            collector,
            recorded_at,
            &mut pending,
            &mut jobs,
            &mut answers,
            &mut commit_time,
        );
        let mut answered = HashSet::new();
        match outcome {
            Ok(()) => {
                if self.heads.len() + pending.heads.len() > HEAD_CACHE_STREAMS {
                    self.heads.clear();
                }
                self.heads.extend(pending.heads.drain());
                self.stats.commits.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .appends
                    .fetch_add(jobs.len() as u64, Ordering::Relaxed);
                self.stats
                    .events
                    .fetch_add(pending.position - self.position, Ordering::Relaxed);
                self.position = pending.position;
                self.log_hash = pending.log_hash;
                self.head.send_if_modified(|h| {
                    let changed = *h != pending.position;
                    *h = pending.position;
                    changed
                });
                for (job, answer) in jobs.into_iter().zip(answers) {
                    answered.extend(job.caller);
                    let _ = job.reply.send(answer);
                }
            }
            Err(e) => {
                self.stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                let error = storage_error(&self.path, "committing appends", e);
                tracing::error!(path = %self.path.display(), error = %error, "group commit failed");
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                self.resync();
                for job in jobs {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
        }
        (answered, commit_time)
    }

    /// After a failed commit, re-reads the head from the file: a commit that reported an error
    /// may still have become durable, and positions must continue from what is really there.
    /// The callers were told it failed; their retries are answered by idempotency.
    fn resync(&mut self) {
        self.heads.clear();
        let last: rusqlite::Result<Option<(i64, Vec<u8>)>> = self
            .conn
            .query_row(
                "SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional();
        if let Ok(Some((position, hash))) = last
            && let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice())
        {
            self.position = position.max(0) as u64;
            self.log_hash = Hash(hash);
            let p = self.position;
            self.head.send_if_modified(|h| {
                let changed = *h < p;
                if changed {
                    *h = p;
                }
                changed
            });
        }
    }

    fn write_batch(
        &mut self,
        collector: &mut Collector<'_>,
        recorded_at: Timestamp,
        pending: &mut Pending,
        jobs: &mut Vec<AppendJob>,
        answers: &mut Vec<StoreResult<AppendOutcome>>,
        commit_time: &mut Duration,
    ) -> rusqlite::Result<()> {
        let started = Instant::now();
        let tx = self.conn.transaction()?;
        while let Some(job) = collector.next() {
            let answer = append_one(&tx, &job, recorded_at, pending, &self.heads);
            jobs.push(job);
            answers.push(answer?);
        }
        if pending.position != self.position {
            tx.prepare_cached("UPDATE head SET position = ?1, log_hash = ?2 WHERE id = 1")?
                .execute(params![pending.position as i64, &pending.log_hash.0[..]])?;
        }
        let written = Instant::now();
        let committed = tx.commit();
        *commit_time = written.elapsed();
        let micros = |d: Duration| d.as_micros().min(u128::from(u64::MAX)) as u64;
        self.stats
            .write_micros
            .fetch_add(micros(written - started), Ordering::Relaxed);
        self.stats
            .commit_micros
            .fetch_add(micros(*commit_time), Ordering::Relaxed);
        committed
    }
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

fn stream_head(tx: &Connection, stream: &StreamId) -> rusqlite::Result<Option<(u64, Hash)>> {
    let found: Option<(i64, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT stream_version, hash FROM events WHERE stream_id = ?1 ORDER BY stream_version DESC LIMIT 1",
        )?
        .query_row([stream.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
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
fn append_one(
    tx: &Connection,
    job: &AppendJob,
    recorded_at: Timestamp,
    pending: &mut Pending,
    committed: &HashMap<StreamId, (u64, Hash)>,
) -> rusqlite::Result<StoreResult<AppendOutcome>> {
    let head = match pending
        .heads
        .get(&job.stream)
        .or_else(|| committed.get(&job.stream))
    {
        Some(h) => Some(*h),
        None => stream_head(tx, &job.stream)?,
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
    let mut insert = tx.prepare_cached(INSERT)?;
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
