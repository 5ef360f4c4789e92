//! The built-in demo: a script of timestamped commands run by the engine's simulation on the
//! embedded store — a simulated clock, with ticket timers, SLA notices and the delivery
//! process manager firing in between, in time order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use chrono::Duration;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::ScriptLine;
use ticketflow_domain::sla::{ClockReport, evaluate_ticket};
use ticketflow_engine::simulation::StepResult;
use ticketflow_engine::{Clock, Simulation, SimulationReport, SimulationStep};
use ticketflow_events::ticket::TicketEvent;
use ticketflow_events::{EventSet, StreamId, Timestamp};
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore, StreamRead};

/// The demo script, also printed by `ticketflow demo --print-script`.
pub const BUILT_IN_SCRIPT: &str = include_str!("../scripts/demo.jsonl");

/// How long after the script's last line the clock keeps running, so waiting timers fire.
const EPILOGUE: Duration = Duration::days(60);

/// The file name of the store inside a data directory.
const STORE_FILE: &str = "events.sqlite";

/// Runs a script on a fresh store and prints the history, the SLA figures and the integrity
/// check.
pub async fn run(data_dir: Option<PathBuf>, script: Option<PathBuf>) -> anyhow::Result<()> {
    let text = match &script {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => BUILT_IN_SCRIPT.to_owned(),
    };
    let lines = ScriptLine::parse_all(&text)?;
    let Some(first) = lines.first() else {
        bail!("the script has no commands");
    };
    let dir = match data_dir {
        Some(dir) => dir,
        None => {
            std::env::temp_dir().join(format!("ticketflow-demo-{}", uuid::Uuid::new_v4().simple()))
        }
    };
    let path = dir.join(STORE_FILE);
    if path.exists() {
        bail!(
            "{} already holds a store; the demo needs an empty data directory (pass another --data-dir)",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let store = Arc::new(SqliteStore::open(&path, SqliteOptions::default())?);
    let config = DeskConfig::default();
    println!("Ticketflow demo — store at {}\n", path.display());

    let mut simulation = Simulation::new(store.clone(), config.clone(), first.at).await?;
    let mut report = simulation.run(&lines).await?;
    let end = simulation.clock().now() + EPILOGUE;
    simulation.advance_to(end, &mut report).await?;
    for step in &report.steps {
        print_step(step);
    }

    print_sla(store.as_ref(), &config, &report, end).await?;
    let integrity = store.verify().await?;
    println!(
        "\nIntegrity: {} events in {} streams, head position {}, {}",
        integrity.events_checked,
        integrity.streams,
        integrity.head_position,
        if integrity.is_intact() {
            "every hash link intact"
        } else {
            "BROKEN"
        }
    );
    println!(
        "Verify again any time: ticketflow verify --data-dir {}",
        dir.display()
    );
    let refused = report.refused_lines();
    if !refused.is_empty() {
        bail!(
            "{} script line(s) were refused, the first: command {} — {}",
            refused.len(),
            refused[0].0,
            refused[0].1
        );
    }
    Ok(())
}

fn print_step(step: &SimulationStep) {
    let outcome = match &step.result {
        StepResult::Recorded(events) | StepResult::Replayed(events) => events
            .iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        StepResult::Refused(reason) => format!("REFUSED: {reason}"),
    };
    println!(
        "{}  {:<28} {:<22} {:<31} → {outcome}",
        step.at.format("%Y-%m-%d %H:%M"),
        step.actor,
        step.stream.as_str(),
        step.command,
    );
}

/// Prints the SLA of every ticket the SLA applies to, at the demo's end.
async fn print_sla(
    store: &dyn EventStore,
    config: &DeskConfig,
    report: &SimulationReport,
    now: Timestamp,
) -> anyhow::Result<()> {
    println!("\nSLA at {}:", now.format("%Y-%m-%d %H:%M"));
    let tickets: BTreeSet<&StreamId> = report
        .steps
        .iter()
        .map(|s| &s.stream)
        .filter(|s| s.category() == "ticket")
        .collect();
    for stream in tickets {
        let recorded = store
            .read_stream(stream, StreamRead::forwards(usize::MAX))
            .await?;
        let events = recorded
            .iter()
            .map(|r| TicketEvent::decode(&r.event_type, r.schema_version, &r.payload))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("decoding {stream}"))?;
        let Some(sla) = evaluate_ticket(&events, &config.sla, &config.calendars, now) else {
            continue;
        };
        if !sla.applicable {
            continue;
        }
        let key = stream.entity().unwrap_or_default();
        let priority = sla.priority.map_or("-".to_owned(), |p| p.to_string());
        for clock in sla.clocks() {
            println!("  {key} {priority}  {}", describe(clock));
        }
    }
    Ok(())
}

fn describe(clock: &ClockReport) -> String {
    let verdict = match (clock.met, clock.breached, clock.at_risk) {
        (Some(true), _, _) => "met",
        (_, true, _) => "BREACHED",
        (_, _, true) => "at risk",
        _ => "running",
    };
    format!(
        "{:<12} target {:>8}  elapsed {:>8}  paused {:>8}  {verdict}",
        format!("{:?}", clock.kind).to_lowercase(),
        clock.target.map_or("-".to_owned(), hours),
        hours(clock.elapsed),
        hours(clock.paused),
    )
}

fn hours(d: chrono::TimeDelta) -> String {
    format!("{}h{:02}", d.num_hours(), d.num_minutes() % 60)
}

/// Verifies a store's hash chains; exit code 0 when intact, 1 when broken.
pub async fn verify(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let path = data_dir.join(STORE_FILE);
    if !path.exists() {
        bail!(
            "no store at {} (expected the file {STORE_FILE} in the data directory)",
            path.display()
        );
    }
    // Read-only, and works even on a file the store itself would refuse to open because its
    // recorded head no longer matches — the case an auditor most needs to see.
    let report = ticketflow_store::verify_file(&path).await?;
    match &report.first_break {
        None => {
            println!(
                "intact: {} events in {} streams, head position {}, head hash {}",
                report.events_checked, report.streams, report.head_position, report.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            println!("BROKEN: {b:?}");
            Ok(ExitCode::from(1))
        }
    }
}
