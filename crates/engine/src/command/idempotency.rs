//! Idempotency keys: the same key retried gives the same answer and records nothing twice.
//!
//! The store already treats the event id as an idempotency key, but a retried command is
//! decided again, possibly at a later `now` or on a state that has moved on, so its events
//! would not be identical (or the command would now be refused). The engine therefore derives
//! the event ids of a keyed command deterministically from the stream and the key (UUID v5)
//! and, *before deciding*, looks for the first of those ids in the stream. Found means the
//! command was already recorded: the engine answers the recorded events instead of deciding
//! again. Timers and process managers use keys derived from the timer or the triggering
//! event, which is what makes them safe to replay after a restart.

use ticketflow_events::StreamId;
use uuid::Uuid;

/// The namespace of every derived event id (a fixed, random UUID: never change it, or
/// retries across an upgrade would record twice).
const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_3c2e_9a4d_4e57_8c1b_2f0a_d35e_7b91);

/// The id of the `index`-th event (from 0) of the command with idempotency `key` on `stream`.
pub fn derived_event_id(stream: &StreamId, key: &str, index: usize) -> Uuid {
    let name = format!("{}\n{}\n{}", stream.as_str(), key, index);
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_depend_on_stream_key_and_index() {
        let a: StreamId = "ticket-SD-1".parse().unwrap();
        let b: StreamId = "ticket-SD-2".parse().unwrap();
        let id = derived_event_id(&a, "k", 0);
        assert_eq!(id, derived_event_id(&a, "k", 0));
        assert_ne!(id, derived_event_id(&b, "k", 0));
        assert_ne!(id, derived_event_id(&a, "k2", 0));
        assert_ne!(id, derived_event_id(&a, "k", 1));
    }
}
