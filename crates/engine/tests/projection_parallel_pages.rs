//! The runner folds big catch-up pages on two threads: every standard read model must end up
//! exactly as if it had folded the log alone, event by event.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use ticketflow_domain::DeskConfig;
use ticketflow_engine::Simulation;
use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
use ticketflow_events::AnyEvent;
use ticketflow_projections::standard_read_models;
use ticketflow_scenario::ScenarioConfig;
use ticketflow_store::{EventStore, Filter, MemoryStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_folded_in_parallel_pages_equal_ones_folded_alone() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let scenario = ScenarioConfig::small();
    let script = ticketflow_scenario::generate(&scenario);
    let mut simulation = Simulation::new(store.clone(), DeskConfig::default(), scenario.start)
        .await
        .unwrap();
    simulation.run(&script).await.unwrap();
    let log = store.read_all(1, &Filter::all(), usize::MAX).await.unwrap();
    assert!(
        log.len() > 1_000,
        "pages of 512 must take the parallel path"
    );

    let alone = standard_read_models(&DeskConfig::default());
    for event in &log {
        let decoded = AnyEvent::from_recorded(event).unwrap();
        for model in &alone {
            model.apply(event, &decoded);
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let mut config = RunnerConfig::new(dir.path());
    config.page_size = 512;
    let mut builder = ProjectionRunnerBuilder::new(store.clone(), config);
    let handles = builder
        .register_all(|| standard_read_models(&DeskConfig::default()))
        .unwrap();
    let runner = builder.start().await.unwrap();
    runner.wait_for(log.len() as u64).await.unwrap();
    for (handle, model) in handles.iter().zip(&alone) {
        let current = handle.current();
        assert_eq!(current.name(), model.name());
        assert!(
            current.snapshot().unwrap() == model.snapshot().unwrap(),
            "{} differs",
            model.name()
        );
    }
    let progress = runner.progress().await.unwrap();
    assert!(progress.iter().all(|p| p.position == log.len() as u64));
    runner.shutdown().await.unwrap();
}
