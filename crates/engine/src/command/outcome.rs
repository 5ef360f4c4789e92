//! What a caller adds to a command, and what an accepted command answers.

use ticketflow_events::{StreamId, Timestamp};
use uuid::Uuid;

/// What the caller adds to a command besides the command itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOptions {
    /// Decide only if the stream is exactly at this version (0 = it must not exist); on a
    /// mismatch report a [`CommandError::Conflict`] instead of retrying.
    pub expected_version: Option<u64>,
    /// Retrying with the same key answers the first outcome and records nothing twice.
    pub idempotency_key: Option<String>,
    /// Groups the events with others of the same request or process (default: the id of the
    /// command's first event).
    pub correlation_id: Option<Uuid>,
    /// The event that caused this command, e.g. for timers and process managers.
    pub causation_id: Option<Uuid>,
}

impl CommandOptions {
    /// Options with only an idempotency key.
    pub fn with_key(key: impl Into<String>) -> Self {
        CommandOptions {
            idempotency_key: Some(key.into()),
            ..CommandOptions::default()
        }
    }
}

/// One event a command recorded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSummary {
    /// The event's id.
    pub event_id: Uuid,
    /// Its stable type name, e.g. `TicketClosed`.
    pub event_type: String,
    /// Its version in the stream.
    pub stream_version: u64,
    /// Its position in the global log.
    pub global_position: u64,
    /// Business time it carries.
    pub occurred_at: Timestamp,
}

/// What an accepted command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The stream written to.
    pub stream: StreamId,
    /// The command's snake_case name.
    pub command: &'static str,
    /// The events recorded, in order (empty when the decision had nothing to record).
    pub events: Vec<RecordedSummary>,
    /// The stream's version after the command.
    pub stream_version: u64,
    /// True when an earlier try with the same idempotency key had recorded these events and
    /// nothing was decided now.
    pub replayed: bool,
    /// How many times the command was decided (1 unless it lost races with other writers; 0
    /// for a replay, which decides nothing).
    pub attempts: u32,
}
