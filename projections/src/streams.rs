//! What read models learn from an envelope besides the payload: who acted. (Whose stream it
//! is comes parsed once with the event, as [`crate::AggregateKey`].)

use ticketflow_events::RecordedEvent;

/// The actor's id from the envelope label `role:id` (the whole label if it has no role).
pub(crate) fn actor_id(envelope: &RecordedEvent) -> &str {
    envelope
        .actor
        .split_once(':')
        .map_or(envelope.actor.as_str(), |(_, id)| id)
}
