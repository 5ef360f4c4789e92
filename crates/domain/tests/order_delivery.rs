//! Rules of the delivery phase and closing of a customisation order (domain.md §3, phase 4).
#![allow(clippy::unwrap_used)]

mod order_fixture;

use order_fixture::*;
use ticketflow_domain::order::{DefectStatus, OrderCommand, OrderError, OrderPhase};
use ticketflow_events::TicketKey;
use ticketflow_events::order::{OrderEnvironment, OrderEvent, OrderKind, SetupTaskKind};

fn defect() -> TicketKey {
    "SD-3001".parse().unwrap()
}

fn deliver_cmd(environment: OrderEnvironment) -> OrderCommand {
    OrderCommand::Deliver {
        environment,
        delivery: None,
        version: "CUSTOM".into(),
    }
}

/// Test delivery, customer approval, production delivery.
fn in_production(kind: OrderKind) -> Harness {
    let mut h = Harness::in_delivery(kind);
    h.deliver(OrderEnvironment::Test);
    h.ok(&customer(), OrderCommand::ApproveTestDelivery);
    h.deliver(OrderEnvironment::Production);
    h
}

fn close() -> OrderCommand {
    OrderCommand::Close { booked_hours: 37.5 }
}

#[test]
fn delivery_before_the_earliest_delivery_date_is_refused() {
    let mut h = Harness::in_delivery(OrderKind::CustomerSpecific);
    assert_eq!(h.today, d(2027, 3, 5));
    h.today = d(2027, 3, 4);
    let err = h.refused(&support(), deliver_cmd(OrderEnvironment::Test));
    assert!(
        matches!(err, OrderError::TooEarlyForDelivery { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("2027-03-05"), "{err}");
    h.today = d(2027, 3, 5);
    h.deliver(OrderEnvironment::Test);
}

#[test]
fn customers_with_a_test_environment_get_the_delivery_there_first() {
    let mut h = Harness::in_delivery(OrderKind::CustomerSpecific);
    let err = h.refused(&support(), deliver_cmd(OrderEnvironment::Production));
    assert!(err.to_string().contains("deliver there first"), "{err}");
}

#[test]
fn production_delivery_follows_the_customers_approval_of_the_test_delivery() {
    let mut h = Harness::in_delivery(OrderKind::CustomerSpecific);
    h.deliver(OrderEnvironment::Test);
    let err = h.refused(&support(), deliver_cmd(OrderEnvironment::Production));
    assert!(err.to_string().contains("not approved"), "{err}");
    let err = h.refused(&other_customer(), OrderCommand::ApproveTestDelivery);
    assert!(matches!(err, OrderError::WrongCustomer { .. }), "{err}");
    h.ok(&customer(), OrderCommand::ApproveTestDelivery);
    h.deliver(OrderEnvironment::Production);
    assert!(h.state.delivery.production_delivered);
}

#[test]
fn customers_without_a_test_environment_get_production_directly() {
    let mut cmd = place(OrderKind::CustomerSpecific);
    if let OrderCommand::Place {
        test_environment, ..
    } = &mut cmd
    {
        *test_environment = false;
    }
    let mut h = Harness::placed_by(cmd)
        .planned()
        .concept_reviewed()
        .concept_handed_over()
        .concept_approved()
        .verified();
    let err = h.refused(&support(), deliver_cmd(OrderEnvironment::Test));
    assert!(err.to_string().contains("no test environment"), "{err}");
    h.deliver(OrderEnvironment::Production);
    h.ok(&consultant(), close());
    assert_eq!(h.state.phase, OrderPhase::Closed);
}

#[test]
fn set_up_tasks_are_opened_and_completed_after_a_delivery() {
    let mut h = Harness::in_delivery(OrderKind::CustomerSpecific);
    let open = |task: &str, kind| OrderCommand::OpenSetupTask {
        task: task.into(),
        kind,
        description: "set it up".into(),
    };
    h.ok(&consultant(), open("nav-1", SetupTaskKind::NavigationEntry));
    h.ok(&consultant(), open("job-1", SetupTaskKind::ScheduledJob));
    let err = h.refused(&consultant(), open("nav-1", SetupTaskKind::RolesAndRights));
    assert!(err.to_string().contains("already exists"), "{err}");
    let complete = |task: &str| OrderCommand::CompleteSetupTask { task: task.into() };
    let err = h.refused(&consultant(), complete("nav-1"));
    assert!(
        err.to_string().contains("nothing has been delivered"),
        "{err}"
    );
    h.deliver(OrderEnvironment::Test);
    h.ok(&customer(), OrderCommand::ApproveTestDelivery);
    h.deliver(OrderEnvironment::Production);
    h.ok(&consultant(), complete("nav-1"));
    let err = h.refused(&consultant(), complete("nav-1"));
    assert!(err.to_string().contains("already completed"), "{err}");
    let err = h.refused(&consultant(), complete("sftp-9"));
    assert!(err.to_string().contains("does not exist"), "{err}");
    let err = h.refused(&consultant(), close());
    assert!(err.to_string().contains("set-up tasks job-1"), "{err}");
    h.ok(&consultant(), complete("job-1"));
    h.ok(&consultant(), close());
}

#[test]
fn a_reported_defect_leads_to_a_fix_and_a_new_delivery() {
    let mut h = in_production(OrderKind::CustomerSpecific);
    h.ok(
        &support(),
        OrderCommand::ReportDefect {
            ticket: defect(),
            description: "export misses the header".into(),
        },
    );
    assert_eq!(h.state.defects.get(&defect()), Some(&DefectStatus::Open));
    assert!(!h.state.delivery.production_delivered);
    let err = h.refused(&support(), deliver_cmd(OrderEnvironment::Test));
    assert!(matches!(err, OrderError::UnfixedDefects { .. }), "{err}");
    let err = h.refused(&consultant(), close());
    assert!(err.to_string().contains("SD-3001"), "{err}");
    h.ok(
        &developer(),
        OrderCommand::ReportDefectFixed { ticket: defect() },
    );
    h.deliver(OrderEnvironment::Test);
    h.ok(&customer(), OrderCommand::ApproveTestDelivery);
    let events = h.deliver(OrderEnvironment::Production);
    assert!(matches!(&events[0], OrderEvent::OrderDelivered(e) if e.fixes == [defect()]));
    assert!(h.state.defects.is_empty());
    h.ok(&consultant(), close());
}

#[test]
fn defects_are_reported_against_a_delivery() {
    let mut h = Harness::in_delivery(OrderKind::CustomerSpecific);
    let err = h.refused(
        &support(),
        OrderCommand::ReportDefect {
            ticket: defect(),
            description: "broken".into(),
        },
    );
    assert!(
        err.to_string().contains("nothing has been delivered"),
        "{err}"
    );
    let err = h.refused(
        &developer(),
        OrderCommand::ReportDefectFixed { ticket: defect() },
    );
    assert!(err.to_string().contains("not an open defect"), "{err}");
}

#[test]
fn standard_extension_defects_are_fixed_and_delivered_again() {
    let mut h = in_production(OrderKind::StandardExtension);
    h.ok(
        &scheduler(),
        OrderCommand::ReportDefect {
            ticket: defect(),
            description: "wrong label".into(),
        },
    );
    h.ok(
        &product_manager(),
        OrderCommand::ReportDefectFixed { ticket: defect() },
    );
    let err = h.refused(
        &product_manager(),
        OrderCommand::ReportDefectFixed { ticket: defect() },
    );
    assert!(err.to_string().contains("already fixed"), "{err}");
    h.deliver(OrderEnvironment::Test);
    h.ok(&customer(), OrderCommand::ApproveTestDelivery);
    h.deliver(OrderEnvironment::Production);
    h.ok(&consultant(), close());
}

#[test]
fn the_order_closes_only_when_in_production_set_up_and_free_of_defects() {
    let mut h = Harness::in_delivery(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), close());
    assert!(
        err.to_string().contains("not delivered to production"),
        "{err}"
    );
    let mut h = in_production(OrderKind::CustomerSpecific);
    let err = h.refused(&support(), close());
    assert!(matches!(err, OrderError::RoleNotPermitted { .. }), "{err}");
    h.ok(&consultant(), close());
}

#[test]
fn closing_records_the_booked_project_hours() {
    let mut h = in_production(OrderKind::CustomerSpecific);
    let events = h.ok(&consultant(), close());
    assert!(matches!(&events[0], OrderEvent::OrderClosed(e) if e.booked_hours == 37.5));
    assert_eq!(h.state.booked_hours, Some(37.5));
    assert_eq!(h.state.phase, OrderPhase::Closed);
    assert!(h.state.deadlines().is_empty());
}

#[test]
fn booked_hours_must_be_a_positive_number() {
    let mut h = in_production(OrderKind::CustomerSpecific);
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = h.refused(&consultant(), OrderCommand::Close { booked_hours: bad });
        assert!(
            matches!(
                err,
                OrderError::Invalid {
                    field: "booked_hours",
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn a_closed_order_accepts_no_commands() {
    let mut h = in_production(OrderKind::CustomerSpecific);
    h.ok(&consultant(), close());
    let err = h.refused(
        &support(),
        OrderCommand::ReportDefect {
            ticket: defect(),
            description: "late finding".into(),
        },
    );
    assert!(
        err.to_string().ends_with("allowed in `Closed`: (none)"),
        "{err}"
    );
}

#[test]
fn delivering_the_same_version_twice_is_refused() {
    let mut h = in_production(OrderKind::CustomerSpecific);
    let err = h.refused(&support(), deliver_cmd(OrderEnvironment::Production));
    assert!(err.to_string().contains("already in production"), "{err}");
}
