//! The generated scenario through the real engine: months of service-desk activity on a real
//! SQLite store, with the scheduler and process managers firing in between. Every scripted
//! command must be accepted and every event type of the vocabulary must occur.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use ticketflow_domain::DeskConfig;
use ticketflow_engine::Simulation;
use ticketflow_events::AnyEvent;
use ticketflow_scenario::{ScenarioConfig, generate};
use ticketflow_store::{EventStore, Filter, SqliteOptions, SqliteStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_scenario_runs_through_the_engine_without_a_refusal() {
    let config = ScenarioConfig::default();
    let script = generate(&config);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("events.sqlite"), SqliteOptions::default()).unwrap(),
    );
    let mut simulation = Simulation::new(store.clone(), DeskConfig::default(), config.start)
        .await
        .unwrap();
    let report = simulation.run(&script).await.unwrap();
    let refused = report.refused_lines();
    assert!(
        refused.is_empty(),
        "{} refused, first: {:?}",
        refused.len(),
        refused.first()
    );

    let mut seen = BTreeSet::new();
    let mut from = 0;
    loop {
        let page = store.read_all(from, &Filter::all(), 10_000).await.unwrap();
        let Some(last) = page.last() else { break };
        from = last.global_position + 1;
        for e in &page {
            AnyEvent::from_recorded(e).unwrap();
            seen.insert(e.event_type.clone());
        }
    }
    let missing: Vec<&str> = AnyEvent::event_types()
        .map(|(t, _)| t)
        .filter(|t| !seen.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "event types never recorded: {missing:?}"
    );
    assert!(store.verify().await.unwrap().is_intact());
}
