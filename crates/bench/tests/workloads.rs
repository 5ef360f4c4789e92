//! The workloads measure what they claim: real stores in temporary directories, the small
//! scenario. Behaviour only — no figure is asserted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use ticketflow_bench::corpus::Corpus;
use ticketflow_bench::plan::{LOAD_TICKETS, TICKET_SIZES};
use ticketflow_bench::{append, load, open_store, rebuild};
use ticketflow_scenario::ScenarioConfig;
use ticketflow_store::{EventStore, Filter, StreamRead};

async fn corpus() -> Arc<Corpus> {
    Arc::new(Corpus::generate(&ScenarioConfig::small()).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_copy_of_the_scenario_puts_every_event_at_its_original_position() {
    let corpus = corpus().await;
    let dir = tempfile::tempdir().unwrap();
    rebuild::prepare_desk(&corpus, dir.path(), dir.path())
        .await
        .unwrap();
    let store = open_store(dir.path()).unwrap();
    let last = store.last_position().await.unwrap();
    assert_eq!(last, corpus.log.len() as u64);
    let copy = store.read_all(0, &Filter::all(), usize::MAX).await.unwrap();
    let ids = |log: &[ticketflow_events::RecordedEvent]| {
        log.iter()
            .map(|e| {
                (
                    e.global_position,
                    e.stream_id.clone(),
                    e.stream_version,
                    e.event_id,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&copy), ids(&corpus.log));
    assert_eq!(rebuild::warm(&store).await.unwrap(), last);
    let rep = rebuild::run(Arc::new(store.clone()), dir.path(), last)
        .await
        .unwrap();
    assert_eq!(rep.count, last);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_tickets_have_the_lengths_they_are_named_after() {
    let corpus = corpus().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path()).unwrap();
    let tickets = load::prepare(&store, &corpus).await.unwrap();
    let sizes: Vec<usize> = tickets.by_size.iter().map(|(s, _)| *s).collect();
    assert_eq!(sizes, TICKET_SIZES);
    for (size, streams) in &tickets.by_size {
        assert_eq!(streams.len(), LOAD_TICKETS);
        for s in streams {
            let events = store
                .read_stream(s, StreamRead::forwards(10_000))
                .await
                .unwrap();
            assert_eq!(events.len(), *size);
        }
    }
    let shared: Arc<dyn EventStore> = Arc::new(store.clone());
    let rep = load::run(shared, &tickets.by_size[0].1, 10, Duration::from_millis(10))
        .await
        .unwrap();
    assert!(rep.count >= 3);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counted_append_run_appends_exactly_its_budget_of_scenario_events() {
    let corpus = corpus().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path()).unwrap();
    let shared: Arc<dyn EventStore> = Arc::new(store.clone());
    append::run_count(shared.clone(), corpus.clone(), 8, 100)
        .await
        .unwrap();
    assert_eq!(store.last_position().await.unwrap(), 100);
    let written = store.read_all(0, &Filter::all(), 1000).await.unwrap();
    // Every event is one of the scenario's ticket events, under a fresh id.
    let types: std::collections::HashSet<&str> = corpus
        .tickets
        .iter()
        .flatten()
        .map(|e| e.event_type.as_str())
        .collect();
    assert!(
        written
            .iter()
            .all(|e| types.contains(e.event_type.as_str()))
    );
    assert!(
        written
            .iter()
            .all(|e| corpus.log.iter().all(|o| o.event_id != e.event_id))
    );
    let rep = append::run(shared, corpus, 1, Duration::from_millis(20))
        .await
        .unwrap();
    assert!(rep.count >= 1);
    store.close().await;
}
