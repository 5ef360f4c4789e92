//! After a failed commit the writer re-reads the head from the file. If it cannot re-read the
//! unindexed tail too, it must not move its position past events that neither the tail nor
//! the stream index knows (they would be invisible to `read_stream`, and their versions could
//! be handed out again): it refuses appends until the store is reopened.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore};

#[tokio::test]
async fn a_failed_resync_of_the_tail_stops_appends_instead_of_skipping_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.sqlite");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let s = stream("ticket-SD-1");
    store
        .append(&s, ExpectedVersion::Any, vec![event("TicketNoted", b"1")])
        .await
        .unwrap();

    // Behind the writer's back: a commit that "failed" but reached the file (version 2 at
    // position 2, not in the writer's tail), the next insert failing, and the tail made
    // unreadable (the head's `indexed` column gone) while the head's position stays readable.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    raw.execute_batch(
        "BEGIN IMMEDIATE;
         INSERT INTO events SELECT 2, stream_id, 2, randomblob(16), event_type, schema_version,
             recorded_at, occurred_at, actor, correlation_id, causation_id, payload, prev_hash,
             hash, log_hash FROM events WHERE position = 1;
         UPDATE head SET position = 2 WHERE id = 1;
         CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END;
         ALTER TABLE head RENAME COLUMN indexed TO indexed_gone;
         COMMIT;",
    )
    .unwrap();
    assert!(
        store
            .append(&s, ExpectedVersion::Any, vec![event("TicketNoted", b"2")])
            .await
            .is_err()
    );
    // The file is healthy again, but the writer no longer knows its tail.
    raw.execute_batch(
        "DROP TRIGGER refuse; ALTER TABLE head RENAME COLUMN indexed_gone TO indexed;",
    )
    .unwrap();
    let refused = store
        .append(&s, ExpectedVersion::Any, vec![event("TicketNoted", b"3")])
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("stopped accepting appends"), "{refused}");
    assert!(refused.contains("reopen"), "{refused}");
    store.close().await;
    drop(store);

    // Reopened, the store rebuilds its tail from the file and continues after version 2.
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(store.stream_version(&s).await.unwrap(), Some(2));
    let outcome = store
        .append(
            &s,
            ExpectedVersion::Exact(2),
            vec![event("TicketNoted", b"4")],
        )
        .await
        .unwrap();
    assert_eq!(outcome.last_position, 3);
    store.close().await;
}
