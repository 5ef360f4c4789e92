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
//! * Each append is checked (idempotency, expected version) *before* any of its rows are
//!   inserted, against the file plus the batch's own earlier appends. A refused append
//!   therefore leaves nothing behind and the rest of the batch proceeds.
//! * A storage failure (full disk, I/O error) aborts the whole batch: it is rolled back and
//!   every caller in it gets the error. Nothing of it becomes visible.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use ticketflow_events::{Hash, NewEvent, RecordedEvent, StreamId, Timestamp};
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

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
}

/// Counters the writer keeps for operators: how well group commit works and where the time
/// goes. Read them through [`super::SqliteStore::writer_stats`].
#[derive(Debug, Default)]
pub struct WriterCounters {
    commits: AtomicU64,
    failed_commits: AtomicU64,
    appends: AtomicU64,
    events: AtomicU64,
    write_micros: AtomicU64,
    commit_micros: AtomicU64,
}

/// A reading of the writer's counters since the store was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterStats {
    /// Successful group commits (each one fsync).
    pub commits: u64,
    /// Group commits that failed and were rolled back.
    pub failed_commits: u64,
    /// Appends answered by successful commits (including refused and replayed ones).
    pub appends: u64,
    /// Events recorded.
    pub events: u64,
    /// Time spent checking and inserting, in microseconds.
    pub write_micros: u64,
    /// Time spent in COMMIT (WAL write and fsync), in microseconds.
    pub commit_micros: u64,
}

impl WriterCounters {
    /// Reads all counters.
    pub fn read(&self) -> WriterStats {
        WriterStats {
            commits: self.commits.load(Ordering::Relaxed),
            failed_commits: self.failed_commits.load(Ordering::Relaxed),
            appends: self.appends.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
            write_micros: self.write_micros.load(Ordering::Relaxed),
            commit_micros: self.commit_micros.load(Ordering::Relaxed),
        }
    }
}

/// A batch's view of what it has written so far, on top of the file.
#[derive(Default)]
struct Pending {
    heads: HashMap<StreamId, (u64, Hash)>,
    ids: HashMap<Uuid, RecordedId>,
    position: u64,
    log_hash: Hash,
}

const INSERT: &str = "INSERT INTO events (position, stream_id, stream_version, event_id, event_type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash, hash, log_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

impl Writer {
    /// Runs until every sender is gone, then checkpoints the WAL into the main file.
    pub fn run(mut self, mut rx: mpsc::Receiver<AppendJob>) {
        while let Some(first) = rx.blocking_recv() {
            let mut events = first.events.len();
            let mut batch = vec![first];
            while events < MAX_BATCH_EVENTS {
                match rx.try_recv() {
                    Ok(job) => {
                        events += job.events.len();
                        batch.push(job);
                    }
                    Err(_) => break,
                }
            }
            self.commit_batch(batch);
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

    fn commit_batch(&mut self, batch: Vec<AppendJob>) {
        let recorded_at = now_micros();
        let mut pending = Pending {
            position: self.position,
            log_hash: self.log_hash,
            ..Pending::default()
        };
        let mut answers = Vec::with_capacity(batch.len());
        let outcome = self.write_batch(&batch, recorded_at, &mut pending, &mut answers);
        match outcome {
            Ok(()) => {
                self.stats.commits.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .appends
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
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
                for (job, answer) in batch.into_iter().zip(answers) {
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
                for job in batch {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
        }
    }

    /// After a failed commit, re-reads the head from the file: a commit that reported an error
    /// may still have become durable, and positions must continue from what is really there.
    /// The callers were told it failed; their retries are answered by idempotency.
    fn resync(&mut self) {
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
        batch: &[AppendJob],
        recorded_at: Timestamp,
        pending: &mut Pending,
        answers: &mut Vec<StoreResult<AppendOutcome>>,
    ) -> rusqlite::Result<()> {
        let started = Instant::now();
        let tx = self.conn.transaction()?;
        for job in batch {
            answers.push(append_one(&tx, job, recorded_at, pending)?);
        }
        if pending.position != self.position {
            tx.prepare_cached("UPDATE head SET position = ?1, log_hash = ?2 WHERE id = 1")?
                .execute(params![pending.position as i64, &pending.log_hash.0[..]])?;
        }
        let written = Instant::now();
        let committed = tx.commit();
        let micros = |d: std::time::Duration| d.as_micros().min(u128::from(u64::MAX)) as u64;
        self.stats
            .write_micros
            .fetch_add(micros(written - started), Ordering::Relaxed);
        self.stats
            .commit_micros
            .fetch_add(micros(written.elapsed()), Ordering::Relaxed);
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

/// Checks and inserts one append. The outer error aborts the batch; the inner one answers
/// only this caller.
fn append_one(
    tx: &Connection,
    job: &AppendJob,
    recorded_at: Timestamp,
    pending: &mut Pending,
) -> rusqlite::Result<StoreResult<AppendOutcome>> {
    let mut found = Vec::with_capacity(job.events.len());
    for e in &job.events {
        found.push(match pending.ids.get(&e.event_id) {
            Some(r) => Some(r.clone()),
            None => lookup_id(tx, &e.event_id)?,
        });
    }
    match replay_of(&job.stream, &job.events, &found) {
        Ok(Replay::Fresh) => {}
        Ok(Replay::AlreadyRecorded(outcome)) => return Ok(Ok(outcome)),
        Err(e) => return Ok(Err(e)),
    }
    let head = match pending.heads.get(&job.stream) {
        Some(h) => Some(*h),
        None => stream_head(tx, &job.stream)?,
    };
    let actual = head.map(|h| h.0);
    if !job.expected.admits(actual) {
        return Ok(Err(StoreError::WrongExpectedVersion {
            stream: job.stream.clone(),
            expected: job.expected,
            actual,
        }));
    }
    let (mut version, mut prev) = head.unwrap_or((0, Hash::ZERO));
    let first_version = version + 1;
    let first_position = pending.position + 1;
    let mut insert = tx.prepare_cached(INSERT)?;
    for e in &job.events {
        version += 1;
        let position = pending.position + 1;
        let hash = RecordedEvent::compute_hash(&prev, &job.stream, version, e);
        let chained = log_hash(&pending.log_hash, &hash, position, recorded_at);
        insert.execute(params![
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
        ])?;
        pending.ids.insert(
            e.event_id,
            RecordedId {
                stream: job.stream.clone(),
                version,
                position,
                prev_hash: prev,
                hash,
            },
        );
        prev = hash;
        pending.position = position;
        pending.log_hash = chained;
    }
    pending.heads.insert(job.stream.clone(), (version, prev));
    Ok(Ok(AppendOutcome {
        first_version,
        last_version: version,
        first_position,
        last_position: pending.position,
    }))
}
