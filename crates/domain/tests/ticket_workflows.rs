//! The per-type workflows of domain.md §2.4.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use ticket_common::*;
use ticketflow_domain::ticket::{TicketCommand, TicketError};
use ticketflow_events::ticket::{
    CloseReason, ForwardTarget, ResolutionOutcome, TicketEvent, TicketStatus as S, TicketType as T,
};

fn reproduce() -> TicketCommand {
    TicketCommand::ReproduceDefect {
        reference_system: "ref-acme".into(),
    }
}

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

fn resolve(outcome: ResolutionOutcome) -> TicketCommand {
    TicketCommand::Resolve {
        outcome,
        note: "explained".into(),
        reclassify_as: None,
    }
}

#[test]
fn only_a_reproduced_software_defect_goes_to_development() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    let err = desk.refused(&developer(), ready("14.21.3.1"));
    assert!(err.to_string().contains("in status `Open`"), "{err}");
    let events = desk.ok(&agent(), reproduce());
    assert_eq!(status_changes(&events), [(S::Open, S::InProgress)]);
    assert!(
        matches!(&events[0], TicketEvent::TicketDefectReproduced(r) if r.reference_system == "ref-acme")
    );
}

#[test]
fn non_software_defects_are_not_reproduced_for_development() {
    let mut desk = Desk::classified(T::NonSoftwareDefect);
    let err = desk.refused(&agent(), reproduce());
    assert!(matches!(err, TicketError::NotAllowed { .. }), "{err}");
}

#[test]
fn development_may_ask_for_more_information() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    desk.ok(&agent(), reproduce());
    let events = desk.ok(
        &agent(),
        TicketCommand::RequestClarification {
            question: "Which course?".into(),
        },
    );
    assert_eq!(
        status_changes(&events),
        [(S::InProgress, S::ClarificationRequired)]
    );
    let events = desk.ok(&agent(), TicketCommand::ResumeWork);
    assert_eq!(
        status_changes(&events),
        [(S::ClarificationRequired, S::InProgress)]
    );
}

#[test]
fn development_finding_no_defect_resolves_and_may_change_the_type() {
    for outcome in [
        ResolutionOutcome::NoDefect,
        ResolutionOutcome::StandardBehaviour,
        ResolutionOutcome::Misconfiguration,
        ResolutionOutcome::RejectedForBusinessReasons,
    ] {
        let mut desk = Desk::classified(T::SoftwareDefect);
        desk.ok(&agent(), reproduce());
        let events = desk.ok(
            &agent(),
            TicketCommand::Resolve {
                outcome,
                note: "works as specified".into(),
                reclassify_as: Some(T::SupportRequest),
            },
        );
        assert_eq!(desk.status(), S::Resolved);
        assert_eq!(desk.state.ticket_type(), T::SupportRequest);
        assert!(types(&events).contains(&"TicketReclassified"));
    }
    let mut desk = Desk::classified(T::SoftwareDefect);
    let err = desk.refused(&agent(), resolve(ResolutionOutcome::Answered));
    assert!(
        matches!(err, TicketError::OutcomeNotAllowed { .. }),
        "{err}"
    );
}

#[test]
fn a_fix_goes_to_delivery_pending_with_a_patch_version_or_custom() {
    for version in ["14.21.3.1", "CUSTOM"] {
        let mut desk = Desk::classified(T::SoftwareDefect);
        desk.ok(&agent(), reproduce());
        let events = desk.ok(&developer(), ready(version));
        assert_eq!(
            status_changes(&events),
            [(S::InProgress, S::DeliveryPending)]
        );
        assert_eq!(desk.state.delivery_version().unwrap().as_str(), version);
    }
}

#[test]
fn delivery_version_must_be_a_patch_version_or_custom() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    desk.ok(&agent(), reproduce());
    for bad in ["14", "1.2.3.4.5.6.7", "next", "custom", "14.21.3.1-rc"] {
        let err = desk.refused(&developer(), ready(bad));
        match &err {
            TicketError::Invalid {
                field, expected, ..
            } => {
                assert_eq!(field, "delivery_version");
                assert!(expected.contains("14.21.3.1") && expected.contains("CUSTOM"));
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn the_delivery_version_of_a_pending_fix_may_change() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    desk.ok(&agent(), reproduce());
    desk.ok(&developer(), ready("14.21.3.1"));
    desk.ok(
        &agent(),
        TicketCommand::ChangeDeliveryVersion {
            delivery_version: "14.21.4.0".into(),
        },
    );
    assert_eq!(desk.state.delivery_version().unwrap().as_str(), "14.21.4.0");
}

#[test]
fn a_delivered_fix_resolves_the_defect() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    desk.ok(&agent(), reproduce());
    desk.ok(&developer(), ready("14.21.3.1"));
    let events = desk.ok(&system(), delivered());
    assert_eq!(types(&events)[0], "TicketDelivered");
    assert_eq!(status_changes(&events), [(S::DeliveryPending, S::Resolved)]);
}

#[test]
fn record_delivery_requires_delivery_pending() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    let err = desk.refused(&system(), delivered());
    assert!(
        err.to_string().contains("cannot `record_delivery`"),
        "{err}"
    );
}

#[test]
fn non_software_defect_fixed_by_support_is_resolved() {
    let mut desk = Desk::classified(T::NonSoftwareDefect);
    let events = desk.ok(&agent(), resolve(ResolutionOutcome::FixedBySupport));
    assert_eq!(status_changes(&events), [(S::Open, S::Resolved)]);
}

#[test]
fn a_workaround_is_recorded_for_defects() {
    let mut desk = Desk::classified(T::SoftwareDefect);
    desk.ok(
        &agent(),
        TicketCommand::ProvideWorkaround {
            description: "Use the SSO link".into(),
        },
    );
    assert!(desk.state.workaround_provided());
    assert_eq!(desk.status(), S::Open);
}

#[test]
fn forwarding_a_consulting_request_requires_an_extended_support_budget() {
    let mut desk = Desk::classified(T::ConsultingRequest);
    let forward = TicketCommand::Forward {
        to: ForwardTarget::ManagedServices,
    };
    let err = desk.refused(&agent(), forward.clone());
    assert!(
        matches!(err, TicketError::NoExtendedSupportBudget { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("record_support_budget"), "{err}");
    desk.ok(
        &sales(),
        TicketCommand::RecordSupportBudget { available: true },
    );
    let events = desk.ok(&agent(), forward);
    assert_eq!(status_changes(&events), [(S::Open, S::InProgress)]);
}

#[test]
fn an_extended_support_budget_known_at_intake_allows_forwarding() {
    let mut desk = Desk::new();
    desk.ok(
        &jane(),
        TicketCommand::OpenFromPortal {
            key: "SD-5".parse().unwrap(),
            region: ticketflow_events::Region::Dach,
            extended_support_budget: true,
            form: request_form(),
        },
    );
    desk.ok(
        &agent(),
        TicketCommand::Classify {
            ticket_type: T::ConsultingRequest,
        },
    );
    desk.ok(
        &agent(),
        TicketCommand::Forward {
            to: ForwardTarget::TechnicalServices,
        },
    );
    assert_eq!(desk.status(), S::InProgress);
    let err = desk.refused(
        &agent(),
        TicketCommand::Forward {
            to: ForwardTarget::TechnicalServices,
        },
    );
    assert!(matches!(err, TicketError::NotAllowed { .. }), "{err}");
}

#[test]
fn consulting_requests_are_not_forwarded_to_product_management() {
    let mut desk = Desk::classified(T::ConsultingRequest);
    let err = desk.refused(
        &agent(),
        TicketCommand::Forward {
            to: ForwardTarget::ProductManagement,
        },
    );
    assert!(
        matches!(err, TicketError::ForwardNotAllowed { .. }),
        "{err}"
    );
}

#[test]
fn consulting_configuration_is_delivered_as_custom_then_resolved() {
    let mut desk = Desk::classified(T::ConsultingRequest);
    desk.ok(
        &sales(),
        TicketCommand::RecordSupportBudget { available: true },
    );
    desk.ok(
        &agent(),
        TicketCommand::Forward {
            to: ForwardTarget::ManagedServices,
        },
    );
    let err = desk.refused(&agent(), ready("14.21.3.1"));
    assert!(
        matches!(err, TicketError::CustomVersionRequired { .. }),
        "{err}"
    );
    desk.ok(&agent(), ready("CUSTOM"));
    assert_eq!(desk.status(), S::DeliveryPending);
    desk.ok(&system(), delivered());
    assert_eq!(desk.status(), S::Resolved);
}

#[test]
fn consulting_request_answered_directly_is_resolved() {
    let mut desk = Desk::classified(T::ConsultingRequest);
    desk.ok(&agent(), resolve(ResolutionOutcome::Answered));
    assert_eq!(desk.status(), S::Resolved);
}

#[test]
fn support_request_answered_is_resolved() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(&agent(), resolve(ResolutionOutcome::Answered));
    assert_eq!(desk.status(), S::Resolved);
}

#[test]
fn suggestion_is_forwarded_to_product_management_and_resolved_at_once() {
    let mut desk = Desk::classified(T::Suggestion);
    let events = desk.ok(
        &agent(),
        TicketCommand::Forward {
            to: ForwardTarget::ProductManagement,
        },
    );
    assert!(
        matches!(&events[0], TicketEvent::TicketForwarded(f) if f.to == ForwardTarget::ProductManagement)
    );
    assert_eq!(status_changes(&events), [(S::Open, S::Resolved)]);
}

#[test]
fn transitions_not_listed_are_refused_naming_status_and_allowed_commands() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(&agent(), resolve(ResolutionOutcome::Answered));
    desk.ok(&jane(), TicketCommand::Close { comment: None });
    let err = desk.refused(&agent(), resolve(ResolutionOutcome::Answered));
    assert_eq!(
        err.to_string(),
        "cannot `resolve` ticket SD-1042 (Support Request) in status `Closed`; allowed in `Closed`: `book_effort`"
    );
    let mut desk = Desk::classified(T::Customisation);
    let err = desk.refused(&agent(), TicketCommand::ApproveConcept);
    let text = err.to_string();
    assert!(text.contains("in status `Open`"), "{text}");
    assert!(text.contains("`request_estimate`"), "{text}");
    let (_, allowed) = text.split_once("allowed in").unwrap();
    assert!(!allowed.contains("`approve_concept`"), "{text}");
}

#[test]
fn unclassified_tickets_must_be_classified_before_they_are_resolved() {
    let mut desk = Desk::request();
    let err = desk.refused(&agent(), resolve(ResolutionOutcome::Answered));
    assert!(err.to_string().contains("`classify`"), "{err}");
}

#[test]
fn only_the_customer_closes_a_resolved_ticket() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(&agent(), resolve(ResolutionOutcome::Answered));
    let err = desk.refused(&agent(), TicketCommand::Close { comment: None });
    assert!(matches!(err, TicketError::Forbidden { .. }), "{err}");
    let err = desk.refused(&stranger(), TicketCommand::Close { comment: None });
    assert!(matches!(err, TicketError::NotVisible { .. }), "{err}");
    let events = desk.ok(&jane(), TicketCommand::Close { comment: None });
    assert!(events.iter().any(
        |e| matches!(e, TicketEvent::TicketClosed(c) if c.reason == CloseReason::ConfirmedByCustomer)
    ));
    assert_eq!(desk.status(), S::Closed);
}

#[test]
fn the_customer_may_close_with_a_confirming_comment() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(&agent(), resolve(ResolutionOutcome::Answered));
    let events = desk.ok(
        &joe(),
        TicketCommand::Close {
            comment: Some("Thanks, works now.".into()),
        },
    );
    assert_eq!(types(&events)[0], "TicketCommented");
    assert_eq!(desk.status(), S::Closed);
}

#[test]
fn an_open_ticket_cannot_be_closed_by_the_customer() {
    let mut desk = Desk::classified(T::SupportRequest);
    let err = desk.refused(&jane(), TicketCommand::Close { comment: None });
    assert!(matches!(err, TicketError::NotAllowed { .. }), "{err}");
}

#[test]
fn support_reopens_a_resolved_ticket_whose_solution_does_not_work() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(&agent(), resolve(ResolutionOutcome::Answered));
    let err = desk.refused(
        &jane(),
        TicketCommand::Reopen {
            reason: "still broken".into(),
        },
    );
    assert!(matches!(err, TicketError::Forbidden { .. }), "{err}");
    let events = desk.ok(
        &agent(),
        TicketCommand::Reopen {
            reason: "customer reports it still fails".into(),
        },
    );
    assert_eq!(status_changes(&events), [(S::Resolved, S::Open)]);
    assert!(types(&events).contains(&"TicketTimersCancelled"));
    assert!(desk.state.due_timers().is_empty());
}
