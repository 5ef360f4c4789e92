#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_desk::*;
use chrono::Duration;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::CommentVisibility;

fn desk_with_three_tickets() -> Desk {
    let mut desk = Desk::new();
    desk.open_incident(
        &jane(),
        "SD-1",
        "Login fails on SSO",
        SharedWith::Organisation,
    );
    desk.advance(Duration::hours(1));
    desk.open_request(
        &john(),
        "SD-2",
        "Export course bookings",
        SharedWith::Organisation,
    );
    desk.advance(Duration::hours(1));
    desk.open_request(&john(), "SD-3", "Private question", SharedWith::Nobody);
    desk.advance(Duration::hours(1));
    desk.ticket(
        &agent(),
        "SD-1",
        TicketCommand::AddComment {
            text: "Looking into it".into(),
            visibility: CommentVisibility::Public,
            attachments: vec![],
        },
    );
    desk
}

fn keys(page: &TicketPage) -> Vec<&str> {
    page.tickets.iter().map(|t| t.key.as_str()).collect()
}

#[test]
fn a_contact_lists_mine_my_organisations_or_both_newest_update_first() {
    let desk = desk_with_three_tickets();
    let model = TicketOverview::new();
    desk.feed(&model);
    let q = |scope| TicketQuery {
        scope,
        ..TicketQuery::default()
    };
    assert_eq!(keys(&model.list(&jane(), &q(Scope::Mine))), ["SD-1"]);
    assert_eq!(
        keys(&model.list(&jane(), &q(Scope::Organisation))),
        ["SD-2"]
    );
    assert_eq!(
        keys(&model.list(&jane(), &q(Scope::Both))),
        ["SD-1", "SD-2"]
    );
    assert_eq!(
        keys(&model.list(&john(), &q(Scope::Both))),
        ["SD-1", "SD-3", "SD-2"]
    );
    assert_eq!(
        keys(&model.list(&john(), &q(Scope::Mine))),
        ["SD-3", "SD-2"]
    );
}

#[test]
fn other_organisations_never_see_a_ticket() {
    let desk = desk_with_three_tickets();
    let model = TicketOverview::new();
    desk.feed(&model);
    let eve = customer("eve", "globex");
    assert_eq!(model.list(&eve, &TicketQuery::default()).total, 0);
    assert!(model.get(&eve, &"SD-1".parse().unwrap()).is_none());
    assert_eq!(model.list(&agent(), &TicketQuery::default()).total, 3);
}

#[test]
fn a_confidential_ticket_is_seen_by_its_creator_regional_support_and_auditors_only() {
    let mut desk = Desk::new();
    desk.ticket(
        &jane(),
        "SD-1",
        open(
            "SD-1",
            TicketType::Request,
            "Salary data in import",
            SharedWith::Organisation,
            true,
        ),
    );
    let model = TicketOverview::new();
    desk.feed(&model);
    let key: TicketKey = "SD-1".parse().unwrap();
    let international = Actor {
        id: "ian".into(),
        role: Role::SupportAgent {
            region: Region::International,
        },
    };
    let auditor = Actor {
        id: "audrey".into(),
        role: Role::Auditor,
    };
    assert!(model.get(&jane(), &key).is_some());
    assert!(
        model.get(&john(), &key).is_none(),
        "shared, but confidential"
    );
    assert!(model.get(&agent(), &key).is_some());
    assert!(model.get(&international, &key).is_none());
    assert!(model.get(&consultant(), &key).is_none());
    assert!(model.get(&auditor, &key).is_some());
}

#[test]
fn the_list_filters_by_status_type_and_keywords_and_pages() {
    let mut desk = desk_with_three_tickets();
    desk.ticket(
        &agent(),
        "SD-2",
        TicketCommand::Classify {
            ticket_type: TicketType::ConsultingRequest,
        },
    );
    let model = TicketOverview::new();
    desk.feed(&model);
    let staff = agent();
    let by_type = TicketQuery {
        types: vec![TicketType::ConsultingRequest],
        ..Default::default()
    };
    assert_eq!(keys(&model.list(&staff, &by_type)), ["SD-2"]);
    let by_status = TicketQuery {
        statuses: vec![TicketStatus::Open],
        ..Default::default()
    };
    assert_eq!(model.list(&staff, &by_status).total, 3);
    let search = TicketQuery {
        text: Some("EXPORT, bookings".into()),
        ..Default::default()
    };
    assert_eq!(keys(&model.list(&staff, &search)), ["SD-2"]);
    let by_key = TicketQuery {
        text: Some("sd-3".into()),
        ..Default::default()
    };
    assert_eq!(keys(&model.list(&staff, &by_key)), ["SD-3"]);
    let none = TicketQuery {
        text: Some("export sso".into()),
        ..Default::default()
    };
    assert_eq!(model.list(&staff, &none).total, 0);
    let page = TicketQuery {
        offset: 1,
        limit: 1,
        ..Default::default()
    };
    let second = model.list(&staff, &page);
    assert_eq!(second.total, 3);
    assert_eq!(keys(&second), ["SD-1"], "SD-2 was updated last");
}

#[test]
fn unsharing_hides_a_ticket_from_the_organisation() {
    let mut desk = desk_with_three_tickets();
    desk.ticket(
        &john(),
        "SD-2",
        TicketCommand::ChangeSharing {
            shared_with: SharedWith::Nobody,
        },
    );
    let model = TicketOverview::new();
    desk.feed(&model);
    assert_eq!(
        keys(&model.list(&jane(), &TicketQuery::default())),
        ["SD-1"]
    );
}
