//! Both backends pass the same conformance suite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ticketflow_store::conformance;
use ticketflow_store::{MemoryStore, SqliteOptions, SqliteStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_backend_conforms() {
    conformance::run_all(|| async { MemoryStore::new() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backend_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    conformance::run_all(|| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = dir.path().join(format!("store-{n}.db"));
        async move { SqliteStore::open(path, SqliteOptions::default()).unwrap() }
    })
    .await;
}

/// The same suite with the stream index written every 3 events, so that stream reads,
/// versions and subscriptions constantly span the bulk-written index and the in-memory tail.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backend_conforms_with_a_stream_index_written_every_three_events() {
    let dir = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    conformance::run_all(|| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = dir.path().join(format!("store-{n}.db"));
        let options = SqliteOptions {
            stream_index_every: 3,
            ..SqliteOptions::default()
        };
        async move { SqliteStore::open(path, options).unwrap() }
    })
    .await;
}
