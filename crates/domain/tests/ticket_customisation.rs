//! The Customisation workflow of domain.md §2.4.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use chrono::Duration;
use ticket_common::*;
use ticketflow_domain::ticket::{TicketCommand, TicketError};
use ticketflow_events::ticket::{CloseReason, TicketEvent, TicketStatus as S, TicketType as T};

fn ready(version: &str) -> TicketCommand {
    TicketCommand::ReportReadyForDelivery {
        delivery_version: version.into(),
    }
}

fn delivered() -> TicketCommand {
    TicketCommand::RecordDelivery {
        delivery: "SD-2001".parse().unwrap(),
    }
}

#[test]
fn customisation_goes_from_estimate_to_order_concept_implementation_and_closes_when_delivered() {
    let mut desk = Desk::classified(T::Customisation);
    let day = desk.now.date_naive();
    desk.ok(
        &consultant(),
        TicketCommand::HoldScopingWorkshop {
            held_on: day,
            note: "two use cases".into(),
        },
    );
    assert_eq!(desk.status(), S::Open);
    desk.ok(&agent(), TicketCommand::RequestEstimate);
    assert_eq!(desk.status(), S::EstimationInProgress);
    desk.ok(
        &developer(),
        TicketCommand::ProvideEstimate { effort_hours: 40 },
    );
    assert_eq!(desk.status(), S::EstimationAvailable);
    desk.ok(
        &sales(),
        TicketCommand::RecordOrder {
            order: Some("CO-7".parse().unwrap()),
        },
    );
    assert_eq!(desk.status(), S::Ordered);
    assert_eq!(
        desk.state.order().map(|o| o.to_string()),
        Some("CO-7".into())
    );
    desk.ok(&jane(), TicketCommand::ApproveConcept);
    assert_eq!(desk.status(), S::ConceptApproved);
    desk.ok(&consultant(), TicketCommand::CommissionImplementation);
    assert_eq!(desk.status(), S::InProgress);
    desk.ok(&developer(), ready("14.22.0.0"));
    assert_eq!(desk.status(), S::DeliveryPending);
    let events = desk.ok(&system(), delivered());
    assert!(
        events.iter().any(
            |e| matches!(e, TicketEvent::TicketClosed(c) if c.reason == CloseReason::Delivered)
        )
    );
    assert_eq!(desk.status(), S::Closed);
}

#[test]
fn an_unordered_customisation_offer_closes_the_ticket() {
    let mut desk = Desk::classified(T::Customisation);
    desk.ok(&agent(), TicketCommand::RequestEstimate);
    desk.ok(
        &developer(),
        TicketCommand::ProvideEstimate { effort_hours: 8 },
    );
    let events = desk.ok(&sales(), TicketCommand::DeclineOffer);
    assert!(
        events.iter().any(
            |e| matches!(e, TicketEvent::TicketClosed(c) if c.reason == CloseReason::NotOrdered)
        )
    );
    assert_eq!(desk.status(), S::Closed);
}

#[test]
fn a_scoping_workshop_cannot_be_recorded_for_a_future_day() {
    let mut desk = Desk::classified(T::Customisation);
    let tomorrow = (desk.now + Duration::days(1)).date_naive();
    let err = desk.refused(
        &agent(),
        TicketCommand::HoldScopingWorkshop {
            held_on: tomorrow,
            note: String::new(),
        },
    );
    assert!(
        matches!(&err, TicketError::Invalid { field, .. } if field == "held_on"),
        "{err}"
    );
}

#[test]
fn only_an_available_estimate_can_be_ordered() {
    let mut desk = Desk::classified(T::Customisation);
    let err = desk.refused(&sales(), TicketCommand::RecordOrder { order: None });
    assert!(err.to_string().contains("`request_estimate`"), "{err}");
    desk.ok(&agent(), TicketCommand::RequestEstimate);
    let err = desk.refused(&sales(), TicketCommand::RecordOrder { order: None });
    assert!(err.to_string().contains("`provide_estimate`"), "{err}");
}

#[test]
fn an_estimate_needs_an_effort() {
    let mut desk = Desk::classified(T::Customisation);
    desk.ok(&agent(), TicketCommand::RequestEstimate);
    let err = desk.refused(
        &developer(),
        TicketCommand::ProvideEstimate { effort_hours: 0 },
    );
    assert!(
        matches!(&err, TicketError::Invalid { field, .. } if field == "effort_hours"),
        "{err}"
    );
}
