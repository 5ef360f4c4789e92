//! Comments, sharing, confidentiality, notifications, efforts and escalations
//! (domain.md §1, §2.8, §2.9, §2.10).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use chrono::Duration;
use ticket_common::*;
use ticketflow_domain::ticket::{TicketCommand, TicketError};
use ticketflow_events::Department;
use ticketflow_events::ticket::{
    CommentAuthorKind, CommentVisibility, EscalationLevel, EscalationReason, ResolutionOutcome,
    SharedWith, TicketEvent, TicketType as T,
};

fn comment(text: &str, visibility: CommentVisibility) -> TicketCommand {
    TicketCommand::AddComment {
        text: text.into(),
        visibility,
        attachments: vec![],
    }
}

#[test]
fn customers_never_write_internal_comments() {
    let mut desk = Desk::incident();
    let err = desk.refused(&jane(), comment("psst", CommentVisibility::Internal));
    assert_eq!(err, TicketError::InternalCommentByCustomer);
    let events = desk.ok(&jane(), comment("any news?", CommentVisibility::Public));
    assert!(matches!(
        &events[0],
        TicketEvent::TicketCommented(c) if c.author_kind == CommentAuthorKind::Customer
    ));
}

#[test]
fn staff_may_write_internal_comments() {
    let mut desk = Desk::incident();
    let events = desk.ok(
        &developer(),
        comment("cache bug", CommentVisibility::Internal),
    );
    assert!(matches!(
        &events[0],
        TicketEvent::TicketCommented(c)
            if c.visibility == CommentVisibility::Internal && c.author_kind == CommentAuthorKind::Vendor
    ));
    assert_eq!(desk.state.comment_count(), 1);
}

#[test]
fn comments_may_carry_attachments() {
    let mut desk = Desk::incident();
    desk.ok(
        &jane(),
        TicketCommand::AddComment {
            text: "log attached".into(),
            visibility: CommentVisibility::Public,
            attachments: vec![attachment("server.log")],
        },
    );
    desk.ok(
        &jane(),
        TicketCommand::AddAttachments {
            attachments: vec![attachment("more.log")],
        },
    );
    assert_eq!(desk.state.attachments().len(), 3);
}

#[test]
fn auditors_only_read() {
    let mut desk = Desk::incident();
    let err = desk.refused(&auditor(), comment("hi", CommentVisibility::Public));
    assert!(matches!(err, TicketError::Forbidden { .. }), "{err}");
}

#[test]
fn customers_of_other_organisations_cannot_act_on_the_ticket() {
    let mut desk = Desk::incident();
    let err = desk.refused(&stranger(), comment("hi", CommentVisibility::Public));
    assert!(matches!(err, TicketError::NotVisible { .. }), "{err}");
}

#[test]
fn a_ticket_shared_with_nobody_is_only_for_its_creator() {
    let mut desk = Desk::incident();
    desk.ok(
        &jane(),
        TicketCommand::ChangeSharing {
            shared_with: SharedWith::Nobody,
        },
    );
    let err = desk.refused(&joe(), comment("hi", CommentVisibility::Public));
    assert!(matches!(err, TicketError::NotVisible { .. }), "{err}");
    desk.ok(&jane(), comment("hi", CommentVisibility::Public));
}

#[test]
fn only_the_creator_or_support_changes_sharing() {
    let mut desk = Desk::incident();
    let err = desk.refused(
        &joe(),
        TicketCommand::ChangeSharing {
            shared_with: SharedWith::Nobody,
        },
    );
    assert!(err.to_string().contains("creator"), "{err}");
    desk.ok(
        &agent(),
        TicketCommand::ChangeSharing {
            shared_with: SharedWith::Nobody,
        },
    );
    assert_eq!(desk.state.shared_with(), SharedWith::Nobody);
}

#[test]
fn email_tickets_stay_shared_with_the_organisation() {
    let mut desk = Desk::new();
    desk.ok(
        &system(),
        TicketCommand::OpenFromEmail {
            key: "SD-3".parse().unwrap(),
            organisation: ticketflow_events::OrganisationId("acme".into()),
            region: ticketflow_events::Region::Dach,
            extended_support_budget: false,
            email: ticketflow_domain::ticket::EmailMessage {
                sender: "jane@acme".into(),
                subject: "Hi".into(),
                body: "Help".into(),
                attachments: vec![],
            },
        },
    );
    let err = desk.refused(
        &agent(),
        TicketCommand::ChangeSharing {
            shared_with: SharedWith::Nobody,
        },
    );
    assert!(
        matches!(err, TicketError::EmailTicketSharingIsFixed { .. }),
        "{err}"
    );
}

#[test]
fn confidential_tickets_are_worked_on_only_by_support_agents_of_their_region() {
    let mut desk = Desk::incident();
    let events = desk.ok(
        &jane(),
        TicketCommand::SetConfidential { confidential: true },
    );
    assert!(matches!(
        &events[0],
        TicketEvent::TicketConfidentialityChanged(c)
            if c.confidential && c.region == ticketflow_events::Region::Dach
    ));
    let err = desk.refused(&foreign_agent(), TicketCommand::Accept);
    assert!(matches!(err, TicketError::Confidential { .. }), "{err}");
    assert!(err.to_string().contains("DACH"), "{err}");
    let err = desk.refused(&developer(), comment("x", CommentVisibility::Internal));
    assert!(matches!(err, TicketError::Confidential { .. }), "{err}");
    desk.ok(&agent(), TicketCommand::Accept);
}

#[test]
fn the_creator_is_notified_by_default_and_may_switch_off() {
    let mut desk = Desk::incident();
    assert!(desk.state.notifies("jane@acme"));
    desk.ok(&jane(), TicketCommand::SetNotifications { enabled: false });
    assert!(!desk.state.notifies("jane@acme"));
    let err = desk.refused(&jane(), TicketCommand::SetNotifications { enabled: false });
    assert!(matches!(err, TicketError::NothingToChange { .. }), "{err}");
}

#[test]
fn organisation_members_may_switch_notifications_on_per_ticket() {
    let mut desk = Desk::incident();
    assert!(!desk.state.notifies("joe@acme"));
    let events = desk.ok(&joe(), TicketCommand::SetNotifications { enabled: true });
    assert!(matches!(
        &events[0],
        TicketEvent::TicketNotificationsChanged(n) if n.person == "joe@acme" && n.enabled
    ));
    assert!(desk.state.notifies("joe@acme"));
}

#[test]
fn effort_is_booked_per_department_with_the_day_performed() {
    let mut desk = Desk::classified(T::ConsultingRequest);
    let yesterday = (desk.now - Duration::days(1)).date_naive();
    let events = desk.ok(
        &developer(),
        TicketCommand::BookEffort {
            department: Department::TechnicalServices,
            minutes: 90,
            performed_on: yesterday,
        },
    );
    assert!(matches!(
        &events[0],
        TicketEvent::TicketEffortBooked(b)
            if b.minutes == 90 && b.performed_on == yesterday && b.booked_by == "dev"
    ));
    assert_eq!(
        desk.state.effort_minutes()[&Department::TechnicalServices],
        90
    );
    let err = desk.refused(
        &agent(),
        TicketCommand::BookEffort {
            department: Department::Support,
            minutes: 0,
            performed_on: yesterday,
        },
    );
    assert!(
        matches!(&err, TicketError::Invalid { field, .. } if field == "minutes"),
        "{err}"
    );
    let err = desk.refused(
        &agent(),
        TicketCommand::BookEffort {
            department: Department::Support,
            minutes: 10,
            performed_on: (desk.now + Duration::days(2)).date_naive(),
        },
    );
    assert!(
        matches!(&err, TicketError::Invalid { field, .. } if field == "performed_on"),
        "{err}"
    );
    let err = desk.refused(
        &jane(),
        TicketCommand::BookEffort {
            department: Department::Support,
            minutes: 10,
            performed_on: yesterday,
        },
    );
    assert!(matches!(err, TicketError::Forbidden { .. }), "{err}");
}

#[test]
fn support_effort_may_be_booked_after_close() {
    let mut desk = Desk::classified(T::ConsultingRequest);
    desk.ok(
        &agent(),
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::Answered,
            note: String::new(),
            reclassify_as: None,
        },
    );
    desk.ok(&jane(), TicketCommand::Close { comment: None });
    desk.ok(
        &agent(),
        TicketCommand::BookEffort {
            department: Department::Support,
            minutes: 30,
            performed_on: desk.now.date_naive(),
        },
    );
}

#[test]
fn closed_tickets_accept_no_comments() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(
        &agent(),
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::Answered,
            note: String::new(),
            reclassify_as: None,
        },
    );
    desk.ok(&jane(), TicketCommand::Close { comment: None });
    let err = desk.refused(
        &jane(),
        comment("one more thing", CommentVisibility::Public),
    );
    assert!(err.to_string().contains("status `Closed`"), "{err}");
}

#[test]
fn escalations_record_level_and_reason_and_only_go_up() {
    let mut desk = Desk::incident();
    let events = desk.ok(
        &jane(),
        TicketCommand::Escalate {
            level: EscalationLevel::TeamLead,
            reason: EscalationReason::ReactionTimeExceeded,
        },
    );
    assert!(matches!(
        &events[0],
        TicketEvent::TicketEscalated(e)
            if e.level == EscalationLevel::TeamLead && e.reason == EscalationReason::ReactionTimeExceeded
    ));
    let err = desk.refused(
        &jane(),
        TicketCommand::Escalate {
            level: EscalationLevel::PersonalContact,
            reason: EscalationReason::Handling,
        },
    );
    assert!(err.to_string().contains("level 2"), "{err}");
    desk.ok(
        &agent(),
        TicketCommand::Escalate {
            level: EscalationLevel::ExecutiveBoard,
            reason: EscalationReason::ProductQuality,
        },
    );
    assert_eq!(
        desk.state.escalation(),
        Some(EscalationLevel::ExecutiveBoard)
    );
}
