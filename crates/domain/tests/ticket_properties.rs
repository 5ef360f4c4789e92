//! Properties of the ticket aggregate over random command sequences with random actors and
//! advancing time (timers included):
//! 1. the state after applying every accepted command's events equals the fold of all events;
//! 2. a refused command changes nothing and emits nothing;
//! 3. every emitted event round-trips through the codec;
//!
//! and, derived from them: no timer fires twice, every fired timer was scheduled, a command is
//! accepted only if the status table lists it, and every event carries the decision's time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use std::collections::BTreeSet;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use ticket_common::*;
use ticketflow_domain::ticket::{
    EmailMessage, Ticket, TicketCommand, TicketError, classifications_of,
};
use ticketflow_domain::{Aggregate, Context, DeskConfig, fold};
use ticketflow_events::ticket::{
    CommentVisibility, EscalationLevel, EscalationReason, ForwardTarget, Priority,
    ResolutionOutcome, SharedWith, TicketEvent, TicketType, TimerId,
};
use ticketflow_events::{Actor, Department, EventSet, OrganisationId, Region};

fn actor(choice: u8) -> Actor {
    match choice % 10 {
        0 => jane(),
        1 => joe(),
        2 => stranger(),
        3 | 4 => agent(),
        5 => foreign_agent(),
        6 => developer(),
        7 => sales(),
        8 => consultant(),
        _ => system(),
    }
}

const TYPES: [TicketType; 9] = [
    TicketType::SoftwareDefect,
    TicketType::NonSoftwareDefect,
    TicketType::ConsultingRequest,
    TicketType::SupportRequest,
    TicketType::Customisation,
    TicketType::Suggestion,
    TicketType::Delivery,
    TicketType::Incident,
    TicketType::Request,
];

const OUTCOMES: [ResolutionOutcome; 6] = [
    ResolutionOutcome::Answered,
    ResolutionOutcome::FixedBySupport,
    ResolutionOutcome::NoDefect,
    ResolutionOutcome::StandardBehaviour,
    ResolutionOutcome::Misconfiguration,
    ResolutionOutcome::RejectedForBusinessReasons,
];

const LEVELS: [EscalationLevel; 5] = [
    EscalationLevel::PersonalContact,
    EscalationLevel::TeamLead,
    EscalationLevel::HeadOfSupport,
    EscalationLevel::HeadOfCustomerServices,
    EscalationLevel::ExecutiveBoard,
];

/// The actor who usually issues a command, so that sequences get deep into the workflows.
fn natural_actor(choice: u8) -> Actor {
    match choice % 35 {
        0 | 22 | 24 | 29 => jane(),
        13 | 14 | 19 => developer(),
        20 | 21 => sales(),
        23 => consultant(),
        1 | 15 | 33 => system(),
        _ => agent(),
    }
}

/// A command picked by `choice`, its details by `a` and `b`.
fn command(choice: u8, a: u8, b: u8, today: chrono::NaiveDate) -> TicketCommand {
    let pick = |n: usize| usize::from(a) % n;
    match choice % 35 {
        0 => {
            let mut form = if a.is_multiple_of(2) {
                incident_form()
            } else {
                request_form()
            };
            form.confidential = b.is_multiple_of(5);
            if b.is_multiple_of(7) {
                form.summary.clear();
            }
            TicketCommand::OpenFromPortal {
                key: "SD-1".parse().unwrap(),
                region: if b.is_multiple_of(2) {
                    Region::Dach
                } else {
                    Region::International
                },
                extended_support_budget: b.is_multiple_of(3),
                form,
            }
        }
        1 => TicketCommand::OpenFromEmail {
            key: "SD-1".parse().unwrap(),
            organisation: OrganisationId("acme".into()),
            region: Region::Dach,
            extended_support_budget: a.is_multiple_of(2),
            email: EmailMessage {
                sender: "jane@acme".into(),
                subject: "Re: trouble".into(),
                body: "details".into(),
                attachments: vec![],
            },
        },
        2 => TicketCommand::Accept,
        3 | 4 => TicketCommand::Classify {
            ticket_type: TYPES[pick(TYPES.len())],
        },
        5 => TicketCommand::Reclassify {
            ticket_type: TYPES[pick(TYPES.len())],
            reason: "changed".into(),
        },
        6 => TicketCommand::SetPriority {
            priority: Priority::ALL[pick(4)],
        },
        7 => TicketCommand::RequestClarification {
            question: if b.is_multiple_of(9) {
                String::new()
            } else {
                "why?".into()
            },
        },
        8 => TicketCommand::ResumeWork,
        9 => TicketCommand::ReproduceDefect {
            reference_system: "ref".into(),
        },
        10 => TicketCommand::ProvideWorkaround {
            description: "restart".into(),
        },
        11 | 12 => TicketCommand::Resolve {
            outcome: OUTCOMES[pick(OUTCOMES.len())],
            note: "done".into(),
            reclassify_as: (b.is_multiple_of(4)).then(|| TYPES[usize::from(b) % TYPES.len()]),
        },
        13 => TicketCommand::ReportReadyForDelivery {
            delivery_version: ["14.21.3.1", "CUSTOM", "14.21"][pick(3)].into(),
        },
        14 => TicketCommand::ChangeDeliveryVersion {
            delivery_version: ["14.21.3.2", "CUSTOM", "x"][pick(3)].into(),
        },
        15 => TicketCommand::RecordDelivery {
            delivery: "SD-900".parse().unwrap(),
        },
        16 => TicketCommand::Forward {
            to: [
                ForwardTarget::TechnicalServices,
                ForwardTarget::ManagedServices,
                ForwardTarget::ProductManagement,
            ][pick(3)],
        },
        17 => TicketCommand::HoldScopingWorkshop {
            held_on: today,
            note: String::new(),
        },
        18 => TicketCommand::RequestEstimate,
        19 => TicketCommand::ProvideEstimate {
            effort_hours: u32::from(a % 50),
        },
        20 => TicketCommand::RecordOrder { order: None },
        21 => TicketCommand::DeclineOffer,
        22 => TicketCommand::ApproveConcept,
        23 => TicketCommand::CommissionImplementation,
        24 => TicketCommand::Close {
            comment: (a.is_multiple_of(2)).then(|| "thanks".into()),
        },
        25 => TicketCommand::AddComment {
            text: "note".into(),
            visibility: if a.is_multiple_of(2) {
                CommentVisibility::Public
            } else {
                CommentVisibility::Internal
            },
            attachments: if b.is_multiple_of(3) {
                vec![attachment("a.txt")]
            } else {
                vec![]
            },
        },
        26 => TicketCommand::AddAttachments {
            attachments: vec![attachment("b.txt")],
        },
        27 => TicketCommand::ChangeSharing {
            shared_with: if a.is_multiple_of(2) {
                SharedWith::Nobody
            } else {
                SharedWith::Organisation
            },
        },
        28 => TicketCommand::SetConfidential {
            confidential: a.is_multiple_of(2),
        },
        29 => TicketCommand::SetNotifications {
            enabled: a.is_multiple_of(2),
        },
        30 => TicketCommand::BookEffort {
            department: Department::Support,
            minutes: u32::from(a) * 7,
            performed_on: today,
        },
        31 => TicketCommand::Escalate {
            level: LEVELS[pick(LEVELS.len())],
            reason: EscalationReason::Handling,
        },
        32 => TicketCommand::RecordSupportBudget {
            available: a.is_multiple_of(2),
        },
        34 => TicketCommand::Reopen {
            reason: "still broken".into(),
        },
        _ => TicketCommand::FireTimer {
            timer: TimerId(u64::from(a % 12)),
        },
    }
}

/// Commands that exist in every status; guided steps mostly skip them to move the workflow.
const EVERYDAY: [&str; 8] = [
    "add_comment",
    "add_attachments",
    "change_sharing",
    "set_confidential",
    "set_notifications",
    "book_effort",
    "escalate",
    "record_support_budget",
];

/// A command among those the ticket's status table allows, so sequences go deep into the
/// workflows; classification then picks a type the intake type allows.
fn guided(state: &Ticket, s: &Step, today: chrono::NaiveDate) -> (u8, TicketCommand) {
    let allowed = state.allowed_commands();
    let moving: Vec<_> = allowed.iter().filter(|c| !EVERYDAY.contains(c)).collect();
    let pool: Vec<&&str> = if moving.is_empty() || s.b.is_multiple_of(5) {
        allowed.iter().collect()
    } else {
        moving
    };
    let Some(name) = pool.get(usize::from(s.command) % pool.len().max(1)) else {
        return (s.command, command(s.command, s.a, s.b, today));
    };
    let choice = (0..35u8)
        .find(|i| command(*i, 0, 1, today).name() == **name)
        .unwrap_or(s.command);
    let valid = classifications_of(state.ticket_type());
    let cmd = match command(choice, s.a, s.b, today) {
        TicketCommand::Classify { .. } if !valid.is_empty() => TicketCommand::Classify {
            ticket_type: valid[usize::from(s.a) % valid.len()],
        },
        other => other,
    };
    (choice, cmd)
}

/// How far the clock moves before a step: often not at all, sometimes past a timer.
fn advance(choice: u8) -> Duration {
    match choice % 8 {
        0..=2 => Duration::zero(),
        3 => Duration::hours(1),
        4 => Duration::days(5),
        5 => Duration::days(11),
        6 => Duration::days(45),
        _ => Duration::weeks(17),
    }
}

#[derive(Debug, Clone)]
struct Step {
    actor: u8,
    command: u8,
    a: u8,
    b: u8,
    advance: u8,
    /// Let the command's usual actor issue it (otherwise a random one).
    natural: bool,
    /// Pick the command among those the status table allows (otherwise any command).
    guided: bool,
    /// Fire the earliest scheduled timer instead of `command` (keeps timers well exercised).
    fire_due: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        prop::bool::weighted(0.75),
        prop::bool::weighted(0.6),
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(actor, command, a, b, advance, natural, guided, fire_due)| Step {
                actor,
                command,
                a,
                b,
                advance,
                natural,
                guided,
                fire_due,
            },
        )
}

/// Most sequences start by opening the ticket, so that the rest has something to work on.
fn sequence() -> impl Strategy<Value = (bool, Vec<Step>)> {
    (
        prop::bool::weighted(0.9),
        prop::collection::vec(step(), 1..60),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ticket_invariants_hold_for_random_command_sequences((open_first, steps) in sequence()) {
        let config = DeskConfig::default();
        let mut now = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).single().unwrap();
        let mut state = Ticket::default();
        let mut log: Vec<TicketEvent> = Vec::new();
        let mut fired: BTreeSet<TimerId> = BTreeSet::new();
        let mut scheduled: BTreeSet<TimerId> = BTreeSet::new();

        let opening = open_first.then_some(Step {
            actor: 0,
            command: 0,
            a: 1,
            b: 1,
            advance: 0,
            natural: true,
            guided: false,
            fire_due: false,
        });
        for s in opening.iter().chain(steps.iter()) {
            now += advance(s.advance);
            let (choice, mut cmd) = if s.guided {
                guided(&state, s, now.date_naive())
            } else {
                (s.command, command(s.command, s.a, s.b, now.date_naive()))
            };
            let who = if s.natural {
                natural_actor(choice)
            } else {
                actor(s.actor)
            };
            if let (true, Some(t)) = (s.fire_due, state.due_timers().first()) {
                cmd = TicketCommand::FireTimer { timer: t.id };
            }
            let ctx = Context { now, actor: &who, config: &config };
            let before = state.clone();
            let allowed = state.allowed_commands();
            match state.decide(&cmd, &ctx) {
                Ok(events) => {
                    prop_assert!(allowed.contains(&cmd.name()), "{} accepted but not listed in {:?}", cmd.name(), allowed);
                    prop_assert!(!events.is_empty(), "{} accepted without events", cmd.name());
                    for e in &events {
                        // 3. every event round-trips through the codec.
                        let bytes = e.encode().unwrap();
                        let back = TicketEvent::decode(e.event_type(), e.schema_version(), &bytes).unwrap();
                        prop_assert_eq!(&back, e);
                        prop_assert_eq!(e.at(), now);
                        match e {
                            TicketEvent::TicketTimersScheduled(s) => {
                                for t in &s.timers {
                                    prop_assert!(scheduled.insert(t.id), "timer id {} reused", t.id.0);
                                }
                            }
                            TicketEvent::TicketClarificationReminderSent(r) => {
                                prop_assert!(scheduled.contains(&r.timer));
                                prop_assert!(fired.insert(r.timer), "{} fired twice", r.timer);
                            }
                            TicketEvent::TicketClosed(c) => {
                                if let Some(t) = c.timer {
                                    prop_assert!(scheduled.contains(&t));
                                    prop_assert!(fired.insert(t), "{} fired twice", t);
                                }
                            }
                            _ => {}
                        }
                        state.evolve(e);
                        log.push(e.clone());
                    }
                    // 1. state == fold of every event so far.
                    prop_assert_eq!(&state, &fold::<Ticket>(&log));
                }
                Err(err) => {
                    // 2. a refusal changes nothing (and, being an error, emits nothing).
                    prop_assert_eq!(&state, &before);
                    if let TicketError::NotAllowed { command, allowed: listed, .. } = &err {
                        prop_assert!(!listed.contains(command));
                        prop_assert_eq!(listed, &allowed);
                    }
                    prop_assert!(!err.to_string().is_empty());
                }
            }
            // Timers that fired are never pending again. in the statuses that own them.
            for t in state.due_timers() {
                prop_assert!(!fired.contains(&t.id));
            }
        }
    }
}

#[test]
fn every_command_names_itself_as_in_its_json_form_and_round_trips() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut names = BTreeSet::new();
    for choice in 0..35u8 {
        let cmd = command(choice, 1, 1, today);
        let json = serde_json::to_value(&cmd).unwrap();
        assert_eq!(json["command"], cmd.name());
        assert_eq!(serde_json::from_value::<TicketCommand>(json).unwrap(), cmd);
        names.insert(cmd.name());
    }
    // All 33 commands of `TicketCommand` are produced by the generator.
    assert_eq!(names.len(), 33);
}
