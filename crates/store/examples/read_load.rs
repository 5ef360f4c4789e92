//! Read-all throughput probe: fills a store with `N` events (default 200,000) and reads it
//! back through `read_all` in pages, printing events per second for each pass.
//!
//! `cargo run -p ticketflow-store --profile bench --example read_load -- 200000 [existing.db]`

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;
use std::time::Instant;

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    // An optional store path, filled only if empty: reuse it to profile reads alone.
    let existing = std::env::args().nth(2).map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().unwrap();
    let path = existing
        .clone()
        .unwrap_or_else(|| dir.path().join("read.db"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        let fill = if store.last_position().await.unwrap() > 0 { 0 } else { n / 100 };
        for s in 0..fill {
            let events = (0..100).map(|_| event("TicketNoted", &[0x5a; 300])).collect();
            store
                .append(&stream(&format!("ticket-SD-{}", s + 1)), ExpectedVersion::NoStream, events)
                .await
                .unwrap();
        }
        for page in [1000usize, 5000] {
            for pass in 0..3 {
                let cpu_before = cpu_seconds();
                let start = Instant::now();
                let mut from = 1;
                let mut total = 0;
                loop {
                    let events = store.read_all(from, &Filter::all(), page).await.unwrap();
                    let Some(last) = events.last() else { break };
                    from = last.global_position + 1;
                    total += events.len();
                }
                let secs = start.elapsed().as_secs_f64();
                let cpu = cpu_seconds() - cpu_before;
                println!(
                    "page {page} pass {pass}: {total} events in {secs:.3} s = {:.0} events/s wall; {cpu:.2} CPU-s = {:.0} events per CPU-second",
                    total as f64 / secs,
                    total as f64 / cpu.max(0.01)
                );
            }
        }
        store.close().await;
    });
}
