//! Full rebuild of every standard read model from a warm SQLite store (issue 4, item 8).
//!
//! The store is filled once with the scenario generator's desk run through `Simulation`
//! (timers and process managers included) and reused by every iteration.
//!
//! * `rebuild_all/runner` — a projection runner with all of `standard_read_models` starts
//!   without snapshots and catches up from position 0: store pages, one decode per event,
//!   every read model applied. Timed from `start` until `wait_for(last position)`; the final
//!   snapshots written by `shutdown` are not timed.
//! * `rebuild_all/apply_all` — the read models' share alone: the log decoded once in memory,
//!   then applied to fresh read models.
//! * `rebuild_all/apply_all_2_threads` — the same with the read models split over two
//!   threads (what a runner applying on both cores could reach; the runner applies on one).
//! * `rebuild_all/apply/<name>` — the same per read model, to see where the time goes.
//!
//! Run with `cargo bench -p ticketflow-engine --bench rebuild_all`; see `desk/mod.rs` for
//! the environment variables choosing the scenario and the directory.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod desk;

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use ticketflow_domain::DeskConfig;
use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
use ticketflow_events::{AnyEvent, RecordedEvent};
use ticketflow_projections::standard_read_models;
use ticketflow_store::Filter;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (scenario, config) = desk::scenario();
    let dir = desk::temp_dir();
    let (store, n) = rt.block_on(desk::filled_store(dir.path(), &config));
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("rebuild_all");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(n));
    eprintln!("scenario `{scenario}`: {n} events");

    g.bench_function("runner", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let snapshots = tempfile::tempdir().unwrap();
                total += rt.block_on(async {
                    let started = Instant::now();
                    let mut builder = ProjectionRunnerBuilder::new(
                        store.clone(),
                        RunnerConfig::new(snapshots.path()),
                    );
                    builder
                        .register_all(|| standard_read_models(&DeskConfig::default()))
                        .unwrap();
                    let runner = builder.start().await.unwrap();
                    runner.wait_for(n).await.unwrap();
                    let took = started.elapsed();
                    runner.shutdown().await.unwrap();
                    took
                });
            }
            total
        })
    });

    let log: Vec<RecordedEvent> = rt
        .block_on(store.read_all(1, &Filter::all(), usize::MAX))
        .unwrap();
    let decoded: Vec<AnyEvent> = log
        .iter()
        .map(|e| AnyEvent::from_recorded(e).unwrap())
        .collect();
    g.bench_function("apply_all", |b| {
        b.iter_batched(
            || standard_read_models(&DeskConfig::default()),
            |models| {
                for (envelope, event) in log.iter().zip(&decoded) {
                    for model in &models {
                        model.apply(envelope, event);
                    }
                }
                models
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // What applying on both cores would give: the read models split into two groups by
    // their single-core cost, each group folding the whole log on its own thread.
    g.bench_function("apply_all_2_threads", |b| {
        b.iter_batched(
            || standard_read_models(&DeskConfig::default()),
            |models| {
                // notifications-outbox (the costliest) and order-planning-board on one side.
                let (heavy, rest): (Vec<_>, Vec<_>) = models.iter().partition(|m| {
                    matches!(
                        m.name(),
                        "notifications-outbox" | "order-planning-board" | "sla" | "billing"
                    )
                });
                std::thread::scope(|s| {
                    for group in [heavy, rest] {
                        let (log, decoded) = (&log, &decoded);
                        s.spawn(move || {
                            for (envelope, event) in log.iter().zip(decoded) {
                                for model in &group {
                                    model.apply(envelope, event);
                                }
                            }
                        });
                    }
                });
                models
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let names: Vec<&'static str> = standard_read_models(&DeskConfig::default())
        .iter()
        .map(|m| m.name())
        .collect();
    for (index, name) in names.into_iter().enumerate() {
        g.bench_function(format!("apply/{name}"), |b| {
            b.iter_batched(
                || standard_read_models(&DeskConfig::default()).swap_remove(index),
                |model| {
                    for (envelope, event) in log.iter().zip(&decoded) {
                        model.apply(envelope, event);
                    }
                    model
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();
    c.final_summary();
}
