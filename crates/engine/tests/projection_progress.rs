//! Progress is observable (position, lag, events/s, state), and events that cannot be folded
//! stop the read models that need them, visibly, instead of being skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod projection_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use projection_support::*;
use ticketflow_engine::projection::{
    ProjectionError, ProjectionFailure, ProjectionState, StartOutcome, snapshot,
};
use ticketflow_store::{EventStore, MemoryStore, SqliteOptions, SqliteStore};

fn failure_of(state: &ProjectionState) -> ProjectionFailure {
    match state {
        ProjectionState::Failed(f) => f.clone(),
        other => panic!("not failed: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn progress_reports_position_lag_rate_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(
        SqliteStore::open(dir.path().join("events.db"), SqliteOptions::default()).unwrap(),
    );
    let last = append_events(store.as_ref(), 0, 100).await;
    let probe = Arc::new(Probe::default());
    probe.gate_generation.store(1, Ordering::SeqCst);
    probe.gate.close_from(31);
    let mut b = builder(store.clone(), config(&dir.path().join("snapshots")));
    let handle = b
        .register(Counter::factory("counter", 1, probe.clone()))
        .unwrap();
    let runner = b.start().await.unwrap();

    eventually("the read model is held at position 30", || {
        let handle = handle.clone();
        async move { handle.position() == 30 }
    })
    .await;
    let p = runner.progress().await.unwrap().remove(0);
    assert_eq!(
        (p.name, p.version, p.position, p.log_position, p.lag),
        ("counter", 1, 30, 100, 70)
    );
    assert_eq!(p.state, ProjectionState::CatchingUp);
    assert_eq!(p.started, StartOutcome::Fresh);

    probe.gate.delay_micros.store(1000, Ordering::SeqCst);
    probe.gate.open();
    let mut fastest: f64 = 0.0;
    while handle.position() < last {
        fastest = fastest.max(runner.progress().await.unwrap()[0].events_per_second);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(fastest > 0.0, "events/s was sampled while catching up");
    runner.wait_for(last).await.unwrap();
    let p = runner.progress().await.unwrap().remove(0);
    assert_eq!((p.position, p.lag), (100, 0));
    assert_eq!(p.state, ProjectionState::Live);
    runner.shutdown().await.unwrap();
    let p = runner.progress().await.unwrap().remove(0);
    assert_eq!(p.checkpoint, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_event_stops_the_read_model_before_it_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    append_events(store.as_ref(), 0, 5).await;
    let bad = append_one(store.as_ref(), undecodable()).await;
    append_events(store.as_ref(), 5, 8).await;
    assert_eq!(bad, 6);

    for restart in 0..2 {
        let mut b = builder(store.clone(), config(dir.path()));
        let handle = b
            .register(Counter::factory("counter", 1, Arc::new(Probe::default())))
            .unwrap();
        let runner = b.start().await.unwrap();
        eventually("the read model fails", || {
            let runner = runner.clone();
            async move {
                matches!(
                    runner.progress().await.unwrap()[0].state,
                    ProjectionState::Failed(_)
                )
            }
        })
        .await;
        let p = runner.progress().await.unwrap().remove(0);
        let ProjectionState::Failed(failure) = &p.state else {
            unreachable!()
        };
        assert!(
            matches!(failure, ProjectionFailure::Undecodable { position: 6, event_type, .. } if event_type == "TicketTeleported"),
            "{failure:?}"
        );
        assert!(
            failure.to_string().starts_with(
                "the event at global position 6 (type `TicketTeleported`) cannot be decoded"
            ),
            "{failure}"
        );
        assert_eq!((p.position, p.lag), (5, 4));
        if restart == 1 {
            assert_eq!(p.started, StartOutcome::Resumed { position: 5 });
        }
        // It keeps answering from the state before the event, and says so.
        assert_eq!(handle.current().counts().positions, vec![1, 2, 3, 4, 5]);
        runner.wait_for(5).await.unwrap();
        let err = runner.rebuild("counter").await.unwrap_err();
        assert!(matches!(err, ProjectionError::Failed { .. }), "{err:?}");
        assert!(err.to_string().contains("restart the runner"), "{err}");
        eventually("the checkpoint before the event is written", || {
            let runner = runner.clone();
            async move { runner.progress().await.unwrap()[0].checkpoint == 5 }
        })
        .await;
        runner.shutdown().await.unwrap();
        let header =
            snapshot::read_header(&snapshot::snapshot_path(dir.path(), "counter")).unwrap();
        assert_eq!(header.position, 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_read_model_stops_alone_and_is_never_snapshotted_half_applied() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    // Positions 1, 2: TicketNotificationsChanged; 3: TicketSupportBudgetRecorded.
    let last = append_events(store.as_ref(), 1, 10).await;
    let faulty = Arc::new(Probe::default());
    *faulty.panic_on.lock() = "TicketSupportBudgetRecorded".to_owned();
    let mut b = builder(store.clone(), config(dir.path()));
    let ha = b
        .register(Counter::factory("faulty", 1, faulty.clone()))
        .unwrap();
    let hb = b
        .register(Counter::factory("sound", 1, Arc::new(Probe::default())))
        .unwrap();
    let runner = b.start().await.unwrap();
    runner.wait_for(last).await.unwrap();
    assert_eq!(hb.current().counts().positions.len(), 9);
    let p = runner.progress().await.unwrap();
    assert!(
        matches!(&p[0].state, ProjectionState::Failed(ProjectionFailure::Panicked { position: 3, message, .. }) if message.contains("counter refuses")),
        "{:?}",
        p[0].state
    );
    assert_eq!(p[0].position, 2);
    assert_ne!(p[1].state, ProjectionState::Failed(failure_of(&p[0].state)));
    eventually("the sound read model is live", || {
        let runner = runner.clone();
        async move { runner.progress().await.unwrap()[1].state == ProjectionState::Live }
    })
    .await;
    runner.shutdown().await.unwrap();
    assert!(!snapshot::snapshot_path(dir.path(), "faulty").exists());
    assert_eq!(ha.current().counts().positions, vec![1, 2]);

    // After the fix, a restart folds everything.
    faulty.panic_on.lock().clear();
    let mut b = builder(store.clone(), config(dir.path()));
    let ha = b
        .register(Counter::factory("faulty", 1, faulty.clone()))
        .unwrap();
    b.register(Counter::factory("sound", 1, Arc::new(Probe::default())))
        .unwrap();
    let runner = b.start().await.unwrap();
    runner.wait_for(last).await.unwrap();
    assert_eq!(
        ha.current().counts(),
        Counts::from_log(&whole_log(store.as_ref()).await)
    );
    runner.shutdown().await.unwrap();
}
