//! Full rebuild of every standard read model from a warm SQLite store (issue 4, item 8).
//!
//! The store is filled once with the scenario generator's desk run through `Simulation`
//! (timers and process managers included) and reused by every iteration.
//!
//! * `rebuild_all/runner` — a projection runner with all of `standard_read_models` starts
//!   without snapshots and catches up from position 0: store pages, one decode per event,
//!   every read model applied. Timed from `start` until `wait_for(last position)`; the final
//!   snapshots written by `shutdown` are not timed. The process's CPU time over the same
//!   spans is printed after it (events per CPU-second, and CPU seconds per wall second).
//! * `rebuild_all/read` — the store's share: the log read in the runner's pages, two reads in
//!   flight, nothing decoded.
//! * `rebuild_all/decode` — decoding every payload and parsing its key, on one thread.
//! * `rebuild_all/apply_all` — the read models' share alone: the log decoded once in memory
//!   (payload and key, as the runner hands them), then folded into fresh read models.
//! * `rebuild_all/apply_all_2_threads` — the same with the read models split over two
//!   threads (what a runner applying on both cores could reach; the runner applies on one).
//! * `rebuild_all/apply/<name>` — the same per read model, to see where the time goes.
//!
//! Run with `cargo bench -p ticketflow-engine --bench rebuild_all`; see `desk/mod.rs` for
//! the environment variables choosing the scenario and the directory.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod desk;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use futures::StreamExt;
use ticketflow_domain::DeskConfig;
use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
use ticketflow_events::{AnyEvent, RecordedEvent};
use ticketflow_projections::{AggregateKey, Decoded, ReadModel, standard_read_models};
use ticketflow_store::{EventStore, Filter};

/// The runner's page size (`RunnerConfig::new`'s default).
const PAGE: usize = 4096;

/// CPU time (user + system) of the whole process so far, from `/proc/self/stat`; `None`
/// where that file does not exist.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Linux reports clock ticks of 1/100 s (USER_HZ) here.
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Reads the whole log in pages of [`PAGE`], two reads in flight, as the runner's read-ahead.
async fn read_log(store: Arc<dyn EventStore>, n: u64) -> usize {
    let pages = n.div_ceil(PAGE as u64);
    let reads = futures::stream::iter(0..pages)
        .map(|k| {
            let store = store.clone();
            async move {
                store
                    .read_all(1 + k * PAGE as u64, &Filter::all(), PAGE)
                    .await
                    .unwrap()
                    .len()
            }
        })
        .buffered(2);
    reads.fold(0, |total, len| async move { total + len }).await
}

/// Folds the decoded log into `models`, as the runner hands events over.
fn fold_all(
    models: &[Arc<dyn ReadModel>],
    log: &[RecordedEvent],
    decoded: &[(AnyEvent, Option<AggregateKey>)],
) {
    for (envelope, (event, key)) in log.iter().zip(decoded) {
        let decoded = Decoded {
            envelope,
            event,
            key: key.as_ref(),
        };
        for model in models {
            model.fold(&decoded);
        }
    }
}

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

    let mut cpu = Duration::ZERO;
    let mut wall = Duration::ZERO;
    let mut runs = 0;
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
                    let cpu_before = process_cpu();
                    let runner = builder.start().await.unwrap();
                    runner.wait_for(n).await.unwrap();
                    let took = started.elapsed();
                    if let (Some(before), Some(after)) = (cpu_before, process_cpu()) {
                        cpu += after.saturating_sub(before);
                        wall += took;
                        runs += 1;
                    }
                    runner.shutdown().await.unwrap();
                    took
                });
            }
            total
        })
    });
    if !cpu.is_zero() {
        eprintln!(
            "rebuild_all/runner: {:.0} k events per CPU-second, {:.2} CPU-seconds per second",
            (n * runs) as f64 / cpu.as_secs_f64() / 1e3,
            cpu.as_secs_f64() / wall.as_secs_f64()
        );
    }

    g.bench_function("read", |b| {
        b.iter(|| {
            assert_eq!(rt.block_on(read_log(store.clone(), n)), n as usize);
        })
    });

    let log: Vec<RecordedEvent> = rt
        .block_on(store.read_all(1, &Filter::all(), usize::MAX))
        .unwrap();
    let decode = |log: &[RecordedEvent]| -> Vec<(AnyEvent, Option<AggregateKey>)> {
        log.iter()
            .map(|e| {
                let event = AnyEvent::from_recorded(e).unwrap();
                let key = AggregateKey::of(e, &event);
                (event, key)
            })
            .collect()
    };
    g.bench_function("decode", |b| b.iter(|| decode(&log)));
    let decoded = decode(&log);
    g.bench_function("apply_all", |b| {
        b.iter_batched(
            || standard_read_models(&DeskConfig::default()),
            |models| {
                fold_all(&models, &log, &decoded);
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
                            let group: Vec<Arc<dyn ReadModel>> =
                                group.into_iter().cloned().collect();
                            fold_all(&group, log, decoded);
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
                    fold_all(std::slice::from_ref(&model), &log, &decoded);
                    model
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();
    c.final_summary();
}
