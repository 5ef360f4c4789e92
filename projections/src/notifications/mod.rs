//! The notifications outbox (domain.md §2.9): who must be told what about which ticket.
//! Sending mail is an adapter's job: it lists the [`NotificationOutbox::pending`]
//! notifications, sends them, and marks them sent.
//!
//! # Rules
//! * The ticket's creator is notified of every comment and change, unless they switched
//!   notifications off for the ticket.
//! * Members of the organisation are notified of the ticket's creation when it is shared with
//!   the organisation (one entry addressed to the organisation's members, which the adapter
//!   expands from its contact directory), and of every later comment and change if they
//!   switched notifications on for that ticket — as long as they can still see it (shared
//!   with the organisation, not confidential).
//! * Internal comments never notify anyone (only customers are notified).
//! * Nobody is notified of what they did themselves (the envelope's actor).
//! * Bookkeeping is not a change a customer is told about: timers scheduled or cancelled,
//!   effort bookings, the extended support budget, notification switches.
//! * The events one command causes (same correlation id, same ticket) make one notification
//!   per recipient listing every change, not one notification per event.
//!
//! # Ids and sending
//! A notification's id is derived from the log (the position of its first event and the
//! recipient's index), so a read model rebuilt from the log gives every notification the same
//! id again. Whether it was sent is not in the log: it is kept with the outbox and its
//! snapshot, so a restart resumes where the adapter left off. A rebuild from scratch starts
//! with everything pending; an adapter must therefore remember the last id it sent (ids
//! are ordered) and skip up to it — [`NotificationOutbox::mark_sent_through`] does that in one call.

mod rules;

use std::fmt;

use serde::{Deserialize, Serialize};
use ticketflow_events::{AnyEvent, OrganisationId, RecordedEvent, TicketKey, Timestamp};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, snapshot};
use rules::Audience;

/// Identifies a notification; ordered as the outbox was filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotificationId {
    /// Global position of the first event the notification reports.
    pub position: u64,
    /// The recipient's index among that event's recipients.
    pub recipient: u32,
}

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.position, self.recipient)
    }
}

/// Who is to be told.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Recipient {
    /// One person, by actor id.
    Person {
        /// The person's id.
        id: String,
    },
    /// Every support-entitled contact of an organisation except one (the creator, who is
    /// told separately).
    OrganisationMembers {
        /// The organisation.
        organisation: OrganisationId,
        /// The contact left out.
        except: String,
    },
}

/// One entry of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The id.
    pub id: NotificationId,
    /// Who is to be told.
    pub recipient: Recipient,
    /// About which ticket.
    pub ticket: TicketKey,
    /// What happened, one sentence per change.
    pub changes: Vec<String>,
    /// The event types reported.
    pub event_types: Vec<String>,
    /// When it happened (business time of the first change).
    pub at: Timestamp,
    /// When the adapter reported it sent; `None` while pending.
    pub sent_at: Option<Timestamp>,
}

/// A request to the outbox that cannot be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    /// The id names no notification.
    #[error(
        "notification {id} is not in the outbox; list the pending notifications to get current ids (nothing was marked)"
    )]
    UnknownNotification {
        /// The id given.
        id: NotificationId,
    },
}

/// The notifications outbox read model.
#[derive(Debug, Default)]
pub struct NotificationOutbox {
    audiences: Map<TicketKey, Audience>,
    outbox: Map<NotificationId, Notification>,
}

#[derive(Serialize, Deserialize)]
struct State {
    audiences: Vec<(TicketKey, Audience)>,
    outbox: Vec<(NotificationId, Notification)>,
}

impl NotificationOutbox {
    /// The stable name.
    pub const NAME: &'static str = "notifications-outbox";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    fn sorted(&self, keep: impl Fn(&Notification) -> bool) -> Vec<Notification> {
        let mut v: Vec<Notification> = self
            .outbox
            .iter()
            .filter(|n| keep(n.value()))
            .map(|n| n.value().clone())
            .collect();
        v.sort_by_key(|n| n.id);
        v
    }

    /// The oldest `limit` notifications not yet sent.
    pub fn pending(&self, limit: usize) -> Vec<Notification> {
        let mut v = self.sorted(|n| n.sent_at.is_none());
        v.truncate(limit);
        v
    }

    /// Every notification about a ticket, sent or not.
    pub fn for_ticket(&self, ticket: &TicketKey) -> Vec<Notification> {
        self.sorted(|n| n.ticket == *ticket)
    }

    /// Marks notifications sent. All ids must exist; otherwise nothing is marked.
    /// Returns how many were pending before.
    pub fn mark_sent(&self, ids: &[NotificationId], at: Timestamp) -> Result<usize, OutboxError> {
        if let Some(id) = ids.iter().find(|id| !self.outbox.contains_key(id)) {
            return Err(OutboxError::UnknownNotification { id: *id });
        }
        let mut newly = 0;
        for id in ids {
            if let Some(mut n) = self.outbox.get_mut(id)
                && n.sent_at.is_none()
            {
                n.sent_at = Some(at);
                newly += 1;
            }
        }
        Ok(newly)
    }

    /// Marks every notification up to and including `through` sent (for an adapter that
    /// remembers the last id it sent). Returns how many were pending before.
    pub fn mark_sent_through(&self, through: NotificationId, at: Timestamp) -> usize {
        let mut newly = 0;
        for mut n in self.outbox.iter_mut() {
            if n.id <= through && n.sent_at.is_none() {
                n.sent_at = Some(at);
                newly += 1;
            }
        }
        newly
    }
}

impl ReadModel for NotificationOutbox {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn version(&self) -> u32 {
        Self::VERSION
    }

    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent) {
        apply_by_fold(self, envelope, event);
    }

    fn fold(&self, decoded: &Decoded<'_>) {
        let AnyEvent::Ticket(event) = decoded.event else {
            return;
        };
        let Some(key) = decoded.ticket_key() else {
            return;
        };
        let envelope = decoded.envelope;
        let deliveries = match self.audiences.get_mut(key) {
            Some(mut audience) => audience.apply(envelope, event),
            None => self
                .audiences
                .entry(key.clone())
                .or_default()
                .apply(envelope, event),
        };
        for delivery in deliveries {
            match delivery {
                rules::Delivery::New(n) => {
                    self.outbox.insert(n.id, n);
                }
                rules::Delivery::Append {
                    id,
                    change,
                    event_type,
                } => {
                    if let Some(mut n) = self.outbox.get_mut(&id) {
                        n.changes.push(change);
                        n.event_types.push(event_type);
                    }
                }
            }
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let state = State {
            audiences: snapshot::sorted(&self.audiences),
            outbox: snapshot::sorted(&self.outbox),
        };
        snapshot::write(Self::NAME, Self::VERSION, &state)
    }

    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let state: State = snapshot::read(Self::NAME, Self::VERSION, bytes)?;
        snapshot::refill(&self.audiences, state.audiences);
        snapshot::refill(&self.outbox, state.outbox);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
