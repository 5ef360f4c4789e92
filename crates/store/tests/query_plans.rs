//! The store's read connections keep the plans their statements were prepared with.
//!
//! Without the query planner stability guarantee SQLite recompiles a statement with a
//! parameter its planner marked as plan-relevant (an equality it weighed for some plan) at
//! the first step after each reuse from the statement cache — a full parse and plan on
//! every ticket load. This test runs the stream query's shape from the cache with new values
//! again and again on a connection opened the way the store opens its readers, and counts
//! SQLite's own recompiles of it; on a plain connection the same loop recompiles, which
//! shows the count can see what it guards against.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rusqlite::{Connection, StatementStatus};
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::sqlite::schema;
use ticketflow_store::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore};

/// The stream read's index query: a stream's chunks from the one holding a version onwards.
const STREAM_QUERY: &str = "SELECT first_version, last_version, positions FROM stream_chunks WHERE stream_id = ?1 AND first_version >= COALESCE((SELECT first_version FROM stream_chunks WHERE stream_id = ?1 AND first_version <= ?2 ORDER BY first_version DESC LIMIT 1), 0) ORDER BY first_version ASC";

/// Runs the stream query `rounds` times with different bindings, taking it from the
/// connection's statement cache each time as the store does; answers SQLite's count of
/// recompiles of that statement.
///
/// The cache matters: rusqlite clears a statement's bindings when it goes back into the
/// cache, and SQLite expires a statement on that clear whenever the planner marked one of
/// its parameters as plan-relevant — here `stream_id = ?1`, an equality the planner weighs
/// for more than one plan.
fn recompiles(conn: &Connection, rounds: i64) -> i32 {
    let mut count = 0;
    for round in 0..rounds {
        let mut stmt = conn.prepare_cached(STREAM_QUERY).unwrap();
        let id = format!("ticket-SD-{}", round % 3 + 1);
        let rows: Vec<i64> = stmt
            .query_map(rusqlite::params![id, round % 2 + 1], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!rows.is_empty(), "the stream {id} has events");
        count = stmt.get_status(StatementStatus::RePrepare);
    }
    count
}

async fn store_with_indexed_streams(path: &Path) {
    let options = SqliteOptions {
        // Every event goes into the stream index at once, so the query reads the index.
        stream_index_every: 1,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(path, options).unwrap();
    for n in 1..=3 {
        let events = (0..4).map(|i| event("TicketNoted", &[i])).collect();
        store
            .append(
                &stream(&format!("ticket-SD-{n}")),
                ExpectedVersion::Any,
                events,
            )
            .await
            .unwrap();
    }
    store.close().await;
}

#[tokio::test]
async fn read_connections_never_recompile_a_statement_for_new_bindings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.sqlite");
    store_with_indexed_streams(&path).await;

    let reader = schema::open_reader(&path).unwrap();
    assert_eq!(
        recompiles(&reader, 50),
        0,
        "a store reader recompiled the stream query"
    );

    // The control: a connection without the guarantee recompiles the same statement, so the
    // count above is not zero merely because nothing was measured.
    let plain = Connection::open(&path).unwrap();
    assert!(
        recompiles(&plain, 50) > 0,
        "this SQLite no longer recompiles on rebinding; the guarantee may have become moot"
    );
}
