//! The built-in demo: a script of timestamped commands run on a simulated clock against the
//! embedded store, with ticket timers and the delivery follow-ups issued in between.
//!
//! This is the command path in its simplest form (see `desk`); the engine crate takes it over
//! with caching, retries, idempotency and a persistent scheduler.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use chrono::Duration;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::delivery::{Delivery, FollowUp, follow_ups};
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::script::{AddressedCommand, ScriptLine};
use ticketflow_domain::sla::{ClockReport, evaluate_ticket};
use ticketflow_domain::ticket::{Ticket, TicketCommand};
use ticketflow_events::ticket::TicketEvent;
use ticketflow_events::{Actor, EventSet, TicketKey, Timestamp};
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore};

use crate::desk::Desk;

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
    let store = SqliteStore::open(&path, SqliteOptions::default())?;
    let mut desk = Desk {
        store,
        config: DeskConfig::default(),
        now: first.at,
    };
    println!("Ticketflow demo — store at {}\n", path.display());
    let mut tickets = BTreeSet::new();
    for line in &lines {
        fire_due_timers(&mut desk, &tickets, line.at).await?;
        desk.now = line.at;
        if let AddressedCommand::Ticket(key, _) = &line.command {
            tickets.insert(key.clone());
        }
        execute(&desk, line).await?;
    }
    let end = desk.now + EPILOGUE;
    fire_due_timers(&mut desk, &tickets, end).await?;
    desk.now = end;
    print_sla(&desk, &tickets).await?;
    let report = desk.store.verify().await?;
    println!(
        "\nIntegrity: {} events in {} streams, head position {}, {}",
        report.events_checked,
        report.streams,
        report.head_position,
        if report.is_intact() {
            "every hash link intact"
        } else {
            "BROKEN"
        }
    );
    println!(
        "Verify again any time: ticketflow verify --data-dir {}",
        dir.display()
    );
    Ok(())
}

/// Runs one script line and, for a delivery, the ticket commands that follow from it.
async fn execute(desk: &Desk<SqliteStore>, line: &ScriptLine) -> anyhow::Result<()> {
    let stream = line.command.stream_id();
    let types: Vec<&'static str> = match &line.command {
        AddressedCommand::Ticket(_, c) => {
            names(desk.execute::<Ticket>(&stream, c, &line.actor).await?)
        }
        AddressedCommand::Order(_, c) => names(
            desk.execute::<CustomisationOrder>(&stream, c, &line.actor)
                .await?,
        ),
        AddressedCommand::Delivery(_, c) => {
            let events = desk.execute::<Delivery>(&stream, c, &line.actor).await?;
            let (state, _, _) = desk.load::<Delivery>(&stream).await?;
            print_line(
                desk.now,
                &line.actor,
                &stream.to_string(),
                line.command.name(),
                &names(events.clone()),
            );
            let engine = Actor::system("delivery-process");
            for FollowUp::TicketDelivered { ticket, delivery } in
                events.iter().flat_map(|e| follow_ups(&state, e))
            {
                let command = TicketCommand::RecordDelivery { delivery };
                let recorded = desk
                    .execute::<Ticket>(&ticket.stream_id(), &command, &engine)
                    .await?;
                print_line(
                    desk.now,
                    &engine,
                    &ticket.stream_id().to_string(),
                    command.name(),
                    &names(recorded),
                );
            }
            return Ok(());
        }
    };
    print_line(
        desk.now,
        &line.actor,
        &stream.to_string(),
        line.command.name(),
        &types,
    );
    Ok(())
}

/// Fires every ticket timer due up to `until`, earliest first, moving the clock to each.
async fn fire_due_timers(
    desk: &mut Desk<SqliteStore>,
    tickets: &BTreeSet<TicketKey>,
    until: Timestamp,
) -> anyhow::Result<()> {
    let scheduler = Actor::system("scheduler");
    loop {
        let mut next = None;
        for key in tickets {
            let (state, _, _) = desk.load::<Ticket>(&key.stream_id()).await?;
            for timer in state.due_timers() {
                if timer.due_at <= until
                    && next.as_ref().is_none_or(
                        |(_, t): &(TicketKey, ticketflow_events::ticket::ScheduledTimer)| {
                            timer.due_at < t.due_at
                        },
                    )
                {
                    next = Some((key.clone(), timer));
                }
            }
        }
        let Some((key, timer)) = next else {
            return Ok(());
        };
        desk.now = desk.now.max(timer.due_at);
        let command = TicketCommand::FireTimer { timer: timer.id };
        let events = desk
            .execute::<Ticket>(&key.stream_id(), &command, &scheduler)
            .await?;
        print_line(
            desk.now,
            &scheduler,
            &key.stream_id().to_string(),
            command.name(),
            &names(events),
        );
    }
}

fn names<E: EventSet>(events: Vec<E>) -> Vec<&'static str> {
    events.iter().map(|e| e.event_type()).collect()
}

fn print_line(at: Timestamp, actor: &Actor, stream: &str, command: &str, events: &[&str]) {
    println!(
        "{}  {:<28} {:<22} {:<31} → {}",
        at.format("%Y-%m-%d %H:%M"),
        actor.envelope_label(),
        stream,
        command,
        events.join(", ")
    );
}

/// Prints the SLA of every ticket the SLA applies to, at the demo's end.
async fn print_sla(desk: &Desk<SqliteStore>, tickets: &BTreeSet<TicketKey>) -> anyhow::Result<()> {
    println!("\nSLA at {}:", desk.now.format("%Y-%m-%d %H:%M"));
    for key in tickets {
        let (_, events, _): (Ticket, Vec<TicketEvent>, _) =
            desk.load::<Ticket>(&key.stream_id()).await?;
        let Some(report) =
            evaluate_ticket(&events, &desk.config.sla, &desk.config.calendars, desk.now)
        else {
            continue;
        };
        if !report.applicable {
            continue;
        }
        let priority = report.priority.map_or("-".to_owned(), |p| p.to_string());
        for clock in report.clocks() {
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
    let store = SqliteStore::open(
        &path,
        SqliteOptions {
            create: false,
            ..SqliteOptions::default()
        },
    )?;
    let report = store.verify().await?;
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
