//! Intake rules (domain.md §2.1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use ticket_common::*;
use ticketflow_domain::ticket::{EmailMessage, TicketCommand, TicketError, ticket_key_in_subject};
use ticketflow_events::ticket::{IntakeChannel, SharedWith, TicketEvent, TicketStatus, TicketType};
use ticketflow_events::{OrganisationId, Region};

fn field_of(err: &TicketError) -> String {
    match err {
        TicketError::Invalid { field, .. } => field.clone(),
        other => panic!("not a validation error: {other}"),
    }
}

#[test]
fn portal_incident_requires_affected_system_reachability_and_url() {
    let mut desk = Desk::new();
    let mut form = incident_form();
    form.affected_system = None;
    let err = desk.refused(&jane(), open_portal(form));
    assert_eq!(field_of(&err), "affected_system");
    assert!(
        err.to_string().contains("production or non-production"),
        "{err}"
    );

    let mut form = incident_form();
    form.system_reachable = None;
    assert_eq!(
        field_of(&desk.refused(&jane(), open_portal(form))),
        "system_reachable"
    );

    let mut form = incident_form();
    form.url = None;
    assert_eq!(field_of(&desk.refused(&jane(), open_portal(form))), "url");

    let mut form = incident_form();
    form.url = Some("ftp://x".into());
    let err = desk.refused(&jane(), open_portal(form));
    assert_eq!(field_of(&err), "url");
    assert!(err.to_string().contains("https://"), "{err}");
    assert!(!desk.state.exists());
}

#[test]
fn portal_request_does_not_require_a_url() {
    let desk = Desk::request();
    assert_eq!(desk.state.ticket_type(), TicketType::Request);
    assert_eq!(desk.status(), TicketStatus::Open);
}

#[test]
fn portal_intake_requires_summary_description_and_sharing() {
    let mut desk = Desk::new();
    let mut form = request_form();
    form.summary = "   ".into();
    let err = desk.refused(&jane(), open_portal(form));
    assert_eq!(field_of(&err), "summary");
    assert!(err.to_string().contains("1 to 255 characters"), "{err}");

    let mut form = request_form();
    form.description = String::new();
    assert_eq!(
        field_of(&desk.refused(&jane(), open_portal(form))),
        "description"
    );

    let mut form = request_form();
    form.share_with = None;
    let err = desk.refused(&jane(), open_portal(form));
    assert_eq!(field_of(&err), "share_with");
    assert!(err.to_string().contains("organisation or nobody"), "{err}");

    let mut form = request_form();
    form.summary = "x".repeat(256);
    assert_eq!(
        field_of(&desk.refused(&jane(), open_portal(form))),
        "summary"
    );
}

#[test]
fn portal_intake_accepts_only_incident_or_request() {
    let mut desk = Desk::new();
    let mut form = request_form();
    form.ticket_type = TicketType::SoftwareDefect;
    let err = desk.refused(&jane(), open_portal(form));
    assert_eq!(field_of(&err), "ticket_type");
    assert!(err.to_string().contains("incident or request"), "{err}");
}

#[test]
fn attachments_need_a_plain_name_and_a_sha256_hash() {
    let mut desk = Desk::new();
    let mut form = request_form();
    let mut bad = attachment("ok.txt");
    bad.content_hash = "XYZ".into();
    form.attachments = vec![attachment("a.txt"), bad];
    let err = desk.refused(&jane(), open_portal(form));
    assert_eq!(field_of(&err), "attachments[1].content_hash");
    assert!(
        err.to_string().contains("64 lower-case hex digits"),
        "{err}"
    );

    let mut form = request_form();
    form.attachments = vec![attachment("../etc/passwd")];
    assert_eq!(
        field_of(&desk.refused(&jane(), open_portal(form))),
        "attachments[0].name"
    );
}

#[test]
fn portal_ticket_records_the_customers_organisation_region_and_optional_fields() {
    let mut desk = Desk::new();
    let mut form = incident_form();
    form.confidential = true;
    form.customer_reference = Some("ACME-77".into());
    let events = desk.ok(&jane(), open_portal(form));
    let TicketEvent::TicketOpened(opened) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(opened.organisation, OrganisationId("acme".into()));
    assert_eq!(opened.region, Region::Dach);
    assert_eq!(opened.creator, "jane@acme");
    assert_eq!(opened.channel, IntakeChannel::Portal);
    assert_eq!(opened.customer_reference.as_deref(), Some("ACME-77"));
    assert_eq!(opened.attachments.len(), 1);
    assert!(opened.confidential);
    assert!(desk.state.is_confidential());
    assert_eq!(desk.state.region(), Region::Dach);
}

#[test]
fn only_customers_open_tickets_in_the_portal() {
    let mut desk = Desk::new();
    let err = desk.refused(&agent(), open_portal(request_form()));
    assert!(matches!(err, TicketError::Forbidden { .. }), "{err}");
    assert!(err.to_string().contains("a customer contact"), "{err}");
}

fn email() -> TicketCommand {
    TicketCommand::OpenFromEmail {
        key: "SD-7".parse().unwrap(),
        organisation: OrganisationId("acme".into()),
        region: Region::International,
        extended_support_budget: false,
        email: EmailMessage {
            sender: "jane@acme.example".into(),
            subject: "Certificate expired".into(),
            body: "The login page shows a certificate warning.".into(),
            attachments: vec![attachment("warning.png")],
        },
    }
}

#[test]
fn email_intake_makes_a_request_shared_with_the_organisation() {
    let mut desk = Desk::new();
    desk.ok(&system(), email());
    assert_eq!(desk.state.ticket_type(), TicketType::Request);
    assert_eq!(desk.state.shared_with(), SharedWith::Organisation);
    assert_eq!(desk.state.channel(), IntakeChannel::Email);
}

#[test]
fn email_subject_becomes_summary_and_body_description_with_attachments_kept() {
    let mut desk = Desk::new();
    let events = desk.ok(&system(), email());
    let TicketEvent::TicketOpened(opened) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(opened.summary, "Certificate expired");
    assert_eq!(
        opened.description,
        "The login page shows a certificate warning."
    );
    assert_eq!(opened.attachments, vec![attachment("warning.png")]);
    assert_eq!(opened.creator, "jane@acme.example");
    assert_eq!(opened.url, None);
}

#[test]
fn a_ticket_cannot_be_opened_twice() {
    let mut desk = Desk::request();
    let err = desk.refused(&jane(), open_portal(request_form()));
    assert!(err.to_string().contains("in status `Open`"), "{err}");
}

#[test]
fn commands_on_a_ticket_that_does_not_exist_are_refused() {
    let mut desk = Desk::new();
    let err = desk.refused(&agent(), TicketCommand::Accept);
    assert!(matches!(err, TicketError::DoesNotExist { .. }), "{err}");
    assert!(err.to_string().contains("open_from_portal"), "{err}");
}

#[test]
fn ticket_key_in_subject_finds_the_key_of_a_reply() {
    assert_eq!(
        ticket_key_in_subject("Re: [SD-1042] Login fails").map(|k| k.to_string()),
        Some("SD-1042".into())
    );
    assert_eq!(
        ticket_key_in_subject("AW: SD-9: still broken").map(|k| k.to_string()),
        Some("SD-9".into())
    );
    assert_eq!(ticket_key_in_subject("New problem with SD-"), None);
    assert_eq!(ticket_key_in_subject("../etc/passwd"), None);
}
