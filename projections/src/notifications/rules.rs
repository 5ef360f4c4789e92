//! The rules of domain.md §2.9 as a fold per ticket: who is in the ticket's audience, and
//! which notifications an event causes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ticketflow_events::ticket::{CommentVisibility, SharedWith, TicketEvent};
use ticketflow_events::{OrganisationId, RecordedEvent, TicketKey};
use uuid::Uuid;

use super::{Notification, NotificationId, Recipient};
use crate::{event_summary, streams};

/// Who may be told about one ticket, and the notifications of the command being applied.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(super) struct Audience {
    key: Option<TicketKey>,
    creator: String,
    organisation: Option<OrganisationId>,
    shared_with: Option<SharedWith>,
    confidential: bool,
    /// Explicit choices per person (`TicketNotificationsChanged`).
    choices: BTreeMap<String, bool>,
    /// The correlation id of the last notifying event and the notification each recipient
    /// got for it, so that the events of one command make one notification.
    group: Option<(Uuid, BTreeMap<Recipient, NotificationId>)>,
}

/// What applying an event does to the outbox.
pub(super) enum Delivery {
    /// A new notification.
    New(Notification),
    /// One more change for a notification of the same command.
    Append {
        id: NotificationId,
        change: String,
        event_type: String,
    },
}

/// Events that are bookkeeping rather than a change the customer is told about.
fn is_bookkeeping(event: &TicketEvent) -> bool {
    matches!(
        event,
        TicketEvent::TicketTimersScheduled(_)
            | TicketEvent::TicketTimersCancelled(_)
            | TicketEvent::TicketEffortBooked(_)
            | TicketEvent::TicketSupportBudgetRecorded(_)
            | TicketEvent::TicketNotificationsChanged(_)
            | TicketEvent::TicketSlaNoticeRecorded(_)
    ) || matches!(event, TicketEvent::TicketCommented(c) if c.visibility == CommentVisibility::Internal)
}

impl Audience {
    /// Whether people other than the creator can see the ticket.
    fn visible_to_members(&self) -> bool {
        self.shared_with == Some(SharedWith::Organisation) && !self.confidential
    }

    /// Who is told about a change now (creation is handled separately), leaving out `actor`,
    /// who is never told of what they did. Only the people kept are copied: most changes are
    /// made by the one person who would be told.
    fn recipients_of_change(&self, actor: &str) -> Vec<Recipient> {
        let mut out = Vec::new();
        if self.creator != actor && self.choices.get(&self.creator).copied().unwrap_or(true) {
            out.push(Recipient::Person {
                id: self.creator.clone(),
            });
        }
        if self.visible_to_members() {
            for (person, on) in &self.choices {
                if *on && *person != self.creator && person != actor {
                    out.push(Recipient::Person { id: person.clone() });
                }
            }
        }
        out
    }

    /// Folds one ticket event in and returns what it does to the outbox.
    pub(super) fn apply(&mut self, envelope: &RecordedEvent, event: &TicketEvent) -> Vec<Delivery> {
        let mut recipients = match event {
            TicketEvent::TicketOpened(e) => {
                self.key = Some(e.key.clone());
                self.creator = e.creator.clone();
                self.organisation = Some(e.organisation.clone());
                self.shared_with = Some(e.shared_with);
                self.confidential = e.confidential;
                let mut r = vec![Recipient::Person {
                    id: e.creator.clone(),
                }];
                if self.visible_to_members() {
                    r.push(Recipient::OrganisationMembers {
                        organisation: e.organisation.clone(),
                        except: e.creator.clone(),
                    });
                }
                r
            }
            _ if self.key.is_none() => return Vec::new(),
            TicketEvent::TicketNotificationsChanged(e) => {
                self.choices.insert(e.person.clone(), e.enabled);
                Vec::new()
            }
            _ if is_bookkeeping(event) => Vec::new(),
            _ => {
                // Sharing and confidentiality changes are told to the audience *before* the
                // change, so members learn that they lost sight of the ticket.
                let before = self.recipients_of_change(streams::actor_id(envelope));
                match event {
                    TicketEvent::TicketSharingChanged(e) => self.shared_with = Some(e.shared_with),
                    TicketEvent::TicketConfidentialityChanged(e) => {
                        self.confidential = e.confidential;
                    }
                    _ => {}
                }
                before
            }
        };
        // Read only here, where it is needed: bookkeeping events never get this far, and
        // reading the actor's text is a cache miss per event.
        let actor = streams::actor_id(envelope);
        recipients.retain(|r| !matches!(r, Recipient::Person { id } if *id == actor));
        if recipients.is_empty() {
            return Vec::new();
        }
        let Some(ticket) = self.key.as_ref() else {
            return Vec::new();
        };
        if self
            .group
            .as_ref()
            .is_none_or(|(c, _)| *c != envelope.correlation_id)
        {
            self.group = Some((envelope.correlation_id, BTreeMap::new()));
        }
        let mut change = event_summary::describe_ticket(event);
        let last = recipients.len() - 1;
        let mut out = Vec::with_capacity(recipients.len());
        if let Some((_, ids)) = self.group.as_mut() {
            let mut index = 0u32;
            for (i, recipient) in recipients.into_iter().enumerate() {
                // The last recipient takes the sentence itself instead of a copy.
                let change = if i == last {
                    std::mem::take(&mut change)
                } else {
                    change.clone()
                };
                if let Some(id) = ids.get(&recipient) {
                    out.push(Delivery::Append {
                        id: *id,
                        change,
                        event_type: envelope.event_type.clone(),
                    });
                    continue;
                }
                let id = NotificationId {
                    position: envelope.global_position,
                    recipient: index,
                };
                index += 1;
                ids.insert(recipient.clone(), id);
                out.push(Delivery::New(Notification {
                    id,
                    recipient,
                    ticket: ticket.clone(),
                    changes: vec![change],
                    event_types: vec![envelope.event_type.clone()],
                    at: event.at(),
                    sent_at: None,
                }));
            }
        }
        out
    }
}
