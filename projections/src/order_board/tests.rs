#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_desk::*;
use ticketflow_domain::order::OrderCommand;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// CO-1 of acme, slot from 2026-04-06 to 2026-04-24, concept handed over.
fn planned_order(desk: &mut Desk) {
    desk.order(
        &sales(),
        "CO-1",
        OrderCommand::Place {
            order: "CO-1".parse().unwrap(),
            ticket: "SD-1".parse().unwrap(),
            customer: OrganisationId("acme".into()),
            region: Region::Dach,
            kind: OrderKind::CustomerSpecific,
            summary: "Export of bookings".into(),
            own_codeline: true,
            test_environment: true,
            custom_code_allowed: true,
            product_management_agreed: false,
        },
    );
    desk.order(
        &sales(),
        "CO-1",
        OrderCommand::AssignConsultant {
            consultant: "clara".into(),
        },
    );
    desk.order(
        &developer(),
        "CO-1",
        OrderCommand::ScheduleImplementationSlot {
            start: d(2026, 4, 6),
            planned_end: d(2026, 4, 24),
        },
    );
    desk.order(
        &agent(),
        "CO-1",
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::RegularPatch,
            note: String::new(),
        },
    );
    desk.order(&consultant(), "CO-1", OrderCommand::CommunicateTimeline);
    desk.order(
        &consultant(),
        "CO-1",
        OrderCommand::WriteConcept {
            document: "c1".into(),
            acceptance_criteria: vec!["TC-1".into()],
        },
    );
    desk.order(&developer(), "CO-1", OrderCommand::ReviewConcept);
    desk.order(&consultant(), "CO-1", OrderCommand::HandOverConcept);
}

#[test]
fn the_board_shows_phase_slot_deadlines_and_earliest_delivery() {
    let mut desk = Desk::new();
    planned_order(&mut desk);
    let board = OrderPlanningBoard::new(&desk.config);
    desk.feed(&board);
    let card = board
        .order(&"CO-1".parse().unwrap(), d(2026, 3, 2))
        .unwrap();
    assert_eq!(card.phase, OrderPhase::Concept);
    assert_eq!(card.slot.as_ref().unwrap().start, d(2026, 4, 6));
    // Two working days of the customer's region before the slot starts.
    let calendar = desk.config.calendars.get(Region::Dach);
    assert_eq!(
        card.concept_approval_due,
        Some(calendar.add_working_days(d(2026, 4, 6), -2))
    );
    assert_eq!(card.earliest_delivery, Some(d(2026, 5, 1)));
    assert_eq!(card.concept_handed_over, Some(d(2026, 3, 2)));
    assert_eq!(card.consultant.as_deref(), Some("clara"));
    assert!(card.risks.is_empty());
    assert_eq!(
        board
            .board(&OrderBoardQuery::default(), d(2026, 3, 2))
            .len(),
        1
    );
}

#[test]
fn an_approval_due_within_three_working_days_is_a_risk_and_a_passed_one_is_missed() {
    let mut desk = Desk::new();
    planned_order(&mut desk);
    let board = OrderPlanningBoard::new(&desk.config);
    desk.feed(&board);
    let key: OrderKey = "CO-1".parse().unwrap();
    let approval = board
        .order(&key, d(2026, 3, 2))
        .unwrap()
        .concept_approval_due
        .unwrap();
    let calendar = desk.config.calendars.get(Region::Dach);
    let three_before = calendar.add_working_days(approval, -3);
    let four_before = calendar.add_working_days(approval, -4);
    assert!(board.order(&key, four_before).unwrap().risks.is_empty());
    let soon = board.order(&key, three_before).unwrap();
    assert_eq!(
        soon.risks,
        [OrderRisk::DeadlineSoon {
            kind: OrderDeadlineKind::ConceptApproval,
            date: approval,
            working_days_left: 3
        }]
    );
    let late = board.order(&key, approval.succ_opt().unwrap()).unwrap();
    assert!(late.risks.contains(&OrderRisk::DeadlineMissed {
        kind: OrderDeadlineKind::ConceptApproval,
        date: approval
    }));
    let query = OrderBoardQuery {
        at_risk_only: true,
        ..OrderBoardQuery::default()
    };
    assert!(board.board(&query, four_before).is_empty());
    assert_eq!(board.board(&query, three_before).len(), 1);
}

#[test]
fn an_approved_concept_is_no_longer_a_risk() {
    let mut desk = Desk::new();
    planned_order(&mut desk);
    desk.order(&jane(), "CO-1", OrderCommand::ApproveConcept);
    let board = OrderPlanningBoard::new(&desk.config);
    desk.feed(&board);
    let key: OrderKey = "CO-1".parse().unwrap();
    let card = board.order(&key, d(2026, 4, 2)).unwrap();
    assert_eq!(card.phase, OrderPhase::Implementation);
    assert_eq!(card.concept_approved, Some(d(2026, 3, 2)));
    assert!(!card.risks.iter().any(|r| matches!(
        r,
        OrderRisk::DeadlineSoon {
            kind: OrderDeadlineKind::ConceptApproval,
            ..
        }
    )));
}
