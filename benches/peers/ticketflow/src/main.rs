//! Ticketflow's side of the peer comparison, the disk probe, and the report writer.
//!
//! Subcommands (normally run by `../run.sh`):
//! * `disk --dir D --out samples.jsonl [--smoke]` — the physical limits in directory `D`.
//! * `ticketflow --dir D --out samples.jsonl [--smoke]` — `SqliteStore` (fsync on) in `D`.
//! * `report --samples samples.jsonl --out doc.md --command "..." [--pg-settings f] [--smoke]`
//!   — the Markdown report from every sample.

#[path = "../../common/measure.rs"]
mod measure;

mod disk;
mod report;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use futures::FutureExt;
use measure::{AppendOp, LOAD_STREAMS, LoadOp, Plan, STREAM_SIZES};
use ticketflow_events::{NewEvent, StreamId};
use ticketflow_store::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore, StreamRead};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let plan = Plan::new(measure::flag("--smoke"));
    let sub = std::env::args().nth(1).unwrap_or_default();
    match sub.as_str() {
        "disk" => {
            let samples = disk::measure(&dir()?, &plan)?;
            measure::write_samples(&out()?, &samples)
        }
        "ticketflow" => {
            let samples = ticketflow(&dir()?, &plan).await?;
            measure::write_samples(&out()?, &samples)
        }
        "report" => report::write(&plan),
        other => anyhow::bail!(
            "unknown subcommand `{other}`; use `disk`, `ticketflow` or `report` (see benches/peers/run.sh)"
        ),
    }
}

fn dir() -> anyhow::Result<PathBuf> {
    Ok(measure::arg("--dir")
        .context("pass --dir <directory on the disk to measure>")?
        .into())
}

fn out() -> anyhow::Result<PathBuf> {
    Ok(measure::arg("--out")
        .context("pass --out <samples.jsonl>")?
        .into())
}

fn stream(name: &str) -> anyhow::Result<StreamId> {
    Ok(name.parse()?)
}

fn event(w: usize, seq: u64) -> NewEvent {
    NewEvent {
        event_id: measure::event_id(),
        event_type: "TicketNoted".to_owned(),
        schema_version: 1,
        occurred_at: chrono::Utc::now(),
        actor: "agent:a.keller".to_owned(),
        correlation_id: measure::event_id(),
        causation_id: None,
        payload: measure::payload(w, seq).into_bytes(),
    }
}

/// The same workload as the peers, on the embedded store with its default (durable) options.
async fn ticketflow(dir: &std::path::Path, plan: &Plan) -> anyhow::Result<Vec<measure::Sample>> {
    let name = "ticketflow";
    let store = SqliteStore::open(dir.join("ticketflow.db"), SqliteOptions::default())?;
    let mut samples = measure::measure_appends(name, plan, |writers, round| {
        let store = store.clone();
        async move {
            let op: AppendOp = Arc::new(move |w, seq| {
                let store = store.clone();
                async move {
                    let s = stream(&measure::append_stream_name(writers, round, w))?;
                    store
                        .append(&s, ExpectedVersion::Exact(seq), vec![event(w, seq)])
                        .await?;
                    Ok(())
                }
                .boxed()
            });
            Ok(op)
        }
    })
    .await?;

    for size in STREAM_SIZES {
        for i in 0..LOAD_STREAMS {
            let events = (0..size as u64).map(|seq| event(i, seq)).collect();
            store
                .append(
                    &stream(&measure::load_stream_name(size, i))?,
                    ExpectedVersion::NoStream,
                    events,
                )
                .await?;
        }
    }
    let reader = store.clone();
    let op: LoadOp = Arc::new(move |size, i| {
        let store = reader.clone();
        async move {
            let s = stream(&measure::load_stream_name(size, i))?;
            Ok(store
                .read_stream(&s, StreamRead::forwards(10_000))
                .await?
                .len())
        }
        .boxed()
    });
    samples.extend(measure::measure_loads(name, plan, op).await?);
    store.close().await;
    Ok(samples)
}
