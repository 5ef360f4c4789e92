//! The workload every system runs, and how it is measured. Shared as source by the two
//! harness binaries (`ticketflow/` and `postgres/`), which cannot be one build (see
//! `postgres/Cargo.toml`), so that both measure exactly the same thing the same way.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// Concurrent writers of the durable-append workload.
pub const WRITERS: [usize; 3] = [1, 8, 64];
/// Stream lengths of the load workload.
pub const STREAM_SIZES: [usize; 3] = [10, 100, 1000];
/// Streams of each length written before loading, read round-robin.
pub const LOAD_STREAMS: usize = 5;

/// How long and how often to measure: the full run for the docs, or a smoke run for CI.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Seconds of durable appends per repetition.
    pub append_seconds: f64,
    /// Untimed seconds of appends before the repetitions (connections, caches, WAL files).
    pub warmup_seconds: f64,
    /// Seconds of stream loads per repetition.
    pub load_seconds: f64,
    /// Repetitions of every measurement in this invocation. run.sh runs one repetition per
    /// invocation and alternates the systems, so a noisy minute on a shared machine hurts
    /// every system alike; the report takes the median and range over all of them.
    pub reps: usize,
}

impl Plan {
    /// The plan for `--smoke` (seconds of measurement in total) or the full run.
    pub fn new(smoke: bool) -> Plan {
        if smoke {
            Plan {
                append_seconds: 0.3,
                warmup_seconds: 0.1,
                load_seconds: 0.2,
                reps: 1,
            }
        } else {
            Plan {
                append_seconds: 3.0,
                warmup_seconds: 0.5,
                load_seconds: 1.5,
                reps: 1,
            }
        }
    }
}

/// One repetition of one workload on one system: the unit the report aggregates.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sample {
    /// `ticketflow`, `message-db`, `cqrs-es`, `plain-pg` or `disk`.
    pub system: String,
    /// `append-1`, `append-8`, `append-64`, `load-10`, `load-100`, `load-1000`, or a disk
    /// probe name.
    pub workload: String,
    /// Repetition number, from 0.
    pub rep: usize,
    /// Operations per second: events appended, streams loaded, fsyncs or MiB written.
    pub per_s: f64,
    /// Median latency of one operation, microseconds.
    pub p50_us: f64,
    /// 99th-percentile latency of one operation, microseconds.
    pub p99_us: f64,
    /// Operations measured.
    pub count: u64,
}

/// A new id for an event (and for a correlation id): time-ordered UUIDv7 for every system,
/// as Ticketflow's engine generates them. Random (v4) ids would scatter every system's
/// unique index on the id over the whole key range; all systems get the same ids' shape, so
/// none is measured with an index pattern its users would avoid.
pub fn event_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// The payload every system stores: a realistic ~300-byte ticket note as JSON, so the
/// PostgreSQL peers can keep it in their `json`/`jsonb` columns and Ticketflow stores the very
/// same bytes.
pub fn payload(writer: usize, seq: u64) -> String {
    let head = format!(
        "{{\"at\":\"2026-11-23T09:14:{:02}Z\",\"ticket\":\"SD-{}\",\"by\":\"agent:a.keller\",\"visibility\":\"internal\",\"note\":\"",
        seq % 60,
        10_000 + writer
    );
    let text = "Customer reports that the VPN client drops the connection every few minutes since the last update; asked for logs and the client version, escalating if it persists. ";
    let mut note = String::new();
    while head.len() + note.len() + 2 < 300 {
        note.push_str(text);
    }
    note.truncate(300 - head.len() - 2);
    format!("{head}{note}\"}}")
}

/// Bytes of one event's payload (what the disk ceiling divides by).
pub const PAYLOAD_BYTES: usize = 300;

/// Latency percentile in microseconds of sorted durations (`q` in 0..=1).
pub fn percentile_us(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1e6
}

/// Builds a sample from per-operation latencies and the wall time they took.
pub fn sample(
    system: &str,
    workload: &str,
    rep: usize,
    mut latencies: Vec<Duration>,
    elapsed: Duration,
) -> Sample {
    latencies.sort_unstable();
    Sample {
        system: system.to_owned(),
        workload: workload.to_owned(),
        rep,
        per_s: latencies.len() as f64 / elapsed.as_secs_f64().max(1e-9),
        p50_us: percentile_us(&latencies, 0.50),
        p99_us: percentile_us(&latencies, 0.99),
        count: latencies.len() as u64,
    }
}

/// One durable append: `(writer, sequence number of this writer's append, from 0)`. Each
/// writer owns one stream and appends with the expected version it knows, one event per append,
/// as a command handler would.
pub type AppendOp = Arc<dyn Fn(usize, u64) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// Runs `writers` concurrent append loops for `seconds`, answering every append's latency and
/// the wall time until the last writer finished.
pub async fn drive_appends(
    writers: usize,
    seconds: f64,
    op: AppendOp,
) -> anyhow::Result<(Vec<Duration>, Duration)> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(4096);
                let mut seq = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    op(w, seq).await?;
                    lat.push(t.elapsed());
                    seq += 1;
                }
                anyhow::Ok(lat)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all, start.elapsed()))
}

/// Measures durable appends for every writer count: a warm-up, then `plan.reps` timed
/// repetitions, each on fresh streams. `make_op(writers, round)` prepares the append operation
/// for one round (fresh stream names per round, connections for `writers`).
pub async fn measure_appends<F, Fut>(
    system: &str,
    plan: &Plan,
    mut make_op: F,
) -> anyhow::Result<Vec<Sample>>
where
    F: FnMut(usize, usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<AppendOp>>,
{
    let mut out = Vec::new();
    for writers in WRITERS {
        let op = make_op(writers, 0).await?;
        drive_appends(writers, plan.warmup_seconds, op).await?;
        for rep in 0..plan.reps {
            let op = make_op(writers, rep + 1).await?;
            let (lat, elapsed) = drive_appends(writers, plan.append_seconds, op).await?;
            let s = sample(
                system,
                &format!("append-{writers}"),
                run() + rep,
                lat,
                elapsed,
            );
            eprintln!(
                "{system:>10} append-{writers:<3} rep {}: {:>9.0} events/s  p50 {:>8.0} µs  p99 {:>8.0} µs",
                s.rep, s.per_s, s.p50_us, s.p99_us
            );
            out.push(s);
        }
    }
    Ok(out)
}

/// One full stream load: `(stream length, which of the LOAD_STREAMS streams)`, answering how
/// many events came back (checked against the length).
pub type LoadOp =
    Arc<dyn Fn(usize, usize) -> BoxFuture<'static, anyhow::Result<usize>> + Send + Sync>;

/// Name of writer `w`'s stream in round `round` of the `writers`-writer append workload: fresh
/// for every round, and every stream is in the `ticket` category.
pub fn append_stream_name(writers: usize, round: usize, w: usize) -> String {
    format!("ticket-{}x{writers}x{round}x{w}", run())
}

/// This invocation's round number (`--run N`, default 0): part of every stream name, so that
/// repeated invocations against the same database or file never meet each other's streams,
/// and the repetition number of every sample.
pub fn run() -> usize {
    static RUN: OnceLock<usize> = OnceLock::new();
    *RUN.get_or_init(|| arg("--run").and_then(|r| r.parse().ok()).unwrap_or(0))
}

/// Name of the `index`-th stream of `size` events in the load workload.
pub fn load_stream_name(size: usize, index: usize) -> String {
    format!("loadticket{}x{size}x{index}", run())
}

/// Loads streams of every length one after another for `plan.load_seconds` per repetition.
pub async fn measure_loads(system: &str, plan: &Plan, op: LoadOp) -> anyhow::Result<Vec<Sample>> {
    let mut out = Vec::new();
    for size in STREAM_SIZES {
        // Untimed pass: every stream once.
        for i in 0..LOAD_STREAMS {
            op(size, i).await?;
        }
        for rep in 0..plan.reps {
            let start = Instant::now();
            let deadline = start + Duration::from_secs_f64(plan.load_seconds);
            let mut lat = Vec::new();
            let mut i = 0;
            while Instant::now() < deadline || lat.len() < 3 {
                let t = Instant::now();
                let n = op(size, i % LOAD_STREAMS).await?;
                lat.push(t.elapsed());
                anyhow::ensure!(
                    n == size,
                    "{system}: loading a stream of {size} events answered {n} events"
                );
                i += 1;
            }
            let s = sample(
                system,
                &format!("load-{size}"),
                run() + rep,
                lat,
                start.elapsed(),
            );
            eprintln!(
                "{system:>10} load-{size:<5} rep {}: {:>9.0} loads/s   p50 {:>8.0} µs  p99 {:>8.0} µs",
                s.rep, s.per_s, s.p50_us, s.p99_us
            );
            out.push(s);
        }
    }
    Ok(out)
}

/// Appends samples as JSON lines to `path`, which the report reads.
pub fn write_samples(path: &Path, samples: &[Sample]) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for s in samples {
        writeln!(f, "{}", serde_json::to_string(s)?)?;
    }
    Ok(())
}

/// Value of `--name value` on the command line, if given.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// True when `--name` is on the command line.
pub fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}
