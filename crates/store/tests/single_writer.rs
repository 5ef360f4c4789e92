//! One writer per store file: a second open of the same file, from this process or another,
//! is refused with an error naming the file, until the first closes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore, StoreError};

#[tokio::test]
async fn a_second_writer_is_refused_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.sqlite");
    let first = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    first
        .append(
            &stream("ticket-SD-1"),
            ExpectedVersion::Any,
            vec![event("TicketNoted", b"1")],
        )
        .await
        .unwrap();

    let err = SqliteStore::open(&path, SqliteOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("events.sqlite"), "{message}");
    assert!(message.contains("another process"), "{message}");
    // Readers are not writers: the read-only view still opens.
    assert_eq!(
        ticketflow_store::ReadOnlyStore::open(&path)
            .unwrap()
            .head()
            .unwrap(),
        1
    );

    first.close().await;
    let second = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(
        second.stream_version(&stream("ticket-SD-1")).await.unwrap(),
        Some(1)
    );
    second.close().await;
}
