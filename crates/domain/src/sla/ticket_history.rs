//! From a ticket's recorded events to the facts its SLA is computed from.
//!
//! The SLA rules ([`super::evaluate`]) never look at ticket events directly; this adapter is
//! the one place that knows which ticket event means what for the SLA. Status comes from
//! `TicketStatusChanged`, which the ticket records for every transition (a fix that reaches
//! `Resolved` through a delivery has no `TicketResolved`, but it has the status change).

use ticketflow_events::Timestamp;
use ticketflow_events::ticket::{TicketEvent, TicketStatus, TicketType};

use super::{SlaFact, SlaFactKind, SlaPolicyBook, SlaReport};
use crate::calendar::RegionCalendars;

/// The SLA facts of a ticket's history, in the order of its events.
///
/// | ticket event | fact |
/// |---|---|
/// | `TicketOpened` | `Received`, then `Applicable` for an Incident, `NotApplicable` for a Request |
/// | `TicketClassified` / `TicketReclassified` | `Applicable` for a defect (or Incident), else `NotApplicable` |
/// | `TicketPrioritised` | `PrioritySet` |
/// | `TicketAccepted` | `Accepted` |
/// | `TicketStatusChanged` to `Clarification required` | `Paused` |
/// | `TicketStatusChanged` from `Clarification required` to a working status | `Resumed` |
/// | `TicketStatusChanged` to `Resolved` | `Resolved` |
/// | `TicketWorkaroundProvided` | `WorkaroundProvided` |
/// | `TicketReopened` | `Reopened` |
pub fn facts_of_ticket<'a>(events: impl IntoIterator<Item = &'a TicketEvent>) -> Vec<SlaFact> {
    let mut facts = Vec::new();
    for event in events {
        let at = event.at();
        let mut push = |kind| facts.push(SlaFact::new(at, kind));
        match event {
            TicketEvent::TicketOpened(e) => {
                push(SlaFactKind::Received);
                push(applicability(e.ticket_type));
            }
            TicketEvent::TicketClassified(e) => push(applicability(e.to)),
            TicketEvent::TicketReclassified(e) => push(applicability(e.to)),
            TicketEvent::TicketPrioritised(e) => push(SlaFactKind::PrioritySet { priority: e.to }),
            TicketEvent::TicketAccepted(_) => push(SlaFactKind::Accepted),
            TicketEvent::TicketWorkaroundProvided(_) => push(SlaFactKind::WorkaroundProvided),
            TicketEvent::TicketReopened(_) => push(SlaFactKind::Reopened),
            TicketEvent::TicketStatusChanged(e) => match (e.from, e.to) {
                (_, TicketStatus::ClarificationRequired) => push(SlaFactKind::Paused),
                (_, TicketStatus::Resolved) => push(SlaFactKind::Resolved),
                (TicketStatus::ClarificationRequired, TicketStatus::Closed) => {}
                (TicketStatus::ClarificationRequired, _) => push(SlaFactKind::Resumed),
                _ => {}
            },
            _ => {}
        }
    }
    facts
}

/// Incidents are defects-to-be: their reaction clock runs from receipt, before classification.
fn applicability(ticket_type: TicketType) -> SlaFactKind {
    if ticket_type.is_defect() || ticket_type == TicketType::Incident {
        SlaFactKind::Applicable
    } else {
        SlaFactKind::NotApplicable
    }
}

/// The SLA of a ticket at `now`, under the policy of the ticket's organisation; `None` before
/// the ticket was opened.
pub fn evaluate_ticket(
    events: &[TicketEvent],
    book: &SlaPolicyBook,
    calendars: &RegionCalendars,
    now: Timestamp,
) -> Option<SlaReport> {
    let organisation = events.iter().find_map(|e| match e {
        TicketEvent::TicketOpened(o) => Some(o.organisation.clone()),
        _ => None,
    })?;
    Some(book.evaluate(&organisation, &facts_of_ticket(events), calendars, now))
}
