#![allow(clippy::unwrap_used)]

use chrono::Duration;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{CommentVisibility, SharedWith, TicketType};

use super::*;
use crate::test_desk::*;

fn person(id: &str) -> Recipient {
    Recipient::Person { id: id.into() }
}

fn comment(text: &str, visibility: CommentVisibility) -> TicketCommand {
    TicketCommand::AddComment {
        text: text.into(),
        visibility,
        attachments: vec![],
    }
}

fn outbox(desk: &Desk) -> NotificationOutbox {
    let outbox = NotificationOutbox::new();
    desk.feed(&outbox);
    outbox
}

fn recipients(notifications: &[Notification]) -> Vec<Recipient> {
    notifications.iter().map(|n| n.recipient.clone()).collect()
}

#[test]
fn organisation_members_are_told_of_a_shared_ticket_on_creation_only() {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "Export", SharedWith::Organisation);
    desk.open_request(&jane(), "SD-2", "Private", SharedWith::Nobody);
    desk.ticket(
        &agent(),
        "SD-1",
        comment("Which format?", CommentVisibility::Public),
    );
    let outbox = outbox(&desk);
    let members = Recipient::OrganisationMembers {
        organisation: OrganisationId("acme".into()),
        except: "jane".into(),
    };
    let all = outbox.pending(100);
    assert_eq!(recipients(&all), [members, person("jane")]);
    assert_eq!(all[1].changes, ["comment by anna"]);
    assert!(
        outbox.for_ticket(&"SD-2".parse().unwrap()).is_empty(),
        "jane opened it herself"
    );
}

#[test]
fn the_creator_is_told_of_every_change_once_per_command() {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "Export", SharedWith::Nobody);
    desk.advance(Duration::hours(1));
    // Classifying implies acceptance: one command, two changes, one notification.
    desk.ticket(
        &agent(),
        "SD-1",
        TicketCommand::Classify {
            ticket_type: TicketType::SupportRequest,
        },
    );
    desk.ticket(
        &jane(),
        "SD-1",
        comment("Thanks", CommentVisibility::Public),
    );
    let outbox = outbox(&desk);
    let all = outbox.pending(100);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].recipient, person("jane"));
    assert_eq!(
        all[0].changes,
        ["accepted by anna", "classified as Support Request"]
    );
}

#[test]
fn internal_comments_never_notify_customers() {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "Export", SharedWith::Organisation);
    desk.ticket(
        &agent(),
        "SD-1",
        comment("customer is confused", CommentVisibility::Internal),
    );
    let outbox = outbox(&desk);
    assert_eq!(
        outbox.pending(100).len(),
        1,
        "only the creation, to the members"
    );
}

#[test]
fn notifications_follow_the_switches_of_creator_and_members() {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "Export", SharedWith::Organisation);
    desk.ticket(
        &john(),
        "SD-1",
        TicketCommand::SetNotifications { enabled: true },
    );
    desk.ticket(
        &jane(),
        "SD-1",
        TicketCommand::SetNotifications { enabled: false },
    );
    let first = desk.log.len();
    desk.ticket(
        &agent(),
        "SD-1",
        comment("Which format?", CommentVisibility::Public),
    );
    let outbox = outbox(&desk);
    let latest: Vec<Notification> = outbox
        .pending(100)
        .into_iter()
        .filter(|n| n.id.position > first as u64)
        .collect();
    assert_eq!(recipients(&latest), [person("john")]);

    // Made private, the ticket is no longer John's to follow.
    desk.ticket(
        &jane(),
        "SD-1",
        TicketCommand::ChangeSharing {
            shared_with: SharedWith::Nobody,
        },
    );
    desk.ticket(
        &jane(),
        "SD-1",
        TicketCommand::SetNotifications { enabled: true },
    );
    let second = desk.log.len();
    desk.ticket(
        &agent(),
        "SD-1",
        comment("Answer", CommentVisibility::Public),
    );
    let outbox = self::outbox(&desk);
    let latest: Vec<Notification> = outbox
        .pending(100)
        .into_iter()
        .filter(|n| n.id.position > second as u64)
        .collect();
    assert_eq!(recipients(&latest), [person("jane")]);
}

#[test]
fn the_adapter_lists_pending_notifications_and_marks_them_sent() {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "Export", SharedWith::Organisation);
    desk.ticket(&agent(), "SD-1", comment("one", CommentVisibility::Public));
    desk.ticket(&agent(), "SD-1", comment("two", CommentVisibility::Public));
    let outbox = outbox(&desk);
    let pending = outbox.pending(2);
    assert_eq!(pending.len(), 2);
    let unknown = NotificationId {
        position: 999,
        recipient: 0,
    };
    let err = outbox
        .mark_sent(&[pending[0].id, unknown], desk.now)
        .unwrap_err();
    assert!(err.to_string().contains("999.0"), "{err}");
    assert_eq!(
        outbox.pending(10).len(),
        3,
        "a refused request marks nothing"
    );
    assert_eq!(outbox.mark_sent(&[pending[0].id], desk.now).unwrap(), 1);
    assert_eq!(outbox.mark_sent(&[pending[0].id], desk.now).unwrap(), 0);
    assert_eq!(outbox.pending(10).len(), 2);
    assert_eq!(outbox.mark_sent_through(pending[1].id, desk.now), 1);
    assert_eq!(outbox.pending(10).len(), 1);

    // Sent marks survive a snapshot.
    let restored = NotificationOutbox::new();
    restored.restore(&outbox.snapshot().unwrap()).unwrap();
    assert_eq!(restored.pending(10), outbox.pending(10));
}

#[test]
fn the_sender_of_an_email_is_told_that_the_ticket_was_opened() {
    use ticketflow_domain::ticket::EmailMessage;
    use ticketflow_events::Region;
    let mut desk = Desk::new();
    desk.ticket(
        &system(),
        "SD-1",
        TicketCommand::OpenFromEmail {
            key: "SD-1".parse().unwrap(),
            organisation: OrganisationId("acme".into()),
            region: Region::Dach,
            extended_support_budget: false,
            email: EmailMessage {
                sender: "kim@acme.example".into(),
                subject: "Login broken".into(),
                body: "Since this morning".into(),
                attachments: vec![],
            },
        },
    );
    let outbox = outbox(&desk);
    let members = Recipient::OrganisationMembers {
        organisation: OrganisationId("acme".into()),
        except: "kim@acme.example".into(),
    };
    assert_eq!(
        recipients(&outbox.pending(10)),
        [person("kim@acme.example"), members],
        "email tickets are always shared with the organisation"
    );
}
