//! The syncer thread: makes committed batches durable, then publishes and answers them.
//!
//! The writer commits each batch with `synchronous=NORMAL`, so COMMIT only copies the WAL
//! frames into the page cache, and hands the batch here. This thread calls `fdatasync` on the
//! WAL file; only when that returned does it advance the published (durable) head and answer
//! the batch's callers. Meanwhile the writer already gathers the next batch, so the disk's
//! flush and the writer's statements overlap instead of adding up.
//!
//! Invariants (see the module docs of [`super`] for the whole argument):
//! * A request is answered only by an `fdatasync` that *started* after the request's COMMIT
//!   returned, so the WAL frames of that commit (and of every earlier one) were on the device
//!   when the callers hear of it.
//! * The published head only grows and only ever names a position whose commit was synced.
//! * If `fdatasync` fails, the page cache may already have dropped the unsynced pages, so no
//!   later sync can be trusted to cover them: every waiting caller gets the error, the head is
//!   never advanced again, and the thread stops (the writer then refuses appends until the
//!   store is reopened, which re-reads and re-syncs the file).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Instant;

use tokio::sync::watch;

use super::counters::WriterCounters;
use super::writer::{AppendJob, WriterMsg};
use crate::append::AppendOutcome;
use crate::error::{StoreError, StoreResult};

/// One committed batch waiting to become durable.
pub struct SyncRequest {
    /// Last position the batch committed (the head to publish once it is durable).
    pub position: u64,
    /// The batch's appends with their answers, sent only after the sync.
    pub answers: Vec<(AppendJob, StoreResult<AppendOutcome>)>,
}

/// The open WAL file, re-opened if SQLite ever replaced it.
pub struct WalFile {
    path: PathBuf,
    file: File,
}

impl WalFile {
    /// Opens the store's WAL (`<store>-wal`), which SQLite created when the writer opened.
    pub fn open(store: &Path) -> std::io::Result<WalFile> {
        let mut name = store.as_os_str().to_owned();
        name.push("-wal");
        let path = PathBuf::from(name);
        let file = File::open(&path)?;
        Ok(WalFile { path, file })
    }

    /// `fdatasync` of the WAL. SQLite only deletes the WAL when the last connection closes,
    /// and the writer's connection stays open, so the file is the one SQLite writes; the
    /// identity check is a cheap guard against that assumption ever breaking.
    pub fn sync(&mut self) -> std::io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        let on_disk = std::fs::metadata(&self.path)?;
        let open = self.file.metadata()?;
        if (on_disk.dev(), on_disk.ino()) != (open.dev(), open.ino()) {
            tracing::warn!(path = %self.path.display(), "the WAL file was replaced; re-opening it");
            self.file = File::open(&self.path)?;
        }
        self.file.sync_data()
    }
}

/// What the syncer thread and the writer share to make batches durable: the WAL file, the
/// published head, and the failure flag. The writer uses it directly (an *inline* sync) only
/// when nothing is in flight, so the two never flush concurrently and heads are published in
/// commit order.
pub struct Durability {
    wal: Mutex<WalFile>,
    /// `None` once a flush failed: dropping the sender ends every subscription.
    head: Mutex<Option<watch::Sender<u64>>>,
    /// Set when an `fdatasync` failed: nothing more may be written.
    pub failed: AtomicBool,
    stats: Arc<WriterCounters>,
}

impl Durability {
    /// Wraps the open WAL and the head's sender.
    pub fn new(wal: WalFile, head: watch::Sender<u64>, stats: Arc<WriterCounters>) -> Self {
        Durability {
            wal: Mutex::new(wal),
            head: Mutex::new(Some(head)),
            failed: AtomicBool::new(false),
            stats,
        }
    }

    /// Flushes the WAL once for every request in `batch`, then publishes and answers them —
    /// or, if the flush failed, answers them with the error and stops the store. Returns
    /// false after a failure.
    pub fn sync_and_answer(&self, batch: Vec<SyncRequest>) -> bool {
        let started = Instant::now();
        let mut wal = self.wal.lock();
        let synced = wal.sync();
        self.stats.record_sync(started.elapsed());
        let mut head = self.head.lock();
        match (synced, head.as_ref()) {
            (Ok(()), Some(sender)) => {
                let position = batch.iter().map(|r| r.position).max().unwrap_or(0);
                sender.send_if_modified(|h| {
                    let changed = *h < position;
                    if changed {
                        *h = position;
                    }
                    changed
                });
                drop(head);
                for request in batch {
                    for (job, answer) in request.answers {
                        let _ = job.reply.send(answer);
                    }
                }
                true
            }
            (synced, _) => {
                self.failed.store(true, Ordering::SeqCst);
                let last = head.as_ref().map_or(0, |h| *h.borrow());
                let cause = synced
                    .err()
                    .map_or_else(|| "an earlier flush failed".to_owned(), |e| e.to_string());
                let error = StoreError::Storage {
                    path: wal.path.clone(),
                    action: "syncing the write-ahead log",
                    detail: format!(
                        "{cause}; nothing after position {last} is acknowledged — reopen the store once the disk is healthy"
                    ),
                };
                tracing::error!(error = %error, "fdatasync failed; the store stops accepting appends");
                // Reads stay at the last durable position; subscriptions end with an error.
                *head = None;
                for request in batch {
                    for (job, _) in request.answers {
                        let _ = job.reply.send(Err(error.clone()));
                    }
                }
                false
            }
        }
    }
}

/// Runs the syncer until the writer drops its sender.
pub fn run(
    durability: Arc<Durability>,
    requests: Receiver<SyncRequest>,
    writer: Sender<WriterMsg>,
) {
    while let Ok(first) = requests.recv() {
        let mut batch = vec![first];
        while let Ok(more) = requests.try_recv() {
            batch.push(more);
        }
        let covered = batch.len();
        if durability.sync_and_answer(batch) {
            let _ = writer.send(WriterMsg::Synced(covered));
        } else {
            // Whatever is still queued is answered with the same error.
            let rest: Vec<SyncRequest> = requests.try_iter().collect();
            durability.sync_and_answer(rest);
            // Everything in flight is answered: the writer must not wait for more.
            let _ = writer.send(WriterMsg::Synced(usize::MAX));
            return;
        }
    }
}
