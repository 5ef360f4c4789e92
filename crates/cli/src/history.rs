//! `ticketflow history KEY [--as-of T]` — for auditors: the readable timeline of one ticket,
//! order or delivery, and its state as of an instant, read from the log without a server.
//!
//! The state is the aggregate's own `evolve` over the stream's events that occurred at or
//! before the instant (the audit trail read model's as-of fold), so it is exactly the state
//! the write model had then.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};
use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::ticket::Ticket;
use ticketflow_events::{
    AnyEvent, DeliveryKey, OrderKey, RecordedEvent, StreamId, TicketKey, Timestamp,
};
use ticketflow_projections::event_summary::describe;
use ticketflow_projections::{AuditTrail, ReadModel};
use ticketflow_store::StreamRead;

use crate::data_dir::DataDir;
use crate::error::CliError;
use crate::import_log::ImportLog;
use crate::instant::show;

/// How `history` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// A readable timeline and state.
    Text,
    /// One JSON document.
    Json,
}

/// One line of the timeline.
#[derive(Debug, Clone, Serialize)]
struct Change {
    position: u64,
    version: u64,
    occurred_at: Timestamp,
    recorded_at: Timestamp,
    actor: String,
    event_type: String,
    what: String,
    /// The import the event came from, if it was imported.
    imported_by: Option<uuid::Uuid>,
}

/// Prints the history of `key` from the data directory's log.
pub fn run(
    key: &str,
    as_of: Option<Timestamp>,
    data_dir: &DataDir,
    format: HistoryFormat,
) -> anyhow::Result<()> {
    let candidates = streams_for(key)?;
    let store = data_dir.open_read_only()?;
    let mut found = None;
    for stream in candidates {
        let events = store.read_stream(&stream, StreamRead::forwards(usize::MAX))?;
        if !events.is_empty() {
            found = Some((stream, events));
            break;
        }
    }
    let Some((stream, events)) = found else {
        return Err(CliError::UnknownKey {
            key: key.to_owned(),
            store: store.path().to_owned(),
        }
        .into());
    };
    let imports = ImportLog::load(data_dir.root())?;
    // Without --as-of: the current state, after every recorded event (imported and simulated
    // histories may carry business times later than the wall clock).
    let last = events.iter().map(|e| e.occurred_at).max();
    let at = as_of.unwrap_or_else(|| Utc::now().max(last.unwrap_or_default()));
    let trail = Arc::new(AuditTrail::new());
    let models: Vec<Arc<dyn ReadModel>> = vec![trail.clone()];
    let mut shown = Vec::new();
    let mut later = 0;
    for event in &events {
        crate::replay::apply(&models, event);
        if event.occurred_at <= at {
            shown.push(change(event, &imports));
        } else {
            later += 1;
        }
    }
    let state = state_as_of(&trail, &stream, at);
    match format {
        HistoryFormat::Json => {
            let doc = json!({
                "stream": stream.as_str(),
                "key": stream.entity(),
                "as_of": at,
                "events": shown,
                "later_events": later,
                "state": state,
            });
            crate::out!("{}", serde_json::to_string_pretty(&doc)?);
        }
        HistoryFormat::Text => print_text(&stream, as_of, at, &shown, later, &state),
    }
    Ok(())
}

/// The streams a key may name, in the order they are tried.
fn streams_for(key: &str) -> Result<Vec<StreamId>, CliError> {
    let not_a_key = || CliError::NotAKey {
        given: key.chars().take(64).collect(),
    };
    if let Ok(stream) = key.parse::<StreamId>()
        && let Some(entity) = stream.entity()
        && [
            TicketKey::CATEGORY,
            OrderKey::CATEGORY,
            DeliveryKey::CATEGORY,
        ]
        .contains(&stream.category())
        && entity.parse::<TicketKey>().is_ok()
    {
        return Ok(vec![stream]);
    }
    let ticket: TicketKey = key.parse().map_err(|_| not_a_key())?;
    let order: OrderKey = key.parse().map_err(|_| not_a_key())?;
    let delivery: DeliveryKey = key.parse().map_err(|_| not_a_key())?;
    // Orders are CO-n by convention; tickets and deliveries share the SD-n key space.
    Ok(if key.starts_with("CO-") {
        vec![order.stream_id(), ticket.stream_id(), delivery.stream_id()]
    } else {
        vec![ticket.stream_id(), delivery.stream_id(), order.stream_id()]
    })
}

fn change(event: &RecordedEvent, imports: &ImportLog) -> Change {
    Change {
        position: event.global_position,
        version: event.stream_version,
        occurred_at: event.occurred_at,
        recorded_at: event.recorded_at,
        actor: event.actor.clone(),
        event_type: event.event_type.clone(),
        what: match AnyEvent::from_recorded(event) {
            Ok(e) => describe(&e),
            Err(e) => format!("unreadable payload: {e}"),
        },
        imported_by: imports.import_of(event).map(|r| r.import_id),
    }
}

/// A value as its stable (serde) spelling, e.g. `software-defect`.
fn label<T: Serialize + std::fmt::Debug>(value: &T) -> Value {
    match serde_json::to_value(value) {
        Ok(v) => v,
        Err(_) => Value::String(format!("{value:?}")),
    }
}

fn state_as_of(trail: &AuditTrail, stream: &StreamId, at: Timestamp) -> Value {
    let entity = stream.entity().unwrap_or_default();
    let state = match stream.category() {
        TicketKey::CATEGORY => entity
            .parse()
            .ok()
            .and_then(|k| trail.ticket_as_of(&k, at))
            .map(|t| ticket_state(&t)),
        OrderKey::CATEGORY => entity
            .parse()
            .ok()
            .and_then(|k| trail.order_as_of(&k, at))
            .map(|o| order_state(&o)),
        _ => entity
            .parse()
            .ok()
            .and_then(|k| trail.delivery_as_of(&k, at))
            .map(|d| delivery_state(&d)),
    };
    state.unwrap_or(Value::Null)
}

fn ticket_state(t: &Ticket) -> Value {
    let effort: BTreeMap<String, u64> = t
        .effort_minutes()
        .iter()
        .map(|(d, m)| (label(d).as_str().unwrap_or_default().to_owned(), *m))
        .collect();
    json!({
        "type": label(&t.ticket_type()),
        "status": label(&t.status()),
        "priority": t.priority().map(|p| label(&p)),
        "organisation": t.organisation(),
        "region": label(&t.region()),
        "creator": t.creator(),
        "shared_with": label(&t.shared_with()),
        "confidential": t.is_confidential(),
        "accepted_by": t.accepted_by(),
        "escalation": t.escalation().map(|e| label(&e)),
        "workaround_provided": t.workaround_provided(),
        "delivery_version": t.delivery_version().map(label),
        "order": t.order(),
        "comments": t.comment_count(),
        "effort_minutes": effort,
        "allowed_commands": t.allowed_commands(),
    })
}

fn order_state(o: &CustomisationOrder) -> Value {
    let placement = o.placement.as_ref();
    json!({
        "phase": label(&o.phase),
        "ticket": placement.map(|p| &p.ticket),
        "customer": placement.map(|p| &p.customer),
        "kind": placement.map(|p| label(&p.kind)),
        "summary": placement.map(|p| &p.summary),
        "consultant": o.consultant,
        "schedule_start": o.schedule.as_ref().map(|s| s.start()),
        "planned_end": o.planned_end,
        "earliest_delivery": o.earliest_delivery,
        "delivery_path": o.delivery_path.map(|p| label(&p)),
        "concept_handed_over": o.concept.as_ref().and_then(|c| c.handed_over),
        "concept_approved": o.concept.as_ref().and_then(|c| c.approved),
        "implementation_completed": o.implementation.completed,
        "reschedule_required": o.reschedule_required,
        "booked_hours": o.booked_hours,
        "allowed_commands": o.allowed_commands(),
    })
}

fn delivery_state(d: &Delivery) -> Value {
    json!({
        "status": d.status().map(|s| label(&s)),
        "step": label(&d.step),
        "version": d.version.as_ref().map(label),
        "cloud_environment": d.cloud_environment.map(|c| label(&c)),
        "organisation": d.organisation,
        "tickets": d.tickets,
        "merge_on": d.merge_on,
        "estimated_delivery_on": d.estimated_delivery_on,
        "released_at": d.released_at,
        "delivered_at": d.delivered_at,
        "allowed_commands": d.allowed_commands(),
    })
}

fn print_text(
    stream: &StreamId,
    as_of: Option<Timestamp>,
    at: Timestamp,
    shown: &[Change],
    later: usize,
    state: &Value,
) {
    let what = match stream.category() {
        TicketKey::CATEGORY => "ticket",
        OrderKey::CATEGORY => "order",
        _ => "delivery",
    };
    let key = stream.entity().unwrap_or_default();
    match as_of {
        Some(_) => crate::out!("History of {what} {key} as of {}", show(at)),
        None => crate::out!("History of {what} {key}"),
    }
    crate::out!(
        "{:>6} {:>4}  {:<21} {:<28} {:<28} what changed",
        "pos",
        "ver",
        "occurred",
        "actor",
        "event"
    );
    for c in shown {
        let imported = if c.imported_by.is_some() {
            format!(" [imported, recorded {}]", show(c.recorded_at))
        } else {
            String::new()
        };
        crate::out!(
            "{:>6} {:>4}  {:<21} {:<28} {:<28} {}{imported}",
            c.position,
            c.version,
            show(c.occurred_at),
            c.actor,
            c.event_type,
            c.what
        );
    }
    if later > 0 {
        crate::out!(
            "({later} later event(s) not shown: they occurred after {})",
            show(at)
        );
    }
    crate::out!("\nState as of {}:", show(at));
    match state {
        Value::Object(fields) => {
            for (name, value) in fields {
                let text = match value {
                    Value::Null => "-".to_owned(),
                    Value::String(s) => s.clone(),
                    Value::Array(items) if items.is_empty() => "(none)".to_owned(),
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                crate::out!("  {name:<26} {text}");
            }
        }
        _ => crate::out!("  (the {what} did not exist yet)"),
    }
}
