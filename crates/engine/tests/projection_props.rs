//! Property: for random histories, random restart points and random crashes, the read model
//! the runner maintains incrementally equals one folded from scratch, an online rebuild
//! gives the same state, and a persisted snapshot never reflects an event past its checkpoint
//! (nor misses one before it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod projection_support;

use std::path::Path;
use std::sync::Arc;

use projection_support::*;
use proptest::prelude::*;
use ticketflow_engine::projection::{CheckpointPolicy, snapshot};
use ticketflow_projections::ReadModel;
use ticketflow_store::{EventStore, ExpectedVersion, MemoryStore};

/// How a session between two restarts ends.
#[derive(Debug, Clone, Copy)]
enum End {
    /// `shutdown()`: every checkpoint written.
    Clean,
    /// The process dies once the read model caught up (the runtime is dropped).
    CrashWhenCaughtUp,
    /// The process dies right after the appends, wherever the runner got to.
    CrashAnytime,
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        Just(End::Clean),
        Just(End::CrashWhenCaughtUp),
        Just(End::CrashAnytime)
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn append_kinds(store: &dyn EventStore, kinds: &[u64]) {
    for (n, kind) in kinds.iter().enumerate() {
        let stream = format!("ticket-SD-{}", n % 4 + 1).parse().unwrap();
        store
            .append(&stream, ExpectedVersion::Any, vec![event(*kind)])
            .await
            .unwrap();
    }
}

/// The persisted snapshot holds exactly the events up to its checkpoint.
fn check_snapshot(dir: &Path, log_len: u64) -> Result<(), TestCaseError> {
    let path = snapshot::snapshot_path(dir, "counter");
    if !path.exists() {
        return Ok(());
    }
    let header = snapshot::read_header(&path).map_err(TestCaseError::fail)?;
    prop_assert!(header.position <= log_len);
    let bytes = std::fs::read(&path).unwrap();
    let restored = Counter::factory("counter", 1, Arc::new(Probe::default()))();
    restored
        .restore(&bytes[bytes.len() - header.state_len as usize..])
        .unwrap();
    let expected: Vec<u64> = (1..=header.position).collect();
    prop_assert_eq!(restored.counts().positions, expected);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn incremental_through_restarts_equals_a_rebuild_from_scratch(
        history in prop::collection::vec(0u64..30, 0..60),
        sessions in prop::collection::vec((0usize..60, end()), 1..5),
        every_events in 1u64..12,
        page_size in 1usize..20,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
        let mut cut_points: Vec<usize> =
            sessions.iter().map(|(at, _)| (*at).min(history.len())).collect();
        cut_points.sort_unstable();
        let mut appended = 0;
        for ((_, end), cut) in sessions.iter().zip(cut_points) {
            let rt = runtime();
            rt.block_on(async {
                let mut config = config(dir.path()).with_checkpoint(CheckpointPolicy {
                    every_events,
                    every: std::time::Duration::from_secs(3600),
                });
                config.page_size = page_size;
                let mut b = builder(store.clone(), config);
                let handle = b
                    .register(Counter::factory("counter", 1, Arc::new(Probe::default())))
                    .unwrap();
                let runner = b.start().await.unwrap();
                append_kinds(store.as_ref(), &history[appended..cut]).await;
                appended = cut;
                match end {
                    End::CrashAnytime => {}
                    End::CrashWhenCaughtUp => runner.wait_for(cut as u64).await.unwrap(),
                    End::Clean => {
                        runner.wait_for(cut as u64).await.unwrap();
                        let expected: Vec<u64> = (1..=cut as u64).collect();
                        assert_eq!(handle.current().counts().positions, expected);
                        runner.shutdown().await.unwrap();
                    }
                }
            });
            drop(rt);
            check_snapshot(dir.path(), appended as u64)?;
        }

        // The last session: catch up with everything, compare, then rebuild online and compare.
        let rt = runtime();
        rt.block_on(async {
            append_kinds(store.as_ref(), &history[appended..]).await;
            let log = whole_log(store.as_ref()).await;
            let from_scratch = Counts::from_log(&log);
            let mut b = builder(store.clone(), config(dir.path()));
            let handle = b
                .register(Counter::factory("counter", 1, Arc::new(Probe::default())))
                .unwrap();
            let runner = b.start().await.unwrap();
            runner.wait_for(log.len() as u64).await.unwrap();
            let incremental = handle.current().counts();
            prop_assert_eq!(&incremental, &from_scratch);
            runner.rebuild("counter").await.unwrap().finished().await.unwrap();
            prop_assert_eq!(&handle.current().counts(), &from_scratch);
            runner.shutdown().await.unwrap();
            Ok(())
        })?;
        drop(rt);
        check_snapshot(dir.path(), history.len() as u64)?;
    }
}
