//! End-to-end command latency (issue 4, item 8): engine `execute` (load, decide, durable
//! append to SQLite) until the projection runner has applied the events to every standard
//! read model (`wait_for(position)`), over the scenario's desk and a mix of status changes and
//! comments (`desk::ticket_life`).
//!
//! Criterion reports the mean; the p50 / p99 figures come from the `latency` example
//! (`cargo run --release -p ticketflow-engine --example latency`), which times every command.
//! Run with `cargo bench -p ticketflow-engine --bench command_latency`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod desk;

use std::time::Duration;

use criterion::Criterion;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (_, config) = desk::scenario();
    let dir = desk::temp_dir();
    let (engine, runner, _) = rt.block_on(desk::latency_desk(dir.path(), &config));
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("command_latency");
    g.sample_size(50);
    g.measurement_time(Duration::from_secs(10));
    let mut mix = desk::CommandMix::default();
    g.bench_function("execute_until_read_models", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (actor, command) = mix.next_command();
                    total += desk::execute_and_wait(&engine, &runner, &actor, &command)
                        .await
                        .1;
                }
                total
            })
        })
    });
    g.finish();
    rt.block_on(runner.shutdown()).unwrap();
    c.final_summary();
}
