//! Online rebuild: a shadow copy is built from position 0 while queries are answered from the
//! current copy, and swapped in once it has caught up — including events that arrived during
//! the rebuild.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod projection_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use projection_support::*;
use ticketflow_engine::projection::{ProjectionError, ProjectionState, snapshot};
use ticketflow_store::{EventStore, MemoryStore, SqliteOptions, SqliteStore};

async fn online_rebuild_swaps_in_while_queries_keep_answering(store: Arc<dyn EventStore>) {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(Probe::default());
    let before = append_events(store.as_ref(), 0, 200).await;
    let mut b = builder(store.clone(), config(dir.path()));
    let handle = b
        .register(Counter::factory("counter", 1, probe.clone()))
        .unwrap();
    let runner = b.start().await.unwrap();
    runner.wait_for(before).await.unwrap();
    assert_eq!(handle.current().generation, 1);

    // Hold the shadow copy (generation 2) at position 150 (progress shows whole pages).
    probe.gate_generation.store(2, Ordering::SeqCst);
    probe.gate.close_from(150);
    let rebuild = runner.rebuild("counter").await.unwrap();
    eventually("the shadow copy reaches the gate", || {
        let runner = runner.clone();
        async move {
            matches!(
                runner.progress().await.unwrap()[0].state,
                ProjectionState::Rebuilding { shadow_position, .. } if shadow_position >= 140
            )
        }
    })
    .await;

    // Events keep arriving and queries keep being answered from the current copy.
    let during = append_events(store.as_ref(), 200, 260).await;
    runner.wait_for(during).await.unwrap();
    let current = handle.current();
    assert_eq!(current.generation, 1);
    assert_eq!(current.counts().positions.len(), 260);
    let progress = &runner.progress().await.unwrap()[0];
    assert_eq!(progress.position, during);
    assert_eq!(progress.lag, 0);

    let again = runner.rebuild("counter").await.unwrap_err();
    assert!(
        matches!(again, ProjectionError::AlreadyRebuilding { shadow_position, .. } if shadow_position < 150),
        "{again:?}"
    );

    probe.gate.open();
    let swapped_at = rebuild.finished().await.unwrap();
    assert!(swapped_at >= during);
    let rebuilt = handle.current();
    assert_eq!(rebuilt.generation, 2, "the shadow copy now answers queries");
    let log = whole_log(store.as_ref()).await;
    assert_eq!(rebuilt.counts(), Counts::from_log(&log));

    // After the swap, live events go to the new copy only.
    let after = append_events(store.as_ref(), 260, 270).await;
    runner.wait_for(after).await.unwrap();
    assert_eq!(
        handle.current().counts(),
        Counts::from_log(&whole_log(store.as_ref()).await)
    );
    assert_eq!(
        current.counts().positions.len(),
        260,
        "the old copy was retired"
    );
    let progress = &runner.progress().await.unwrap()[0];
    assert_eq!(progress.state, ProjectionState::Live);
    assert!(
        progress.checkpoint >= swapped_at,
        "the swap writes a checkpoint"
    );
    runner.shutdown().await.unwrap();

    let header = snapshot::read_header(&snapshot::snapshot_path(dir.path(), "counter")).unwrap();
    assert_eq!(header.position, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn online_rebuild_with_a_memory_store() {
    online_rebuild_swaps_in_while_queries_keep_answering(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn online_rebuild_with_a_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("events.db"), SqliteOptions::default()).unwrap();
    online_rebuild_swaps_in_while_queries_keep_answering(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuilding_leaves_other_read_models_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let last = append_events(store.as_ref(), 0, 50).await;
    let (a, b) = (Arc::new(Probe::default()), Arc::new(Probe::default()));
    let mut builder = builder(store.clone(), config(dir.path()));
    let ha = builder
        .register(Counter::factory("a", 1, a.clone()))
        .unwrap();
    let hb = builder
        .register(Counter::factory("b", 1, b.clone()))
        .unwrap();
    let runner = builder.start().await.unwrap();
    runner.wait_for(last).await.unwrap();
    runner.rebuild("a").await.unwrap().finished().await.unwrap();
    assert_eq!(ha.current().generation, 2);
    assert_eq!(hb.current().generation, 1);
    assert_eq!(a.applied.load(Ordering::SeqCst), 100);
    assert_eq!(b.applied.load(Ordering::SeqCst), 50);
    runner.shutdown().await.unwrap();
}

#[tokio::test]
async fn rebuilding_an_unknown_read_model_names_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let mut b = builder(store, config(dir.path()));
    b.register(Counter::factory("counter", 1, Arc::new(Probe::default())))
        .unwrap();
    let runner = b.start().await.unwrap();
    let err = runner.rebuild("ticket-overview").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "no read model named `ticket-overview` is registered; registered are: counter"
    );
    runner.shutdown().await.unwrap();
    let err = runner.rebuild("counter").await.unwrap_err();
    assert!(matches!(err, ProjectionError::Stopped { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_log_rebuilds_to_an_empty_copy() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let mut b = builder(store.clone(), config(dir.path()));
    let handle = b
        .register(Counter::factory("counter", 1, Arc::new(Probe::default())))
        .unwrap();
    let runner = b.start().await.unwrap();
    assert_eq!(
        runner
            .rebuild("counter")
            .await
            .unwrap()
            .finished()
            .await
            .unwrap(),
        0
    );
    assert_eq!(handle.current().generation, 2);
    let last = append_events(store.as_ref(), 0, 3).await;
    runner.wait_for(last).await.unwrap();
    assert_eq!(handle.current().counts().positions, vec![1, 2, 3]);
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_of_read_models_registers_each_and_rebuilds_one_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let last = append_events(store.as_ref(), 0, 20).await;
    let probe = Arc::new(Probe::default());
    let registry = {
        let probe = probe.clone();
        move || -> Vec<Arc<dyn ticketflow_projections::ReadModel>> {
            vec![
                Arc::new(Counter::factory("a", 1, probe.clone())()),
                Arc::new(Counter::factory("b", 1, probe.clone())()),
            ]
        }
    };
    let mut b = builder(store.clone(), config(dir.path()));
    let handles = b.register_all(registry).unwrap();
    assert_eq!(
        handles.iter().map(|h| h.name()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let runner = b.start().await.unwrap();
    runner.wait_for(last).await.unwrap();
    let before = handles[1].current();
    runner.rebuild("b").await.unwrap().finished().await.unwrap();
    let after = handles[1].current();
    assert!(!Arc::ptr_eq(&before, &after));
    assert_eq!(after.name(), "b");
    assert_eq!(handles[1].position(), last);
    runner.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_factory_that_builds_another_version_fails_the_rebuild_not_the_runner() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut b = builder(store, config(dir.path()));
    let probe = Arc::new(Probe::default());
    b.register_dyn(move || {
        let version = calls.fetch_add(1, Ordering::SeqCst) + 1;
        Arc::new(Counter::factory("counter", version, probe.clone())())
    })
    .unwrap();
    let runner = b.start().await.unwrap();
    let err = runner.rebuild("counter").await.unwrap_err();
    assert!(matches!(err, ProjectionError::Factory { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("built `counter` version 2 instead of version 1"),
        "{err}"
    );
    eventually("the read model is live", || {
        let runner = runner.clone();
        async move { runner.progress().await.unwrap()[0].state == ProjectionState::Live }
    })
    .await;
    runner.shutdown().await.unwrap();
}
