//! The delivery process manager and whole scripts through `Simulation`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use common::*;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::delivery::{Delivery, DeliveryCommand};
use ticketflow_domain::script::ScriptLine;
use ticketflow_domain::ticket::{Ticket, TicketCommand};
use ticketflow_engine::simulation::{StepResult, StepSource};
use ticketflow_engine::{Scheduler, Simulation};
use ticketflow_events::delivery::CloudEnvironment;
use ticketflow_events::ticket::{TicketEvent, TicketStatus};
use ticketflow_events::{AnyEvent, DeliveryKey, TicketKey, Timestamp};
use ticketflow_store::EventStore;

async fn ticket_state(sim: &Simulation, key: &TicketKey) -> Ticket {
    sim.engine()
        .state::<Ticket>(&key.stream_id())
        .await
        .unwrap()
        .0
}

async fn delivery_state(sim: &Simulation, key: &DeliveryKey) -> Delivery {
    sim.engine()
        .state::<Delivery>(&key.stream_id())
        .await
        .unwrap()
        .0
}

fn march(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn plan(key: &DeliveryKey, org: &str, tickets: Vec<TicketKey>, at: Timestamp) -> ScriptLine {
    line(
        at,
        agent(),
        to_delivery(
            key,
            plan_delivery(key, org, tickets, CloudEnvironment::DedicatedCloud),
        ),
    )
}

fn at(hours: i64) -> Timestamp {
    t0() + TimeDelta::hours(hours)
}

#[tokio::test]
async fn a_delivered_delivery_moves_its_included_tickets_on_once() {
    for (name, store, _dir) in stores() {
        let (a, b, c) = (ticket(1), ticket(2), ticket(3));
        let d = delivery(100);
        let mut script = defect_ready_for_delivery(&a, jane(), "14.21.3.1", at(0));
        script.extend(defect_ready_for_delivery(&b, jane(), "14.21.3.1", at(1)));
        script.extend(defect_ready_for_delivery(&c, jane(), "14.21.3.1", at(2)));
        script.push(plan(
            &d,
            "acme",
            vec![a.clone(), b.clone(), c.clone()],
            at(3),
        ));
        script.extend(walk_to_release(&d, at(4), march(3), march(10)));
        // Support records C's delivery by hand before the delivery goes out.
        script.push(line(
            at(20),
            agent(),
            to_ticket(
                &c,
                TicketCommand::RecordDelivery {
                    delivery: d.clone(),
                },
            ),
        ));
        let window: Timestamp = "2026-03-09T18:00:00Z".parse().unwrap();
        script.push(line(
            at(24),
            agent(),
            to_delivery(
                &d,
                DeliveryCommand::AnnounceMaintenance {
                    window_starts_at: window,
                },
            ),
        ));
        script.push(line(
            window + TimeDelta::hours(2),
            agent(),
            to_delivery(&d, DeliveryCommand::CompleteStageInstallation {}),
        ));
        script.push(line(
            window + TimeDelta::days(2),
            agent(),
            to_delivery(&d, DeliveryCommand::CompleteInstallation {}),
        ));
        let mut sim = Simulation::new(store.clone(), DeskConfig::default(), t0())
            .await
            .unwrap();
        let report = sim.run(&script).await.unwrap();
        assert!(report.refused_lines().is_empty(), "{name}: {report}");
        let moved: Vec<_> = report
            .steps
            .iter()
            .filter(|s| matches!(s.source, StepSource::Scheduler(_)))
            .map(|s| (s.stream.to_string(), s.command, s.at))
            .collect();
        let staged = window + TimeDelta::hours(2);
        assert_eq!(
            moved,
            vec![
                ("ticket-SD-1".to_owned(), "record_delivery", staged),
                ("ticket-SD-2".to_owned(), "record_delivery", staged),
            ],
            "{name}: {report}"
        );
        for key in [&a, &b, &c] {
            assert_eq!(
                ticket_state(&sim, key).await.status(),
                TicketStatus::Resolved,
                "{name}"
            );
        }
        // The tickets' delivery events name the delivery event as their cause.
        let events = all_events(store.as_ref()).await;
        let staging = events
            .iter()
            .find(|(r, _)| r.event_type == "DeliveryStageInstallationCompleted")
            .map(|(r, _)| r.event_id)
            .unwrap();
        let caused: Vec<_> = events
            .iter()
            .filter(|(_, e)| matches!(e, AnyEvent::Ticket(TicketEvent::TicketDelivered(_))))
            .map(|(r, _)| (r.stream_id.to_string(), r.causation_id))
            .collect();
        assert_eq!(
            caused,
            vec![
                ("ticket-SD-3".to_owned(), None),
                ("ticket-SD-1".to_owned(), Some(staging)),
                ("ticket-SD-2".to_owned(), Some(staging)),
            ],
            "{name}"
        );
        // A restart finds nothing left to do.
        let engine = ticketflow_engine::Engine::new(
            store.clone(),
            DeskConfig::default(),
            Arc::new(sim.clock().clone()),
        );
        let mut scheduler = Scheduler::start(engine).await.unwrap();
        let before = store.last_position().await.unwrap();
        let fired = scheduler.fire_due().await.unwrap();
        assert!(fired.is_empty(), "{name}: {fired:?}");
        assert_eq!(store.last_position().await.unwrap(), before, "{name}");
    }
}

#[tokio::test]
async fn a_custom_fix_joins_its_customers_next_delivery() {
    for (name, store, _dir) in stores() {
        let (early, late, foreign) = (ticket(1), ticket(2), ticket(3));
        let (globex, closed, later, next) =
            (delivery(200), delivery(201), delivery(202), delivery(203));
        let mut script = vec![
            // Globex's delivery never gets Acme's fixes.
            plan(&globex, "globex", vec![], at(0)),
        ];
        // A CUSTOM fix waits while Acme has no open delivery …
        script.extend(defect_ready_for_delivery(&early, jane(), "CUSTOM", at(1)));
        // … one Acme delivery gets its codeline closed, so it no longer takes tickets …
        script.push(plan(&closed, "acme", vec![], at(2)));
        // (the waiting fix joins it as soon as it is planned; take it out again)
        script.push(line(
            at(2) + TimeDelta::minutes(1),
            agent(),
            to_delivery(
                &closed,
                DeliveryCommand::RemoveTicket {
                    ticket: early.clone(),
                    reason: "next one".into(),
                },
            ),
        ));
        script.extend(
            walk_to_release(&closed, at(3), march(3), march(4))
                .into_iter()
                .take(4),
        );
        // … then two open Acme deliveries: the one with the earlier estimate is the next.
        script.push(plan(&later, "acme", vec![], at(10)));
        script.push(line(
            at(10) + TimeDelta::minutes(5),
            agent(),
            to_delivery(
                &later,
                DeliveryCommand::ScheduleMerge {
                    merge_on: march(20),
                    estimated_delivery_on: march(30),
                },
            ),
        ));
        script.push(plan(&next, "acme", vec![], at(11)));
        script.push(line(
            at(11) + TimeDelta::minutes(5),
            agent(),
            to_delivery(
                &next,
                DeliveryCommand::ScheduleMerge {
                    merge_on: march(12),
                    estimated_delivery_on: march(16),
                },
            ),
        ));
        // A fix that reaches Delivery Pending while deliveries are open joins at once; a
        // Globex fix joins nothing of Acme's.
        script.extend(defect_ready_for_delivery(&late, jane(), "CUSTOM", at(12)));
        script.extend(defect_ready_for_delivery(
            &foreign,
            customer("initech"),
            "CUSTOM",
            at(13),
        ));
        let mut sim = Simulation::new(store.clone(), DeskConfig::default(), t0())
            .await
            .unwrap();
        let report = sim.run(&script).await.unwrap();
        assert!(report.refused_lines().is_empty(), "{name}: {report}");

        let included: Vec<_> = report
            .steps
            .iter()
            .filter(|s| s.command == "include_ticket")
            .map(|s| {
                (
                    s.stream.to_string(),
                    s.at,
                    matches!(s.result, StepResult::Recorded(_)),
                )
            })
            .collect();
        assert_eq!(
            included,
            vec![
                ("delivery-SD-201".to_owned(), at(2), true),
                // after the removal from SD-201 it waits for the next one …
                ("delivery-SD-202".to_owned(), at(10), true),
                (
                    "delivery-SD-203".to_owned(),
                    at(12) + TimeDelta::minutes(30),
                    true
                ),
            ],
            "{name}: {report}"
        );
        assert!(
            !delivery_state(&sim, &globex).await.includes(&early),
            "{name}"
        );
        assert!(
            delivery_state(&sim, &later).await.includes(&early),
            "{name}"
        );
        assert!(delivery_state(&sim, &next).await.includes(&late), "{name}");
        for d in [&globex, &closed, &later, &next] {
            assert!(!delivery_state(&sim, d).await.includes(&foreign), "{name}");
        }
        assert!(sim.scheduler().view().due_work().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn a_script_runs_with_timers_and_refusals_reported_by_line() {
    let (a, b) = (ticket(1), ticket(2));
    let lines = [
        line(t0(), jane(), open_incident(&a)),
        line(
            t0() + TimeDelta::hours(1),
            agent(),
            to_ticket(&a, classify_defect()),
        ),
        // Refused: a customer cannot close an open ticket.
        line(
            t0() + TimeDelta::hours(2),
            jane(),
            to_ticket(&a, TicketCommand::Close { comment: None }),
        ),
        line(
            t0() + TimeDelta::hours(3),
            agent(),
            to_ticket(&a, resolve_no_defect()),
        ),
        line(t0() + days(2), jane(), open_incident(&b)),
        line(
            t0() + days(2),
            agent(),
            to_ticket(
                &b,
                TicketCommand::RequestClarification {
                    question: "Which course?".into(),
                },
            ),
        ),
        // Two months later: A closed itself after 50 days, B after 40 with three reminders.
        line(
            t0() + days(70),
            jane(),
            to_ticket(&b, comment("sorry, was on leave")),
        ),
    ];
    let text: String = lines.iter().map(|l| l.to_json().unwrap() + "\n").collect();
    let script = ScriptLine::parse_all(&text).unwrap();
    let store = Arc::new(ticketflow_store::MemoryStore::new());
    let mut sim = Simulation::new(store.clone(), DeskConfig::default(), t0())
        .await
        .unwrap();
    let report = sim.run(&script).await.unwrap();
    let printed = report.to_string();
    let refused = report.refused_lines();
    assert_eq!(refused.len(), 2, "{printed}");
    assert_eq!(refused[0].0, 3, "{printed}");
    assert!(refused[0].1.contains("close"), "{printed}");
    assert_eq!(refused[1].0, 7, "{printed}");
    assert!(refused[1].1.contains("Closed"), "{printed}");
    let fired: Vec<_> = report
        .steps
        .iter()
        .filter(|s| matches!(s.source, StepSource::Scheduler(_)))
        .map(|s| (s.stream.to_string(), (s.at - t0()).num_days()))
        .collect();
    assert_eq!(
        fired,
        vec![
            ("ticket-SD-2".to_owned(), 12),
            ("ticket-SD-2".to_owned(), 22),
            ("ticket-SD-2".to_owned(), 32),
            ("ticket-SD-2".to_owned(), 42),
            ("ticket-SD-1".to_owned(), 50),
        ],
        "{printed}"
    );
    assert!(
        printed.contains("line 3") && printed.contains("REFUSED"),
        "{printed}"
    );
    assert!(
        printed.contains("TicketClarificationReminderSent"),
        "{printed}"
    );
    assert_eq!(ticket_state(&sim, &a).await.status(), TicketStatus::Closed);
    assert_eq!(ticket_state(&sim, &b).await.status(), TicketStatus::Closed);
    assert_eq!(
        report.events_recorded() as u64,
        store.last_position().await.unwrap()
    );
}

#[tokio::test]
async fn running_a_script_again_on_the_same_store_records_nothing_twice() {
    let (a, d) = (ticket(1), delivery(300));
    let mut script = defect_ready_for_delivery(&a, jane(), "CUSTOM", at(0));
    script.push(plan(&d, "acme", vec![], at(1)));
    script.push(line(at(2), jane(), to_ticket(&a, comment("thanks"))));
    for (name, store, _dir) in stores() {
        let mut sim = Simulation::new(store.clone(), DeskConfig::default(), t0())
            .await
            .unwrap();
        let first = sim.run(&script).await.unwrap();
        assert!(first.refused_lines().is_empty(), "{name}: {first}");
        let recorded = store.last_position().await.unwrap();
        // Resume as after an interruption: a new process runs the whole script again.
        let mut again = Simulation::new(store.clone(), DeskConfig::default(), t0())
            .await
            .unwrap();
        let second = again.run(&script).await.unwrap();
        assert_eq!(
            store.last_position().await.unwrap(),
            recorded,
            "{name}: {second}"
        );
        assert_eq!(second.events_recorded(), 0, "{name}: {second}");
        assert!(
            second
                .steps
                .iter()
                .all(|s| matches!(s.result, StepResult::Replayed(_))),
            "{name}: {second}"
        );
    }
}
