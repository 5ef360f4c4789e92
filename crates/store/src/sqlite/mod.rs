//! The embedded default backend: one SQLite file in WAL mode.
//!
//! # Design
//!
//! * **One writer thread** owns the only write connection ([`writer`]). Appends are queued on
//!   a bounded channel and group-committed: everything queued when the writer becomes free —
//!   and everything arriving while the previous commit is still being flushed — is recorded
//!   in one transaction.
//! * **One syncer thread** ([`syncer`]) makes each committed transaction durable with one
//!   `fdatasync` of the WAL, then publishes the new head and answers the callers. The writer
//!   does not wait for it: it prepares the next batch while the disk flushes this one.
//! * **Readers** use a small pool of read-only connections on the blocking thread pool
//!   (reads of a few events on the calling thread, see [`parallel_read`]). WAL
//!   gives each query a consistent snapshot of committed transactions, so a reader never
//!   blocks the writer and never sees a half-written append. Because a commit is visible to
//!   SQLite readers *before* the syncer made it durable, every read is bounded by the
//!   published head (see "Durability" below).
//! * **The head** (last durable position) is published on a `watch` channel by the syncer;
//!   subscriptions wake on it (see [`crate::subscription`]).
//! * **The file** is checked before anything is written to it ([`schema`]): a newer format, a
//!   foreign database or a damaged file is refused, never repaired.
//!
//! # Durability
//!
//! The connection runs `journal_mode=WAL`, `synchronous=NORMAL`, `wal_autocheckpoint=0`.
//! What makes an acknowledged append survive a power cut:
//!
//! 1. **Commit, then flush, then answer.** COMMIT appends the batch's pages and a commit frame
//!    to the WAL (page cache only). The syncer's `fdatasync` of the WAL starts after that
//!    COMMIT returned, so when it returns the frames are on the device; only then are the
//!    callers answered and the head published. One flush covers every commit before it.
//! 2. **A WAL is only ever valid as a prefix.** On recovery SQLite replays frames from the
//!    start while their salts and cumulative checksums match, and keeps everything up to the
//!    last valid commit frame. A lost unflushed tail therefore loses whole transactions — the
//!    newest, unacknowledged ones — never part of one and never an older one.
//! 3. **Checkpoints never overwrite what is not yet safe.** Auto-checkpoint is off; the writer
//!    checkpoints between batches ([`writer::CHECKPOINT_FRAMES`]). Under `synchronous=NORMAL`
//!    SQLite fsyncs the WAL before copying its pages into the database file and fsyncs the
//!    database file before it records the copy as complete; the WAL is reset (and its frames
//!    overwritten) only at the next write transaction after a *complete* checkpoint, and the
//!    reset fsyncs the new WAL header. So a page leaves the WAL only once it is durable in the
//!    database file. (`synchronous=OFF` would skip all three flushes and is never used.)
//! 4. **Nothing becomes visible before it is durable.** `read_stream`, `read_all`,
//!    `stream_version` and `last_position` filter by the published head, read *before* the
//!    query; subscriptions read through `read_all`; `verify` and `backup` wait, before they
//!    return, until the head covers what they saw. On open, the WAL and the database file are
//!    fsynced before the head is first published, because a process killed between COMMIT
//!    and flush leaves committed-but-unflushed frames in the page cache that the next open
//!    would otherwise publish.
//! 5. **A failed flush stops the store.** After a failed `fdatasync` the kernel may have
//!    dropped the dirty pages, so no later flush proves anything: waiting callers get the
//!    error, the head stops, and appends are refused until the store is reopened.

mod backup;
mod checkpointer;
mod chunks;
mod collector;
mod counters;
pub mod insert;
mod lock;
mod parallel_read;
mod read_only;
mod rows;
pub mod schema;
pub mod stream_index;
mod stream_rows;
mod syncer;
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
pub use lock::StoreLock;
pub use read_only::ReadOnlyStore;
use schema::storage_error;
use writer::{AppendJob, Writer, WriterCounters, WriterMsg};

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
    /// Events between two bulk writes of the stream index (default
    /// [`stream_index::INDEX_EVERY`]); the events in between are indexed in memory. Tests
    /// set it small to exercise reads that span both.
    pub stream_index_every: u64,
    /// WAL frames (pages) after which the WAL is checkpointed into the database file
    /// (default 4,096, i.e. 16 MiB of WAL); the crash tests set it small so that
    /// checkpoints and WAL restarts happen all the time.
    pub checkpoint_frames: u64,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            create: true,
            limits: AppendLimits::default(),
            readers: 4,
            queue_capacity: 4096,
            stream_index_every: stream_index::INDEX_EVERY,
            checkpoint_frames: writer::CHECKPOINT_FRAMES,
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
    queue: Mutex<Option<std::sync::mpsc::Sender<WriterMsg>>>,
    /// Bounds the appends queued for the writer; a caller waits here when it is full.
    room: Arc<tokio::sync::Semaphore>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The last durable position, published by the syncer.
    head: watch::Receiver<u64>,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    limits: AppendLimits,
    stats: Arc<WriterCounters>,
    /// The unindexed tail of the log (see [`stream_index`]).
    tail: Arc<stream_index::Tail>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteStore({})", self.inner.path.display())
    }
}

impl Drop for Shared {
    /// The last handle is gone: let the writer finish what is queued and stop (the syncer
    /// holds a sender of the writer's queue too, so dropping ours alone would not end it).
    fn drop(&mut self) {
        if let Some(queue) = self.queue.get_mut().take() {
            let _ = queue.send(WriterMsg::Close);
        }
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
        // One writer per file, across processes (see [`lock`]); taken before anything reads
        // or migrates the file. Without `create`, a missing file is reported by open_writer.
        let lock = if options.create || path.exists() {
            Some(lock::StoreLock::acquire(&path)?)
        } else {
            None
        };
        let (mut conn, position, log_hash) = schema::open_writer(&path, options.create)?;
        let tail = Arc::new(
            stream_index::Tail::load(&conn)
                .map_err(|e| storage_error(&path, "reading the unindexed tail of the log", e))?,
        );
        let io = |action: &'static str| {
            let path = path.clone();
            move |e: std::io::Error| StoreError::Storage {
                path,
                action,
                detail: e.to_string(),
            }
        };
        // What the file holds may include commits a killed process never flushed: make it
        // durable before publishing any of it (module docs, point 4).
        let mut wal = syncer::WalFile::open(&path).map_err(io("opening the write-ahead log"))?;
        wal.sync().map_err(io("syncing the write-ahead log"))?;
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io("syncing the store file"))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The WAL's directory entry: the syncer flushes the file's data, not its name.
            std::fs::File::open(dir)
                .and_then(|f| f.sync_all())
                .map_err(io("syncing the store directory"))?;
        }
        let wal_frames = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let frames = wal_frames.clone();
        conn.wal_hook(Some(
            move |_: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
                frames.store(
                    u64::try_from(pages).unwrap_or(0),
                    std::sync::atomic::Ordering::Relaxed,
                );
                Ok(())
            },
        ))
        .map_err(|e| storage_error(&path, "watching the write-ahead log", e))?;
        let (head_tx, head_rx) = watch::channel(position);
        let (queue, rx) = std::sync::mpsc::channel();
        let (sync_tx, sync_rx) = std::sync::mpsc::channel();
        let room = Arc::new(tokio::sync::Semaphore::new(options.queue_capacity.max(1)));
        let stats = Arc::new(WriterCounters::default());
        let durability = Arc::new(syncer::Durability::new(wal, head_tx, stats.clone()));
        let spawn_error = |e: std::io::Error| StoreError::Storage {
            path: path.clone(),
            action: "starting the writer thread",
            detail: e.to_string(),
        };
        let syncer = {
            let (writer_tx, durability) = (queue.clone(), durability.clone());
            std::thread::Builder::new()
                .name("ticketflow-store-syncer".to_owned())
                .spawn(move || syncer::run(durability, sync_rx, writer_tx))
                .map_err(spawn_error)?
        };
        let checkpointer = checkpointer::Checkpointer::start(&path, stats.clone())?;
        let writer = Writer {
            stats: stats.clone(),
            path: path.clone(),
            conn,
            position,
            log_hash,
            heads: std::collections::HashMap::new(),
            syncer: sync_tx,
            durability,
            wal_frames,
            tail: tail.clone(),
            index_every: options.stream_index_every.max(1),
            index_stopped: false,
            resync_failed: None,
            _lock: lock,
            checkpointer,
            checkpoint_requested: false,
            checkpoint_frames: options.checkpoint_frames.max(1),
        };
        let thread = std::thread::Builder::new()
            .name("ticketflow-store-writer".to_owned())
            .spawn(move || writer.run(rx, syncer))
            .map_err(spawn_error)?;
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
                tail,
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
        if let Some(queue) = self.inner.queue.lock().take() {
            let _ = queue.send(WriterMsg::Close);
        }
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
        let copied = blocking(move || backup::backup_file(&path, &dest)).await?;
        self.until_durable(copied).await
    }

    /// The last durable position: every read is bounded by it.
    fn durable(&self) -> u64 {
        *self.inner.head.borrow()
    }

    /// Waits until `position` is durable, for operations that saw the file directly (a
    /// snapshot may hold a commit the syncer is still flushing).
    async fn until_durable(&self, position: u64) -> StoreResult<()> {
        let mut head = self.inner.head.clone();
        head.wait_for(|h| *h >= position)
            .await
            .map(|_| ())
            .map_err(|_| StoreError::Closed {
                reason: "the store stopped before what was read became durable".to_owned(),
            })
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
            .send(WriterMsg::Append(AppendJob {
                stream: stream.clone(),
                expected,
                events,
                reply,
                _permit: permit,
            }))
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        read: StreamRead,
    ) -> StoreResult<Vec<RecordedEvent>> {
        // Durable head first, then the tail, then the file (see `stream_index`).
        let durable = self.durable();
        let tail = self.inner.tail.entries(stream, durable);
        self.load_stream(stream.clone(), read, durable, tail).await
    }

    async fn stream_version(&self, stream: &StreamId) -> StoreResult<Option<u64>> {
        let durable = self.durable();
        let last = self.inner.tail.entries(stream, durable).last().map(|e| e.0);
        // One index lookup: read on the calling thread (see `parallel_read`).
        self.inner.with_reader(|c| {
            stream_rows::stream_version(&self.inner.path, c, stream, durable, last)
        })
    }

    async fn read_all(
        &self,
        from: u64,
        filter: &Filter,
        max_count: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let durable = self.durable();
        if filter.is_all() && max_count > 0 {
            let from = from.max(1);
            let end = durable.min(from.saturating_add(max_count as u64 - 1));
            let events = (end + 1).saturating_sub(from);
            if events >= parallel_read::SPLIT_READ_EVENTS {
                return self.read_all_split(from, end).await;
            }
            if events <= parallel_read::INLINE_EVENTS as u64 {
                // A live subscriber's next few events: on the calling thread.
                return self.inner.with_reader(|c| {
                    rows::read_all(&self.inner.path, c, from, filter, max_count, durable)
                });
            }
        }
        let filter = filter.clone();
        self.read(move |p, c| rows::read_all(p, c, from, &filter, max_count, durable))
            .await
    }

    async fn last_position(&self) -> StoreResult<u64> {
        Ok(self.durable())
    }

    fn subscribe_all(&self, after: u64, filter: Filter) -> Subscription {
        Subscription::catch_up_then_live(self.clone(), self.inner.head.clone(), after, filter)
    }

    async fn verify(&self) -> StoreResult<VerifyReport> {
        let report = self.read(rows::verify).await?;
        self.until_durable(report.head_position).await?;
        Ok(report)
    }
}
