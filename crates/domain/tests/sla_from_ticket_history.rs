//! The SLA of a ticket computed from the ticket's own recorded events (domain.md §2.7).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use chrono::Duration;
use ticket_common::*;
use ticketflow_domain::calendar::RegionCalendars;
use ticketflow_domain::sla::{SlaFactKind, SlaPolicyBook, evaluate_ticket, facts_of_ticket};
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{Priority, ResolutionOutcome, TicketType};

#[test]
fn restoration_pauses_while_the_ticket_waits_for_clarification() {
    let mut desk = Desk::incident();
    desk.advance(Duration::minutes(20));
    desk.ok(
        &agent(),
        TicketCommand::Classify {
            ticket_type: TicketType::NonSoftwareDefect,
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
    desk.advance(Duration::hours(3));
    desk.ok(
        &agent(),
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::FixedBySupport,
            note: "certificate renewed".into(),
            reclassify_as: None,
        },
    );
    let report = evaluate_ticket(
        &desk.events,
        &SlaPolicyBook::default(),
        &RegionCalendars::standard(),
        desk.now,
    )
    .expect("opened");
    assert!(report.applicable);
    let reaction = report.reaction.as_ref().expect("reaction clock");
    assert_eq!(reaction.elapsed, Duration::minutes(20));
    assert_eq!(reaction.met, Some(true));
    let restoration = report.current_restoration().expect("restoration clock");
    assert_eq!(
        restoration.elapsed,
        Duration::hours(4),
        "1 h before and 3 h after the pause"
    );
    assert_eq!(restoration.paused, Duration::hours(2));
    assert_eq!(restoration.met, Some(true), "P2 restoration target is 8 h");
}

#[test]
fn requests_that_are_not_defects_have_no_sla() {
    let mut desk = Desk::request();
    desk.ok(
        &agent(),
        TicketCommand::Classify {
            ticket_type: TicketType::SupportRequest,
        },
    );
    let report = evaluate_ticket(
        &desk.events,
        &SlaPolicyBook::default(),
        &RegionCalendars::standard(),
        desk.now,
    )
    .expect("opened");
    assert!(!report.applicable);
}

#[test]
fn reaction_time_runs_from_receipt_even_before_classification() {
    let desk = Desk::incident();
    let facts = facts_of_ticket(&desk.events);
    assert_eq!(facts[0].kind, SlaFactKind::Received);
    assert_eq!(facts[1].kind, SlaFactKind::Applicable);
}

#[test]
fn no_report_before_the_ticket_is_opened() {
    assert!(
        evaluate_ticket(
            &[],
            &SlaPolicyBook::default(),
            &RegionCalendars::standard(),
            chrono::Utc::now()
        )
        .is_none()
    );
}
