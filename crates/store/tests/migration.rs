//! Files written in format 1 (one unique index on `(stream_id, stream_version)` inside the
//! `events` table) and format 2 (the bulk-written, one-row-per-event `stream_index`) are
//! migrated to format 3 (the stream index packed into chunks) on open, keep every event
//! readable and verifiable, and take new appends at the right versions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ticketflow_events::{RecordedEvent, StreamId};
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore, StreamRead,
};

/// Turns a closed store back into the format-1 layout, byte for byte what format 1 created:
/// the per-event index, no stream index table, no `indexed` column.
fn downgrade_to_format_1(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "BEGIN;
         CREATE UNIQUE INDEX events_by_stream ON events (stream_id, stream_version);
         DROP TABLE stream_chunks;
         ALTER TABLE head DROP COLUMN indexed;
         PRAGMA user_version = 1;
         COMMIT;",
    )
    .unwrap();
}

/// Turns a closed store back into the format-2 layout, what format 2 created: one
/// `stream_index` row per event up to the `indexed` mark, here moved back to `indexed` so
/// that the events after it are the unindexed tail.
fn downgrade_to_format_2(path: &std::path::Path, indexed: u64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "BEGIN;
         CREATE TABLE stream_index (
             stream_id       TEXT    NOT NULL,
             stream_version  INTEGER NOT NULL,
             position        INTEGER NOT NULL,
             PRIMARY KEY (stream_id, stream_version)
         ) WITHOUT ROWID;
         INSERT INTO stream_index (stream_id, stream_version, position)
             SELECT stream_id, stream_version, position FROM events WHERE position <= {indexed}
             ORDER BY stream_id, stream_version;
         DROP TABLE stream_chunks;
         UPDATE head SET indexed = {indexed} WHERE id = 1;
         PRAGMA user_version = 2;
         COMMIT;"
    ))
    .unwrap();
}

/// Checks that `store` reads `s` as `expected` forwards, backwards and through a stream
/// filter, and knows its last version.
async fn assert_reads(store: &SqliteStore, s: &StreamId, expected: &[RecordedEvent]) {
    let forwards = store
        .read_stream(s, StreamRead::forwards(usize::MAX))
        .await
        .unwrap();
    assert_eq!(forwards, expected, "{s} forwards");
    let mut backwards = store
        .read_stream(s, StreamRead::backwards(usize::MAX))
        .await
        .unwrap();
    backwards.reverse();
    assert_eq!(backwards, expected, "{s} backwards");
    let filtered = store
        .read_all(0, &Filter::stream(s.clone()), usize::MAX)
        .await
        .unwrap();
    assert_eq!(filtered, expected, "{s} through a stream filter");
    assert_eq!(
        store.stream_version(s).await.unwrap(),
        Some(expected.len() as u64)
    );
}

fn format(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_2_file_is_packed_into_chunks_on_open_and_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    // Two long streams (more than one chunk each) and a few short ones, interleaved.
    for round in 0..300u16 {
        let n = 1 + round % 2;
        let s = stream(&format!("ticket-SD-{n}"));
        let events = vec![event("TicketNoted", &round.to_le_bytes())];
        store
            .append(&s, ExpectedVersion::Any, events)
            .await
            .unwrap();
        if round % 50 == 0 {
            let s = stream(&format!("ticket-SD-{}", 10 + round / 50));
            let events = vec![event("TicketOpened", b"x"), event("TicketNoted", b"y")];
            store
                .append(&s, ExpectedVersion::Any, events)
                .await
                .unwrap();
        }
    }
    let before = store.read_all(0, &Filter::all(), usize::MAX).await.unwrap();
    store.close().await;
    drop(store);
    downgrade_to_format_2(&path, 290);
    assert_eq!(format(&path), 2);

    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(format(&path), 3, "opening migrates the file");
    let chunks: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM stream_chunks WHERE stream_id = 'ticket-SD-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        chunks, 2,
        "more than 128 indexed versions make a full chunk and a partial one"
    );
    let streams: Vec<_> = (1..=2)
        .chain(10..=15)
        .map(|n| stream(&format!("ticket-SD-{n}")))
        .collect();
    for s in &streams {
        let expected: Vec<_> = before
            .iter()
            .filter(|e| &e.stream_id == s)
            .cloned()
            .collect();
        assert_reads(&store, s, &expected).await;
    }
    let s = &streams[0];
    for from in [1, 100, 128, 129, 130, 150] {
        let page = store
            .read_stream(
                s,
                StreamRead {
                    from,
                    ..StreamRead::forwards(10)
                },
            )
            .await
            .unwrap();
        let want: Vec<u64> = (from..(from + 10).min(151)).collect();
        assert_eq!(
            page.iter().map(|e| e.stream_version).collect::<Vec<_>>(),
            want
        );
        let page = store
            .read_stream(
                s,
                StreamRead {
                    from,
                    ..StreamRead::backwards(3)
                },
            )
            .await
            .unwrap();
        let want: Vec<u64> = (from.saturating_sub(2).max(1)..=from).rev().collect();
        assert_eq!(
            page.iter().map(|e| e.stream_version).collect::<Vec<_>>(),
            want
        );
    }
    let outcome = store
        .append(
            s,
            ExpectedVersion::Exact(150),
            vec![event("TicketNoted", b"after")],
        )
        .await
        .unwrap();
    assert_eq!(outcome.first_version, 151);
    assert!(store.verify().await.unwrap().is_intact());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_1_file_is_migrated_on_open_and_keeps_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    for round in 0..3u8 {
        for n in 1..=4 {
            let events = (0..5).map(|i| event("TicketNoted", &[round, i])).collect();
            store
                .append(
                    &stream(&format!("ticket-SD-{n}")),
                    ExpectedVersion::Any,
                    events,
                )
                .await
                .unwrap();
        }
    }
    let before = store.read_all(0, &Filter::all(), usize::MAX).await.unwrap();
    store.close().await;
    drop(store);
    downgrade_to_format_1(&path);
    assert_eq!(format(&path), 1);

    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(format(&path), 3, "opening migrates the file");
    assert_eq!(
        store.read_all(0, &Filter::all(), usize::MAX).await.unwrap(),
        before
    );
    for n in 1..=4 {
        let s = stream(&format!("ticket-SD-{n}"));
        let forwards = store
            .read_stream(&s, StreamRead::forwards(100))
            .await
            .unwrap();
        let expected: Vec<_> = before
            .iter()
            .filter(|e| e.stream_id == s)
            .cloned()
            .collect();
        assert_eq!(forwards, expected);
        assert_eq!(store.stream_version(&s).await.unwrap(), Some(15));
    }
    // New appends continue every stream at the next version and verify end to end.
    let s = stream("ticket-SD-2");
    let outcome = store
        .append(
            &s,
            ExpectedVersion::Exact(15),
            vec![event("TicketNoted", b"after")],
        )
        .await
        .unwrap();
    assert_eq!(outcome.first_version, 16);
    assert!(
        store
            .append(
                &s,
                ExpectedVersion::Exact(15),
                vec![event("TicketNoted", b"stale")]
            )
            .await
            .is_err(),
        "a stale expected version is still refused after the migration"
    );
    let last = store
        .read_stream(&s, StreamRead::backwards(2))
        .await
        .unwrap();
    assert_eq!(
        last.iter().map(|e| e.stream_version).collect::<Vec<_>>(),
        vec![16, 15]
    );
    assert!(store.verify().await.unwrap().is_intact());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_read_the_same_across_bulk_index_writes_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let options = SqliteOptions {
        stream_index_every: 7,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(&path, options.clone()).unwrap();
    for round in 0..10u8 {
        for n in 1..=5 {
            let events = (0..=(round % 3))
                .map(|i| event("TicketNoted", &[round, i]))
                .collect();
            store
                .append(
                    &stream(&format!("ticket-SD-{n}")),
                    ExpectedVersion::Any,
                    events,
                )
                .await
                .unwrap();
        }
    }
    assert!(store.writer_stats().index_writes > 0);
    let all = store.read_all(0, &Filter::all(), usize::MAX).await.unwrap();
    let check = |store: SqliteStore, all: Vec<RecordedEvent>| async move {
        for n in 1..=5 {
            let s = stream(&format!("ticket-SD-{n}"));
            let expected: Vec<_> = all.iter().filter(|e| e.stream_id == s).cloned().collect();
            let len = expected.len() as u64;
            assert_reads(&store, &s, &expected).await;
            for from in 1..=len {
                let page = store
                    .read_stream(
                        &s,
                        StreamRead {
                            from,
                            ..StreamRead::forwards(3)
                        },
                    )
                    .await
                    .unwrap();
                let want: Vec<_> = expected
                    .iter()
                    .skip(from as usize - 1)
                    .take(3)
                    .cloned()
                    .collect();
                assert_eq!(page, want, "forwards from {from}");
            }
        }
        store
    };
    let store = check(store, all.clone()).await;
    store.close().await;
    drop(store);
    let store = SqliteStore::open(&path, options).unwrap();
    let store = check(store, all).await;
    assert!(store.verify().await.unwrap().is_intact());
    store.close().await;
}

#[tokio::test]
async fn a_format_1_file_is_refused_by_the_read_only_view_with_the_way_to_migrate_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    store
        .append(
            &stream("ticket-SD-1"),
            ExpectedVersion::Any,
            vec![event("TicketNoted", b"1")],
        )
        .await
        .unwrap();
    store.close().await;
    drop(store);
    downgrade_to_format_1(&path);

    let err = ticketflow_store::ReadOnlyStore::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            ticketflow_store::StoreError::OlderFormat { found: 1, .. }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("store format 1"), "{message}");
    assert!(message.contains("ticketflow serve"), "{message}");
    // Opening it for writing migrates it; then the read-only view reads it.
    SqliteStore::open(&path, SqliteOptions::default())
        .unwrap()
        .close()
        .await;
    assert_eq!(
        ticketflow_store::ReadOnlyStore::open(&path)
            .unwrap()
            .head()
            .unwrap(),
        1
    );
}
