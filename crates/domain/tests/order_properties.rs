//! Property tests of the customisation order aggregate: for random command sequences from
//! random starting points, by random actors on advancing days,
//! 1. the state after applying every accepted command's events equals `fold` of all events;
//! 2. a refused command emits nothing and leaves the state unchanged;
//! 3. every emitted event round-trips through the codec unchanged.
#![allow(clippy::unwrap_used)]

mod order_fixture;

use chrono::Days;
use order_fixture::*;
use proptest::prelude::*;
use ticketflow_domain::order::{CustomisationOrder, OrderCommand, OrderError, OrderPhase};
use ticketflow_domain::{Aggregate, Context, fold};
use ticketflow_events::order::{
    DeliveryPath, OrderEnvironment, OrderEvent, OrderKind, SetupTaskKind,
};
use ticketflow_events::{Actor, EventSet};

fn actors() -> Vec<Actor> {
    vec![
        consultant(),
        developer(),
        product_manager(),
        sales(),
        support(),
        customer(),
        other_customer(),
        scheduler(),
    ]
}

/// A pool of commands with plausible and implausible parameters.
fn commands() -> Vec<OrderCommand> {
    let ticket = |n: u64| ticketflow_events::TicketKey::new("SD", n).unwrap();
    let mut no_codeline = place(OrderKind::CustomerSpecific);
    if let OrderCommand::Place { own_codeline, .. } = &mut no_codeline {
        *own_codeline = false;
    }
    let mut cloud_extension = place(OrderKind::StandardExtension);
    if let OrderCommand::Place {
        own_codeline,
        test_environment,
        ..
    } = &mut cloud_extension
    {
        *own_codeline = false;
        *test_environment = false;
    }
    vec![
        place(OrderKind::CustomerSpecific),
        place(OrderKind::StandardExtension),
        no_codeline,
        cloud_extension,
        OrderCommand::AssignConsultant {
            consultant: "clara@vendor".into(),
        },
        OrderCommand::AssignConsultant {
            consultant: "  ".into(),
        },
        slot(),
        OrderCommand::ScheduleImplementationSlot {
            start: d(2027, 3, 1),
            planned_end: d(2027, 3, 26),
        },
        OrderCommand::ScheduleImplementationSlot {
            start: d(2027, 9, 6),
            planned_end: d(2027, 10, 1),
        },
        OrderCommand::ScheduleImplementationSlot {
            start: d(2027, 3, 1),
            planned_end: d(2027, 2, 1),
        },
        package("IP-2027.1", d(2027, 2, 1)),
        package("IP-2027.2", d(2027, 5, 3)),
        package("IP-2027.4", d(2027, 11, 1)),
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::RegularPatch,
            note: String::new(),
        },
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::FirstCustomerShipment,
            note: String::new(),
        },
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::GeneralAvailability,
            note: "GA".into(),
        },
        OrderCommand::CommunicateTimeline,
        OrderCommand::RecordReorder {
            reference: "offer 2".into(),
        },
        OrderCommand::WriteConcept {
            document: "concept-v1".into(),
            acceptance_criteria: criteria(),
        },
        OrderCommand::WriteConcept {
            document: "concept-v2".into(),
            acceptance_criteria: vec![],
        },
        OrderCommand::ReviewConcept,
        OrderCommand::HandOverConcept,
        OrderCommand::RecordRequirementsChange {
            description: "much more".into(),
        },
        OrderCommand::ApproveConcept,
        OrderCommand::RecordMissedApproval,
        OrderCommand::ReportImplementationCompleted {
            note: String::new(),
        },
        OrderCommand::RecordVerification {
            passed: criteria(),
            failed: vec![],
        },
        OrderCommand::RecordVerification {
            passed: vec!["TC-1".into()],
            failed: vec!["TC-2".into()],
        },
        OrderCommand::RecordVerification {
            passed: vec!["TC-1".into()],
            failed: vec![],
        },
        OrderCommand::RecordSprintReview {
            sprint: "sprint 4".into(),
            in_line: false,
            feedback: "missing filter".into(),
        },
        OrderCommand::AnnounceDelay {
            planned_end: d(2027, 4, 30),
            reason: "illness".into(),
        },
        OrderCommand::Deliver {
            environment: OrderEnvironment::Test,
            delivery: None,
            version: "CUSTOM".into(),
        },
        OrderCommand::Deliver {
            environment: OrderEnvironment::Production,
            delivery: Some("SD-2001".parse().unwrap()),
            version: "14.21.3.1".into(),
        },
        OrderCommand::ApproveTestDelivery,
        OrderCommand::OpenSetupTask {
            task: "nav-1".into(),
            kind: SetupTaskKind::NavigationEntry,
            description: "menu entry".into(),
        },
        OrderCommand::OpenSetupTask {
            task: "sftp-1".into(),
            kind: SetupTaskKind::SftpJob,
            description: "transfer".into(),
        },
        OrderCommand::CompleteSetupTask {
            task: "nav-1".into(),
        },
        OrderCommand::CompleteSetupTask {
            task: "sftp-1".into(),
        },
        OrderCommand::ReportDefect {
            ticket: ticket(3001),
            description: "broken".into(),
        },
        OrderCommand::ReportDefect {
            ticket: ticket(3002),
            description: "also broken".into(),
        },
        OrderCommand::ReportDefectFixed {
            ticket: ticket(3001),
        },
        OrderCommand::ReportDefectFixed {
            ticket: ticket(3002),
        },
        OrderCommand::Close { booked_hours: 12.0 },
        OrderCommand::Close { booked_hours: -3.0 },
    ]
}

/// Where a sequence starts: a fresh order or one of the fixture's phases.
fn start(index: usize) -> Harness {
    let kind = if index.is_multiple_of(2) {
        OrderKind::CustomerSpecific
    } else {
        OrderKind::StandardExtension
    };
    match index / 2 {
        0 => Harness::default(),
        1 => Harness::in_concept(kind),
        2 => Harness::awaiting_approval(kind),
        3 => Harness::in_implementation(kind),
        4 => Harness::in_delivery(kind),
        _ => {
            let mut h = Harness::in_delivery(kind);
            h.deliver(OrderEnvironment::Test);
            h.ok(&customer(), OrderCommand::ApproveTestDelivery);
            h.deliver(OrderEnvironment::Production);
            h
        }
    }
}

fn steps() -> impl Strategy<Value = (usize, Vec<(usize, usize, u64)>)> {
    let pool = commands().len();
    let people = actors().len();
    (
        0usize..12,
        prop::collection::vec((0..people, 0..pool, 0u64..12), 1..60),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn order_state_is_the_fold_of_its_events_and_refusals_change_nothing(
        (origin, sequence) in steps()
    ) {
        let pool = commands();
        let people = actors();
        let mut h = start(origin);
        for (who, what, advance) in sequence {
            h.today = h.today.checked_add_days(Days::new(advance)).unwrap();
            let before = h.state.clone();
            let ctx = Context {
                now: on(h.today),
                actor: &people[who],
                config: &h.config,
            };
            match h.state.decide(&pool[what], &ctx) {
                Ok(events) => {
                    prop_assert!(!events.is_empty());
                    for event in &events {
                        // (3) every emitted event round-trips through the codec.
                        let bytes = event.encode().unwrap();
                        let back = OrderEvent::decode(
                            event.event_type(),
                            event.schema_version(),
                            &bytes,
                        )
                        .unwrap();
                        prop_assert_eq!(&back, event);
                        h.state.evolve(event);
                    }
                    h.events.extend(events);
                    // (1) the state equals the fold of all events from scratch.
                    let folded: CustomisationOrder = fold(h.events.iter());
                    prop_assert_eq!(&folded, &h.state);
                }
                Err(_) => {
                    // (2) a refusal leaves the state as it was.
                    prop_assert_eq!(&before, &h.state);
                }
            }
            if before.phase == OrderPhase::Closed {
                prop_assert_eq!(h.state.phase, OrderPhase::Closed);
            }
            // Deadlines are always computable and never duplicated per kind.
            let deadlines = h.state.deadlines();
            let mut kinds: Vec<_> = deadlines.iter().map(|dl| dl.kind).collect();
            kinds.dedup();
            prop_assert_eq!(kinds.len(), deadlines.len());
        }
    }

    #[test]
    fn refused_commands_emit_nothing_and_name_the_phase(
        (origin, sequence) in steps()
    ) {
        let pool = commands();
        let people = actors();
        let mut h = start(origin);
        for (who, what, advance) in sequence {
            h.today = h.today.checked_add_days(Days::new(advance)).unwrap();
            let command = pool[what].clone();
            let allowed = h.state.allowed_commands();
            let before = h.state.clone();
            let count = h.events.len();
            match h.run(&people[who], command.clone()) {
                Ok(_) => prop_assert!(allowed.contains(&command.name())),
                Err(err) => {
                    prop_assert_eq!(&before, &h.state);
                    prop_assert_eq!(count, h.events.len());
                    if !allowed.contains(&command.name())
                        && !matches!(err, OrderError::WrongKind { .. })
                    {
                        let text = err.to_string();
                        let phase = format!("phase `{}`", before.phase);
                        prop_assert!(text.contains(&phase), "{}", text);
                    }
                }
            }
        }
    }
}
