//! The store and engine workloads of `ticketflow bench` under criterion, so
//! `cargo bench -p ticketflow-bench` reproduces them (the HTTP and SSE workloads live only
//! in the command, which starts the server).
//!
//! * `append/writers/{1,8,64}` — durable appends of the scenario's ticket events, one event
//!   per append with its expected version, N concurrent writers (`SqliteStore`, fsync on);
//!   throughput in events.
//! * `load/ticket_events/{10,100,1000}` — one whole ticket loaded with `read_stream`, five
//!   tickets of each length in turn.
//! * `rebuild/all_read_models` — all eight read models rebuilt through the projection runner
//!   from a warm store of the scenario's events; throughput in events.
//!
//! Environment: `TICKETFLOW_BENCH_SCENARIO` = `default` (default) or `small`;
//! `TICKETFLOW_BENCH_DIR` — where the stores live (default: the system's temp dir; put it on
//! the disk you want to measure).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use ticketflow_bench::corpus::Corpus;
use ticketflow_bench::plan::WRITERS;
use ticketflow_bench::{append, load, open_store, rebuild};
use ticketflow_scenario::ScenarioConfig;
use ticketflow_store::EventStore;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = match std::env::var("TICKETFLOW_BENCH_SCENARIO").as_deref() {
        Ok("small") => ScenarioConfig::small(),
        _ => ScenarioConfig::default(),
    };
    let dir = match std::env::var("TICKETFLOW_BENCH_DIR") {
        Ok(d) => tempfile::tempdir_in(d).unwrap(),
        Err(_) => tempfile::tempdir().unwrap(),
    };
    let layout = ticketflow_bench::Layout::create(dir.path()).unwrap();
    let corpus = Arc::new(rt.block_on(Corpus::generate(&config)).unwrap());
    eprintln!(
        "scenario: {} events, {} tickets",
        corpus.log.len(),
        corpus.tickets.len()
    );
    let mut c = Criterion::default().configure_from_args();

    // 1. Durable appends.
    {
        let store: Arc<dyn EventStore> = Arc::new(open_store(&layout.dir("append")).unwrap());
        let mut g = c.benchmark_group("append");
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(5));
        g.throughput(Throughput::Elements(1));
        for writers in WRITERS {
            g.bench_with_input(
                BenchmarkId::new("writers", writers),
                &writers,
                |b, &writers| {
                    b.iter_custom(|iters| {
                        rt.block_on(append::run_count(
                            store.clone(),
                            corpus.clone(),
                            writers,
                            iters,
                        ))
                        .unwrap()
                    })
                },
            );
        }
        g.finish();
    }

    // 2. Ticket loads.
    {
        let store: Arc<dyn EventStore> = Arc::new(open_store(&layout.dir("load")).unwrap());
        let tickets = rt.block_on(load::prepare(store.as_ref(), &corpus)).unwrap();
        let mut g = c.benchmark_group("load");
        for (size, streams) in &tickets.by_size {
            g.throughput(Throughput::Elements(*size as u64));
            let mut i = 0;
            g.bench_with_input(BenchmarkId::new("ticket_events", size), size, |b, &size| {
                b.iter(|| {
                    i += 1;
                    rt.block_on(load::load(
                        store.as_ref(),
                        &streams[i % streams.len()],
                        size,
                    ))
                    .unwrap()
                })
            });
        }
        g.finish();
    }

    // 3. Full rebuild.
    {
        rt.block_on(rebuild::prepare_desk(
            &corpus,
            &layout.dir("desk"),
            &layout.dir("scratch"),
        ))
        .unwrap();
        let store: Arc<dyn EventStore> = Arc::new(open_store(&layout.dir("desk")).unwrap());
        let last = rt.block_on(rebuild::warm(store.as_ref())).unwrap();
        let mut g = c.benchmark_group("rebuild");
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(10));
        g.throughput(Throughput::Elements(last));
        let scratch = layout.dir("scratch");
        g.bench_function("all_read_models", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let rep = rt
                        .block_on(rebuild::run(store.clone(), &scratch, last))
                        .unwrap();
                    total += Duration::from_secs_f64(rep.seconds);
                }
                total
            })
        });
        g.finish();
    }
    c.final_summary();
}
