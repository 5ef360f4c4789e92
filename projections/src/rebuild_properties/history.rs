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
use ticketflow_events::{Actor, OrganisationId, Region};

use super::ticket_moves::ticket_command;
use crate::test_desk::*;

/// Ticket slots; a closed ticket's slot is taken by a new ticket (`SD-<slot><generation>`).
const TICKETS: usize = 6;
/// Order slots; a closed order's slot is taken by a new order (`CO-<slot><generation>`).
const ORDERS: usize = 2;
/// Delivery slots; a finished delivery's slot is taken by a new one (`SD-9<slot><generation>`).
const DELIVERIES: usize = 2;

/// One step of a random history.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Ticket {
        ticket: usize,
        pick: usize,
        param: u8,
    },
    /// Up to `steps` steps of the order's script, in one go (so deadlines can be met).
    OrderStep {
        order: usize,
        steps: usize,
    },
    /// Up to `steps` steps of the delivery's script.
    DeliveryStep {
        delivery: usize,
        steps: usize,
    },
    Include {
        delivery: usize,
        ticket: usize,
    },
    FireDueTimers,
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (0..TICKETS, 0usize..64, 0u8..8)
            .prop_map(|(ticket, pick, param)| Op::Ticket { ticket, pick, param }),
        2 => (0..ORDERS, 1usize..8).prop_map(|(order, steps)| Op::OrderStep { order, steps }),
        2 => (0..DELIVERIES, 1usize..6)
            .prop_map(|(delivery, steps)| Op::DeliveryStep { delivery, steps }),
        1 => (0..DELIVERIES, 0..TICKETS)
            .prop_map(|(delivery, ticket)| Op::Include { delivery, ticket }),
        1 => Just(Op::FireDueTimers),
    ]
}

/// Minutes to wait before an operation: mostly short, sometimes days, rarely weeks (so that
/// timers fire now and then without every ticket timing out).
pub(super) fn wait() -> impl Strategy<Value = i64> {
    prop_oneof![
        30 => 0i64..120,
        5 => 120i64..(2 * 1440),
        1 => (3 * 1440i64)..(20 * 1440),
    ]
}

fn creator(ticket: usize) -> Actor {
    if ticket.is_multiple_of(2) {
        jane()
    } else {
        john()
    }
}

fn order_step(order: usize, key: &str, step: usize, desk: &Desk) -> Option<(Actor, OrderCommand)> {
    let today = desk.now.date_naive();
    Some(match step {
        0 => (
            sales(),
            OrderCommand::Place {
                order: key.parse().unwrap(),
                ticket: format!("SD-{}", 100 + order).parse().unwrap(),
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
        12 | 13 => return order_step(order, key, 14, desk),
        14 => (consultant(), OrderCommand::Close { booked_hours: 12.5 }),
        _ => return None,
    })
}

fn delivery_step(
    delivery: usize,
    key: &str,
    step: usize,
    desk: &Desk,
) -> Option<(Actor, DeliveryCommand)> {
    let today = desk.now.date_naive();
    let hosted = delivery == 0;
    Some(match step {
        0 => (
            agent(),
            DeliveryCommand::PlanDelivery {
                delivery: key.parse().unwrap(),
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
    let mut order_steps: HashMap<usize, (u64, usize)> = HashMap::new();
    let mut delivery_steps: HashMap<usize, (u64, usize)> = HashMap::new();
    let mut generations = [0u64; TICKETS];
    let key_of =
        |slot: usize, generations: &[u64; TICKETS]| format!("SD-{}{}", slot + 1, generations[slot]);
    for (minutes, op) in ops {
        desk.advance(Duration::minutes(*minutes));
        match op {
            Op::Ticket {
                ticket,
                pick,
                param,
            } => {
                let key = key_of(*ticket, &generations);
                if let Some((actor, command)) =
                    ticket_command(&key, &creator(*ticket), *pick, *param, &desk)
                {
                    desk.try_ticket(&actor, &key, command);
                }
                let closed = desk
                    .ticket_state(&key)
                    .is_some_and(|t| t.status() == ticketflow_events::ticket::TicketStatus::Closed);
                if closed {
                    generations[*ticket] += 1;
                }
            }
            Op::OrderStep { order, steps } => {
                for _ in 0..*steps {
                    let (generation, step) = order_steps.entry(*order).or_insert((0, 0));
                    let key = format!("CO-{}{}", order + 1, generation);
                    match order_step(*order, &key, *step, &desk) {
                        Some((actor, command)) => {
                            if desk.try_order(&actor, &key, command) {
                                *step += 1;
                            } else {
                                break;
                            }
                        }
                        None => *order_steps.entry(*order).or_default() = (*generation + 1, 0),
                    }
                }
            }
            Op::DeliveryStep { delivery, steps } => {
                for _ in 0..*steps {
                    let (generation, step) = delivery_steps.entry(*delivery).or_insert((0, 0));
                    let key = format!("SD-9{}{}", delivery + 1, generation);
                    match delivery_step(*delivery, &key, *step, &desk) {
                        Some((actor, command)) => {
                            if desk.try_delivery(&actor, &key, command) {
                                *step += 1;
                            } else {
                                break;
                            }
                        }
                        None => {
                            *delivery_steps.entry(*delivery).or_default() = (*generation + 1, 0)
                        }
                    }
                }
            }
            Op::Include { delivery, ticket } => {
                // The first ticket from slot `ticket` on that waits for a delivery (or the
                // slot's ticket if none does).
                let pending = (0..TICKETS)
                    .map(|i| key_of((ticket + i) % TICKETS, &generations))
                    .find(|k| {
                        desk.ticket_state(k).is_some_and(|t| {
                            t.status() == ticketflow_events::ticket::TicketStatus::DeliveryPending
                        })
                    })
                    .unwrap_or_else(|| key_of(*ticket, &generations));
                let command = DeliveryCommand::IncludeTicket {
                    ticket: pending.parse().unwrap(),
                };
                let generation = delivery_steps.get(delivery).map_or(0, |(g, _)| *g);
                let key = format!("SD-9{}{}", delivery + 1, generation);
                desk.try_delivery(&agent(), &key, command);
            }
            Op::FireDueTimers => {
                for key in (0..TICKETS).map(|slot| key_of(slot, &generations)) {
                    let key = key.as_str();
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

/// A long history drawn with a fixed seed: it touches most event types.
pub(super) fn long_history() -> Desk {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let ops = proptest::collection::vec((wait(), op()), 1500)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    run_history(&ops)
}

#[test]
fn random_histories_reach_deep_into_the_workflows() {
    // The operations reach most event types, so the rebuild properties are not vacuous.
    let desk = long_history();
    let types: std::collections::BTreeSet<&str> = desk
        .log
        .iter()
        .map(|(e, _)| e.event_type.as_str())
        .collect();
    let missing: Vec<&str> = ticketflow_events::AnyEvent::event_types()
        .map(|(t, _)| t)
        .filter(|t| !types.contains(t))
        .collect();
    eprintln!("{} events; not reached: {missing:?}", desk.log.len());

    assert!(
        types.len() >= 60,
        "only {} event types; not reached: {missing:?}",
        types.len()
    );
    for needed in [
        "TicketDelivered",
        "TicketClosed",
        "TicketEscalated",
        "OrderClosed",
    ] {
        assert!(types.contains(needed), "{needed} not reached");
    }
}
