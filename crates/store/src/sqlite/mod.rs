//! The embedded default backend: one SQLite file in WAL mode.
//!
//! # Design
//!
//! * **One writer thread** owns the only write connection ([`writer`]). Appends are queued on
//!   a bounded channel and group-committed: everything queued when the writer becomes free is
//!   recorded in one transaction with one fsync. Each caller is answered after the commit.
//! * **Readers** use a small pool of read-only connections on the blocking thread pool. WAL
//!   gives each query a consistent snapshot of committed transactions, so a reader never
//!   blocks the writer, never sees a half-written append, and — because positions are
//!   assigned by the single writer in commit order — always sees a gap-free prefix of the log.
//! * **The head** (last committed position) is published on a `watch` channel after each
//!   commit; subscriptions wake on it (see [`crate::subscription`]).
//! * **The file** is checked before anything is written to it ([`schema`]): a newer format, a
//!   foreign database or a damaged file is refused, never repaired.
//!
//! Durability comes from `journal_mode=WAL` + `synchronous=FULL`: SQLite fsyncs the WAL at
//! every commit, and a crash at any moment leaves the file at the last committed transaction
//! (an uncommitted tail of the WAL is ignored on open).

mod collector;
mod counters;
mod rows;
pub mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::Connection;
use ticketflow_events::{NewEvent, RecordedEvent, StreamId};
use tokio::sync::{oneshot, watch};

use crate::append::{AppendLimits, AppendOutcome, ExpectedVersion, validate_append};
use crate::error::{StoreError, StoreResult};
use crate::event_store::EventStore;
use crate::read::{Filter, StreamRead};
use crate::subscription::Subscription;
use crate::verify::VerifyReport;
pub use counters::WriterStats;
use schema::storage_error;
use writer::{AppendJob, Writer, WriterCounters};

/// How to open a SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Create the file if it does not exist (default `true`).
    pub create: bool,
    /// Size limits for appends.
    pub limits: AppendLimits,
    /// Idle read connections kept open (default 4).
    pub readers: usize,
    /// Appends that may wait for the writer before callers are held back (default 4096).
    pub queue_capacity: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            create: true,
            limits: AppendLimits::default(),
            readers: 4,
            queue_capacity: 4096,
        }
    }
}

/// The SQLite event store. Cloning is cheap and shares the writer and the readers.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    queue: Mutex<Option<std::sync::mpsc::Sender<AppendJob>>>,
    /// Bounds the appends queued for the writer; a caller waits here when it is full.
    room: Arc<tokio::sync::Semaphore>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    head: watch::Receiver<u64>,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    limits: AppendLimits,
    stats: Arc<WriterCounters>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteStore({})", self.inner.path.display())
    }
}

impl Shared {
    /// Runs `f` on a pooled read connection.
    fn with_reader<R>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<R>) -> StoreResult<R> {
        let pooled = self.idle.lock().pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => schema::open_reader(&self.path)?,
        };
        let result = f(&mut conn);
        let mut idle = self.idle.lock();
        if idle.len() < self.max_idle {
            idle.push(conn);
        }
        result
    }
}

impl SqliteStore {
    /// Opens the store at `path` (creating it when `options.create`), checking the file first.
    ///
    /// Fails with [`StoreError::NewerFormat`], [`StoreError::NotAStore`] or
    /// [`StoreError::Corrupt`] without modifying the file.
    pub fn open(path: impl AsRef<Path>, options: SqliteOptions) -> StoreResult<Self> {
        let path = path.as_ref().to_owned();
        let (conn, position, log_hash) = schema::open_writer(&path, options.create)?;
        let (head_tx, head_rx) = watch::channel(position);
        let (queue, rx) = std::sync::mpsc::channel();
        let room = Arc::new(tokio::sync::Semaphore::new(options.queue_capacity.max(1)));
        let stats = Arc::new(WriterCounters::default());
        let writer = Writer {
            stats: stats.clone(),
            path: path.clone(),
            conn,
            position,
            log_hash,
            head: head_tx,
            heads: std::collections::HashMap::new(),
        };
        let thread = std::thread::Builder::new()
            .name("ticketflow-store-writer".to_owned())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::Storage {
                path: path.clone(),
                action: "starting the writer thread",
                detail: e.to_string(),
            })?;
        Ok(SqliteStore {
            inner: Arc::new(Shared {
                path,
                queue: Mutex::new(Some(queue)),
                room,
                writer: Mutex::new(Some(thread)),
                head: head_rx,
                idle: Mutex::new(Vec::new()),
                max_idle: options.readers,
                limits: options.limits,
                stats,
            }),
        })
    }

    /// The writer's counters since opening: commits, events per commit, time in statements
    /// and in COMMIT (the fsync). Cheap; meant for metrics.
    pub fn writer_stats(&self) -> WriterStats {
        self.inner.stats.read()
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Stops accepting appends, lets the writer finish what is queued, checkpoints the WAL
    /// into the main file and waits for the writer thread. Later appends fail with
    /// [`StoreError::Closed`]; reads keep working.
    pub async fn close(&self) {
        drop(self.inner.queue.lock().take());
        let handle = self.inner.writer.lock().take();
        if let Some(handle) = handle {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
    }

    /// Writes a consistent copy of the store to `dest` while the store keeps running.
    ///
    /// Uses `VACUUM INTO` on a read snapshot, so writers are not blocked and the copy holds
    /// exactly the events committed when the backup started. `dest` must not exist. The copy
    /// is fsynced before this returns.
    pub async fn backup(&self, dest: impl AsRef<Path>) -> StoreResult<()> {
        let dest = dest.as_ref().to_owned();
        let path = self.inner.path.clone();
        blocking(move || backup_file(&path, &dest)).await
    }

    async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Path, &mut Connection) -> StoreResult<R> + Send + 'static,
    ) -> StoreResult<R> {
        let shared = self.inner.clone();
        blocking(move || shared.with_reader(|c| f(&shared.path, c))).await
    }
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> StoreResult<R> + Send + 'static,
) -> StoreResult<R> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Closed {
            reason: format!("a read task did not finish: {e}"),
        })?
}

fn backup_file(path: &Path, dest: &Path) -> StoreResult<()> {
    let io = |action: &'static str| {
        move |e: std::io::Error| StoreError::Storage {
            path: dest.to_owned(),
            action,
            detail: e.to_string(),
        }
    };
    if dest.exists() {
        return Err(StoreError::Storage {
            path: dest.to_owned(),
            action: "starting a backup",
            detail: "the backup file already exists; choose a new name".to_owned(),
        });
    }
    let conn = schema::open_reader(path)?;
    conn.pragma_update(None, "query_only", false)
        .map_err(|e| storage_error(path, "preparing a backup", e))?;
    let target = dest.to_str().ok_or_else(|| StoreError::Storage {
        path: dest.to_owned(),
        action: "starting a backup",
        detail: "the backup path is not valid UTF-8".to_owned(),
    })?;
    conn.execute("VACUUM INTO ?1", [target])
        .map_err(|e| storage_error(dest, "writing the backup", e))?;
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(io("syncing the backup"))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(io("syncing the backup directory"))?;
    }
    Ok(())
}

/// Verifies a store file without opening it for writing: for auditors, for backups, and for
/// files the store refuses to open because their head no longer matches.
pub async fn verify_file(path: impl AsRef<Path>) -> StoreResult<VerifyReport> {
    let path = path.as_ref().to_owned();
    blocking(move || {
        let mut conn = schema::open_reader(&path)?;
        schema::check_identity(&path, &conn)?;
        rows::verify(&path, &mut conn)
    })
    .await
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> StoreResult<AppendOutcome> {
        validate_append(stream, &events, &self.inner.limits)?;
        let closed = || StoreError::Closed {
            reason: "the writer has stopped".to_owned(),
        };
        let permit = self
            .inner
            .room
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        let queue = self.inner.queue.lock().clone().ok_or_else(closed)?;
        let (reply, answer) = oneshot::channel();
        queue
            .send(AppendJob {
                stream: stream.clone(),
                expected,
                events,
                reply,
                caller: tokio::task::try_id(),
                _permit: permit,
            })
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        read: StreamRead,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let stream = stream.clone();
        self.read(move |p, c| rows::read_stream(p, c, &stream, read))
            .await
    }

    async fn stream_version(&self, stream: &StreamId) -> StoreResult<Option<u64>> {
        let stream = stream.clone();
        self.read(move |p, c| rows::stream_version(p, c, &stream))
            .await
    }

    async fn read_all(
        &self,
        from: u64,
        filter: &Filter,
        max_count: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let filter = filter.clone();
        self.read(move |p, c| rows::read_all(p, c, from, &filter, max_count))
            .await
    }

    async fn last_position(&self) -> StoreResult<u64> {
        self.read(|p, c| rows::last_position(p, c)).await
    }

    fn subscribe_all(&self, after: u64, filter: Filter) -> Subscription {
        Subscription::catch_up_then_live(self.clone(), self.inner.head.clone(), after, filter)
    }

    async fn verify(&self) -> StoreResult<VerifyReport> {
        self.read(rows::verify).await
    }
}
