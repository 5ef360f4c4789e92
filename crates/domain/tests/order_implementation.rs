//! Rules of the implementation phase of a customisation order (domain.md §3, phase 3).
#![allow(clippy::unwrap_used)]

mod order_fixture;

use order_fixture::*;
use ticketflow_domain::order::{
    DeadlineStatus, OrderCommand, OrderDeadlineKind, OrderError, OrderPhase,
};
use ticketflow_events::order::{OrderEvent, OrderKind};

fn completed(kind: OrderKind) -> Harness {
    let mut h = Harness::in_implementation(kind);
    h.ok(
        &developer(),
        OrderCommand::ReportImplementationCompleted {
            note: "build 812".into(),
        },
    );
    h
}

fn verify(passed: &[&str], failed: &[&str]) -> OrderCommand {
    OrderCommand::RecordVerification {
        passed: passed.iter().map(|s| s.to_string()).collect(),
        failed: failed.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn technical_services_implement_a_customer_specific_customisation() {
    let mut h = Harness::in_implementation(OrderKind::CustomerSpecific);
    let err = h.refused(
        &product_manager(),
        OrderCommand::ReportImplementationCompleted {
            note: String::new(),
        },
    );
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
    let events = h.ok(
        &developer(),
        OrderCommand::ReportImplementationCompleted {
            note: String::new(),
        },
    );
    assert!(
        matches!(&events[0], OrderEvent::OrderImplementationCompleted(e) if e.developer == "dev@vendor")
    );
}

#[test]
fn product_development_implements_a_standard_extension() {
    let mut h = Harness::in_implementation(OrderKind::StandardExtension);
    h.ok(
        &product_manager(),
        OrderCommand::ReportImplementationCompleted {
            note: "in IP-2027.1".into(),
        },
    );
}

#[test]
fn consultant_verifies_only_after_the_developers_self_check() {
    let mut h = Harness::in_implementation(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), verify(&["TC-1", "TC-2"], &[]));
    assert_eq!(err, OrderError::ImplementationNotCompleted);
}

#[test]
fn verification_checks_every_acceptance_criterion_of_the_concept() {
    let mut h = completed(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), verify(&["TC-1"], &[]));
    assert!(err.to_string().contains("not checked: TC-2"), "{err}");
    let err = h.refused(&consultant(), verify(&["TC-1", "TC-2", "TC-9"], &[]));
    assert!(
        err.to_string().contains("`TC-9` is not one of them"),
        "{err}"
    );
    let err = h.refused(&consultant(), verify(&["TC-1", "TC-2"], &["TC-2"]));
    assert!(err.to_string().contains("listed twice"), "{err}");
    let err = h.refused(&developer(), verify(&["TC-1", "TC-2"], &[]));
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
}

#[test]
fn failed_acceptance_criteria_go_back_to_the_developer() {
    let mut h = completed(OrderKind::CustomerSpecific);
    let events = h.ok(&consultant(), verify(&["TC-1"], &["TC-2"]));
    assert!(
        matches!(&events[0], OrderEvent::OrderVerificationRecorded(e) if !e.verified && e.failed == ["TC-2"])
    );
    assert_eq!(h.state.phase, OrderPhase::Implementation);
    assert!(!h.state.implementation.completed);
    let err = h.refused(&consultant(), verify(&["TC-1", "TC-2"], &[]));
    assert_eq!(err, OrderError::ImplementationNotCompleted);
    h.ok(
        &developer(),
        OrderCommand::ReportImplementationCompleted {
            note: "fixed TC-2".into(),
        },
    );
    h.ok(&consultant(), verify(&["TC-1", "TC-2"], &[]));
    assert_eq!(h.state.implementation.verifications, 2);
}

#[test]
fn implementation_reported_done_twice_awaits_verification() {
    let mut h = completed(OrderKind::CustomerSpecific);
    let err = h.refused(
        &developer(),
        OrderCommand::ReportImplementationCompleted {
            note: String::new(),
        },
    );
    assert_eq!(err, OrderError::ImplementationAwaitsVerification);
}

#[test]
fn verified_implementation_is_releasable_and_ends_the_phase() {
    let mut h = completed(OrderKind::CustomerSpecific);
    h.ok(&consultant(), verify(&["TC-1", "TC-2"], &[]));
    assert_eq!(h.state.phase, OrderPhase::Delivery);
    assert!(h.state.implementation.verified);
    let end = h
        .state
        .deadlines()
        .into_iter()
        .find(|dl| dl.kind == OrderDeadlineKind::ImplementationEnd)
        .unwrap();
    assert_eq!(end.status_on(d(2027, 3, 30)), DeadlineStatus::Met);
}

#[test]
fn delay_is_announced_with_a_new_planned_end_and_moves_the_earliest_delivery() {
    let mut h = Harness::in_implementation(OrderKind::CustomerSpecific);
    let events = h.ok(
        &consultant(),
        OrderCommand::AnnounceDelay {
            planned_end: d(2027, 3, 12),
            reason: "developer ill".into(),
        },
    );
    let OrderEvent::OrderImplementationDelayed(e) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(e.earliest_delivery, d(2027, 3, 19));
    assert_eq!(h.state.planned_end, Some(d(2027, 3, 12)));
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 3, 19)));
}

#[test]
fn a_delay_must_move_the_plan_later() {
    let mut h = Harness::in_implementation(OrderKind::CustomerSpecific);
    let err = h.refused(
        &consultant(),
        OrderCommand::AnnounceDelay {
            planned_end: d(2027, 2, 26),
            reason: "none".into(),
        },
    );
    assert!(
        matches!(
            err,
            OrderError::Invalid {
                field: "planned_end",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn standard_extension_is_deliverable_from_its_shipment_date() {
    let mut h = Harness::in_implementation(OrderKind::StandardExtension);
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 5, 3)));
    h.ok(
        &consultant(),
        OrderCommand::AnnounceDelay {
            planned_end: d(2027, 6, 1),
            reason: "moved to the GA patch".into(),
        },
    );
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 6, 1)));
}

#[test]
fn implementation_end_is_missed_when_not_verified_by_the_planned_end() {
    let h = Harness::in_implementation(OrderKind::CustomerSpecific);
    let end = h
        .state
        .deadlines()
        .into_iter()
        .find(|dl| dl.kind == OrderDeadlineKind::ImplementationEnd)
        .unwrap();
    assert_eq!(end.date, d(2027, 2, 26));
    assert!(!end.is_missed(d(2027, 2, 26)));
    assert!(end.is_missed(d(2027, 3, 1)));
}

fn sprint_review(in_line: bool, feedback: &str) -> OrderCommand {
    OrderCommand::RecordSprintReview {
        sprint: "IP-2027.1 sprint 4".into(),
        in_line,
        feedback: feedback.into(),
    }
}

#[test]
fn consultant_attends_sprint_reviews_of_a_standard_extension() {
    let mut h = Harness::in_implementation(OrderKind::StandardExtension);
    h.ok(&consultant(), sprint_review(true, ""));
    let err = h.refused(&consultant(), sprint_review(false, " "));
    assert!(
        matches!(
            err,
            OrderError::Invalid {
                field: "feedback",
                ..
            }
        ),
        "{err}"
    );
    h.ok(
        &consultant(),
        sprint_review(false, "the filter from use case 3 is missing"),
    );
    assert_eq!(h.state.implementation.sprint_reviews, 2);
    assert_eq!(h.state.implementation.last_sprint_in_line, Some(false));
    let err = h.refused(&developer(), sprint_review(true, ""));
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
}

#[test]
fn customer_specific_customisations_have_no_sprint_reviews() {
    let mut h = Harness::in_implementation(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), sprint_review(true, ""));
    assert!(matches!(err, OrderError::WrongKind { .. }), "{err}");
}

#[test]
fn standard_extension_is_verified_once_the_reference_system_has_the_package_code_level() {
    let mut h = Harness::in_implementation(OrderKind::StandardExtension);
    h.ok(
        &product_manager(),
        OrderCommand::ReportImplementationCompleted {
            note: String::new(),
        },
    );
    h.today = d(2027, 5, 2);
    let err = h.refused(&consultant(), verify(&["TC-1", "TC-2"], &[]));
    assert!(
        matches!(err, OrderError::ReferenceSystemNotReady { .. }),
        "{err}"
    );
    h.today = d(2027, 5, 3);
    h.ok(&consultant(), verify(&["TC-1", "TC-2"], &[]));
    assert_eq!(h.state.phase, OrderPhase::Delivery);
}
