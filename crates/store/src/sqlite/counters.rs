//! The writer's counters: how well group commit works and where the time goes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters the writer keeps for operators: how well group commit works and where the time
/// goes. Read them through [`super::SqliteStore::writer_stats`].
#[derive(Debug, Default)]
pub struct WriterCounters {
    pub(super) commits: AtomicU64,
    pub(super) failed_commits: AtomicU64,
    pub(super) appends: AtomicU64,
    pub(super) events: AtomicU64,
    pub(super) write_micros: AtomicU64,
    pub(super) commit_micros: AtomicU64,
    pub(super) syncs: AtomicU64,
    pub(super) sync_micros: AtomicU64,
    pub(super) checkpoints: AtomicU64,
    pub(super) checkpoint_micros: AtomicU64,
    pub(super) index_writes: AtomicU64,
    pub(super) index_micros: AtomicU64,
    pub(super) background_checkpoints: AtomicU64,
    pub(super) background_checkpoint_micros: AtomicU64,
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
    /// Time spent checking and inserting, including the time the open transaction waited
    /// for the syncer to finish the previous flush, in microseconds.
    pub write_micros: u64,
    /// Time spent in COMMIT (writing the WAL frames, not flushing them), in microseconds.
    pub commit_micros: u64,
    /// `fdatasync` calls of the WAL by the syncer (one covers every commit before it).
    pub syncs: u64,
    /// Time spent in those `fdatasync` calls, in microseconds; it overlaps the writer's work.
    pub sync_micros: u64,
    /// Checkpoints run by the writer (each fsyncs the WAL and the database file).
    pub checkpoints: u64,
    /// Time spent in checkpoints, in microseconds.
    pub checkpoint_micros: u64,
    /// Bulk writes of the stream index (every few thousand events).
    pub index_writes: u64,
    /// Time spent in them, in microseconds.
    pub index_micros: u64,
    /// Checkpoints run by the checkpoint thread, beside the writer; `checkpoints` counts
    /// the writer's own (short) ones that finish them.
    pub background_checkpoints: u64,
    /// Time spent in them, in microseconds (not on the writer's path).
    pub background_checkpoint_micros: u64,
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
            syncs: self.syncs.load(Ordering::Relaxed),
            sync_micros: self.sync_micros.load(Ordering::Relaxed),
            checkpoints: self.checkpoints.load(Ordering::Relaxed),
            checkpoint_micros: self.checkpoint_micros.load(Ordering::Relaxed),
            index_writes: self.index_writes.load(Ordering::Relaxed),
            index_micros: self.index_micros.load(Ordering::Relaxed),
            background_checkpoints: self.background_checkpoints.load(Ordering::Relaxed),
            background_checkpoint_micros: self.background_checkpoint_micros.load(Ordering::Relaxed),
        }
    }

    /// Counts one `fdatasync` of the WAL.
    pub fn record_sync(&self, took: Duration) {
        self.syncs.fetch_add(1, Ordering::Relaxed);
        self.sync_micros.fetch_add(micros(took), Ordering::Relaxed);
    }

    /// Counts one checkpoint.
    pub fn record_checkpoint(&self, took: Duration) {
        self.checkpoints.fetch_add(1, Ordering::Relaxed);
        self.checkpoint_micros
            .fetch_add(micros(took), Ordering::Relaxed);
    }
}

impl WriterCounters {
    /// Counts one bulk write of the stream index.
    pub fn record_index(&self, took: Duration) {
        self.index_writes.fetch_add(1, Ordering::Relaxed);
        self.index_micros.fetch_add(micros(took), Ordering::Relaxed);
    }

    /// Counts one checkpoint of the checkpoint thread.
    pub fn record_background_checkpoint(&self, took: Duration) {
        self.background_checkpoints.fetch_add(1, Ordering::Relaxed);
        self.background_checkpoint_micros
            .fetch_add(micros(took), Ordering::Relaxed);
    }
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u128::from(u64::MAX)) as u64
}
