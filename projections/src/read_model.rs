//! The contract between a read model and the projection runner.

use ticketflow_events::{AnyEvent, DeliveryKey, OrderKey, RecordedEvent, TicketKey};

/// A snapshot could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Serialising the read model failed.
    #[error("could not write the snapshot of read model `{name}`: {reason}")]
    Write {
        /// The read model.
        name: &'static str,
        /// What the encoder said.
        reason: String,
    },
    /// The snapshot bytes are not a snapshot of this read model at this version.
    #[error(
        "the snapshot of read model `{name}` is unreadable ({reason}); rebuild it from the log"
    )]
    Read {
        /// The read model.
        name: &'static str,
        /// What the decoder said.
        reason: String,
    },
}

/// A read model: a named, versioned fold over the recorded events of the whole log.
///
/// The runner decodes every event once and hands the envelope (positions, times, actor), the
/// decoded payload and the parsed aggregate key to every read model ([`ReadModel::fold`]).
/// Methods take `&self`: read models use interior mutability (concurrent maps) so that
/// queries can be answered while the runner applies events. Applying must be deterministic —
/// the same events in the same order give the same state — which is what makes "rebuild from
/// scratch equals incremental" hold.
pub trait ReadModel: Send + Sync + 'static {
    /// A stable name, used for checkpoints, snapshots and operators' commands
    /// (e.g. `ticket-overview`).
    fn name(&self) -> &'static str;

    /// The version of the fold. Bump it whenever `apply` changes meaning: the runner then
    /// rebuilds the read model from position 0.
    fn version(&self) -> u32;

    /// Folds one recorded event in. Events arrive in global-position order, each exactly once.
    ///
    /// The standard read models implement this as [`ReadModel::fold`] of the event with its
    /// key parsed here; tests and tools that fold a log by hand call this one.
    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent);

    /// Folds one recorded event in, with the aggregate key already parsed: the runner decodes
    /// and parses every event once and hands the same borrowed [`Decoded`] to every read
    /// model, so that eight read models do not parse (and allocate) the same key eight times.
    /// Must have exactly the effect of [`ReadModel::apply`]; the default calls it.
    fn fold(&self, decoded: &Decoded<'_>) {
        self.apply(decoded.envelope, decoded.event);
    }

    /// Serialises the whole state (MessagePack) for a snapshot.
    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError>;

    /// Replaces the state with a snapshot written by the same name and version.
    fn restore(&self, snapshot: &[u8]) -> Result<(), SnapshotError>;
}

/// The aggregate a recorded event belongs to, parsed once from its stream id.
///
/// Which kind of key is parsed follows the payload (a ticket event's stream names a ticket,
/// and so on), as each read model did on its own before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AggregateKey {
    /// The stream of a ticket event.
    Ticket(TicketKey),
    /// The stream of a customisation order event.
    Order(OrderKey),
    /// The stream of a delivery event.
    Delivery(DeliveryKey),
}

impl AggregateKey {
    /// The key of the aggregate `event` belongs to; `None` when the stream id carries no valid
    /// key of that kind (read models then ignore the event).
    pub fn of(envelope: &RecordedEvent, event: &AnyEvent) -> Option<Self> {
        let entity = envelope.stream_id.entity()?;
        match event {
            AnyEvent::Ticket(_) => entity.parse().ok().map(AggregateKey::Ticket),
            AnyEvent::Order(_) => entity.parse().ok().map(AggregateKey::Order),
            AnyEvent::Delivery(_) => entity.parse().ok().map(AggregateKey::Delivery),
        }
    }
}

/// One recorded event as the runner hands it to every read model: the envelope, the payload
/// decoded once and the aggregate key parsed once, all borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Decoded<'a> {
    /// Positions, times, actor, type and raw payload.
    pub envelope: &'a RecordedEvent,
    /// The decoded payload.
    pub event: &'a AnyEvent,
    /// The aggregate the event belongs to (see [`AggregateKey::of`]).
    pub key: Option<&'a AggregateKey>,
}

impl Decoded<'_> {
    /// The ticket of a ticket event.
    pub fn ticket_key(&self) -> Option<&TicketKey> {
        match self.key {
            Some(AggregateKey::Ticket(key)) => Some(key),
            _ => None,
        }
    }

    /// The order of an order event.
    pub fn order_key(&self) -> Option<&OrderKey> {
        match self.key {
            Some(AggregateKey::Order(key)) => Some(key),
            _ => None,
        }
    }

    /// The delivery of a delivery event.
    pub fn delivery_key(&self) -> Option<&DeliveryKey> {
        match self.key {
            Some(AggregateKey::Delivery(key)) => Some(key),
            _ => None,
        }
    }
}

/// [`ReadModel::apply`] for a read model that implements [`ReadModel::fold`]: parses the key
/// and folds.
pub(crate) fn apply_by_fold<M: ReadModel + ?Sized>(
    model: &M,
    envelope: &RecordedEvent,
    event: &AnyEvent,
) {
    let key = AggregateKey::of(envelope, event);
    model.fold(&Decoded {
        envelope,
        event,
        key: key.as_ref(),
    });
}
