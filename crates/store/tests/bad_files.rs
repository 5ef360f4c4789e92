//! Damaged files, foreign files, newer formats and oversized events: each gives a clear
//! error and the file is left exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    AppendLimits, EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore, StoreError,
    verify_file,
};

async fn filled(dir: &Path, events: usize) -> PathBuf {
    let path = dir.join("store.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    for i in 0..events / 10 {
        let batch = (0..10).map(|_| event("TicketNoted", &[7u8; 300])).collect();
        store
            .append(
                &stream(&format!("ticket-SD-{}", i % 50 + 1)),
                ExpectedVersion::Any,
                batch,
            )
            .await
            .unwrap();
    }
    store.close().await;
    path
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn a_newer_format_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), 100).await;
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let before = bytes(&path);
    let err = SqliteStore::open(&path, SqliteOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerFormat {
                found: 99,
                supported: ticketflow_store::sqlite::schema::FORMAT_VERSION,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("format version 99") && text.contains("not modified"),
        "{text}"
    );
    assert!(matches!(
        verify_file(&path).await,
        Err(StoreError::NewerFormat { .. })
    ));
    assert_eq!(bytes(&path), before, "a refused file must not change");
}

#[tokio::test]
async fn a_foreign_database_or_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY); INSERT INTO customers VALUES (1);",
        )
        .unwrap();
    let before = bytes(&other);
    let err = SqliteStore::open(&other, SqliteOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert!(
        err.to_string().contains("not a Ticketflow event store"),
        "{err}"
    );
    assert_eq!(bytes(&other), before);

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "these are not events, just some text that is long enough to look like a header".repeat(20),
    )
    .unwrap();
    let before = bytes(&text);
    let err = SqliteStore::open(&text, SqliteOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotAStore { .. }
        ),
        "{err}"
    );
    assert_eq!(bytes(&text), before);
}

#[tokio::test]
async fn a_truncated_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), 3000).await;
    let len = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    let before = bytes(&path);
    let err = SqliteStore::open(&path, SqliteOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("restore the last backup"), "{err}");
    assert_eq!(bytes(&path), before, "a damaged file must not be rewritten");
    // verify does not crash on it either: it answers an error or a break.
    match verify_file(&path).await {
        Ok(report) => assert!(!report.is_intact()),
        Err(e) => assert!(matches!(e, StoreError::Corrupt { .. }), "{e}"),
    }
}

#[tokio::test]
async fn overwritten_pages_are_reported_not_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), 3000).await;
    let mut data = bytes(&path);
    // Scribble over a stretch of table pages in the middle of the file (not page 1).
    let mid = data.len() / 2;
    for (i, b) in data[mid..mid + 8192].iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    std::fs::write(&path, &data).unwrap();
    let outcome = match SqliteStore::open(&path, SqliteOptions::default()) {
        Err(e) => Err(e),
        Ok(store) => {
            let r = store.verify().await;
            store.close().await;
            r
        }
    };
    match outcome {
        Ok(report) => assert!(!report.is_intact(), "damage went unnoticed"),
        Err(e) => assert!(
            matches!(
                e,
                StoreError::Corrupt { .. } | StoreError::UnreadableRecord { .. }
            ),
            "{e}"
        ),
    }
}

#[tokio::test]
async fn an_event_over_the_configured_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        limits: AppendLimits {
            max_event_bytes: 1000,
        },
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(dir.path().join("s.db"), options).unwrap();
    let s = stream("ticket-SD-1");
    let ok = event("TicketNoted", &[1; 500]);
    let big = event("TicketNoted", &[1; 2000]);
    let err = store
        .append(&s, ExpectedVersion::Any, vec![ok.clone(), big.clone()])
        .await
        .unwrap_err();
    match &err {
        StoreError::EventTooLarge {
            event_id,
            limit,
            size,
        } => {
            assert_eq!(*event_id, big.event_id);
            assert_eq!(*limit, 1000);
            assert!(*size > 2000);
        }
        other => panic!("expected EventTooLarge, got {other:?}"),
    }
    assert!(err.to_string().contains("max_event_bytes"), "{err}");
    assert_eq!(
        store.last_position().await.unwrap(),
        0,
        "nothing of the append was recorded"
    );
    store
        .append(&s, ExpectedVersion::Any, vec![ok])
        .await
        .unwrap();
    assert_eq!(
        store.read_all(0, &Filter::all(), 10).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn backup_while_writing_is_consistent_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), 500).await;
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..200u32 {
                store
                    .append(
                        &stream("order-CO-1"),
                        ExpectedVersion::Any,
                        vec![event("OrderNoted", &i.to_be_bytes())],
                    )
                    .await
                    .unwrap();
            }
        })
    };
    let backup = dir.path().join("backup.db");
    store.backup(&backup).await.unwrap();
    writer.await.unwrap();
    assert!(
        store.backup(&backup).await.is_err(),
        "a backup never overwrites a file"
    );
    let report = verify_file(&backup).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.first_break);
    assert!(report.head_position >= 500);
    store.close().await;
    // Restore = put the copy in place and open it; it continues where the backup ended.
    let restored = SqliteStore::open(&backup, SqliteOptions::default()).unwrap();
    let r = restored
        .append(
            &stream("order-CO-2"),
            ExpectedVersion::Any,
            vec![event("OrderNoted", b"")],
        )
        .await
        .unwrap();
    assert_eq!(r.first_position, report.head_position + 1);
    assert!(restored.verify().await.unwrap().is_intact());
    restored.close().await;
}
