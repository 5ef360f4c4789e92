#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_desk::*;
use chrono::{Days, Duration};
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::SharedWith;

/// A software defect of acme waiting in `Delivery Pending` with `version`.
fn pending_fix(desk: &mut Desk, key: &str, version: &str) {
    desk.open_incident(&jane(), key, "Grades lost", SharedWith::Organisation);
    desk.ticket(
        &agent(),
        key,
        TicketCommand::Classify {
            ticket_type: TicketType::SoftwareDefect,
        },
    );
    desk.ticket(
        &agent(),
        key,
        TicketCommand::ReproduceDefect {
            reference_system: "ref".into(),
        },
    );
    desk.ticket(
        &developer(),
        key,
        TicketCommand::ReportReadyForDelivery {
            delivery_version: version.into(),
        },
    );
}

fn plan(desk: &mut Desk, key: &str) {
    desk.delivery(
        &agent(),
        key,
        DeliveryCommand::PlanDelivery {
            delivery: key.parse().unwrap(),
            version: "14.21.3.1".parse().unwrap(),
            cloud_environment: CloudEnvironment::CustomerHosted,
            organisation: OrganisationId("acme".into()),
            shared_with: DeliverySharing::Organisation,
            documents: vec![],
            tickets: vec![],
        },
    );
}

#[test]
fn a_manifest_lists_included_tickets_with_their_current_status_and_custom_items() {
    let mut desk = Desk::new();
    pending_fix(&mut desk, "SD-1", "CUSTOM");
    pending_fix(&mut desk, "SD-2", "14.21.3.1");
    pending_fix(&mut desk, "SD-3", "CUSTOM");
    plan(&mut desk, "SD-900");
    for t in ["SD-1", "SD-2"] {
        desk.delivery(
            &agent(),
            "SD-900",
            DeliveryCommand::IncludeTicket {
                ticket: t.parse().unwrap(),
            },
        );
    }
    let model = DeliveryManifests::new();
    desk.feed(&model);
    let m = model.manifest(&"SD-900".parse().unwrap()).unwrap();
    assert_eq!(m.status, Some(DeliveryStatus::Planned));
    assert_eq!(m.organisation, Some(OrganisationId("acme".into())));
    assert_eq!(m.tickets.len(), 2);
    assert!(
        m.tickets
            .iter()
            .all(|t| t.status == Some(TicketStatus::DeliveryPending))
    );
    assert_eq!(
        m.custom_items
            .iter()
            .map(|t| t.ticket.as_str())
            .collect::<Vec<_>>(),
        ["SD-1"]
    );
    let pending = model.pending_custom_fixes(&OrganisationId("acme".into()));
    assert_eq!(
        pending
            .iter()
            .map(|t| t.ticket.as_str())
            .collect::<Vec<_>>(),
        ["SD-3"]
    );
}

#[test]
fn every_move_of_the_estimated_date_is_in_the_history_and_delivery_moves_tickets_on() {
    let mut desk = Desk::new();
    pending_fix(&mut desk, "SD-1", "CUSTOM");
    plan(&mut desk, "SD-900");
    desk.delivery(
        &agent(),
        "SD-900",
        DeliveryCommand::IncludeTicket {
            ticket: "SD-1".parse().unwrap(),
        },
    );
    let today = desk.now.date_naive();
    desk.delivery(
        &agent(),
        "SD-900",
        DeliveryCommand::ScheduleMerge {
            merge_on: today + Days::new(2),
            estimated_delivery_on: today + Days::new(10),
        },
    );
    desk.advance(Duration::days(1));
    desk.delivery(
        &agent(),
        "SD-900",
        DeliveryCommand::MoveMerge {
            merge_on: today + Days::new(4),
            estimated_delivery_on: today + Days::new(12),
            reason: "standard patch late".into(),
        },
    );
    desk.advance(Duration::days(3));
    desk.delivery(&agent(), "SD-900", DeliveryCommand::CompleteMerge {});
    desk.delivery(
        &agent(),
        "SD-900",
        DeliveryCommand::MoveEstimatedDeliveryDate {
            estimated_delivery_on: today + Days::new(15),
            reason: "regression found".into(),
        },
    );
    for c in [
        DeliveryCommand::ConfirmChangesComplete {},
        DeliveryCommand::CloseCodeline {},
        DeliveryCommand::BuildPackage {},
        DeliveryCommand::PassReferenceTest {},
        DeliveryCommand::Release {},
        DeliveryCommand::ProvidePackage {
            location: "sftp://acme/14.21.3.1.zip".into(),
        },
    ] {
        desk.delivery(&agent(), "SD-900", c);
    }
    let model = DeliveryManifests::new();
    desk.feed(&model);
    let m = model.manifest(&"SD-900".parse().unwrap()).unwrap();
    let moves: Vec<(Option<NaiveDate>, NaiveDate)> =
        m.estimate_history.iter().map(|c| (c.from, c.to)).collect();
    assert_eq!(
        moves,
        [
            (None, today + Days::new(10)),
            (Some(today + Days::new(10)), today + Days::new(12)),
            (Some(today + Days::new(12)), today + Days::new(15)),
        ]
    );
    assert_eq!(
        m.estimate_history[2].reason.as_deref(),
        Some("regression found")
    );
    assert_eq!(m.estimated_delivery_on, Some(today + Days::new(15)));
    assert_eq!(m.status, Some(DeliveryStatus::Delivered));
    assert_eq!(m.tickets[0].status, Some(TicketStatus::Resolved));
    assert_eq!(
        model.manifests(Some(&OrganisationId("acme".into()))).len(),
        1
    );
    assert!(
        model
            .manifests(Some(&OrganisationId("globex".into())))
            .is_empty()
    );
}
