//! Classification, priority and acceptance (domain.md §2.2, §2.3, §2.7 inputs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use ticket_common::*;
use ticketflow_domain::ticket::{TicketCommand, TicketError};
use ticketflow_events::ticket::{Priority, TicketEvent, TicketType};

fn classify(t: TicketType) -> TicketCommand {
    TicketCommand::Classify { ticket_type: t }
}

#[test]
fn incidents_are_classified_as_software_or_non_software_defects() {
    for to in [TicketType::SoftwareDefect, TicketType::NonSoftwareDefect] {
        let mut desk = Desk::incident();
        desk.ok(&agent(), classify(to));
        assert_eq!(desk.state.ticket_type(), to);
    }
    let mut desk = Desk::incident();
    let err = desk.refused(&agent(), classify(TicketType::SupportRequest));
    assert!(
        matches!(err, TicketError::ClassificationNotAllowed { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("SoftwareDefect, NonSoftwareDefect"),
        "{err}"
    );
}

#[test]
fn requests_are_classified_as_consulting_support_customisation_or_suggestion() {
    for to in [
        TicketType::ConsultingRequest,
        TicketType::SupportRequest,
        TicketType::Customisation,
        TicketType::Suggestion,
    ] {
        let mut desk = Desk::request();
        desk.ok(&agent(), classify(to));
        assert_eq!(desk.state.ticket_type(), to);
    }
    let mut desk = Desk::request();
    desk.refused(&agent(), classify(TicketType::SoftwareDefect));
}

#[test]
fn classifying_into_delivery_is_refused() {
    let mut desk = Desk::request();
    let err = desk.refused(&agent(), classify(TicketType::Delivery));
    assert_eq!(err, TicketError::DeliveryIsSeparate);
    let mut desk = Desk::classified(TicketType::SupportRequest);
    let err = desk.refused(
        &agent(),
        TicketCommand::Reclassify {
            ticket_type: TicketType::Delivery,
            reason: String::new(),
        },
    );
    assert_eq!(err, TicketError::DeliveryIsSeparate);
}

#[test]
fn only_support_agents_classify() {
    let mut desk = Desk::request();
    let err = desk.refused(&jane(), classify(TicketType::SupportRequest));
    assert!(err.to_string().contains("a support agent"), "{err}");
}

#[test]
fn the_type_may_change_again_later() {
    let mut desk = Desk::classified(TicketType::SoftwareDefect);
    let events = desk.ok(
        &agent(),
        TicketCommand::Reclassify {
            ticket_type: TicketType::ConsultingRequest,
            reason: "it is a question".into(),
        },
    );
    assert!(matches!(
        &events[0],
        TicketEvent::TicketReclassified(r)
            if r.from == TicketType::SoftwareDefect && r.to == TicketType::ConsultingRequest
    ));
    assert_eq!(desk.state.ticket_type(), TicketType::ConsultingRequest);
}

#[test]
fn p1_and_p2_are_for_non_software_defects_only() {
    let mut desk = Desk::classified(TicketType::SoftwareDefect);
    let err = desk.refused(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P1,
        },
    );
    assert!(
        matches!(err, TicketError::PriorityNotAllowed { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("P3, P4"), "{err}");

    let mut desk = Desk::classified(TicketType::NonSoftwareDefect);
    desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P1,
        },
    );
    assert_eq!(desk.state.priority(), Some(Priority::P1));
}

#[test]
fn p3_and_p4_apply_to_both_defect_types() {
    for t in [TicketType::SoftwareDefect, TicketType::NonSoftwareDefect] {
        for p in [Priority::P3, Priority::P4] {
            let mut desk = Desk::classified(t);
            desk.ok(&agent(), TicketCommand::SetPriority { priority: p });
            assert_eq!(desk.state.priority(), Some(p));
        }
    }
}

#[test]
fn priorities_apply_to_defects_only() {
    let mut desk = Desk::classified(TicketType::SupportRequest);
    let err = desk.refused(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P4,
        },
    );
    assert!(err.to_string().contains("set_priority"), "{err}");
}

#[test]
fn reprioritising_records_old_and_new_priority() {
    let mut desk = Desk::classified(TicketType::NonSoftwareDefect);
    desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P3,
        },
    );
    let events = desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P2,
        },
    );
    assert!(matches!(
        &events[0],
        TicketEvent::TicketPrioritised(p) if p.from == Some(Priority::P3) && p.to == Priority::P2
    ));
    let err = desk.refused(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P2,
        },
    );
    assert!(matches!(err, TicketError::NothingToChange { .. }), "{err}");
}

#[test]
fn reclassifying_a_defect_into_a_request_type_clears_its_priority() {
    let mut desk = Desk::classified(TicketType::SoftwareDefect);
    desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P3,
        },
    );
    let events = desk.ok(
        &agent(),
        TicketCommand::Reclassify {
            ticket_type: TicketType::SupportRequest,
            reason: String::new(),
        },
    );
    assert_eq!(
        types(&events),
        ["TicketReclassified", "TicketPriorityCleared"]
    );
    assert_eq!(desk.state.priority(), None);
}

#[test]
fn a_critical_non_software_defect_cannot_become_a_software_defect_without_reprioritising() {
    let mut desk = Desk::classified(TicketType::NonSoftwareDefect);
    desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P2,
        },
    );
    let err = desk.refused(
        &agent(),
        TicketCommand::Reclassify {
            ticket_type: TicketType::SoftwareDefect,
            reason: String::new(),
        },
    );
    assert!(
        matches!(err, TicketError::PriorityNotAllowed { .. }),
        "{err}"
    );
}

#[test]
fn acceptance_by_a_support_agent_is_recorded_once() {
    let mut desk = Desk::incident();
    let events = desk.ok(&agent(), TicketCommand::Accept);
    assert!(matches!(&events[0], TicketEvent::TicketAccepted(a) if a.agent == "anna"));
    assert_eq!(desk.state.accepted_by(), Some("anna"));
    let err = desk.refused(&agent(), TicketCommand::Accept);
    assert!(err.to_string().contains("accept"), "{err}");
}

#[test]
fn the_first_handling_by_a_support_agent_accepts_the_ticket() {
    let mut desk = Desk::incident();
    let events = desk.ok(&agent(), classify(TicketType::NonSoftwareDefect));
    assert_eq!(types(&events), ["TicketAccepted", "TicketClassified"]);
    let events = desk.ok(
        &agent(),
        TicketCommand::SetPriority {
            priority: Priority::P1,
        },
    );
    assert_eq!(types(&events), ["TicketPrioritised"]);
}
