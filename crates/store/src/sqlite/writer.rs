//! The writer thread: group commit, pipelined with the syncer.
//!
//! Exactly one thread owns the write connection. Appends arrive on a channel; the writer takes
//! the first one, then everything else already queued — and, while the syncer is still
//! flushing the previous commit, everything that arrives until it is done (up to
//! [`MAX_BATCH_EVENTS`]) — and records the whole batch in **one** transaction. COMMIT runs with
//! `synchronous=NORMAL`: it writes the WAL frames but does not flush them. The committed batch
//! goes to the syncer ([`super::syncer`]), which flushes the WAL with one `fdatasync` and only
//! then publishes the new head and answers the callers; the writer meanwhile starts the next
//! batch. So an answer still always means "durable", but the flush of batch N overlaps the
//! statements of batch N+1.
//!
//! Invariants:
//! * Positions are assigned here, in order, from the committed position; nobody else assigns
//!   them, so they strictly increase in commit order. A failed batch assigns nothing: the
//!   in-memory position only advances after a successful commit.
//! * Every answer of a committed batch — success, wrong expected version, idempotent replay —
//!   goes through the syncer, because each of them may describe a commit not yet durable.
//! * Each append is checked against the file plus the batch's own earlier appends: the
//!   expected version before anything is inserted, idempotency by the unique index on
//!   `event_id` (a multi-event append runs under a savepoint and is rolled back to it when
//!   the index refuses one of its ids). A refused append therefore leaves nothing behind and
//!   the rest of the batch proceeds.
//! * The writer caches committed stream heads; the cache is only extended after a successful
//!   commit and is dropped after a failed one.
//! * A storage failure (full disk, I/O error) aborts the whole batch: it is rolled back and
//!   every caller in it gets the error. Nothing of it becomes visible.
//! * Checkpoints run here, between batches, never inside a COMMIT (auto-checkpoint is off):
//!   see [`Writer::checkpoint_if_due`] and the durability argument in [`super`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};
use ticketflow_events::{Hash, NewEvent, StreamId, Timestamp};
use tokio::sync::oneshot;

use super::checkpointer::Checkpointer;
use super::collector::Collector;
pub use super::counters::WriterCounters;
use super::insert::{Pending, append_one, insert_statement};
use super::schema::storage_error;
use super::stream_index::Tail;
use super::syncer::{Durability, SyncRequest};
use crate::append::{AppendOutcome, ExpectedVersion};
use crate::chain::now_micros;
use crate::error::{StoreError, StoreResult};

/// Upper bound of events in one group commit, so one transaction stays short.
pub const MAX_BATCH_EVENTS: usize = 8192;

/// Batches of at most this many appends are flushed by the writer itself when nothing is in
/// flight: with few concurrent writers there is no next batch worth preparing during the
/// flush, and handing the flush to the syncer would only add a thread hop to every append.
pub const INLINE_SYNC_APPENDS: usize = 16;

/// WAL frames (pages) after which the writer checkpoints between two batches: 16 MiB of WAL
/// at the default 4 KiB page size.
pub const CHECKPOINT_FRAMES: u64 = 4096;

/// What the writer thread receives.
pub enum WriterMsg {
    /// An append to record.
    Append(AppendJob),
    /// The syncer made this many handed-over commits durable and answered them.
    Synced(usize),
    /// The store is closing: finish what is queued and stop.
    Close,
}

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
    /// The caller's place in the queue; released when the job is answered (backpressure).
    pub _permit: tokio::sync::OwnedSemaphorePermit,
}

/// The writer's state; lives on its own thread.
pub struct Writer {
    pub(super) path: PathBuf,
    pub(super) conn: Connection,
    /// Last committed position (possibly not yet durable).
    pub(super) position: u64,
    /// Log hash at `position`.
    pub(super) log_hash: Hash,
    pub(super) stats: Arc<WriterCounters>,
    /// Last version and hash of recently written streams, as committed.
    pub(super) heads: HashMap<StreamId, (u64, Hash)>,
    /// Committed batches go here to be made durable.
    pub(super) syncer: Sender<SyncRequest>,
    /// The WAL, the published head and the failure flag, shared with the syncer.
    pub(super) durability: Arc<Durability>,
    /// WAL frames as of the last commit (set by the WAL hook).
    pub(super) wal_frames: Arc<AtomicU64>,
    /// The unindexed tail of the log, shared with the readers.
    pub(super) tail: Arc<Tail>,
    /// Set when a bulk write of the stream index failed: it is not tried again (reads stay
    /// correct from the tail; verify tells what is wrong).
    pub(super) index_stopped: bool,
    /// Set when re-reading the log after a failed commit failed: the writer no longer knows
    /// which positions and stream versions are taken, so it refuses appends until reopened.
    pub(super) resync_failed: Option<String>,
    /// The store's exclusive lock ([`super::lock`]): held while this writer runs, released
    /// when its thread ends (after the shutdown checkpoint).
    pub(super) _lock: Option<super::lock::StoreLock>,
    /// Events between bulk writes of the stream index.
    pub(super) index_every: u64,
    /// Copies the WAL into the database file beside the writer.
    pub(super) checkpointer: Checkpointer,
    /// A background checkpoint was asked for this WAL and the writer has not finished it.
    pub(super) checkpoint_requested: bool,
    /// WAL frames after which a checkpoint starts ([`CHECKPOINT_FRAMES`] by default).
    pub(super) checkpoint_frames: u64,
}

/// Streams whose heads the writer remembers; beyond this the cache starts over.
const HEAD_CACHE_STREAMS: usize = 100_000;

impl Writer {
    /// Runs until the store closes, then waits for the syncer and checkpoints the WAL into
    /// the main file.
    pub fn run(mut self, rx: Receiver<WriterMsg>, syncer: std::thread::JoinHandle<()>) {
        let mut in_flight = 0usize;
        let mut closing = false;
        while !closing {
            let first = match rx.recv() {
                Ok(WriterMsg::Append(job)) => job,
                Ok(WriterMsg::Synced(n)) => {
                    in_flight = in_flight.saturating_sub(n);
                    continue;
                }
                Ok(WriterMsg::Close) | Err(_) => break,
            };
            if self.durability.failed.load(Ordering::SeqCst) || self.resync_failed.is_some() {
                let _ = first.reply.send(Err(self.stopped()));
                continue;
            }
            let mut collector = Collector {
                rx: &rx,
                in_flight: &mut in_flight,
                closing: &mut closing,
                events: 0,
                first: Some(first),
            };
            if self.commit_batch(&mut collector) {
                in_flight += 1;
            }
            self.index_if_due(self.index_every);
            self.checkpoint_if_due();
        }
        // Appends that raced with close are refused, not dropped silently.
        let syncer_tx = std::mem::replace(&mut self.syncer, std::sync::mpsc::channel().0);
        drop(syncer_tx);
        while let Ok(msg) = rx.try_recv() {
            if let WriterMsg::Append(job) = msg {
                let _ = job.reply.send(Err(StoreError::Closed {
                    reason: "the store was closed while the append was queued".to_owned(),
                }));
            }
        }
        let _ = syncer.join();
        self.checkpointer.stop();
        if !self.durability.failed.load(Ordering::SeqCst) {
            self.index_if_due(1);
        }
        // Clean shutdown: fold the WAL into the main file so a copy of the file alone is
        // complete. Failure is harmless (the WAL stays and is replayed on open).
        if !self.durability.failed.load(Ordering::SeqCst)
            && let Err(e) = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(path = %self.path.display(), error = %e, "checkpoint at shutdown failed");
        }
    }

    fn stopped(&self) -> StoreError {
        if let Some(reason) = &self.resync_failed {
            return StoreError::Storage {
                path: self.path.clone(),
                action: "appending",
                detail: format!(
                    "after a failed commit the store could not re-read its unindexed tail ({reason}), so it stopped accepting appends; reopen it once the file is readable"
                ),
            };
        }
        StoreError::Storage {
            path: self.path.clone(),
            action: "appending",
            detail: "an earlier fdatasync of the write-ahead log failed, so the store stopped accepting appends; reopen it once the disk is healthy".to_owned(),
        }
    }

    /// Writes the unindexed tail into the stream index once it holds `due` events or more
    /// (see [`super::stream_index`]). Between batches, in its own transaction; its durability
    /// comes with the next flush (losing it to a power cut only means a longer tail on open).
    fn index_if_due(&mut self, due: u64) {
        if self.index_stopped || self.tail.len() < due {
            return;
        }
        let started = Instant::now();
        let written = self.tail.write_bulk(&mut self.conn, self.position);
        self.stats.record_index(started.elapsed());
        if let Err(e) = written {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.index_stopped = true;
            tracing::error!(path = %self.path.display(), error = %e, "writing the stream index failed; streams are served from memory until the store is reopened (run verify)");
        }
    }

    /// Checkpoints when the WAL has grown past `checkpoint_frames`, in two steps: the
    /// checkpoint thread copies the bulk of the WAL beside the writer
    /// ([`super::checkpointer`]); once it is done, the writer copies the few frames
    /// committed meanwhile, so the checkpoint is complete and the WAL restarts.
    ///
    /// `PASSIVE` under `synchronous=NORMAL`: SQLite fsyncs the WAL before copying pages into
    /// the database file and fsyncs the database file before it records the copy as done
    /// (`nBackfill`). Only a fully recorded checkpoint lets the next write transaction reset
    /// the WAL and overwrite its frames, and that reset fsyncs the new WAL header. So no
    /// frame is ever overwritten before its page is durable in the database file.
    fn checkpoint_if_due(&mut self) {
        if self.wal_frames.load(Ordering::Relaxed) < self.checkpoint_frames
            || self.checkpointer.running.load(Ordering::Acquire)
        {
            return;
        }
        if !self.checkpoint_requested && self.checkpointer.request() {
            self.checkpoint_requested = true;
            return;
        }
        self.checkpoint_requested = false;
        let started = Instant::now();
        let done = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            });
        self.stats.record_checkpoint(started.elapsed());
        match done {
            // Fully copied: the next transaction restarts the WAL from its beginning.
            Ok((_, log, copied)) if log == copied => self.wal_frames.store(0, Ordering::Relaxed),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "checkpoint failed; retried after the next batch");
            }
        }
    }

    /// Records one batch and hands it to the syncer. Returns true when a commit was handed
    /// over (and will be reported back as synced).
    fn commit_batch(&mut self, collector: &mut Collector<'_>) -> bool {
        let recorded_at = now_micros();
        let mut pending = Pending {
            position: self.position,
            log_hash: self.log_hash,
            ..Pending::default()
        };
        let mut answers = Vec::new();
        let outcome = self.write_batch(collector, recorded_at, &mut pending, &mut answers);
        match outcome {
            Ok(()) => {
                if self.heads.len() + pending.heads.len() > HEAD_CACHE_STREAMS {
                    self.heads.clear();
                }
                self.heads.extend(pending.heads.drain());
                self.tail.extend(pending.added.drain(..));
                self.stats.commits.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .appends
                    .fetch_add(answers.len() as u64, Ordering::Relaxed);
                self.stats
                    .events
                    .fetch_add(pending.position - self.position, Ordering::Relaxed);
                self.position = pending.position;
                self.log_hash = pending.log_hash;
                let request = SyncRequest {
                    position: self.position,
                    answers,
                };
                if *collector.in_flight == 0 && request.answers.len() <= INLINE_SYNC_APPENDS {
                    if !self.durability.sync_and_answer(vec![request]) {
                        self.stop_syncer();
                    }
                    false
                } else {
                    self.hand_over(request)
                }
            }
            Err(e) => {
                self.stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                let error = storage_error(&self.path, "committing appends", e);
                tracing::error!(path = %self.path.display(), error = %error, "group commit failed");
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                for (job, _) in answers {
                    let _ = job.reply.send(Err(error.clone()));
                }
                self.resync()
            }
        }
    }

    /// After a failed inline flush: lets the syncer thread end (nothing is in flight).
    fn stop_syncer(&mut self) {
        self.syncer = std::sync::mpsc::channel().0;
    }

    /// Gives a committed batch to the syncer; if the syncer has stopped, its callers get the
    /// error instead.
    fn hand_over(&mut self, request: SyncRequest) -> bool {
        match self.syncer.send(request) {
            Ok(()) => true,
            Err(std::sync::mpsc::SendError(request)) => {
                let error = self.stopped();
                for (job, _) in request.answers {
                    let _ = job.reply.send(Err(error.clone()));
                }
                false
            }
        }
    }

    /// After a failed commit, re-reads the head from the file: a commit that reported an error
    /// may still have been written, and positions must continue from what is really there.
    /// The callers were told it failed; their retries are answered by idempotency. If the
    /// file moved, the syncer is asked to make it durable before it is published.
    fn resync(&mut self) -> bool {
        self.heads.clear();
        match Tail::load(&self.conn) {
            Ok(tail) => self.tail.replace(tail),
            Err(e) => {
                // Without the tail, events after the index mark would be found by neither
                // the tail nor the index: never move the position past them, never index
                // again, refuse appends until the store is reopened.
                tracing::error!(path = %self.path.display(), error = %e, "re-reading the unindexed tail failed; the store stops accepting appends until reopened");
                self.resync_failed = Some(e.to_string());
                self.index_stopped = true;
                return false;
            }
        }
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
            && position.max(0) as u64 != self.position
        {
            self.position = position.max(0) as u64;
            self.log_hash = Hash(hash);
            return self.hand_over(SyncRequest {
                position: self.position,
                answers: Vec::new(),
            });
        }
        false
    }

    fn write_batch(
        &mut self,
        collector: &mut Collector<'_>,
        recorded_at: Timestamp,
        pending: &mut Pending,
        answers: &mut Vec<(AppendJob, StoreResult<AppendOutcome>)>,
    ) -> rusqlite::Result<()> {
        let started = Instant::now();
        let tx = self.conn.transaction()?;
        let mut insert = insert_statement(&tx)?;
        while let Some(job) = collector.next() {
            let answer = append_one(
                &tx,
                &mut insert,
                &job,
                recorded_at,
                pending,
                &self.heads,
                &self.tail,
            );
            match answer {
                Ok(answer) => answers.push((job, answer)),
                Err(e) => {
                    // The whole batch fails; this placeholder is replaced by the batch's error.
                    let placeholder = Err(StoreError::Closed {
                        reason: String::new(),
                    });
                    answers.push((job, placeholder));
                    return Err(e);
                }
            }
        }
        drop(insert);
        if pending.position != self.position {
            tx.prepare_cached("UPDATE head SET position = ?1, log_hash = ?2 WHERE id = 1")?
                .execute(params![pending.position as i64, &pending.log_hash.0[..]])?;
        }
        let written = Instant::now();
        let committed = tx.commit();
        let micros = |d: Duration| d.as_micros().min(u128::from(u64::MAX)) as u64;
        self.stats
            .write_micros
            .fetch_add(micros(written - started), Ordering::Relaxed);
        self.stats
            .commit_micros
            .fetch_add(micros(written.elapsed()), Ordering::Relaxed);
        committed
    }
}
