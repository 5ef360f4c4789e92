//! Random but valid histories: operations on a handful of tickets, two customisation orders
//! and two deliveries, run through the aggregates' `decide` by the test desk.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use chrono::{Days, Duration};
use proptest::prelude::*;
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::delivery::CloudEnvironment;
use ticketflow_events::order::{DeliveryPath, OrderEnvironment, OrderKind};
use ticketflow_events::ticket::{
    CommentVisibility, EscalationLevel, EscalationReason, ForwardTarget, Priority,
    ResolutionOutcome, SharedWith, TicketType,
};
use ticketflow_events::{Actor, Department, OrganisationId, Region};

use crate::test_desk::*;

const TICKETS: [&str; 5] = ["SD-1", "SD-2", "SD-3", "SD-4", "SD-5"];
const ORDERS: [&str; 2] = ["CO-1", "CO-2"];
const DELIVERIES: [&str; 2] = ["SD-901", "SD-902"];

/// One step of a random history.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Ticket {
        ticket: usize,
        action: u8,
        param: u8,
    },
    OrderStep {
        order: usize,
    },
    DeliveryStep {
        delivery: usize,
    },
    Include {
        delivery: usize,
        ticket: usize,
    },
    FireDueTimers,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..TICKETS.len(), 0u8..32, 0u8..8)
            .prop_map(|(ticket, action, param)| Op::Ticket { ticket, action, param }),
        2 => (0..ORDERS.len()).prop_map(|order| Op::OrderStep { order }),
        2 => (0..DELIVERIES.len()).prop_map(|delivery| Op::DeliveryStep { delivery }),
        1 => (0..DELIVERIES.len(), 0..TICKETS.len())
            .prop_map(|(delivery, ticket)| Op::Include { delivery, ticket }),
        1 => Just(Op::FireDueTimers),
    ]
}

/// Minutes to wait before an operation: mostly short, sometimes days or weeks.
fn wait() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 0i64..240,
        2 => 240i64..(3 * 1440),
        1 => (3 * 1440i64)..(45 * 1440),
    ]
}

fn creator(ticket: usize) -> Actor {
    if ticket.is_multiple_of(2) {
        jane()
    } else {
        john()
    }
}

fn ticket_command(ticket: usize, action: u8, param: u8, desk: &Desk) -> (Actor, TicketCommand) {
    let key = TICKETS[ticket];
    let p = usize::from(param);
    use TicketCommand as C;
    let types = [
        TicketType::SoftwareDefect,
        TicketType::NonSoftwareDefect,
        TicketType::ConsultingRequest,
        TicketType::SupportRequest,
        TicketType::Customisation,
        TicketType::Suggestion,
    ];
    let share = if p.is_multiple_of(2) {
        SharedWith::Organisation
    } else {
        SharedWith::Nobody
    };
    match action {
        0 | 1 => {
            let kind = if action == 0 {
                TicketType::Incident
            } else {
                TicketType::Request
            };
            (
                creator(ticket),
                open(
                    key,
                    kind,
                    &format!("Problem {p} with courses"),
                    share,
                    p == 3,
                ),
            )
        }
        2 => (agent(), C::Accept),
        3 | 4 => (
            agent(),
            C::Classify {
                ticket_type: types[p % types.len()],
            },
        ),
        5 => (
            agent(),
            C::SetPriority {
                priority: Priority::ALL[p % 4],
            },
        ),
        6 => (
            agent(),
            C::RequestClarification {
                question: "Which course?".into(),
            },
        ),
        7 => (agent(), C::ResumeWork),
        8 => (
            agent(),
            C::ReproduceDefect {
                reference_system: "ref-acme".into(),
            },
        ),
        9 => (
            agent(),
            C::ProvideWorkaround {
                description: "Use the old export".into(),
            },
        ),
        10 | 11 => (
            agent(),
            C::Resolve {
                outcome: ResolutionOutcome::Answered,
                note: "done".into(),
                reclassify_as: None,
            },
        ),
        12 => (
            developer(),
            C::ReportReadyForDelivery {
                delivery_version: if p.is_multiple_of(2) {
                    "CUSTOM".into()
                } else {
                    "14.21.3.1".into()
                },
            },
        ),
        13 => (
            agent(),
            C::Forward {
                to: if p.is_multiple_of(2) {
                    ForwardTarget::TechnicalServices
                } else {
                    ForwardTarget::ProductManagement
                },
            },
        ),
        14 => (
            agent(),
            C::Reopen {
                reason: "still broken".into(),
            },
        ),
        15 | 16 => (creator(ticket), C::Close { comment: None }),
        17 => (
            creator(ticket),
            C::AddComment {
                text: format!("comment {p}"),
                visibility: CommentVisibility::Public,
                attachments: vec![],
            },
        ),
        18 => (
            agent(),
            C::AddComment {
                text: "internal note".into(),
                visibility: CommentVisibility::Internal,
                attachments: vec![],
            },
        ),
        19 => (
            agent(),
            C::AddComment {
                text: "answer".into(),
                visibility: CommentVisibility::Public,
                attachments: vec![],
            },
        ),
        20 => (
            if p.is_multiple_of(2) { jane() } else { john() },
            C::SetNotifications { enabled: p % 4 < 2 },
        ),
        21 | 22 => {
            let departments = [
                Department::Support,
                Department::TechnicalServices,
                Department::ManagedServices,
            ];
            (
                agent(),
                C::BookEffort {
                    department: departments[p % 3],
                    minutes: 15 + 15 * u32::from(param),
                    performed_on: desk.now.date_naive() - Days::new(u64::from(param % 3)),
                },
            )
        }
        23 => {
            let levels = [
                EscalationLevel::PersonalContact,
                EscalationLevel::TeamLead,
                EscalationLevel::HeadOfSupport,
                EscalationLevel::HeadOfCustomerServices,
                EscalationLevel::ExecutiveBoard,
            ];
            (
                creator(ticket),
                C::Escalate {
                    level: levels[p % 5],
                    reason: EscalationReason::Handling,
                },
            )
        }
        24 => (creator(ticket), C::ChangeSharing { shared_with: share }),
        25 => (
            agent(),
            C::SetConfidential {
                confidential: p.is_multiple_of(2),
            },
        ),
        26 => (agent(), C::RequestEstimate),
        27 => (
            developer(),
            C::ProvideEstimate {
                effort_hours: 8 + u32::from(param),
            },
        ),
        28 => (sales(), C::RecordOrder { order: None }),
        29 => (creator(ticket), C::ApproveConcept),
        30 => (consultant(), C::CommissionImplementation),
        _ => (
            agent(),
            C::Reclassify {
                ticket_type: types[p % types.len()],
                reason: "second look".into(),
            },
        ),
    }
}

fn order_step(order: usize, step: usize, desk: &Desk) -> Option<(Actor, OrderCommand)> {
    let today = desk.now.date_naive();
    let key = ORDERS[order];
    Some(match step {
        0 => (
            sales(),
            OrderCommand::Place {
                order: key.parse().unwrap(),
                ticket: TICKETS[order].parse().unwrap(),
                customer: OrganisationId("acme".into()),
                region: Region::Dach,
                kind: OrderKind::CustomerSpecific,
                summary: format!("Customisation {key}"),
                own_codeline: true,
                test_environment: order == 0,
                custom_code_allowed: true,
                product_management_agreed: false,
            },
        ),
        1 => (
            sales(),
            OrderCommand::AssignConsultant {
                consultant: "clara".into(),
            },
        ),
        2 => (
            developer(),
            OrderCommand::ScheduleImplementationSlot {
                start: today + Days::new(30),
                planned_end: today + Days::new(50),
            },
        ),
        3 => (
            agent(),
            OrderCommand::AgreeDeliveryPath {
                path: DeliveryPath::RegularPatch,
                note: String::new(),
            },
        ),
        4 => (consultant(), OrderCommand::CommunicateTimeline),
        5 => (
            consultant(),
            OrderCommand::WriteConcept {
                document: "concept-v1".into(),
                acceptance_criteria: vec!["TC-1".into()],
            },
        ),
        6 => (developer(), OrderCommand::ReviewConcept),
        7 => (consultant(), OrderCommand::HandOverConcept),
        8 => (jane(), OrderCommand::ApproveConcept),
        9 => (
            developer(),
            OrderCommand::ReportImplementationCompleted {
                note: String::new(),
            },
        ),
        10 => (
            consultant(),
            OrderCommand::RecordVerification {
                passed: vec!["TC-1".into()],
                failed: vec![],
            },
        ),
        11 => (
            agent(),
            OrderCommand::Deliver {
                environment: if order == 0 {
                    OrderEnvironment::Test
                } else {
                    OrderEnvironment::Production
                },
                delivery: None,
                version: "CUSTOM".into(),
            },
        ),
        12 if order == 0 => (jane(), OrderCommand::ApproveTestDelivery),
        13 if order == 0 => (
            agent(),
            OrderCommand::Deliver {
                environment: OrderEnvironment::Production,
                delivery: None,
                version: "CUSTOM".into(),
            },
        ),
        12 | 13 => return order_step(order, 14, desk),
        14 => (consultant(), OrderCommand::Close { booked_hours: 12.5 }),
        _ => return None,
    })
}

fn delivery_step(delivery: usize, step: usize, desk: &Desk) -> Option<(Actor, DeliveryCommand)> {
    let today = desk.now.date_naive();
    let hosted = delivery == 0;
    Some(match step {
        0 => (
            agent(),
            DeliveryCommand::PlanDelivery {
                delivery: DELIVERIES[delivery].parse().unwrap(),
                version: "14.21.3.1".parse().unwrap(),
                cloud_environment: if hosted {
                    CloudEnvironment::CustomerHosted
                } else {
                    CloudEnvironment::DedicatedCloud
                },
                organisation: OrganisationId("acme".into()),
                shared_with: Default::default(),
                documents: vec![],
                tickets: vec![],
            },
        ),
        1 => (
            agent(),
            DeliveryCommand::ScheduleMerge {
                merge_on: today + Days::new(3),
                estimated_delivery_on: today + Days::new(14),
            },
        ),
        2 => (
            agent(),
            DeliveryCommand::MoveMerge {
                merge_on: today + Days::new(5),
                estimated_delivery_on: today + Days::new(17),
                reason: "patch late".into(),
            },
        ),
        3 => (agent(), DeliveryCommand::CompleteMerge {}),
        4 => (
            agent(),
            DeliveryCommand::MoveEstimatedDeliveryDate {
                estimated_delivery_on: today + Days::new(20),
                reason: "tests".into(),
            },
        ),
        5 => (agent(), DeliveryCommand::ConfirmChangesComplete {}),
        6 => (agent(), DeliveryCommand::CloseCodeline {}),
        7 => (agent(), DeliveryCommand::BuildPackage {}),
        8 => (agent(), DeliveryCommand::PassReferenceTest {}),
        9 => (agent(), DeliveryCommand::Release {}),
        10 if hosted => (
            agent(),
            DeliveryCommand::ProvidePackage {
                location: "sftp://acme/pkg.zip".into(),
            },
        ),
        10 => (
            agent(),
            DeliveryCommand::AnnounceMaintenance {
                window_starts_at: desk.now + Duration::days(2),
            },
        ),
        11 if !hosted => (agent(), DeliveryCommand::CompleteStageInstallation {}),
        12 if !hosted => (agent(), DeliveryCommand::CompleteInstallation {}),
        _ => return None,
    })
}

/// Runs a random history through the desk.
pub(super) fn run_history(ops: &[(i64, Op)]) -> Desk {
    let mut desk = Desk::new();
    let mut order_steps: HashMap<usize, usize> = HashMap::new();
    let mut delivery_steps: HashMap<usize, usize> = HashMap::new();
    for (minutes, op) in ops {
        desk.advance(Duration::minutes(*minutes));
        match op {
            Op::Ticket {
                ticket,
                action,
                param,
            } => {
                let (actor, command) = ticket_command(*ticket, *action, *param, &desk);
                desk.try_ticket(&actor, TICKETS[*ticket], command);
            }
            Op::OrderStep { order } => {
                let step = order_steps.entry(*order).or_insert(0);
                if let Some((actor, command)) = order_step(*order, *step, &desk)
                    && desk.try_order(&actor, ORDERS[*order], command)
                {
                    *step += 1;
                }
            }
            Op::DeliveryStep { delivery } => {
                let step = delivery_steps.entry(*delivery).or_insert(0);
                if let Some((actor, command)) = delivery_step(*delivery, *step, &desk)
                    && desk.try_delivery(&actor, DELIVERIES[*delivery], command)
                {
                    *step += 1;
                }
            }
            Op::Include { delivery, ticket } => {
                let command = DeliveryCommand::IncludeTicket {
                    ticket: TICKETS[*ticket].parse().unwrap(),
                };
                desk.try_delivery(&agent(), DELIVERIES[*delivery], command);
            }
            Op::FireDueTimers => {
                for key in TICKETS {
                    let due: Vec<_> = desk
                        .ticket_state(key)
                        .map(|t| t.due_timers())
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|t| t.due_at <= desk.now)
                        .collect();
                    for timer in due {
                        desk.try_ticket(
                            &system(),
                            key,
                            TicketCommand::FireTimer { timer: timer.id },
                        );
                    }
                }
            }
        }
    }
    desk
}

pub(super) fn history() -> impl Strategy<Value = Vec<(i64, Op)>> {
    proptest::collection::vec((wait(), op()), 1..120)
}

#[test]
fn random_histories_reach_deep_into_the_workflows() {
    // A long fixed history touches most event types, so the properties above are not vacuous.
    let ops: Vec<(i64, Op)> = (0..600u32)
        .map(|i| {
            let op = match i % 7 {
                0..=3 => Op::Ticket {
                    ticket: (i as usize / 7) % TICKETS.len(),
                    action: (i % 32) as u8,
                    param: (i % 8) as u8,
                },
                4 => Op::OrderStep {
                    order: (i as usize) % 2,
                },
                5 => Op::DeliveryStep {
                    delivery: (i as usize / 5) % 2,
                },
                _ => {
                    if i.is_multiple_of(2) {
                        Op::Include {
                            delivery: (i as usize) % 2,
                            ticket: (i as usize) % 5,
                        }
                    } else {
                        Op::FireDueTimers
                    }
                }
            };
            (i64::from(i % 5) * 300, op)
        })
        .collect();
    let desk = run_history(&ops);
    let types: std::collections::BTreeSet<&str> = desk
        .log
        .iter()
        .map(|(e, _)| e.event_type.as_str())
        .collect();
    assert!(
        types.len() >= 30,
        "only {} event types: {types:?}",
        types.len()
    );
}
