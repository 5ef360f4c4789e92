//! One example of every order event; the examples must cover the vocabulary exactly and
//! round-trip through the codec.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::EventSet;

fn at() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn deadlines() -> ConceptDeadlines {
    ConceptDeadlines {
        handover: d(2027, 1, 4),
        approval_warning: d(2027, 1, 13),
        approval: d(2027, 1, 14),
    }
}

fn slot() -> ImplementationSlot {
    ImplementationSlot {
        start: d(2027, 1, 18),
        planned_end: d(2027, 2, 12),
    }
}

fn package() -> InnovationPackage {
    InnovationPackage {
        id: "IP-2027.1".into(),
        development_start: d(2027, 2, 1),
        fcs: d(2027, 5, 3),
        ga: d(2027, 6, 1),
    }
}

fn ticket() -> TicketKey {
    "SD-1042".parse().unwrap()
}

fn examples() -> Vec<OrderEvent> {
    vec![
        OrderPlaced {
            at: at(),
            order: "CO-17".parse().unwrap(),
            ticket: ticket(),
            customer: OrganisationId("acme".into()),
            region: Region::Dach,
            kind: OrderKind::CustomerSpecific,
            summary: "Export of course bookings".into(),
            own_codeline: true,
            test_environment: true,
            custom_code_allowed: true,
            product_management_agreed: false,
        }
        .into(),
        OrderConsultantAssigned {
            at: at(),
            consultant: "clara@vendor".into(),
        }
        .into(),
        OrderImplementationSlotScheduled {
            at: at(),
            slot: slot(),
            deadlines: deadlines(),
            earliest_delivery: d(2027, 2, 19),
        }
        .into(),
        OrderInnovationPackageScheduled {
            at: at(),
            package: package(),
            deadlines: deadlines(),
            earliest_delivery: d(2027, 5, 3),
        }
        .into(),
        OrderDeliveryPathAgreed {
            at: at(),
            path: DeliveryPath::RegularPatch,
            note: "with 14.21.4".into(),
            earliest_delivery: None,
        }
        .into(),
        OrderTimelineCommunicated { at: at() }.into(),
        OrderConceptWritten {
            at: at(),
            document: "concept-v1.pdf".into(),
            acceptance_criteria: vec!["TC-1".into(), "TC-2".into()],
        }
        .into(),
        OrderConceptReviewed {
            at: at(),
            reviewer: "dev@vendor".into(),
        }
        .into(),
        OrderConceptHandedOver {
            at: at(),
            deadline: d(2027, 1, 4),
            late: false,
        }
        .into(),
        OrderRequirementsChanged {
            at: at(),
            description: "needs a second export format".into(),
        }
        .into(),
        OrderReordered {
            at: at(),
            reference: "offer 2027-003".into(),
        }
        .into(),
        OrderConceptApproved {
            at: at(),
            deadline: d(2027, 1, 14),
            approved_by: "kim@acme".into(),
        }
        .into(),
        OrderApprovalMissed {
            at: at(),
            deadline: d(2027, 1, 14),
            lost_slot: Some(slot()),
            lost_package: Some(package()),
        }
        .into(),
        OrderImplementationCompleted {
            at: at(),
            developer: "dev@vendor".into(),
            note: "build 812".into(),
        }
        .into(),
        OrderVerificationRecorded {
            at: at(),
            passed: vec!["TC-1".into()],
            failed: vec!["TC-2".into()],
            verified: false,
        }
        .into(),
        OrderSprintReviewRecorded {
            at: at(),
            sprint: "IP-2027.1 sprint 4".into(),
            in_line: false,
            feedback: "filter missing".into(),
        }
        .into(),
        OrderImplementationDelayed {
            at: at(),
            planned_end: d(2027, 2, 19),
            earliest_delivery: d(2027, 2, 26),
            reason: "illness".into(),
        }
        .into(),
        OrderDelivered {
            at: at(),
            environment: OrderEnvironment::Test,
            delivery: Some("SD-2001".parse().unwrap()),
            version: "CUSTOM".into(),
            fixes: vec![ticket()],
        }
        .into(),
        OrderTestDeliveryApproved {
            at: at(),
            approved_by: "kim@acme".into(),
        }
        .into(),
        OrderSetupTaskOpened {
            at: at(),
            task: "nav-1".into(),
            kind: SetupTaskKind::NavigationEntry,
            description: "menu entry for the export".into(),
        }
        .into(),
        OrderSetupTaskCompleted {
            at: at(),
            task: "nav-1".into(),
        }
        .into(),
        OrderDefectReported {
            at: at(),
            ticket: ticket(),
            description: "export misses the header".into(),
        }
        .into(),
        OrderDefectFixed {
            at: at(),
            ticket: ticket(),
        }
        .into(),
        OrderClosed {
            at: at(),
            booked_hours: 37.5,
        }
        .into(),
    ]
}

#[test]
fn examples_cover_every_order_event_type_exactly() {
    let all = examples();
    let names: BTreeSet<&str> = all.iter().map(|e| e.event_type()).collect();
    let declared: BTreeSet<&str> = OrderEvent::event_types().iter().map(|(t, _)| *t).collect();
    assert_eq!(names, declared);
    assert_eq!(names.len(), all.len(), "an example is duplicated");
}

#[test]
fn every_order_event_round_trips_through_the_codec() {
    for event in examples() {
        let bytes = event.encode().unwrap();
        let back = OrderEvent::decode(event.event_type(), event.schema_version(), &bytes).unwrap();
        assert_eq!(back, event);
        assert_eq!(back.at(), at());
    }
}

#[test]
fn every_order_event_type_is_prefixed_with_the_aggregate() {
    for (name, _) in OrderEvent::event_types() {
        assert!(name.starts_with("Order"), "{name}");
    }
}

#[test]
fn value_types_use_stable_kebab_case_spelling() {
    assert_eq!(
        serde_json::to_string(&OrderKind::StandardExtension).unwrap(),
        "\"standard-extension\""
    );
    assert_eq!(
        serde_json::to_string(&DeliveryPath::FirstCustomerShipment).unwrap(),
        "\"first-customer-shipment\""
    );
    assert_eq!(
        serde_json::to_string(&SetupTaskKind::SftpJob).unwrap(),
        "\"sftp-job\""
    );
}
