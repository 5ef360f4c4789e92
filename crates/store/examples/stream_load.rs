//! Ticket-load latency probe: fills streams of 10, 100 and 1,000 events (~300-byte payloads,
//! interleaved with other streams' events like a real desk), then loads whole streams with
//! `read_stream` round-robin for a while and prints p50 / p99 / max per length (the
//! workload of the peers' "load a stream" table in performance-peers.md, without the peers),
//! and the CPU time the process spent per load (all threads), which the machine's other
//! jobs disturb far less than the latencies.
//!
//! `cargo run -p ticketflow-store --profile bench --example stream_load -- [seconds] [10,100,1000]`

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;
use std::time::{Duration, Instant};

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore, StreamRead};

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1.5);
    // Optionally only some lengths, e.g. `1000` or `10,100` (to profile one of them).
    let only: Vec<usize> = std::env::args()
        .nth(2)
        .map(|a| a.split(',').filter_map(|l| l.parse().ok()).collect())
        .unwrap_or_default();
    // The loads read a warm cache either way; /dev/shm only makes filling fast.
    let dir = tempfile::tempdir_in(if std::path::Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    })
    .unwrap();
    let path = dir.path().join("streams.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        // 5 streams of each length, written in rounds so their events interleave, plus
        // unrelated streams between them.
        let lengths = [10usize, 100, 1000];
        for round in 0..1000 {
            for (l, &len) in lengths.iter().enumerate() {
                if round >= len {
                    continue;
                }
                for s in 0..5 {
                    let events = vec![event("TicketNoted", &[0x5a; 300])];
                    let id = stream(&format!("ticket-SD-{}", l * 100 + s + 1));
                    store
                        .append(&id, ExpectedVersion::Any, events)
                        .await
                        .unwrap();
                }
            }
            let other = stream(&format!("ticket-SD-{}", 10_000 + round));
            let events = (0..4).map(|_| event("TicketNoted", &[0x11; 300])).collect();
            store
                .append(&other, ExpectedVersion::Any, events)
                .await
                .unwrap();
        }
        let st = store.writer_stats();
        println!(
            "{} events in the store, {} bulk stream-index writes",
            st.events, st.index_writes
        );
        for (l, &len) in lengths.iter().enumerate() {
            if !only.is_empty() && !only.contains(&len) {
                continue;
            }
            let ids: Vec<_> = (0..5)
                .map(|s| stream(&format!("ticket-SD-{}", l * 100 + s + 1)))
                .collect();
            for id in &ids {
                let got = store
                    .read_stream(id, StreamRead::forwards(usize::MAX))
                    .await
                    .unwrap();
                assert_eq!(got.len(), len);
            }
            let mut took = Vec::new();
            let cpu_before = cpu_seconds();
            let started = Instant::now();
            let mut k = 0;
            while started.elapsed() < Duration::from_secs_f64(seconds) {
                let t = Instant::now();
                let got = store
                    .read_stream(&ids[k % ids.len()], StreamRead::forwards(usize::MAX))
                    .await
                    .unwrap();
                took.push(t.elapsed());
                assert_eq!(got.len(), len);
                k += 1;
            }
            let cpu = cpu_seconds() - cpu_before;
            took.sort();
            let q = |p: f64| took[((took.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e6;
            println!(
                "stream of {len:>4} events: {} loads, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs; CPU {:.1} µs per load",
                took.len(),
                q(0.5),
                q(0.99),
                q(1.0),
                cpu * 1e6 / took.len() as f64
            );
        }
        store.close().await;
    });
}
