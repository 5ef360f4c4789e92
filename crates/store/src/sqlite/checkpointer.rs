//! Checkpoints off the writer's path.
//!
//! Copying the WAL's pages into the database file (a checkpoint) took 10–30 ms every few
//! thousand events, and the writer could not record appends meanwhile. This thread does the
//! bulk of that copy on its own connection while the writer goes on; the writer then runs a
//! second, small `PASSIVE` checkpoint between two batches that copies only the frames
//! committed during the first one, which is what lets SQLite restart the WAL from its
//! beginning (a checkpoint running beside a busy writer never catches up on its own).
//!
//! Durability is SQLite's own checkpoint protocol, whichever connection runs it: under
//! `synchronous=NORMAL` a checkpoint fsyncs the WAL before copying and the database file
//! before it records the copy, and only a complete, recorded checkpoint lets the next write
//! transaction overwrite the WAL (see the "Durability" section of [`super`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};

use super::counters::WriterCounters;
use crate::error::StoreError;

/// The writer's handle on the checkpointer thread.
pub struct Checkpointer {
    requests: Option<Sender<()>>,
    /// True from a request until the thread finished that checkpoint.
    pub running: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens the thread's own connection to `path` and starts it.
    pub fn start(path: &Path, stats: Arc<WriterCounters>) -> Result<Checkpointer, StoreError> {
        let err = |action: &'static str| {
            let path = path.to_owned();
            move |e: rusqlite::Error| super::schema::storage_error(&path, action, e)
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err("opening the checkpoint connection"))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err("setting synchronous=NORMAL"))?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(err("turning off automatic checkpoints"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err("setting the busy timeout"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        let running = Arc::new(AtomicBool::new(false));
        let flag = running.clone();
        let owned = path.to_owned();
        let thread = std::thread::Builder::new()
            .name("ticketflow-store-checkpointer".to_owned())
            .spawn(move || run(conn, owned, rx, flag, stats))
            .map_err(|e| StoreError::Storage {
                path: path.to_owned(),
                action: "starting the checkpoint thread",
                detail: e.to_string(),
            })?;
        Ok(Checkpointer {
            requests: Some(tx),
            running,
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint unless one is running. Returns false when none could be started.
    pub fn request(&self) -> bool {
        if self.running.swap(true, Ordering::AcqRel) {
            return true;
        }
        let sent = self.requests.as_ref().is_some_and(|tx| tx.send(()).is_ok());
        if !sent {
            self.running.store(false, Ordering::Release);
        }
        sent
    }

    /// Stops the thread after its current checkpoint.
    pub fn stop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(
    conn: Connection,
    path: PathBuf,
    requests: Receiver<()>,
    running: Arc<AtomicBool>,
    stats: Arc<WriterCounters>,
) {
    while requests.recv().is_ok() {
        let started = Instant::now();
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(path = %path.display(), error = %e, "background checkpoint failed; the writer retries");
        }
        stats.record_background_checkpoint(started.elapsed());
        running.store(false, Ordering::Release);
    }
}
