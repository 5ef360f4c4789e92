//! The two hash chains that make the log tamper-evident.
//!
//! * The **stream chain** ([`RecordedEvent::compute_hash`], defined with the envelope) links
//!   each event to the previous event of its stream. It covers the content and the stream
//!   version but not the global position, so a stream copied elsewhere still verifies.
//! * The **log chain** ([`log_hash`]) links each event to the previous event of the *whole
//!   log*: it covers the previous log hash, the event's stream hash, its global position and
//!   its recording time. Removing a whole stream, reordering events across streams, editing the
//!   recording time or renumbering positions breaks it, which the stream chain alone cannot
//!   see.
//!
//! Neither chain is keyed: someone who can rewrite the file *and* recompute every hash after
//! the edit is only caught by comparing the log head ([`crate::VerifyReport::head_hash`]) with
//! a value written down elsewhere (a ticket, an audit report, a backup manifest). The store
//! also keeps its head in the file, which catches naive truncation of the tail.

use sha2::{Digest, Sha256};
use ticketflow_events::{Hash, NewEvent, RecordedEvent, StreamId, Timestamp};

/// Hash of the global log after `position`, chained to the log hash before it.
pub fn log_hash(prev: &Hash, event_hash: &Hash, position: u64, recorded_at: Timestamp) -> Hash {
    let mut h = Sha256::new();
    h.update(b"ticketflow-log-v1");
    h.update(prev.0);
    h.update(event_hash.0);
    h.update(position.to_be_bytes());
    h.update(recorded_at.timestamp_micros().to_be_bytes());
    Hash(h.finalize().into())
}

/// Turns a [`NewEvent`] into the record the store keeps, with both hashes.
///
/// `recorded_at` must already be truncated to microseconds, the precision stored.
pub fn seal(
    stream: &StreamId,
    version: u64,
    position: u64,
    prev_hash: Hash,
    prev_log: &Hash,
    recorded_at: Timestamp,
    e: NewEvent,
) -> (RecordedEvent, Hash) {
    let hash = RecordedEvent::compute_hash(&prev_hash, stream, version, &e);
    let log = log_hash(prev_log, &hash, position, recorded_at);
    let record = RecordedEvent {
        stream_id: stream.clone(),
        stream_version: version,
        global_position: position,
        event_id: e.event_id,
        event_type: e.event_type,
        schema_version: e.schema_version,
        recorded_at,
        occurred_at: e.occurred_at,
        actor: e.actor,
        correlation_id: e.correlation_id,
        causation_id: e.causation_id,
        payload: e.payload,
        prev_hash,
        hash,
    };
    (record, log)
}

/// The store's clock reading, truncated to the microseconds it keeps.
pub fn now_micros() -> Timestamp {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
