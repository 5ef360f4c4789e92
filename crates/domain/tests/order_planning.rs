//! Rules of placing and planning a customisation order (domain.md §3, phase 1).
#![allow(clippy::unwrap_used)]

mod order_fixture;

use order_fixture::*;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::calendar::WorkingDayCalendar;
use ticketflow_domain::order::{OrderCommand, OrderError, OrderPhase, OrderPolicy};
use ticketflow_events::Region;
use ticketflow_events::order::{DeliveryPath, OrderEvent, OrderKind};

fn place_with(kind: OrderKind, f: impl FnOnce(&mut OrderCommand)) -> OrderCommand {
    let mut cmd = place(kind);
    f(&mut cmd);
    cmd
}

#[test]
fn customer_specific_customisation_requires_the_customers_own_codeline() {
    let mut h = Harness::default();
    let cmd = place_with(OrderKind::CustomerSpecific, |c| {
        if let OrderCommand::Place { own_codeline, .. } = c {
            *own_codeline = false;
        }
    });
    assert_eq!(h.refused(&sales(), cmd), OrderError::NoOwnCodeline);
}

#[test]
fn customer_specific_customisation_requires_a_product_area_that_allows_custom_code() {
    let mut h = Harness::default();
    let cmd = place_with(OrderKind::CustomerSpecific, |c| {
        if let OrderCommand::Place {
            custom_code_allowed,
            ..
        } = c
        {
            *custom_code_allowed = false;
        }
    });
    assert_eq!(h.refused(&sales(), cmd), OrderError::CustomCodeNotAllowed);
}

#[test]
fn standard_extension_requires_product_management_agreement() {
    let mut h = Harness::default();
    let cmd = place_with(OrderKind::StandardExtension, |c| {
        if let OrderCommand::Place {
            product_management_agreed,
            own_codeline,
            ..
        } = c
        {
            *product_management_agreed = false;
            *own_codeline = false;
        }
    });
    let err = h.refused(&sales(), cmd);
    assert_eq!(err, OrderError::NoProductManagementAgreement);
    assert!(err.to_string().contains("product management"), "{err}");
}

#[test]
fn standard_extension_needs_no_own_codeline() {
    let mut h = Harness::default();
    let cmd = place_with(OrderKind::StandardExtension, |c| {
        if let OrderCommand::Place {
            own_codeline,
            custom_code_allowed,
            ..
        } = c
        {
            *own_codeline = false;
            *custom_code_allowed = false;
        }
    });
    h.ok(&sales(), cmd);
    assert_eq!(h.state.phase, OrderPhase::Planning);
}

#[test]
fn placing_records_the_ticket_customer_region_and_kind() {
    let h = Harness::placed(OrderKind::CustomerSpecific);
    let OrderEvent::OrderPlaced(e) = &h.events[0] else {
        panic!("{:?}", h.events[0]);
    };
    assert_eq!(e.ticket.as_str(), "SD-1042");
    assert_eq!(e.customer.0, "acme");
    assert_eq!(e.region, Region::Dach);
    assert_eq!(e.kind, OrderKind::CustomerSpecific);
    assert_eq!(h.state.phase, OrderPhase::Planning);
}

#[test]
fn only_sales_a_consultant_or_the_engine_place_an_order() {
    let mut h = Harness::default();
    let err = h.refused(&customer(), place(OrderKind::CustomerSpecific));
    assert!(
        matches!(
            err,
            OrderError::RoleNotPermitted {
                role: "customer",
                ..
            }
        ),
        "{err}"
    );
    h.ok(&scheduler(), place(OrderKind::CustomerSpecific));
}

#[test]
fn refusals_name_the_current_phase_and_the_allowed_commands() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let err = h.refused(&sales(), place(OrderKind::CustomerSpecific));
    assert_eq!(
        err.to_string(),
        "cannot `place` order CO-17 in phase `Planning`; allowed in `Planning`: \
         `assign_consultant`, `schedule_implementation_slot`, `agree_delivery_path`, \
         `communicate_timeline`"
    );
    let mut fresh = Harness::default();
    let err = fresh.refused(&consultant(), OrderCommand::CommunicateTimeline);
    assert!(err.to_string().contains("phase `not placed`"), "{err}");
    assert!(err.to_string().contains("`place`"), "{err}");
}

#[test]
fn planning_ends_when_the_customer_knows_the_consultant_and_the_schedule() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let err = h.refused(&consultant(), OrderCommand::CommunicateTimeline);
    let OrderError::PlanningIncomplete { missing } = &err else {
        panic!("{err}");
    };
    assert_eq!(missing.len(), 3, "{err}");
    h.ok(
        &consultant(),
        OrderCommand::AssignConsultant {
            consultant: "clara@vendor".into(),
        },
    );
    h.ok(&consultant(), slot());
    h.ok(
        &consultant(),
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::ExtraDelivery,
            note: "on the current code level".into(),
        },
    );
    h.ok(&consultant(), OrderCommand::CommunicateTimeline);
    assert_eq!(h.state.phase, OrderPhase::Concept);
}

#[test]
fn scheduling_a_slot_records_the_concept_deadlines_in_working_days() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let events = h.ok(&developer(), slot());
    let OrderEvent::OrderImplementationSlotScheduled(e) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(e.deadlines.handover, d(2027, 1, 18));
    assert_eq!(e.deadlines.approval_warning, d(2027, 1, 27));
    assert_eq!(e.deadlines.approval, d(2027, 1, 28));
}

#[test]
fn approval_deadline_skips_regional_holidays() {
    let mut config = DeskConfig::default();
    // A DACH holiday on Thu 2027-01-28 pushes the 2-working-day deadline back to Wed 01-27.
    config.calendars.0.insert(
        Region::Dach,
        WorkingDayCalendar::with_holidays([d(2027, 1, 28)]),
    );
    let mut h = Harness::new(config);
    h.ok(&sales(), place(OrderKind::CustomerSpecific));
    h.ok(&developer(), slot());
    let deadlines = h.state.concept_deadlines.clone().unwrap();
    assert_eq!(deadlines.approval, d(2027, 1, 27));
    assert_eq!(deadlines.approval_warning, d(2027, 1, 26));
    assert_eq!(deadlines.handover, d(2027, 1, 15));

    // The same slot for an International customer is not affected by the DACH holiday.
    let mut config = DeskConfig::default();
    config.calendars.0.insert(
        Region::Dach,
        WorkingDayCalendar::with_holidays([d(2027, 1, 28)]),
    );
    let mut h = Harness::new(config);
    let mut cmd = place(OrderKind::CustomerSpecific);
    if let OrderCommand::Place { region, .. } = &mut cmd {
        *region = Region::International;
    }
    h.ok(&sales(), cmd);
    h.ok(&developer(), slot());
    assert_eq!(h.state.concept_deadlines.unwrap().approval, d(2027, 1, 28));
}

#[test]
fn concept_deadlines_follow_the_order_policy() {
    let config = DeskConfig {
        order: OrderPolicy {
            concept_handover_working_days: 5,
            approval_warning_working_days: 4,
            approval_deadline_working_days: 1,
            earliest_delivery_days_after_implementation: 14,
        },
        ..DeskConfig::default()
    };
    let mut h = Harness::new(config);
    h.ok(&sales(), place(OrderKind::CustomerSpecific));
    h.ok(&developer(), slot());
    let deadlines = h.state.concept_deadlines.clone().unwrap();
    assert_eq!(deadlines.handover, d(2027, 1, 25));
    assert_eq!(deadlines.approval_warning, d(2027, 1, 26));
    assert_eq!(deadlines.approval, d(2027, 1, 29));
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 3, 12)));
}

#[test]
fn earliest_delivery_is_one_week_after_planned_end_of_implementation() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let events = h.ok(&developer(), slot());
    let OrderEvent::OrderImplementationSlotScheduled(e) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(e.slot.planned_end, d(2027, 2, 26));
    assert_eq!(e.earliest_delivery, d(2027, 3, 5));
}

#[test]
fn customer_specific_work_is_scheduled_in_a_slot_and_standard_extensions_in_a_package() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let err = h.refused(&product_manager(), package("IP-2027.1", d(2027, 2, 1)));
    assert!(matches!(err, OrderError::WrongKind { .. }), "{err}");
    let mut h = Harness::placed(OrderKind::StandardExtension);
    let err = h.refused(&developer(), slot());
    assert!(err.to_string().contains("innovation package"), "{err}");
}

#[test]
fn innovation_package_has_fcs_after_development_start_and_ga_not_before_fcs() {
    let mut h = Harness::placed(OrderKind::StandardExtension);
    let bad = OrderCommand::ScheduleInnovationPackage {
        package: "IP-1".into(),
        development_start: d(2027, 2, 1),
        fcs: d(2027, 5, 3),
        ga: d(2027, 4, 1),
    };
    let err = h.refused(&product_manager(), bad);
    assert!(
        matches!(err, OrderError::Invalid { field: "ga", .. }),
        "{err}"
    );
}

#[test]
fn customers_with_own_codeline_get_a_standard_extension_with_fcs() {
    let mut h = Harness::placed(OrderKind::StandardExtension);
    h.ok(&product_manager(), package("IP-2027.1", d(2027, 2, 1)));
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 5, 3)));
    // On the customer's request GA is possible too.
    h.ok(
        &support(),
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::GeneralAvailability,
            note: "customer prefers the first patch".into(),
        },
    );
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 6, 1)));
}

#[test]
fn customers_without_own_codeline_get_a_standard_extension_with_ga() {
    let mut h = Harness::default();
    let mut cmd = place(OrderKind::StandardExtension);
    if let OrderCommand::Place { own_codeline, .. } = &mut cmd {
        *own_codeline = false;
    }
    h.ok(&sales(), cmd);
    h.ok(&product_manager(), package("IP-2027.1", d(2027, 2, 1)));
    assert_eq!(h.state.earliest_delivery, Some(d(2027, 6, 1)));
    let err = h.refused(
        &support(),
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::FirstCustomerShipment,
            note: String::new(),
        },
    );
    assert!(err.to_string().contains("general-availability"), "{err}");
}

#[test]
fn delivery_path_must_fit_the_order_kind() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let err = h.refused(
        &support(),
        OrderCommand::AgreeDeliveryPath {
            path: DeliveryPath::GeneralAvailability,
            note: String::new(),
        },
    );
    assert!(
        matches!(err, OrderError::Invalid { field: "path", .. }),
        "{err}"
    );
}

#[test]
fn a_slot_whose_concept_deadlines_already_passed_is_refused() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    // Today is 2026-11-23; a slot starting 2026-12-01 needs a hand-over by 2026-11-17.
    let err = h.refused(
        &developer(),
        OrderCommand::ScheduleImplementationSlot {
            start: d(2026, 12, 1),
            planned_end: d(2026, 12, 18),
        },
    );
    assert!(
        matches!(
            err,
            OrderError::StartTooSoon {
                which: "concept hand-over",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn slot_end_must_not_precede_its_start() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let err = h.refused(
        &developer(),
        OrderCommand::ScheduleImplementationSlot {
            start: d(2027, 2, 1),
            planned_end: d(2027, 1, 29),
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
fn only_the_consultant_or_technical_services_schedule_a_slot() {
    let mut h = Harness::placed(OrderKind::CustomerSpecific);
    let err = h.refused(&customer(), slot());
    assert!(
        err.to_string()
            .contains("business-consultant, technical-services"),
        "{err}"
    );
}
