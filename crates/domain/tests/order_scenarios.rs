//! Whole customisation orders from placing to close, as the seed describes them, and the wire
//! form of the commands.
#![allow(clippy::unwrap_used)]

mod order_fixture;

use order_fixture::*;
use ticketflow_domain::fold;
use ticketflow_domain::order::{CustomisationOrder, OrderCommand, OrderPhase};
use ticketflow_events::EventSet;
use ticketflow_events::order::{OrderEnvironment, OrderKind, SetupTaskKind};

fn finish(mut h: Harness) -> Harness {
    h.deliver(OrderEnvironment::Test);
    h.ok(&customer(), OrderCommand::ApproveTestDelivery);
    h.deliver(OrderEnvironment::Production);
    h.ok(
        &consultant(),
        OrderCommand::OpenSetupTask {
            task: "job-1".into(),
            kind: SetupTaskKind::ScheduledJob,
            description: "nightly export job".into(),
        },
    );
    h.ok(
        &consultant(),
        OrderCommand::CompleteSetupTask {
            task: "job-1".into(),
        },
    );
    h.ok(&consultant(), OrderCommand::Close { booked_hours: 42.0 });
    h
}

#[test]
fn customer_specific_customisation_runs_from_placing_to_close() {
    let h = finish(Harness::in_delivery(OrderKind::CustomerSpecific));
    assert_eq!(h.state.phase, OrderPhase::Closed);
    let types: Vec<&str> = h.events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        types,
        [
            "OrderPlaced",
            "OrderConsultantAssigned",
            "OrderImplementationSlotScheduled",
            "OrderDeliveryPathAgreed",
            "OrderTimelineCommunicated",
            "OrderConceptWritten",
            "OrderConceptReviewed",
            "OrderConceptHandedOver",
            "OrderConceptApproved",
            "OrderImplementationCompleted",
            "OrderVerificationRecorded",
            "OrderDelivered",
            "OrderTestDeliveryApproved",
            "OrderDelivered",
            "OrderSetupTaskOpened",
            "OrderSetupTaskCompleted",
            "OrderClosed",
        ]
    );
    let replayed: CustomisationOrder = fold(h.events.iter());
    assert_eq!(replayed, h.state);
}

#[test]
fn standard_extension_runs_from_placing_to_close() {
    let h = finish(Harness::in_delivery(OrderKind::StandardExtension));
    assert_eq!(h.state.phase, OrderPhase::Closed);
    assert!(
        h.events
            .iter()
            .any(|e| e.event_type() == "OrderInnovationPackageScheduled")
    );
}

#[test]
fn commands_are_tagged_with_their_snake_case_name() {
    let json = serde_json::to_value(slot()).unwrap();
    assert_eq!(json["command"], "schedule_implementation_slot");
    assert_eq!(json["start"], "2027-02-01");
    let back: OrderCommand = serde_json::from_value(json).unwrap();
    assert_eq!(back, slot());
    let approve: OrderCommand = serde_json::from_str(r#"{"command":"approve_concept"}"#).unwrap();
    assert_eq!(approve.name(), "approve_concept");
    for name in OrderCommand::NAMES {
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{name}"
        );
    }
}
