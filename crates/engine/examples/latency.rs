//! p50 / p99 of end-to-end command latency: engine `execute` (decide + durable SQLite append)
//! until every standard read model has applied the events (`ProjectionRunner::wait_for`).
//!
//! `cargo run --release -p ticketflow-engine --example latency [commands]` (default 2,000
//! commands of the `desk::ticket_life` mix on top of the scenario's desk; the environment
//! variables of `benches/desk/mod.rs` apply).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../benches/desk/mod.rs"]
mod desk;

use std::time::Duration;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{name}: p50 {:.3?}  p90 {:.3?}  p99 {:.3?}  max {:.3?}  mean {:.3?}  ({} commands)",
        percentile(&samples, 0.50),
        percentile(&samples, 0.90),
        percentile(&samples, 0.99),
        samples[samples.len() - 1],
        mean,
        samples.len()
    );
}

fn main() {
    let commands: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (scenario, config) = desk::scenario();
    let dir = desk::temp_dir();
    let (appended, applied) = rt.block_on(async {
        let (engine, runner, n) = desk::latency_desk(dir.path(), &config).await;
        println!("scenario `{scenario}`: {n} events in the store, read models caught up");
        let mut mix = desk::CommandMix::default();
        // Warm-up: one ticket's life.
        for _ in 0..12 {
            let (actor, command) = mix.next_command();
            desk::execute_and_wait(&engine, &runner, &actor, &command).await;
        }
        let mut appended = Vec::with_capacity(commands);
        let mut applied = Vec::with_capacity(commands);
        for _ in 0..commands {
            let (actor, command) = mix.next_command();
            let (a, b) = desk::execute_and_wait(&engine, &runner, &actor, &command).await;
            appended.push(a);
            applied.push(b);
        }
        runner.shutdown().await.unwrap();
        (appended, applied)
    });
    report("execute (decide + durable append)", appended);
    report("execute + all read models updated", applied);
}
