//! `ticketflow simulate FILE` — runs a script (JSON lines of timestamped commands) on a
//! simulated clock over a temporary in-memory store, timers and process managers firing in
//! between, and prints the events that were recorded and the read models' views at the end.
//!
//! The demo runs through the same functions ([`crate::script`], [`run_script`],
//! [`print_step`], [`fold_store`], [`print_sla`]) on a store in a data directory.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Duration;
use serde_json::json;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::ScriptLine;
use ticketflow_domain::sla::ClockReport;
use ticketflow_engine::simulation::{StepResult, StepSource};
use ticketflow_engine::{Clock, Simulation, SimulationReport, SimulationStep};
use ticketflow_events::{Actor, AnyEvent, RecordedEvent, Timestamp};
use ticketflow_projections::ReadModels;
use ticketflow_projections::event_summary::describe;
use ticketflow_projections::order_board::OrderBoardQuery;
use ticketflow_projections::sla::{SlaFilter, TicketSla};
use ticketflow_projections::ticket_overview::{TicketQuery, TicketSummary};
use ticketflow_store::{EventStore, Filter, MemoryStore};

use crate::instant::show;
use crate::script::read_script;

/// How `simulate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimulateFormat {
    /// Readable lines.
    Text,
    /// One JSON document.
    Json,
}

/// Runs `lines` on `store` from the first line's time, then keeps the clock running until
/// `until` (if later) so waiting timers fire. Answers the report and the end instant.
pub async fn run_script(
    store: Arc<dyn EventStore>,
    config: &DeskConfig,
    lines: &[ScriptLine],
    until: Option<Timestamp>,
) -> anyhow::Result<(SimulationReport, Timestamp)> {
    let Some(first) = lines.first() else {
        anyhow::bail!("the script has no commands");
    };
    let mut simulation = Simulation::new(store, config.clone(), first.at).await?;
    let mut report = simulation.run(lines).await?;
    if let Some(until) = until
        && until > simulation.clock().now()
    {
        simulation.advance_to(until, &mut report).await?;
    }
    Ok((report, simulation.clock().now()))
}

/// Prints one step of a simulation on one line.
pub fn print_step(step: &SimulationStep) {
    let outcome = match &step.result {
        StepResult::Recorded(events) | StepResult::Replayed(events) => events
            .iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        StepResult::Refused(reason) => format!("REFUSED: {reason}"),
    };
    crate::out!(
        "{}  {:<28} {:<22} {:<31} → {outcome}",
        step.at.format("%Y-%m-%d %H:%M"),
        step.actor,
        step.stream.as_str(),
        step.command,
    );
}

/// Reads every event of `store` and folds it into the standard read models.
pub async fn fold_store(
    store: &dyn EventStore,
    config: &DeskConfig,
) -> anyhow::Result<(Vec<RecordedEvent>, ReadModels)> {
    let models = ReadModels::standard(config);
    let all = models.all();
    let mut events = Vec::new();
    let mut from = 1;
    loop {
        let page = store.read_all(from, &Filter::all(), 1_000).await?;
        let Some(last) = page.last() else {
            break;
        };
        from = last.global_position + 1;
        for event in &page {
            crate::replay::apply(&all, event);
        }
        events.extend(page);
    }
    Ok((events, models))
}

/// Prints the SLA clocks of every ticket the SLA applies to, at `now`.
pub fn print_sla(models: &ReadModels, now: Timestamp) {
    crate::out!("\nSLA at {}:", now.format("%Y-%m-%d %H:%M"));
    for sla in models.sla.tickets(&SlaFilter::default(), now) {
        let priority = sla
            .report
            .priority
            .map_or("-".to_owned(), |p| p.to_string());
        for clock in sla.report.clocks() {
            crate::out!("  {} {priority}  {}", sla.ticket, describe_clock(clock));
        }
    }
}

fn describe_clock(clock: &ClockReport) -> String {
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

fn hours(d: Duration) -> String {
    format!("{}h{:02}", d.num_hours(), d.num_minutes() % 60)
}

/// Every ticket of the overview, as an auditor sees them (all of them).
fn all_tickets(models: &ReadModels) -> Vec<TicketSummary> {
    let viewer = Actor::system("simulate");
    let mut out = Vec::new();
    loop {
        let page = models.ticket_overview.list(
            &viewer,
            &TicketQuery {
                offset: out.len(),
                limit: TicketQuery::MAX_LIMIT,
                ..TicketQuery::default()
            },
        );
        let done = page.tickets.is_empty() || out.len() + page.tickets.len() >= page.total;
        out.extend(page.tickets);
        if done {
            break;
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Runs `simulate`.
pub async fn run(
    path: &Path,
    until: Option<Timestamp>,
    format: SimulateFormat,
) -> anyhow::Result<()> {
    let script = read_script(path)?;
    let config = DeskConfig::default();
    let store = Arc::new(MemoryStore::new());
    let (report, end) = run_script(store.clone(), &config, &script.lines, until)
        .await
        .with_context(|| format!("simulating {}", path.display()))?;
    let (events, models) = fold_store(store.as_ref(), &config).await?;
    let tickets = all_tickets(&models);
    let sla: Vec<TicketSla> = models.sla.tickets(&SlaFilter::default(), end);
    let manifests = models.delivery_manifests.manifests(None);
    let board = models.order_board.board(
        &OrderBoardQuery {
            include_closed: true,
            ..OrderBoardQuery::default()
        },
        end.date_naive(),
    );
    let refused: Vec<(usize, &str)> = report
        .refused_lines()
        .into_iter()
        .map(|(n, reason)| (script.file_line(n), reason))
        .collect();
    match format {
        SimulateFormat::Json => {
            let events: Vec<_> = events
                .iter()
                .map(|e| {
                    json!({
                        "position": e.global_position,
                        "stream": e.stream_id,
                        "version": e.stream_version,
                        "occurred_at": e.occurred_at,
                        "actor": e.actor,
                        "event_type": e.event_type,
                        "what": summary(e),
                    })
                })
                .collect();
            let steps: Vec<_> = report.steps.iter().map(step_json).collect();
            let doc = json!({
                "end": end,
                "steps": steps,
                "events": events,
                "refused": refused.iter().map(|(line, reason)| json!({"line": line, "reason": reason})).collect::<Vec<_>>(),
                "read_models": {
                    "ticket_overview": tickets,
                    "sla": sla,
                    "delivery_manifests": manifests,
                    "order_board": board,
                },
            });
            crate::out!("{}", serde_json::to_string_pretty(&doc)?);
        }
        SimulateFormat::Text => {
            crate::out!("Steps:");
            for step in &report.steps {
                print_step(step);
            }
            crate::out!("\nEvents ({}):", events.len());
            for e in &events {
                crate::out!(
                    "{:>5}  {}  {:<22} {:<28} {}",
                    e.global_position,
                    e.occurred_at.format("%Y-%m-%d %H:%M"),
                    e.stream_id.as_str(),
                    e.event_type,
                    summary(e)
                );
            }
            crate::out!("\nTickets at {}:", show(end));
            for t in &tickets {
                crate::out!(
                    "  {:<10} {:<20} {:<22} {:<4} {:<12} {}",
                    t.key.as_str(),
                    text(&t.ticket_type),
                    text(&t.status),
                    t.priority.map_or("-".to_owned(), |p| p.to_string()),
                    t.organisation.to_string(),
                    t.summary
                );
            }
            print_sla(&models, end);
            crate::out!("\nDeliveries:");
            for m in &manifests {
                let included: Vec<&str> = m.tickets.iter().map(|t| t.ticket.as_str()).collect();
                crate::out!(
                    "  {:<10} {:<22} estimated {:<10} tickets {}",
                    m.delivery.as_str(),
                    m.status.map_or("-".to_owned(), |s| text(&s)),
                    m.estimated_delivery_on
                        .map_or("-".to_owned(), |d| d.to_string()),
                    if included.is_empty() {
                        "(none)".to_owned()
                    } else {
                        included.join(", ")
                    }
                );
            }
            crate::out!("\nOrder board on {}:", end.date_naive());
            for card in &board {
                crate::out!(
                    "  {:<8} {:<16} {:<12} risks {}",
                    card.order.as_str(),
                    text(&card.phase),
                    card.customer.to_string(),
                    card.risks.len()
                );
            }
            crate::out!(
                "\n{} steps, {} events, {} line(s) refused",
                report.steps.len(),
                events.len(),
                refused.len()
            );
            for (line, reason) in &refused {
                crate::out!("  line {line} refused: {reason}");
            }
        }
    }
    Ok(())
}

fn summary(e: &RecordedEvent) -> String {
    AnyEvent::from_recorded(e)
        .map_or_else(|err| format!("unreadable payload: {err}"), |a| describe(&a))
}

/// A value in its stable serde spelling, for tables.
fn text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

fn step_json(step: &SimulationStep) -> serde_json::Value {
    let (outcome, events, reason) = match &step.result {
        StepResult::Recorded(e) => ("recorded", e.as_slice(), None),
        StepResult::Replayed(e) => ("replayed", e.as_slice(), None),
        StepResult::Refused(r) => ("refused", &[][..], Some(r.as_str())),
    };
    json!({
        "at": step.at,
        "line": match &step.source { StepSource::Line(n) => Some(*n), StepSource::Scheduler(_) => None },
        "scheduled": match &step.source { StepSource::Scheduler(k) => Some(k.as_str()), StepSource::Line(_) => None },
        "actor": step.actor,
        "stream": step.stream,
        "command": step.command,
        "outcome": outcome,
        "events": events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(),
        "reason": reason,
    })
}
