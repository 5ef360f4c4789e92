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

/// Runs the syncer until the writer drops its sender.
pub fn run(
    mut wal: WalFile,
    requests: Receiver<SyncRequest>,
    writer: Sender<WriterMsg>,
    head: watch::Sender<u64>,
    failed: Arc<AtomicBool>,
    stats: Arc<WriterCounters>,
) {
    while let Ok(first) = requests.recv() {
        let mut batch = vec![first];
        while let Ok(more) = requests.try_recv() {
            batch.push(more);
        }
        let covered = batch.len();
        let started = Instant::now();
        let synced = wal.sync();
        stats.record_sync(started.elapsed());
        match synced {
            Ok(()) => {
                let position = batch.iter().map(|r| r.position).max().unwrap_or(0);
                head.send_if_modified(|h| {
                    let changed = *h < position;
                    if changed {
                        *h = position;
                    }
                    changed
                });
                for request in batch {
                    for (job, answer) in request.answers {
                        let _ = job.reply.send(answer);
                    }
                }
                let _ = writer.send(WriterMsg::Synced(covered));
            }
            Err(e) => {
                failed.store(true, Ordering::SeqCst);
                let error = StoreError::Storage {
                    path: wal.path.clone(),
                    action: "syncing the write-ahead log",
                    detail: format!(
                        "{e}; nothing after position {} is acknowledged — reopen the store once the disk is healthy",
                        *head.borrow()
                    ),
                };
                tracing::error!(error = %error, "fdatasync failed; the store stops accepting appends");
                for request in batch {
                    for (job, _) in request.answers {
                        let _ = job.reply.send(Err(error.clone()));
                    }
                }
                for request in requests.try_iter() {
                    for (job, _) in request.answers {
                        let _ = job.reply.send(Err(error.clone()));
                    }
                }
                // Everything in flight is answered: the writer must not wait for more.
                let _ = writer.send(WriterMsg::Synced(usize::MAX));
                // Dropping `head` ends every subscription with an error; reads stay at the
                // last durable position.
                return;
            }
        }
    }
}
