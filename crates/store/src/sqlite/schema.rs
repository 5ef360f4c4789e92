//! The store file: its format version, its tables, and how a file is opened safely.
//!
//! The file is an ordinary SQLite database in WAL mode, so operators and auditors can open it
//! with the `sqlite3` shell. Two header fields identify it: `application_id` marks it as a
//! Ticketflow store, and `user_version` is the store's own **format version** (not the
//! payload schema versions, which the store records per event but never interprets).
//!
//! Opening follows one rule: *read and check before writing anything*. A file written by a
//! newer format, a database that is not a store, or a damaged file is refused with an error
//! before the first write, so the store never "repairs" or rewrites data it does not
//! understand.

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use ticketflow_events::{Hash, StreamId};

use super::chunks;

use crate::error::StoreError;

/// `application_id` of every store file: "TFlw".
pub const APPLICATION_ID: i64 = 0x5446_6C77;

/// The newest store format this build reads and writes.
///
/// * 1 — one `events` table with a unique index on `(stream_id, stream_version)`.
/// * 2 — the stream index is a separate table written in bulk ([`super::stream_index`]); the
///   head records how far it reaches. Format-1 files are migrated on open
///   ([`migrate_from_1`]), in one transaction.
/// * 3 — the stream index packs each stream's positions into chunks, one row per stream per
///   bulk write ([`super::chunks`]) instead of one row per event. Format-2 files are migrated
///   on open ([`migrate_from_2`]), in one transaction; format-1 files go through format 2.
pub const FORMAT_VERSION: i64 = 3;

const CREATE: &str = "
CREATE TABLE events (
    position        INTEGER PRIMARY KEY,  -- global position, assigned in commit order
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,
    event_id        BLOB    NOT NULL,     -- 16-byte UUID, the idempotency key
    event_type      TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL,     -- payload schema version, not interpreted here
    recorded_at     INTEGER NOT NULL,     -- store time, microseconds since the Unix epoch
    occurred_at     INTEGER NOT NULL,     -- business time, microseconds since the Unix epoch
    actor           TEXT    NOT NULL,
    correlation_id  BLOB    NOT NULL,
    causation_id    BLOB,
    payload         BLOB    NOT NULL,     -- MessagePack, opaque to the store
    prev_hash       BLOB    NOT NULL,     -- stream chain: hash of the stream's previous event
    hash            BLOB    NOT NULL,     -- stream chain: hash of this event
    log_hash        BLOB    NOT NULL      -- log chain: see chain.rs
);
CREATE UNIQUE INDEX events_by_id ON events (event_id);
-- Which positions hold which versions of a stream: `stream_chunks` (see chunks.rs), written
-- in bulk (see stream_index.rs); events after head.indexed are not in it yet.
-- The head of the log as of the last commit; verify compares it with the last event.
CREATE TABLE head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    position  INTEGER NOT NULL,
    log_hash  BLOB    NOT NULL,
    indexed   INTEGER NOT NULL DEFAULT 0  -- every event up to here is in stream_chunks
);
INSERT INTO head (id, position, log_hash, indexed) VALUES (1, 0, zeroblob(32), 0);
";

/// Format 1 → 2: the per-event stream index becomes the bulk-written `stream_index` table,
/// holding every event already in the file. One transaction: a crash leaves format 1.
const MIGRATE_FROM_1: &str = "
CREATE TABLE stream_index (
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
) WITHOUT ROWID;
INSERT INTO stream_index (stream_id, stream_version, position)
    SELECT stream_id, stream_version, position FROM events ORDER BY stream_id, stream_version;
DROP INDEX events_by_stream;
ALTER TABLE head ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
UPDATE head SET indexed = position WHERE id = 1;
";

/// Migrates a format-1 file to format 2 (see [`FORMAT_VERSION`]), in one transaction, after
/// its identity was checked. Anything failing leaves the file as it was.
fn migrate_from_1(path: &Path, conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE; {MIGRATE_FROM_1} PRAGMA user_version = 2; COMMIT;"
    ))
    .map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        storage_error(
            path,
            "migrating the store file from format 1 to format 2",
            e,
        )
    })
}

/// The format version recorded in the file.
pub fn format_version(path: &Path, conn: &Connection) -> Result<i64, StoreError> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| storage_error(path, "reading the format version", e))
}

/// Maps a SQLite error to the store's error, recognising full disks and damaged files.
pub fn storage_error(path: &Path, action: &'static str, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        let detail = msg.clone().unwrap_or_else(|| f.to_string());
        match f.code {
            ErrorCode::DiskFull => {
                return StoreError::DiskFull {
                    path: path.to_owned(),
                };
            }
            // TooBig: a record claims a string or blob larger than SQLite allows. Appends
            // are held far below that limit ([`crate::AppendLimits`]), so on this file it
            // can only be a damaged record header.
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase | ErrorCode::TooBig => {
                return StoreError::Corrupt {
                    path: path.to_owned(),
                    detail,
                };
            }
            _ => {}
        }
    }
    StoreError::Storage {
        path: path.to_owned(),
        action,
        detail: e.to_string(),
    }
}

/// Migrates a format-2 file to format 3: the per-event rows of `stream_index` are packed
/// into `stream_chunks` ([`super::chunks`]), in one transaction. Anything failing leaves the
/// file as it was.
fn migrate_from_2(path: &Path, conn: &Connection) -> Result<(), StoreError> {
    let fail = |e| {
        let _ = conn.execute_batch("ROLLBACK");
        storage_error(
            path,
            "migrating the store file from format 2 to format 3",
            e,
        )
    };
    conn.execute_batch("BEGIN IMMEDIATE;").map_err(fail)?;
    let packed = (|| -> rusqlite::Result<()> {
        conn.execute_batch(chunks::CREATE)?;
        let mut stmt = conn.prepare(
            "SELECT stream_id, stream_version, position FROM stream_index ORDER BY stream_id, stream_version",
        )?;
        let mut rows = stmt.query([])?;
        let mut stream: Option<String> = None;
        let mut entries: Vec<(u64, u64)> = Vec::new();
        let flush = |stream: &Option<String>, entries: &mut Vec<(u64, u64)>| {
            if let Some(id) = stream {
                // A stream id that does not parse cannot be asked for; verify reports it.
                if let Ok(id) = id.parse::<StreamId>() {
                    chunks::insert(conn, &id, entries)?;
                }
            }
            entries.clear();
            Ok::<(), rusqlite::Error>(())
        };
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            if stream.as_deref() != Some(id.as_str()) {
                flush(&stream, &mut entries)?;
                stream = Some(id);
            }
            let version: i64 = row.get(1)?;
            let position: i64 = row.get(2)?;
            entries.push((version.max(0) as u64, position.max(0) as u64));
        }
        flush(&stream, &mut entries)?;
        drop(rows);
        drop(stmt);
        conn.execute_batch("DROP TABLE stream_index; PRAGMA user_version = 3;")
    })();
    packed.map_err(fail)?;
    conn.execute_batch("COMMIT;").map_err(fail)
}

/// Opens (and with `create`, creates) the store file for the writer, checking it first.
///
/// Returns the connection and the head recorded in the file.
pub fn open_writer(path: &Path, create: bool) -> Result<(Connection, u64, Hash), StoreError> {
    let err = |action| move |e| storage_error(path, action, e);
    let existed = std::fs::metadata(path)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    if !existed && !create {
        return Err(StoreError::Storage {
            path: path.to_owned(),
            action: "opening the store",
            detail: "the file does not exist (create it with `create: true`)".to_owned(),
        });
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(err("opening the store"))?;
    if existed {
        check_identity(path, &conn)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err("switching to WAL mode"))?;
    // NORMAL: COMMIT writes the WAL without flushing it; the store's syncer flushes it before
    // any caller is answered, and checkpoints still flush both files (see `super` docs,
    // "Durability"). Never OFF: that would also skip the checkpoint flushes.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err("setting synchronous=NORMAL"))?;
    // 16 MiB: enough for the hot index pages; a much larger cache makes SQLite's end-of-
    // transaction cache truncation (per commit) measurably slower.
    conn.pragma_update(None, "cache_size", -16384)
        .map_err(err("sizing the page cache"))?;
    // The writer checkpoints between batches itself, never inside a COMMIT.
    conn.pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(err("turning off automatic checkpoints"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err("setting the busy timeout"))?;
    fix_plans(path, &conn)?;
    load_arrays(path, &conn)?;
    if !existed {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {CREATE} {} PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {FORMAT_VERSION}; COMMIT;",
            chunks::CREATE
        ))
        .map_err(err("creating the store tables"))?;
    }
    if existed && format_version(path, &conn)? == 1 {
        migrate_from_1(path, &conn)?;
    }
    if existed && format_version(path, &conn)? == 2 {
        migrate_from_2(path, &conn)?;
    }
    let (position, hash) = check_head(path, &conn)?;
    Ok((conn, position, hash))
}

/// Registers `rarray`, the table-valued function that hands SQLite a list of positions
/// without formatting it as text: stream reads fetch their events by position with it
/// ([`super::stream_rows`]).
fn load_arrays(path: &Path, conn: &Connection) -> Result<(), StoreError> {
    rusqlite::vtab::array::load_module(conn)
        .map_err(|e| storage_error(path, "registering the position lists", e))
}

/// Turns on the query planner stability guarantee: every statement keeps the plan it was
/// prepared with, whatever values are bound to it later.
///
/// Without it, SQLite's planner marks a parameter as plan-relevant when any plan it weighs
/// filters by equality with it (`stream_id = ?1` filtering a scan of `events`, a plan it
/// then rejects), and clearing such a statement's bindings expires it. rusqlite's statement
/// cache clears the bindings of every statement it takes back, so each reuse recompiled the
/// statement — a full parse and plan — at its next step (`tests/query_plans.rs` counts
/// SQLite's recompiles). That was ~28 µs on every read statement: it took a ten-event
/// ticket load from 16 to 45 µs of CPU (`examples/stream_load`), for plans that never change
/// (every statement of the store has one sensible plan, whatever stream or position it is
/// given). The statement cache only pays once this is on.
fn fix_plans(path: &Path, conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map(|_| ())
        .map_err(|e| storage_error(path, "fixing the query plans", e))
}

/// Opens a connection for reads; it cannot write.
pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let err = |action| move |e| storage_error(path, action, e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err("opening a reader"))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(err("making a reader read-only"))?;
    fix_plans(path, &conn)?;
    load_arrays(path, &conn)?;
    conn.pragma_update(None, "cache_size", -16384)
        .map_err(err("sizing the page cache"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err("setting the busy timeout"))?;
    Ok(conn)
}

/// Refuses files that are not stores or come from a newer format, before any write.
pub fn check_identity(path: &Path, conn: &Connection) -> Result<(), StoreError> {
    let err = |action| move |e| storage_error(path, action, e);
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(err("reading the file header"))?;
    let format: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err("reading the format version"))?;
    if app != APPLICATION_ID {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
            detail: format!("its application id is {app:#x}, a store's is {APPLICATION_ID:#x}"),
        });
    }
    if format > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: path.to_owned(),
            found: format,
            supported: FORMAT_VERSION,
        });
    }
    if format < 1 {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
            detail: format!("its format version {format} was never written by a store"),
        });
    }
    Ok(())
}

/// Reads the recorded head and checks that the last event agrees with it. This touches the
/// right-most pages of the table, where truncation and most damage show up first.
fn check_head(path: &Path, conn: &Connection) -> Result<(u64, Hash), StoreError> {
    let err = |action| move |e| storage_error(path, action, e);
    let (position, hash): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT position, log_hash FROM head WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(err("reading the recorded head"))?;
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(err("reading the last event"))?;
    let last = last.unwrap_or((0, vec![0; 32]));
    if last != (position, hash.clone()) {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: format!(
                "the recorded head is position {position} but the last event is at position {}; run verify",
                last.0
            ),
        });
    }
    let hash = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| StoreError::Corrupt {
        path: path.to_owned(),
        detail: "the recorded head hash is not 32 bytes".to_owned(),
    })?;
    Ok((position.max(0) as u64, Hash(hash)))
}
