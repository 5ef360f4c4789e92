//! Rules of the concept phase of a customisation order (domain.md §3, phase 2).
#![allow(clippy::unwrap_used)]

mod order_fixture;

use order_fixture::*;
use ticketflow_domain::order::{
    DeadlineStatus, OrderCommand, OrderDeadlineKind, OrderError, OrderPhase,
};
use ticketflow_events::order::{OrderEvent, OrderKind};

fn write(h: &mut Harness) {
    h.ok(
        &consultant(),
        OrderCommand::WriteConcept {
            document: "concept-v1".into(),
            acceptance_criteria: criteria(),
        },
    );
}

#[test]
fn concept_must_be_written_and_reviewed_before_it_is_handed_over() {
    let mut h = Harness::in_concept(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), OrderCommand::HandOverConcept);
    assert!(
        matches!(err, OrderError::ConceptStepMissing { .. }),
        "{err}"
    );
    write(&mut h);
    let err = h.refused(&consultant(), OrderCommand::HandOverConcept);
    assert!(err.to_string().contains("reviewed internally"), "{err}");
}

#[test]
fn technical_concept_is_reviewed_with_technical_services() {
    let mut h = Harness::in_concept(OrderKind::CustomerSpecific);
    write(&mut h);
    let err = h.refused(&product_manager(), OrderCommand::ReviewConcept);
    assert!(err.to_string().contains("technical-services"), "{err}");
    h.ok(&developer(), OrderCommand::ReviewConcept);
}

#[test]
fn scoping_document_is_reviewed_with_product_management() {
    let mut h = Harness::in_concept(OrderKind::StandardExtension);
    write(&mut h);
    let err = h.refused(&developer(), OrderCommand::ReviewConcept);
    assert!(err.to_string().contains("product-management"), "{err}");
    h.ok(&product_manager(), OrderCommand::ReviewConcept);
}

#[test]
fn concept_lists_distinct_acceptance_criteria() {
    let mut h = Harness::in_concept(OrderKind::CustomerSpecific);
    let err = h.refused(
        &consultant(),
        OrderCommand::WriteConcept {
            document: "v1".into(),
            acceptance_criteria: vec![],
        },
    );
    assert!(
        matches!(
            err,
            OrderError::Invalid {
                field: "acceptance_criteria",
                ..
            }
        ),
        "{err}"
    );
    let err = h.refused(
        &consultant(),
        OrderCommand::WriteConcept {
            document: "v1".into(),
            acceptance_criteria: vec!["TC-1".into(), " TC-1 ".into()],
        },
    );
    assert!(err.to_string().contains("listed twice"), "{err}");
}

#[test]
fn concept_must_be_handed_over_ten_working_days_before_the_slot() {
    // On the deadline day itself (Mon 2027-01-18) the hand-over is in time.
    let mut h = Harness::with_reviewed_concept(OrderKind::CustomerSpecific);
    h.today = d(2027, 1, 18);
    let events = h.ok(&consultant(), OrderCommand::HandOverConcept);
    let OrderEvent::OrderConceptHandedOver(e) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(e.deadline, d(2027, 1, 18));
    assert!(!e.late);
}

#[test]
fn late_concept_hand_over_is_recorded_as_late_not_refused() {
    let mut h = Harness::with_reviewed_concept(OrderKind::CustomerSpecific);
    h.today = d(2027, 1, 19);
    let events = h.ok(&consultant(), OrderCommand::HandOverConcept);
    let OrderEvent::OrderConceptHandedOver(e) = &events[0] else {
        panic!("{events:?}");
    };
    assert!(e.late);
    assert!(h.state.concept.as_ref().unwrap().handed_over_late);
}

#[test]
fn handover_deadline_is_missed_when_not_handed_over_in_time() {
    let h = Harness::with_reviewed_concept(OrderKind::CustomerSpecific);
    let handover = h
        .state
        .deadlines()
        .into_iter()
        .find(|dl| dl.kind == OrderDeadlineKind::ConceptHandover)
        .unwrap();
    assert_eq!(handover.status_on(d(2027, 1, 18)), DeadlineStatus::Pending);
    assert!(handover.is_missed(d(2027, 1, 19)));
}

#[test]
fn only_the_ordering_customer_approves_the_concept() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), OrderCommand::ApproveConcept);
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
    let err = h.refused(&other_customer(), OrderCommand::ApproveConcept);
    assert!(matches!(err, OrderError::WrongCustomer { .. }), "{err}");
    h.ok(&customer(), OrderCommand::ApproveConcept);
}

#[test]
fn concept_cannot_be_approved_before_it_is_handed_over() {
    let mut h = Harness::with_reviewed_concept(OrderKind::CustomerSpecific);
    let err = h.refused(&customer(), OrderCommand::ApproveConcept);
    assert!(err.to_string().contains("not been handed over"), "{err}");
}

#[test]
fn concept_approval_is_due_two_working_days_before_the_slot() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    h.today = d(2027, 1, 28);
    let events = h.ok(&customer(), OrderCommand::ApproveConcept);
    assert!(
        matches!(&events[0], OrderEvent::OrderConceptApproved(e) if e.deadline == d(2027, 1, 28))
    );
    assert_eq!(h.state.phase, OrderPhase::Implementation);
}

#[test]
fn concept_approval_after_the_deadline_is_refused() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    h.today = d(2027, 1, 29);
    let err = h.refused(&customer(), OrderCommand::ApproveConcept);
    assert!(
        matches!(err, OrderError::ApprovalDeadlinePassed { .. }),
        "{err}"
    );
}

#[test]
fn unapproved_concept_is_at_risk_three_working_days_before_the_slot() {
    let h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    let approval = h
        .state
        .deadlines()
        .into_iter()
        .find(|dl| dl.kind == OrderDeadlineKind::ConceptApproval)
        .unwrap();
    assert_eq!(approval.date, d(2027, 1, 28));
    assert_eq!(approval.warning_from, Some(d(2027, 1, 27)));
    assert_eq!(approval.status_on(d(2027, 1, 26)), DeadlineStatus::Pending);
    assert!(approval.is_at_risk(d(2027, 1, 27)));
    assert!(approval.is_at_risk(d(2027, 1, 28)));
    assert!(approval.is_missed(d(2027, 1, 29)));
    let handover = h
        .state
        .deadlines()
        .into_iter()
        .find(|dl| dl.kind == OrderDeadlineKind::ConceptHandover)
        .unwrap();
    assert_eq!(handover.status_on(d(2027, 1, 29)), DeadlineStatus::Met);
}

#[test]
fn missed_approval_is_recorded_only_after_the_deadline() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    h.today = d(2027, 1, 28);
    let err = h.refused(&scheduler(), OrderCommand::RecordMissedApproval);
    assert!(
        matches!(err, OrderError::ApprovalDeadlineNotPassed { .. }),
        "{err}"
    );
    h.today = d(2027, 1, 29);
    let err = h.refused(&customer(), OrderCommand::RecordMissedApproval);
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
    h.ok(&scheduler(), OrderCommand::RecordMissedApproval);
}

#[test]
fn missed_approval_loses_the_slot_and_requires_rescheduling() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    h.today = d(2027, 1, 29);
    let events = h.ok(&scheduler(), OrderCommand::RecordMissedApproval);
    let OrderEvent::OrderApprovalMissed(e) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(e.lost_slot.as_ref().unwrap().start, d(2027, 2, 1));
    assert!(h.state.reschedule_required);
    assert!(h.state.schedule.is_none());
    assert!(h.state.deadlines().is_empty());

    let err = h.refused(&customer(), OrderCommand::ApproveConcept);
    assert!(
        matches!(err, OrderError::RescheduleRequired { .. }),
        "{err}"
    );
    let err = h.refused(&scheduler(), OrderCommand::RecordMissedApproval);
    assert!(
        matches!(err, OrderError::RescheduleRequired { .. }),
        "{err}"
    );

    // A new slot must start after the lost one.
    let err = h.refused(&developer(), slot());
    assert!(
        matches!(err, OrderError::RescheduleNotLater { .. }),
        "{err}"
    );
    h.ok(
        &developer(),
        OrderCommand::ScheduleImplementationSlot {
            start: d(2027, 3, 1),
            planned_end: d(2027, 3, 26),
        },
    );
    assert!(!h.state.reschedule_required);
    assert_eq!(
        h.state.concept_deadlines.as_ref().unwrap().approval,
        d(2027, 2, 25)
    );
    h.ok(&customer(), OrderCommand::ApproveConcept);
    assert_eq!(h.state.phase, OrderPhase::Implementation);
    assert_eq!(h.state.lost_schedules.len(), 1);
}

#[test]
fn standard_extension_with_missed_approval_moves_to_a_later_innovation_package() {
    let mut h = Harness::awaiting_approval(OrderKind::StandardExtension);
    h.today = d(2027, 1, 29);
    let events = h.ok(&consultant(), OrderCommand::RecordMissedApproval);
    assert!(matches!(&events[0], OrderEvent::OrderApprovalMissed(e) if e.lost_package.is_some()));
    let err = h.refused(&product_manager(), package("IP-2027.1", d(2027, 5, 3)));
    assert!(
        err.to_string().contains("later innovation package"),
        "{err}"
    );
    let err = h.refused(&product_manager(), package("IP-2026.4", d(2027, 2, 1)));
    assert!(
        matches!(err, OrderError::RescheduleNotLater { .. }),
        "{err}"
    );
    h.ok(&product_manager(), package("IP-2027.2", d(2027, 5, 3)));
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 8, 2)));
}

#[test]
fn significant_requirements_change_returns_the_order_to_planning_for_re_estimation() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    h.ok(
        &consultant(),
        OrderCommand::RecordRequirementsChange {
            description: "a second export format for HR".into(),
        },
    );
    assert_eq!(h.state.phase, OrderPhase::Planning);
    assert!(h.state.re_estimation_required);
    assert!(h.state.concept.is_none() && h.state.schedule.is_none());
    assert_eq!(h.state.consultant.as_deref(), Some("clara@vendor"));
    assert_eq!(
        h.state.allowed_commands(),
        ["assign_consultant", "record_reorder"]
    );
    let err = h.refused(&developer(), slot());
    assert!(err.to_string().contains("`record_reorder`"), "{err}");
    let err = h.refused(
        &consultant(),
        OrderCommand::RecordReorder {
            reference: "offer 2027-003".into(),
        },
    );
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
    h.ok(
        &sales(),
        OrderCommand::RecordReorder {
            reference: "offer 2027-003".into(),
        },
    );
    h.ok(&developer(), slot());
}

#[test]
fn requirements_change_is_recorded_during_the_customers_review() {
    let mut h = Harness::with_reviewed_concept(OrderKind::CustomerSpecific);
    let err = h.refused(
        &consultant(),
        OrderCommand::RecordRequirementsChange {
            description: "more".into(),
        },
    );
    assert!(
        err.to_string().contains("after `hand_over_concept`"),
        "{err}"
    );
}

#[test]
fn a_revised_concept_needs_a_new_review_and_hand_over() {
    let mut h = Harness::awaiting_approval(OrderKind::CustomerSpecific);
    write(&mut h);
    let err = h.refused(&customer(), OrderCommand::ApproveConcept);
    assert!(
        matches!(err, OrderError::ConceptStepMissing { .. }),
        "{err}"
    );
    h.ok(&developer(), OrderCommand::ReviewConcept);
    h.ok(&consultant(), OrderCommand::HandOverConcept);
    h.ok(&customer(), OrderCommand::ApproveConcept);
}
