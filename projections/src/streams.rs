//! What read models learn from an envelope besides the payload: whose stream it is and who
//! acted.

use ticketflow_events::{DeliveryKey, OrderKey, RecordedEvent, TicketKey};

/// The ticket a ticket-stream event belongs to (`ticket-SD-1` → `SD-1`).
pub(crate) fn ticket_key(envelope: &RecordedEvent) -> Option<TicketKey> {
    envelope.stream_id.entity()?.parse().ok()
}

/// The order an order-stream event belongs to.
pub(crate) fn order_key(envelope: &RecordedEvent) -> Option<OrderKey> {
    envelope.stream_id.entity()?.parse().ok()
}

/// The delivery a delivery-stream event belongs to.
pub(crate) fn delivery_key(envelope: &RecordedEvent) -> Option<DeliveryKey> {
    envelope.stream_id.entity()?.parse().ok()
}

/// The actor's id from the envelope label `role:id` (the whole label if it has no role).
pub(crate) fn actor_id(envelope: &RecordedEvent) -> &str {
    envelope
        .actor
        .split_once(':')
        .map_or(envelope.actor.as_str(), |(_, id)| id)
}
