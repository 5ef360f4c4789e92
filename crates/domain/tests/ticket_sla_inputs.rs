//! The ticket history carries every fact the SLA of domain.md §2.7 is computed from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use chrono::Duration;
use ticket_common::*;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{
    Priority, ResolutionOutcome, TicketEvent, TicketStatus as S, TicketType as T,
};

#[test]
fn the_history_carries_receipt_acceptance_priority_pauses_workaround_and_resolution() {
    let mut desk = Desk::incident();
    let received = desk.now;
    desk.advance(Duration::minutes(20));
    let accepted = desk.now;
    desk.ok(
        &agent(),
        TicketCommand::Classify {
            ticket_type: T::NonSoftwareDefect,
        },
    );
    desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P2,
        },
    );
    desk.advance(Duration::hours(1));
    desk.ok(
        &agent(),
        TicketCommand::RequestClarification {
            question: "Which node?".into(),
        },
    );
    desk.advance(Duration::hours(2));
    desk.ok(&agent(), TicketCommand::ResumeWork);
    desk.ok(
        &agent(),
        TicketCommand::ProvideWorkaround {
            description: "Use node 2".into(),
        },
    );
    desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P3,
        },
    );
    desk.advance(Duration::hours(3));
    desk.ok(
        &agent(),
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::FixedBySupport,
            note: "certificate renewed".into(),
            reclassify_as: None,
        },
    );

    let events = &desk.events;
    assert!(matches!(&events[0], TicketEvent::TicketOpened(o) if o.at == received));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TicketEvent::TicketAccepted(a) if a.at == accepted))
    );
    let priorities: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TicketEvent::TicketPrioritised(p) => Some((p.from, p.to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        priorities,
        [(None, Priority::P2), (Some(Priority::P2), Priority::P3)]
    );
    assert_eq!(
        status_changes(events),
        [
            (S::Open, S::ClarificationRequired),
            (S::ClarificationRequired, S::Open),
            (S::Open, S::Resolved),
        ]
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TicketEvent::TicketWorkaroundProvided(_)))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TicketEvent::TicketClassified(c) if c.to == T::NonSoftwareDefect))
    );
}

#[test]
fn a_delivered_fix_reaches_resolved_through_a_status_change() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    desk.ok(
        &agent(),
        TicketCommand::ReproduceDefect {
            reference_system: "ref".into(),
        },
    );
    desk.ok(
        &developer(),
        TicketCommand::ReportReadyForDelivery {
            delivery_version: "CUSTOM".into(),
        },
    );
    let events = desk.ok(
        &system(),
        TicketCommand::RecordDelivery {
            delivery: "SD-2001".parse().unwrap(),
        },
    );
    assert_eq!(status_changes(&events), [(S::DeliveryPending, S::Resolved)]);
}
