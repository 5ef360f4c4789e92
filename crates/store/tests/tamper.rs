//! Tamper evidence: edit the database file underneath with SQL and check that `verify`
//! reports the first broken link, naming stream, version and position.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    BreakKind, EventStore, ExpectedVersion, SqliteOptions, SqliteStore, StoreError, verify_file,
};

/// Four streams, five rounds, interleaved: stream `ticket-SD-{s+1}` (s = 0..4) holds
/// positions `round * 4 + s + 1` at version `round + 1`.
async fn pristine(dir: &Path) -> PathBuf {
    let path = dir.join("pristine.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    for round in 0..5u8 {
        for s in 0..4u8 {
            let id = stream(&format!("ticket-SD-{}", s + 1));
            store
                .append(
                    &id,
                    ExpectedVersion::Any,
                    vec![event("TicketNoted", &[round, s])],
                )
                .await
                .unwrap();
        }
    }
    store.close().await;
    assert!(verify_file(&path).await.unwrap().is_intact());
    path
}

/// Copies the pristine file, applies `sql` to the copy and verifies it.
async fn tampered(pristine: &Path, name: &str, sql: &str) -> ticketflow_store::VerifyReport {
    let copy = pristine.with_file_name(format!("{name}.db"));
    std::fs::copy(pristine, &copy).unwrap();
    let conn = Connection::open(&copy).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    verify_file(&copy).await.unwrap()
}

fn expect_break(
    report: &ticketflow_store::VerifyReport,
    kind: BreakKind,
    position: u64,
    stream: Option<&str>,
    version: Option<u64>,
) {
    let b = report
        .first_break
        .as_ref()
        .unwrap_or_else(|| panic!("tampering went unnoticed: {report:?}"));
    assert_eq!(b.kind, kind, "{b}");
    assert_eq!(b.position, position, "{b}");
    assert_eq!(b.stream.as_ref().map(|s| s.as_str()), stream, "{b}");
    assert_eq!(b.version, version, "{b}");
}

#[tokio::test]
async fn verify_catches_every_kind_of_edit() {
    let dir = tempfile::tempdir().unwrap();
    let p = pristine(dir.path()).await;

    // Altered payload: position 7 is ticket-SD-3 version 2.
    let r = tampered(
        &p,
        "payload",
        "UPDATE events SET payload = x'ff' WHERE position = 7",
    )
    .await;
    expect_break(
        &r,
        BreakKind::ContentAltered,
        7,
        Some("ticket-SD-3"),
        Some(2),
    );
    assert_eq!(r.events_checked, 6);

    // Altered metadata covered by the stream hash.
    let r = tampered(
        &p,
        "actor",
        "UPDATE events SET actor = 'admin:mallory' WHERE position = 9",
    )
    .await;
    expect_break(
        &r,
        BreakKind::ContentAltered,
        9,
        Some("ticket-SD-1"),
        Some(3),
    );
    let r = tampered(
        &p,
        "type",
        "UPDATE events SET event_type = 'TicketClosed' WHERE position = 2",
    )
    .await;
    expect_break(
        &r,
        BreakKind::ContentAltered,
        2,
        Some("ticket-SD-2"),
        Some(1),
    );
    let r = tampered(
        &p,
        "occurred",
        "UPDATE events SET occurred_at = occurred_at - 1 WHERE position = 3",
    )
    .await;
    expect_break(
        &r,
        BreakKind::ContentAltered,
        3,
        Some("ticket-SD-3"),
        Some(1),
    );
    // Altered metadata covered only by the log chain (recording time).
    let r = tampered(
        &p,
        "recorded",
        "UPDATE events SET recorded_at = recorded_at + 1 WHERE position = 4",
    )
    .await;
    expect_break(&r, BreakKind::LogChain, 4, Some("ticket-SD-4"), Some(1));

    // Deleted event: the gap shows at the next position.
    let r = tampered(&p, "deleted", "DELETE FROM events WHERE position = 10").await;
    expect_break(&r, BreakKind::PositionGap, 11, Some("ticket-SD-3"), Some(3));
    // Deleted event with the positions closed up behind it: the log chain breaks.
    let r = tampered(
        &p,
        "deleted-renumbered",
        "DELETE FROM events WHERE position = 10; UPDATE events SET position = position - 1 WHERE position > 10;",
    )
    .await;
    expect_break(&r, BreakKind::LogChain, 10, Some("ticket-SD-3"), Some(3));

    // Reordered events across streams: positions 5 and 6 swapped.
    let r = tampered(
        &p,
        "reordered",
        "UPDATE events SET position = -5 WHERE position = 5; UPDATE events SET position = 5 WHERE position = 6; UPDATE events SET position = 6 WHERE position = -5;",
    )
    .await;
    expect_break(&r, BreakKind::LogChain, 5, Some("ticket-SD-2"), Some(2));
    // Reordered within a stream: versions 1 and 2 of ticket-SD-1 swapped.
    let r = tampered(
        &p,
        "reordered-stream",
        "UPDATE events SET stream_version = -1 WHERE position = 1; UPDATE events SET stream_version = 1 WHERE position = 5; UPDATE events SET stream_version = 2 WHERE position = 1;",
    )
    .await;
    expect_break(&r, BreakKind::VersionGap, 1, Some("ticket-SD-1"), Some(2));

    // Deleted stream.
    let r = tampered(
        &p,
        "stream",
        "DELETE FROM events WHERE stream_id = 'ticket-SD-3'",
    )
    .await;
    expect_break(&r, BreakKind::PositionGap, 4, Some("ticket-SD-4"), Some(1));
    // Deleted stream with positions renumbered and the head rewritten to match: only the
    // log chain can tell.
    let r = tampered(
        &p,
        "stream-renumbered",
        "DELETE FROM events WHERE stream_id = 'ticket-SD-3';
         CREATE TEMP TABLE renumber AS SELECT position AS old, row_number() OVER (ORDER BY position) AS new FROM events;
         UPDATE events SET position = -(SELECT new FROM renumber WHERE old = events.position);
         UPDATE events SET position = -position;
         UPDATE head SET position = (SELECT max(position) FROM events), log_hash = (SELECT log_hash FROM events ORDER BY position DESC LIMIT 1);",
    )
    .await;
    expect_break(&r, BreakKind::LogChain, 3, Some("ticket-SD-4"), Some(1));

    // Removed tail: only the recorded head notices.
    let r = tampered(&p, "tail", "DELETE FROM events WHERE position > 17").await;
    let b = r.first_break.clone().unwrap();
    assert_eq!(b.kind, BreakKind::Head, "{b}");
    assert_eq!(b.position, 20);
    assert_eq!(r.head_position, 17);
    // ...and the store refuses to open it for writing rather than continuing on top.
    let tail = p.with_file_name("tail.db");
    match SqliteStore::open(&tail, SqliteOptions::default()) {
        Err(e @ StoreError::Corrupt { .. }) => assert!(e.to_string().contains("verify"), "{e}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test]
async fn verify_report_names_the_head_of_an_intact_log() {
    let dir = tempfile::tempdir().unwrap();
    let p = pristine(dir.path()).await;
    let report = verify_file(&p).await.unwrap();
    assert_eq!(report.events_checked, 20);
    assert_eq!(report.streams, 4);
    assert_eq!(report.head_position, 20);
    assert_ne!(report.head_hash, ticketflow_events::Hash::ZERO);
}
