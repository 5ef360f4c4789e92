//! A read-only view of a store file, for tools that run beside a live server.
//!
//! [`SqliteStore::open`](super::SqliteStore::open) starts the one writer a file may have; a
//! second process doing that while a server runs would compete for positions. Auditors'
//! timelines, SLA reports and backups only read, so they open the file with
//! [`ReadOnlyStore`]: one `query_only` connection, the file's identity checked first, every
//! read bounded by the head the file records (the last committed position) so a reader sees
//! a gap-free prefix of the log, exactly like the store's own readers.
//!
//! A commit the running server has not flushed yet may already be visible here (the server's
//! own readers wait for the flush); an offline report cannot wait for another process, and a
//! crash would at most lose that newest tail, never reorder what came before.

use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::Connection;
use ticketflow_events::{RecordedEvent, StreamId};

use super::schema::{self, storage_error};
use super::{backup, rows, stream_rows};
use crate::error::{StoreError, StoreResult};
use crate::read::{Filter, StreamRead};
use crate::verify::VerifyReport;

/// A store file opened for reading only; it never writes and never starts a writer.
pub struct ReadOnlyStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for ReadOnlyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReadOnlyStore({})", self.path.display())
    }
}

impl ReadOnlyStore {
    /// Opens an existing store file for reading, refusing a missing file, a file that is not
    /// a store and a newer format — without writing anything.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref().to_owned();
        let exists = std::fs::metadata(&path).map(|m| m.is_file() && m.len() > 0);
        if !exists.unwrap_or(false) {
            return Err(StoreError::Storage {
                path,
                action: "opening the store for reading",
                detail: "there is no store file here".to_owned(),
            });
        }
        let conn = schema::open_reader(&path)?;
        schema::check_identity(&path, &conn)?;
        // A reader never writes, so it cannot migrate an older layout; refuse it with the way
        // out instead of failing later on a table the old layout lacks.
        let format = schema::format_version(&path, &conn)?;
        if format < schema::FORMAT_VERSION {
            return Err(StoreError::OlderFormat {
                path,
                found: format,
            });
        }
        let store = ReadOnlyStore {
            path,
            conn: Mutex::new(conn),
        };
        // Reading the head touches the file's last pages: a truncated file fails here.
        store.head()?;
        Ok(store)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The last committed position the file records (0 for an empty log).
    pub fn head(&self) -> StoreResult<u64> {
        let conn = self.conn.lock();
        let position: i64 = conn
            .query_row("SELECT position FROM head WHERE id = 1", [], |r| r.get(0))
            .map_err(|e| storage_error(&self.path, "reading the recorded head", e))?;
        Ok(position.max(0) as u64)
    }

    /// One stream, read as [`EventStore::read_stream`](crate::EventStore::read_stream) does.
    pub fn read_stream(
        &self,
        stream: &StreamId,
        read: StreamRead,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let head = self.head()?;
        let conn = self.conn.lock();
        // The writer indexes streams in bulk; events after the file's indexed mark are found
        // by position, as the writer's own readers find them in memory.
        let tail = stream_rows::unindexed_entries(&self.path, &conn, stream, head)?;
        stream_rows::read_stream(&self.path, &conn, stream, read, head, &tail)
    }

    /// A page of the global log from position `from`, read as
    /// [`EventStore::read_all`](crate::EventStore::read_all) does, up to `until` (use
    /// [`ReadOnlyStore::head`] once and pass it to every page for one consistent prefix).
    pub fn read_all(
        &self,
        from: u64,
        filter: &Filter,
        max_count: usize,
        until: u64,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let conn = self.conn.lock();
        rows::read_all(&self.path, &conn, from, filter, max_count, until)
    }

    /// Walks both hash chains in one snapshot, like [`crate::verify_file`].
    pub fn verify(&self) -> StoreResult<VerifyReport> {
        let mut conn = self.conn.lock();
        rows::verify(&self.path, &mut conn)
    }

    /// Writes a consistent copy of the store to `dest` (which must not exist) while a server
    /// may keep writing, and answers the last position the copy holds.
    pub fn backup(&self, dest: impl AsRef<Path>) -> StoreResult<u64> {
        backup::backup_file(&self.path, dest.as_ref())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::conformance::event;
    use crate::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore};

    #[tokio::test]
    async fn a_read_only_view_reads_what_the_writer_committed_and_backs_it_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite");
        assert!(
            ReadOnlyStore::open(&path).is_err(),
            "a missing file is refused"
        );
        // A small index interval, so the streams read below are part indexed in the file and
        // part in the unindexed tail the view must find by position.
        let options = SqliteOptions {
            stream_index_every: 2,
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open(&path, options).unwrap();
        let ticket: StreamId = "ticket-SD-1".parse().unwrap();
        let order: StreamId = "order-CO-1".parse().unwrap();
        for (stream, n) in [(&ticket, 3), (&order, 2)] {
            for _ in 0..n {
                store
                    .append(stream, ExpectedVersion::Any, vec![event("X", b"\x80")])
                    .await
                    .unwrap();
            }
        }
        let view = ReadOnlyStore::open(&path).unwrap();
        assert_eq!(view.head().unwrap(), 5);
        assert_eq!(
            view.read_stream(&ticket, StreamRead::forwards(10)).unwrap(),
            store
                .read_stream(&ticket, StreamRead::forwards(10))
                .await
                .unwrap()
        );
        let orders = view.read_all(1, &Filter::category("order"), 10, 5).unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(view.read_all(1, &Filter::all(), 10, 3).unwrap().len(), 3);
        assert!(view.verify().unwrap().is_intact());
        let copy = dir.path().join("copy.sqlite");
        assert_eq!(view.backup(&copy).unwrap(), 5);
        assert!(
            ReadOnlyStore::open(&copy)
                .unwrap()
                .verify()
                .unwrap()
                .is_intact()
        );
        store.close().await;
    }
}
