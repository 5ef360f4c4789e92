//! The audit trail (domain.md §4, auditors): per ticket, order and delivery stream, every
//! change with its actor, recording and business time, event type and a readable summary; and
//! the aggregate's state as of any instant.
//!
//! The trail keeps every event of every stream — it is the one read model whose size grows with
//! the log — so that an auditor can replay any stream without reading the store. "As of an
//! instant" folds the stream's events whose business time (`occurred_at`) is at or before the
//! instant, in stream order, with the aggregates' own `evolve`: the state is exactly the one
//! the write model had, not a re-interpretation. The trail is for auditors, who may read
//! everything (domain.md §1), so nothing is filtered.

use serde::{Deserialize, Serialize};
use ticketflow_domain::Aggregate;
use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::ticket::Ticket;
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::TicketEvent;
use ticketflow_events::{
    AnyEvent, DeliveryKey, OrderKey, RecordedEvent, StreamId, TicketKey, Timestamp,
};
use uuid::Uuid;

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, event_summary, snapshot};

/// A recorded payload of any aggregate, kept as the trail's copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum AuditedEvent {
    /// A ticket event.
    Ticket(TicketEvent),
    /// A customisation order event.
    Order(OrderEvent),
    /// A delivery event.
    Delivery(DeliveryEvent),
}

impl AuditedEvent {
    fn from_any(event: &AnyEvent) -> Self {
        match event {
            AnyEvent::Ticket(e) => AuditedEvent::Ticket(e.clone()),
            AnyEvent::Order(e) => AuditedEvent::Order(e.clone()),
            AnyEvent::Delivery(e) => AuditedEvent::Delivery(e.clone()),
        }
    }

    fn to_any(&self) -> AnyEvent {
        match self {
            AuditedEvent::Ticket(e) => AnyEvent::Ticket(e.clone()),
            AuditedEvent::Order(e) => AnyEvent::Order(e.clone()),
            AuditedEvent::Delivery(e) => AnyEvent::Delivery(e.clone()),
        }
    }
}

/// One change of a stream as the trail stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stored {
    stream_version: u64,
    global_position: u64,
    event_id: Uuid,
    event_type: String,
    schema_version: u16,
    actor: String,
    recorded_at: Timestamp,
    occurred_at: Timestamp,
    /// The payload as recorded: copying the bytes is far cheaper than cloning the decoded
    /// event, and decoding on read also upcasts old schema versions.
    #[serde(with = "ticketflow_events::envelope::payload_bytes")]
    payload: Vec<u8>,
}

impl Stored {
    fn decode(&self) -> Result<AuditedEvent, ticketflow_events::CodecError> {
        AnyEvent::decode(&self.event_type, self.schema_version, &self.payload)
            .map(|e| AuditedEvent::from_any(&e))
    }
}

/// One change, as an auditor reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the stream, from 1.
    pub stream_version: u64,
    /// Position in the whole log.
    pub global_position: u64,
    /// The event's id.
    pub event_id: Uuid,
    /// The stable event type, e.g. `TicketStatusChanged`.
    pub event_type: String,
    /// Who caused it, as `role:id`.
    pub actor: String,
    /// When the store recorded it.
    pub recorded_at: Timestamp,
    /// When it happened (business time).
    pub occurred_at: Timestamp,
    /// What happened, in one sentence.
    pub summary: String,
    /// The full payload; `None` only if this build cannot read it (the summary says why).
    pub event: Option<AuditedEvent>,
}

/// The audit trail read model.
#[derive(Debug, Default)]
pub struct AuditTrail {
    streams: Map<StreamId, Vec<Stored>>,
}

impl AuditTrail {
    /// The stable name.
    pub const NAME: &'static str = "audit-trail";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// An empty read model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every change of a stream, oldest first (empty for an unknown stream).
    pub fn history(&self, stream: &StreamId) -> Vec<AuditEntry> {
        self.streams
            .get(stream)
            .map(|events| {
                events
                    .iter()
                    .map(|s| {
                        let event = s.decode();
                        AuditEntry {
                            stream_version: s.stream_version,
                            global_position: s.global_position,
                            event_id: s.event_id,
                            event_type: s.event_type.clone(),
                            actor: s.actor.clone(),
                            recorded_at: s.recorded_at,
                            occurred_at: s.occurred_at,
                            summary: match &event {
                                Ok(e) => event_summary::describe(&e.to_any()),
                                Err(e) => format!("unreadable payload: {e}"),
                            },
                            event: event.ok(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every stream the trail knows, sorted.
    pub fn streams(&self) -> Vec<StreamId> {
        let mut ids: Vec<StreamId> = self.streams.iter().map(|e| e.key().clone()).collect();
        ids.sort();
        ids
    }

    /// Folds the events of a stream that occurred at or before `at`.
    fn as_of<A: Aggregate>(
        &self,
        stream: &StreamId,
        at: Timestamp,
        pick: impl Fn(&AuditedEvent) -> Option<&A::Event>,
    ) -> Option<A> {
        let events = self.streams.get(stream)?;
        let mut state = A::default();
        let mut any = false;
        for stored in events.iter().filter(|s| s.occurred_at <= at) {
            // A payload this build cannot read was never folded by the write model either.
            let Ok(decoded) = stored.decode() else {
                continue;
            };
            if let Some(event) = pick(&decoded) {
                state.evolve(event);
                any = true;
            }
        }
        any.then_some(state)
    }

    /// The ticket as it was at `at`; `None` if it did not exist yet.
    pub fn ticket_as_of(&self, key: &TicketKey, at: Timestamp) -> Option<Ticket> {
        self.as_of::<Ticket>(&key.stream_id(), at, |e| match e {
            AuditedEvent::Ticket(e) => Some(e),
            _ => None,
        })
    }

    /// The customisation order as it was at `at`; `None` if it was not placed yet.
    pub fn order_as_of(&self, key: &OrderKey, at: Timestamp) -> Option<CustomisationOrder> {
        self.as_of::<CustomisationOrder>(&key.stream_id(), at, |e| match e {
            AuditedEvent::Order(e) => Some(e),
            _ => None,
        })
    }

    /// The delivery as it was at `at`; `None` if it was not planned yet.
    pub fn delivery_as_of(&self, key: &DeliveryKey, at: Timestamp) -> Option<Delivery> {
        self.as_of::<Delivery>(&key.stream_id(), at, |e| match e {
            AuditedEvent::Delivery(e) => Some(e),
            _ => None,
        })
    }
}

impl ReadModel for AuditTrail {
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
        let envelope = decoded.envelope;
        let stored = Stored {
            stream_version: envelope.stream_version,
            global_position: envelope.global_position,
            event_id: envelope.event_id,
            event_type: envelope.event_type.clone(),
            schema_version: envelope.schema_version,
            actor: envelope.actor.clone(),
            recorded_at: envelope.recorded_at,
            occurred_at: envelope.occurred_at,
            payload: envelope.payload.clone(),
        };
        match self.streams.get_mut(&envelope.stream_id) {
            Some(mut events) => events.push(stored),
            None => self
                .streams
                .entry(envelope.stream_id.clone())
                .or_default()
                .push(stored),
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        snapshot::write(Self::NAME, Self::VERSION, &snapshot::sorted(&self.streams))
    }

    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let entries = snapshot::read(Self::NAME, Self::VERSION, bytes)?;
        snapshot::refill(&self.streams, entries);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_desk::*;
    use chrono::Duration;
    use ticketflow_domain::ticket::TicketCommand;
    use ticketflow_events::ticket::{ResolutionOutcome, SharedWith, TicketStatus, TicketType};

    #[test]
    fn every_change_is_listed_with_actor_times_type_and_summary() {
        let mut desk = Desk::new();
        desk.open_request(&jane(), "SD-1", "Export", SharedWith::Nobody);
        desk.advance(Duration::hours(1));
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::Classify {
                ticket_type: TicketType::SupportRequest,
            },
        );
        let trail = AuditTrail::new();
        desk.feed(&trail);
        let key: TicketKey = "SD-1".parse().unwrap();
        let history = trail.history(&key.stream_id());
        assert_eq!(history[0].event_type, "TicketOpened");
        assert_eq!(history[0].actor, "customer:jane");
        assert_eq!(history[0].summary, "Request opened by jane via Portal");
        let classified = history
            .iter()
            .find(|e| e.event_type == "TicketClassified")
            .unwrap();
        assert_eq!(classified.actor, "support-agent:anna");
        assert_eq!(classified.summary, "classified as Support Request");
        assert_eq!(
            classified.occurred_at,
            history[0].occurred_at + Duration::hours(1)
        );
        assert!(
            history
                .windows(2)
                .all(|w| w[0].stream_version + 1 == w[1].stream_version)
        );
        assert_eq!(trail.streams(), vec![key.stream_id()]);
    }

    #[test]
    fn the_state_as_of_any_instant_is_the_fold_of_the_events_until_then() {
        let mut desk = Desk::new();
        let opened = desk.now;
        desk.open_request(&jane(), "SD-1", "Export", SharedWith::Nobody);
        desk.advance(Duration::hours(1));
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::Classify {
                ticket_type: TicketType::SupportRequest,
            },
        );
        desk.advance(Duration::hours(1));
        let before_resolution = desk.now - Duration::minutes(1);
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::Resolve {
                outcome: ResolutionOutcome::Answered,
                note: "manual".into(),
                reclassify_as: None,
            },
        );
        let trail = AuditTrail::new();
        desk.feed(&trail);
        let key: TicketKey = "SD-1".parse().unwrap();
        assert!(
            trail
                .ticket_as_of(&key, opened - Duration::seconds(1))
                .is_none()
        );
        let at_open = trail.ticket_as_of(&key, opened).unwrap();
        assert_eq!(
            (at_open.ticket_type(), at_open.status()),
            (TicketType::Request, TicketStatus::Open)
        );
        let before = trail.ticket_as_of(&key, before_resolution).unwrap();
        assert_eq!(
            (before.ticket_type(), before.status()),
            (TicketType::SupportRequest, TicketStatus::Open)
        );
        let now = trail.ticket_as_of(&key, desk.now).unwrap();
        assert_eq!(now.status(), TicketStatus::Resolved);
        assert_eq!(&now, desk.ticket_state("SD-1").unwrap());
    }
}
