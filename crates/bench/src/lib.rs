//! # Ticketflow benchmark workloads
//!
//! The workloads behind `ticketflow bench` and `cargo bench -p ticketflow-bench`, as a
//! library so the command and the criterion benches measure the same thing:
//!
//! 1. [`append`] — durable appends with 1, 8 and 64 concurrent writers (`SqliteStore`,
//!    fsync on);
//! 2. [`load`] — loading tickets of 10, 100 and 1,000 events (`read_stream`), p50/p99;
//! 3. [`rebuild`] — a full rebuild of all eight read models through the projection runner
//!    from a warm store;
//! 4. [`subscription`] — end-to-end subscription latency: append → an SSE client of the
//!    HTTP server receives it, over loopback;
//! 5. [`http_commands`] — HTTP command throughput: concurrent clients sending domain
//!    commands through the API with a valid token.
//!
//! Every workload writes the scenario generator's events ([`corpus`]), so event sizes and
//! stream shapes are a real desk's. Appends and loads are measured exactly as the peer
//! harness measures them (`benches/peers/common/measure.rs`), so the figures compare.
//!
//! [`run`] drives all of them on a [`Plan`] and answers a [`Report`] with the median and
//! range over the repetitions and the [`machine`] at the start and the end. Repetitions are
//! interleaved (every workload once, then every workload again, …), so a noisy minute on a
//! shared machine touches every workload rather than all repetitions of one.

pub mod append;
pub mod corpus;
pub mod desk;
pub mod error;
pub mod http_commands;
pub mod load;
pub mod machine;
pub mod plan;
pub mod rebuild;
pub mod report;
pub mod stats;
pub mod subscription;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub use error::BenchError;
pub use plan::Plan;
pub use report::{Report, WorkloadResult};
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore};

use crate::corpus::Corpus;
use crate::plan::WRITERS;
use crate::report::ScenarioFacts;
use crate::stats::Repetition;

/// Where the store files go: `DIR/append`, `DIR/load`, `DIR/desk` (the scenario's desk,
/// rebuilt and served over HTTP) and `DIR/scratch` (snapshots of rebuilds).
#[derive(Debug, Clone)]
pub struct Layout {
    /// The data directory.
    pub root: PathBuf,
}

impl Layout {
    /// The layout under `root`, creating its directories.
    pub fn create(root: &Path) -> Result<Layout, BenchError> {
        for sub in ["append", "load", "desk", "scratch"] {
            let dir = root.join(sub);
            std::fs::create_dir_all(&dir).map_err(BenchError::io(&dir))?;
        }
        Ok(Layout {
            root: root.to_owned(),
        })
    }

    /// A subdirectory of the layout.
    pub fn dir(&self, sub: &str) -> PathBuf {
        self.root.join(sub)
    }
}

/// Opens a durable SQLite store (the default options) at `DIR/events.sqlite`.
pub fn open_store(dir: &Path) -> Result<SqliteStore, BenchError> {
    SqliteStore::open(dir.join("events.sqlite"), SqliteOptions::default())
        .map_err(BenchError::store("open"))
}

/// Runs every workload of `plan` with its files under `data_dir` (which should be empty),
/// calling `progress` with a line before each step.
pub async fn run(
    plan: &Plan,
    data_dir: &Path,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<Report, BenchError> {
    let started = Instant::now();
    let layout = Layout::create(data_dir)?;
    progress("probing the machine");
    let start = machine::snapshot(data_dir, plan.probe_writes)?;

    progress("running the scenario through the engine (the benchmark's events)");
    let corpus = Arc::new(Corpus::generate(&plan.scenario).await?);
    let scenario = ScenarioFacts {
        script_lines: corpus.script_lines,
        events: corpus.log.len(),
        tickets: corpus.tickets.len(),
        mean_ticket_events: corpus.mean_ticket_events(),
        mean_payload_bytes: corpus.mean_payload_bytes(),
    };
    let reps = plan.repetitions.max(1);
    let mut workloads = Vec::new();

    // 1. Durable appends.
    {
        let store = open_store(&layout.dir("append"))?;
        let dyn_store: Arc<dyn EventStore> = Arc::new(store.clone());
        let mut by_writers: Vec<Vec<Repetition>> = vec![Vec::new(); WRITERS.len()];
        for writers in WRITERS {
            progress(&format!("append: warming up {writers} writer(s)"));
            append::run(
                dyn_store.clone(),
                corpus.clone(),
                writers,
                plan.append_warmup,
            )
            .await?;
        }
        for rep in 0..reps {
            for (i, writers) in WRITERS.into_iter().enumerate() {
                progress(&format!(
                    "append: {writers} writer(s), repetition {}",
                    rep + 1
                ));
                by_writers[i].push(
                    append::run(dyn_store.clone(), corpus.clone(), writers, plan.append_time)
                        .await?,
                );
            }
        }
        for (writers, r) in WRITERS.into_iter().zip(by_writers) {
            workloads.push(WorkloadResult::new(
                &format!("append-{writers}"),
                &format!("durable appends, {writers} concurrent writer(s)"),
                "events/s",
                r,
            ));
        }
        store.close().await;
    }

    // 2. Ticket loads.
    {
        let store = open_store(&layout.dir("load"))?;
        let dyn_store: Arc<dyn EventStore> = Arc::new(store.clone());
        progress("load: writing the tickets to load");
        let tickets = load::prepare(dyn_store.as_ref(), &corpus).await?;
        let mut by_size: Vec<Vec<Repetition>> = vec![Vec::new(); tickets.by_size.len()];
        for rep in 0..reps {
            for (i, (size, streams)) in tickets.by_size.iter().enumerate() {
                progress(&format!(
                    "load: tickets of {size} events, repetition {}",
                    rep + 1
                ));
                by_size[i]
                    .push(load::run(dyn_store.clone(), streams, *size, plan.load_time).await?);
            }
        }
        for ((size, _), r) in tickets.by_size.iter().zip(by_size) {
            workloads.push(WorkloadResult::new(
                &format!("load-{size}"),
                &format!("load a ticket of {size} events (read_stream)"),
                "tickets/s",
                r,
            ));
        }
        store.close().await;
    }

    // 3. Full rebuild from a warm store of the scenario.
    let desk_dir = layout.dir("desk");
    {
        progress("rebuild: copying the scenario into a store");
        rebuild::prepare_desk(&corpus, &desk_dir, &layout.dir("scratch")).await?;
        let store = open_store(&desk_dir)?;
        let dyn_store: Arc<dyn EventStore> = Arc::new(store.clone());
        let last = rebuild::warm(dyn_store.as_ref()).await?;
        let mut r = Vec::new();
        for rep in 0..reps {
            progress(&format!(
                "rebuild: all eight read models, repetition {}",
                rep + 1
            ));
            r.push(rebuild::run(dyn_store.clone(), &layout.dir("scratch"), last).await?);
        }
        workloads.push(WorkloadResult::new(
            "rebuild",
            &format!("full rebuild of all 8 read models, {last} events"),
            "events/s",
            r,
        ));
        store.close().await;
    }

    // 4 and 5. Over HTTP, on the scenario's desk.
    {
        progress("http: starting the server on the scenario's desk");
        let desk = desk::Desk::start(&desk_dir).await?;
        let mut sse = Vec::new();
        let mut sse_after_ack = Vec::new();
        let mut commands = Vec::new();
        for rep in 0..reps {
            progress(&format!("sse: append → SSE client, repetition {}", rep + 1));
            let latency = subscription::run(&desk, plan.sse_events).await?;
            sse.push(latency.end_to_end);
            sse_after_ack.push(latency.after_ack);
            progress(&format!(
                "http: {} clients sending commands, repetition {}",
                plan.http_clients,
                rep + 1
            ));
            commands.push(http_commands::run(&desk, plan.http_clients, plan.http_time).await?);
        }
        desk.stop().await?;
        workloads.push(WorkloadResult::new(
            "sse-latency",
            "append (a command) → SSE client receives it, loopback HTTP",
            "round trips/s",
            sse,
        ));
        workloads.push(WorkloadResult::new(
            "sse-after-ack",
            "append acknowledged → SSE client receives it (same runs)",
            "round trips/s",
            sse_after_ack,
        ));
        workloads.push(WorkloadResult::new(
            "http-commands",
            &format!(
                "domain commands over loopback HTTP, {} concurrent clients",
                plan.http_clients
            ),
            "commands/s",
            commands,
        ));
    }

    progress("probing the machine again");
    let end = machine::snapshot(data_dir, plan.probe_writes)?;
    Ok(Report {
        plan: plan.clone(),
        scenario,
        start,
        end,
        seconds: started.elapsed().as_secs_f64(),
        workloads,
    })
}
