//! Memory held by the read models per ticket (issue 4, item 8).
//!
//! Runs the scenario (`TICKETFLOW_BENCH_SCENARIO`, default `default`) through `Simulation` on
//! a memory store, keeps the decoded log in memory, then folds it into every standard read
//! model one after the other and reads the bytes held by the heap (a counting global
//! allocator, the `cap` crate) before and after each: the difference divided by the number of
//! tickets is the figure (live heap bytes, without allocator overhead). The growth of the
//! resident set (`/proc/self/statm`) over all read models and the snapshot size of each read
//! model per ticket are printed beside it.
//!
//! `cargo run --release -p ticketflow-engine --example read_model_memory`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../benches/desk/mod.rs"]
mod desk;

use std::collections::BTreeSet;
use std::sync::Arc;

use ticketflow_domain::DeskConfig;
use ticketflow_engine::Simulation;
use ticketflow_events::{AnyEvent, RecordedEvent};
use ticketflow_projections::standard_read_models;
use ticketflow_store::{EventStore, Filter, MemoryStore};

#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Resident set size in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (scenario, config) = desk::scenario();
    let log: Vec<RecordedEvent> = rt.block_on(async {
        let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
        let script = ticketflow_scenario::generate(&config);
        let mut simulation = Simulation::new(store.clone(), DeskConfig::default(), config.start)
            .await
            .unwrap();
        simulation.run(&script).await.unwrap();
        store.read_all(1, &Filter::all(), usize::MAX).await.unwrap()
    });
    let decoded: Vec<AnyEvent> = log
        .iter()
        .map(|e| AnyEvent::from_recorded(e).unwrap())
        .collect();
    let tickets = log
        .iter()
        .filter(|e| e.stream_id.as_str().starts_with("ticket-"))
        .map(|e| e.stream_id.as_str())
        .collect::<BTreeSet<_>>()
        .len() as u64;
    let payload: u64 = log.iter().map(|e| e.payload.len() as u64).sum();
    println!(
        "scenario `{scenario}`: {} events, {tickets} tickets, {:.0} events and {:.0} payload bytes per ticket",
        log.len(),
        log.len() as f64 / tickets as f64,
        payload as f64 / tickets as f64
    );
    let models = standard_read_models(&DeskConfig::default());
    let start_rss = rss();
    let start = ALLOCATOR.allocated();
    println!(
        "{:<24} {:>14} {:>18}",
        "read model", "heap B/ticket", "snapshot B/ticket"
    );
    for model in &models {
        let before = ALLOCATOR.allocated();
        for (envelope, event) in log.iter().zip(&decoded) {
            model.apply(envelope, event);
        }
        let held = ALLOCATOR.allocated().saturating_sub(before) as u64;
        let snapshot = model.snapshot().unwrap().len() as u64;
        println!(
            "{:<24} {:>14} {:>18}",
            model.name(),
            held / tickets,
            snapshot / tickets
        );
    }
    let held = ALLOCATOR.allocated().saturating_sub(start) as u64;
    println!(
        "{:<24} {:>14}   (resident set grew {} B/ticket)",
        "all read models",
        held / tickets,
        rss().saturating_sub(start_rss) / tickets
    );
    std::hint::black_box(&models);
}
