//! Customisation orders: a missed concept-approval deadline is recorded by the scheduler.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use common::*;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::order::{CustomisationOrder, OrderCommand};
use ticketflow_domain::script::{AddressedCommand, ScriptLine};
use ticketflow_engine::simulation::StepSource;
use ticketflow_engine::{Scheduler, Simulation, WorkKind};
use ticketflow_events::order::{DeliveryPath, OrderKind};
use ticketflow_events::{Actor, OrderKey, OrganisationId, Region, Role, Timestamp};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn on(date: NaiveDate) -> Timestamp {
    Utc.from_utc_datetime(&date.and_hms_opt(9, 0, 0).unwrap())
}

fn who(id: &str, role: Role) -> Actor {
    Actor {
        id: id.into(),
        role,
    }
}

fn awaiting_approval(order: &OrderKey, day: NaiveDate) -> Vec<ScriptLine> {
    let sales = who("sam", Role::Sales);
    let consultant = who("clara", Role::BusinessConsultant);
    let developer = who("dev", Role::TechnicalServices);
    let commands = [
        (
            sales.clone(),
            OrderCommand::Place {
                order: order.clone(),
                ticket: ticket(1042),
                customer: OrganisationId("acme".into()),
                region: Region::Dach,
                kind: OrderKind::CustomerSpecific,
                summary: "Export of course bookings".into(),
                own_codeline: true,
                test_environment: true,
                custom_code_allowed: true,
                product_management_agreed: true,
            },
        ),
        (
            sales,
            OrderCommand::AssignConsultant {
                consultant: "clara".into(),
            },
        ),
        (
            developer.clone(),
            OrderCommand::ScheduleImplementationSlot {
                start: d(2027, 2, 1),
                planned_end: d(2027, 2, 26),
            },
        ),
        (
            agent(),
            OrderCommand::AgreeDeliveryPath {
                path: DeliveryPath::RegularPatch,
                note: String::new(),
            },
        ),
        (consultant.clone(), OrderCommand::CommunicateTimeline),
        (
            consultant.clone(),
            OrderCommand::WriteConcept {
                document: "concept-v1".into(),
                acceptance_criteria: vec!["TC-1".into()],
            },
        ),
        (developer, OrderCommand::ReviewConcept),
        (consultant, OrderCommand::HandOverConcept),
    ];
    commands
        .into_iter()
        .enumerate()
        .map(|(i, (actor, c))| {
            line(
                on(day) + chrono::TimeDelta::minutes(i as i64),
                actor,
                AddressedCommand::Order(order.clone(), c),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_missed_approval_deadline_is_recorded_the_day_after_it_once() {
    for (name, store, _dir) in stores() {
        let order: OrderKey = "CO-17".parse().unwrap();
        let script = awaiting_approval(&order, d(2026, 11, 23));
        let mut sim = Simulation::new(store.clone(), DeskConfig::default(), on(d(2026, 11, 23)))
            .await
            .unwrap();
        let report = sim.run(&script).await.unwrap();
        assert!(report.refused_lines().is_empty(), "{name}: {report}");
        let due = sim.scheduler().view().due_work();
        assert_eq!(due.len(), 1, "{name}: {due:?}");
        assert_eq!(due[0].kind, WorkKind::MissedApproval, "{name}");
        // The approval deadline of a slot starting 2027-02-01 is 2027-01-28 (domain tests);
        // it is missed from the start of the 29th.
        let missed_from = d(2027, 1, 29).and_time(NaiveTime::MIN).and_utc();
        assert_eq!(due[0].due_at, missed_from, "{name}");

        let mut more = ticketflow_engine::SimulationReport::default();
        sim.advance_to(on(d(2027, 6, 1)), &mut more).await.unwrap();
        let fired: Vec<_> = more
            .steps
            .iter()
            .filter(|s| matches!(s.source, StepSource::Scheduler(_)))
            .map(|s| (s.command, s.at))
            .collect();
        assert_eq!(
            fired,
            vec![("record_missed_approval", missed_from)],
            "{name}: {more}"
        );
        let (state, _) = sim
            .engine()
            .state::<CustomisationOrder>(&order.stream_id())
            .await
            .unwrap();
        assert!(
            state.reschedule_required && state.schedule.is_none(),
            "{name}"
        );

        // A restarted scheduler owes nothing.
        let engine = ticketflow_engine::Engine::new(
            store.clone(),
            DeskConfig::default(),
            Arc::new(sim.clock().clone()),
        );
        let mut scheduler = Scheduler::start(engine).await.unwrap();
        assert!(scheduler.fire_due().await.unwrap().is_empty(), "{name}");
    }
}
