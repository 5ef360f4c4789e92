//! The runner persists each read model's checkpoint with its snapshot and resumes from it;
//! a changed version or a damaged snapshot makes it rebuild instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod projection_support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use projection_support::*;
use ticketflow_engine::projection::{
    CheckpointPolicy, ProjectionState, RebuildReason, StartOutcome, snapshot,
};
use ticketflow_store::{EventStore, MemoryStore, SqliteOptions, SqliteStore};

fn sqlite(dir: &Path) -> Arc<dyn EventStore> {
    Arc::new(SqliteStore::open(dir.join("events.db"), SqliteOptions::default()).unwrap())
}

/// Runs one session: start, catch up to the end of the log, shut down cleanly. Answers the
/// counts and how the read model started.
async fn session(
    store: Arc<dyn EventStore>,
    dir: &Path,
    version: u32,
    probe: Arc<Probe>,
) -> (Counts, StartOutcome) {
    let mut b = builder(store.clone(), config(dir));
    let handle = b
        .register(Counter::factory("counter", version, probe))
        .unwrap();
    let runner = b.start().await.unwrap();
    runner
        .wait_for(store.last_position().await.unwrap())
        .await
        .unwrap();
    let progress = runner.progress().await.unwrap();
    let started = progress[0].started.clone();
    runner.shutdown().await.unwrap();
    (handle.current().counts(), started)
}

async fn resumes_applying_each_event_once(store: Arc<dyn EventStore>, dir: &Path) {
    let probe = Arc::new(Probe::default());
    let first = append_events(store.as_ref(), 0, 120).await;
    let (counts, started) = session(store.clone(), dir, 1, probe.clone()).await;
    assert_eq!(started, StartOutcome::Fresh);
    assert_eq!(counts.positions.len(), 120);
    assert_eq!(probe.applied.load(Ordering::SeqCst), 120);

    let header = snapshot::read_header(&snapshot::snapshot_path(dir, "counter")).unwrap();
    assert_eq!(header.position, first, "shutdown writes the checkpoint");

    append_events(store.as_ref(), 120, 150).await;
    let (counts, started) = session(store.clone(), dir, 1, probe.clone()).await;
    assert_eq!(started, StartOutcome::Resumed { position: first });
    assert_eq!(
        probe.applied.load(Ordering::SeqCst),
        150,
        "only the 30 new events were applied after the restart"
    );
    assert_eq!(counts, Counts::from_log(&whole_log(store.as_ref()).await));
}

#[tokio::test]
async fn a_restart_resumes_from_the_checkpoint_with_a_memory_store() {
    let dir = tempfile::tempdir().unwrap();
    resumes_applying_each_event_once(Arc::new(MemoryStore::new()), dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_from_the_checkpoint_with_a_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    resumes_applying_each_event_once(sqlite(dir.path()), dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopened_sqlite_store_resumes_where_the_snapshot_left_off() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(Probe::default());
    {
        let store =
            SqliteStore::open(dir.path().join("events.db"), SqliteOptions::default()).unwrap();
        append_events(&store, 0, 40).await;
        session(Arc::new(store.clone()), dir.path(), 1, probe.clone()).await;
        store.close().await;
    }
    let store = sqlite(dir.path());
    append_events(store.as_ref(), 40, 45).await;
    let (counts, started) = session(store.clone(), dir.path(), 1, probe.clone()).await;
    assert_eq!(started, StartOutcome::Resumed { position: 40 });
    assert_eq!(probe.applied.load(Ordering::SeqCst), 45);
    assert_eq!(counts, Counts::from_log(&whole_log(store.as_ref()).await));
}

#[tokio::test]
async fn a_changed_version_rebuilds_from_position_zero() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    append_events(store.as_ref(), 0, 50).await;
    session(store.clone(), dir.path(), 1, Arc::new(Probe::default())).await;

    let probe = Arc::new(Probe::default());
    let (counts, started) = session(store.clone(), dir.path(), 2, probe.clone()).await;
    assert_eq!(
        started,
        StartOutcome::Rebuilt {
            reason: RebuildReason::VersionChanged {
                snapshot: 1,
                current: 2
            }
        }
    );
    assert_eq!(probe.applied.load(Ordering::SeqCst), 50);
    assert_eq!(counts, Counts::from_log(&whole_log(store.as_ref()).await));
    let header = snapshot::read_header(&snapshot::snapshot_path(dir.path(), "counter")).unwrap();
    assert_eq!((header.version, header.position), (2, 50));
}

#[tokio::test]
async fn a_corrupt_or_truncated_snapshot_is_rebuilt_with_a_warning_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    append_events(store.as_ref(), 0, 30).await;
    session(store.clone(), dir.path(), 1, Arc::new(Probe::default())).await;
    let path = snapshot::snapshot_path(dir.path(), "counter");
    let good = std::fs::read(&path).unwrap();

    let damaged: Vec<Vec<u8>> = vec![
        good[..good.len() / 2].to_vec(),
        Vec::new(),
        b"not a snapshot at all".to_vec(),
        {
            let mut flipped = good.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 0xff;
            flipped
        },
    ];
    for bytes in damaged {
        std::fs::write(&path, &bytes).unwrap();
        let probe = Arc::new(Probe::default());
        let (counts, started) = session(store.clone(), dir.path(), 1, probe.clone()).await;
        assert!(
            matches!(
                started,
                StartOutcome::Rebuilt {
                    reason: RebuildReason::Unusable { .. }
                }
            ),
            "{started:?}"
        );
        assert_eq!(probe.applied.load(Ordering::SeqCst), 30);
        assert_eq!(counts, Counts::from_log(&whole_log(store.as_ref()).await));
    }
}

#[tokio::test]
async fn a_snapshot_the_read_model_refuses_is_rebuilt_with_a_fresh_instance() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    append_events(store.as_ref(), 0, 10).await;
    session(store.clone(), dir.path(), 1, Arc::new(Probe::default())).await;

    // The refusing restore has already replaced the state with the snapshot's: the runner
    // must not keep that instance, or the rebuild would count every event twice.
    let probe = Arc::new(Probe::default());
    probe.refuse_restore.store(true, Ordering::SeqCst);
    let (counts, started) = session(store.clone(), dir.path(), 1, probe.clone()).await;
    assert!(
        matches!(
            started,
            StartOutcome::Rebuilt {
                reason: RebuildReason::RestoreFailed { .. }
            }
        ),
        "{started:?}"
    );
    assert_eq!(counts, Counts::from_log(&whole_log(store.as_ref()).await));
}

#[tokio::test]
async fn a_snapshot_ahead_of_the_log_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    append_events(store.as_ref(), 0, 30).await;
    session(store, dir.path(), 1, Arc::new(Probe::default())).await;

    let older: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    append_events(older.as_ref(), 0, 10).await;
    let (counts, started) = session(older.clone(), dir.path(), 1, Arc::new(Probe::default())).await;
    assert_eq!(
        started,
        StartOutcome::Rebuilt {
            reason: RebuildReason::AheadOfLog {
                snapshot: 30,
                log: 10
            }
        }
    );
    assert_eq!(counts, Counts::from_log(&whole_log(older.as_ref()).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_are_written_every_n_events_and_never_reflect_a_later_event() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let config = config(dir.path()).with_checkpoint(CheckpointPolicy {
        every_events: 10,
        every: std::time::Duration::from_secs(3600),
    });
    let mut b = builder(store.clone(), config);
    let handle = b
        .register(Counter::factory("counter", 1, Arc::new(Probe::default())))
        .unwrap();
    let runner = b.start().await.unwrap();
    let path = snapshot::snapshot_path(dir.path(), "counter");
    for round in 0..5 {
        let last = append_events(store.as_ref(), round * 7, round * 7 + 7).await;
        runner.wait_for(last).await.unwrap();
        let progress = &runner.progress().await.unwrap()[0];
        assert_eq!(progress.state, ProjectionState::Live);
        assert!(progress.checkpoint <= progress.position);
        assert!(progress.position - progress.checkpoint < 10);
        if progress.checkpoint > 0 {
            // What a crash now would leave: exactly the events up to the checkpoint.
            let header = snapshot::read_header(&path).unwrap();
            assert_eq!(header.position, progress.checkpoint);
            let restored = Counter::factory("counter", 1, Arc::new(Probe::default()))();
            let bytes = std::fs::read(&path).unwrap();
            let state_start = bytes.len() - header.state_len as usize;
            ticketflow_projections::ReadModel::restore(&restored, &bytes[state_start..]).unwrap();
            let expected: Vec<u64> = (1..=header.position).collect();
            assert_eq!(restored.counts().positions, expected);
        }
    }
    assert!(handle.current().counts().positions.len() == 35);
    runner.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_read_model_name_must_be_unique_and_usable_as_a_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let mut b = builder(store, config(dir.path()));
    let probe = Arc::new(Probe::default());
    b.register(Counter::factory("counter", 1, probe.clone()))
        .unwrap();
    let err = b
        .register(Counter::factory("counter", 1, probe.clone()))
        .unwrap_err();
    assert!(err.to_string().contains("already registered"), "{err}");
    let err = b
        .register(Counter::factory("../escape", 1, probe))
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot name a snapshot file"),
        "{err}"
    );
}
