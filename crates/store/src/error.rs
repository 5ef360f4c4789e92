//! What can go wrong in a store, as sentences an operator or caller can act on.
//!
//! The variants separate what the *caller* did (a wrong expected version, an oversized event,
//! a reused event id: answer them, change nothing) from what is wrong with the *store*
//! (damaged file, newer format, full disk, I/O: log it, alert the operator). Use
//! [`StoreError::is_caller_error`] to tell them apart, e.g. for a 4xx/5xx split.

use std::path::PathBuf;

use ticketflow_events::StreamId;
use uuid::Uuid;

use crate::append::ExpectedVersion;

/// Every error a store answers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The stream is not at the version the caller expected; only this append failed.
    #[error(
        "append to stream `{stream}` expected {expected} but the stream is at {}; reload the stream and decide again",
        actual.map_or_else(|| "no version (it does not exist)".to_owned(), |v| format!("version {v}"))
    )]
    WrongExpectedVersion {
        /// The stream appended to.
        stream: StreamId,
        /// What the caller expected.
        expected: ExpectedVersion,
        /// The stream's actual last version, `None` when it does not exist.
        actual: Option<u64>,
    },

    /// An event id was already recorded as part of a different append.
    #[error(
        "event id {event_id} was already recorded {detail}; an event id may only be reused to retry the identical append"
    )]
    IdempotencyConflict {
        /// The reused event id.
        event_id: Uuid,
        /// How the earlier record differs from this append.
        detail: String,
    },

    /// One event is larger than the configured limit.
    #[error(
        "event {event_id} is {size} bytes, more than the limit of {limit} bytes per event; split the payload or raise `max_event_bytes`"
    )]
    EventTooLarge {
        /// The refused event.
        event_id: Uuid,
        /// Its size (payload plus metadata) in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },

    /// An append carried no events.
    #[error("an append to stream `{stream}` must carry at least one event")]
    EmptyAppend {
        /// The stream appended to.
        stream: StreamId,
    },

    /// The same event id appears twice in one append.
    #[error("event id {event_id} appears twice in one append; every event needs its own id")]
    DuplicateIdInAppend {
        /// The repeated id.
        event_id: Uuid,
    },

    /// The file was written by a newer store format; it was not touched.
    #[error(
        "the store file {path} has format version {found}, but this program understands up to version {supported}; upgrade Ticketflow (the file was not modified)"
    )]
    NewerFormat {
        /// The store file.
        path: PathBuf,
        /// The format version in the file.
        found: i64,
        /// The newest format this build understands.
        supported: i64,
    },

    /// A read-only view met a file in an older format, which only a writer can migrate.
    #[error(
        "the store file {path} is in store format {found}, which read-only commands cannot read; open it once with `ticketflow serve` (or `ticketflow import`) to migrate it, or restore a backup (the file was not modified)"
    )]
    OlderFormat {
        /// The store file.
        path: PathBuf,
        /// The format version in the file.
        found: i64,
    },

    /// The file is a database but not a Ticketflow store; it was not touched.
    #[error(
        "{path} is not a Ticketflow event store ({detail}); check the path (the file was not modified)"
    )]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },

    /// The file is damaged (truncated, overwritten); nothing was rewritten.
    #[error(
        "the store file {path} is damaged: {detail}; stop writers, keep the file for analysis and restore the last backup (see docs/operations.md); nothing was rewritten"
    )]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What SQLite or the store noticed.
        detail: String,
    },

    /// A record could not be decoded into an envelope.
    #[error(
        "the event at global position {position} cannot be read: {detail}; run `verify` and restore from backup if it reports a break"
    )]
    UnreadableRecord {
        /// Global position of the row.
        position: u64,
        /// What is wrong with it.
        detail: String,
    },

    /// The disk is full; the batch was rolled back and nothing acknowledged was lost.
    #[error(
        "the disk holding {path} is full; the append was not recorded (earlier events are safe); free space and retry"
    )]
    DiskFull {
        /// The store file.
        path: PathBuf,
    },

    /// Any other storage or file-system failure.
    ///
    /// The cause is kept as text so that one failed group commit can answer every caller in
    /// the batch with the same error.
    #[error("the store at {path} failed while {action}: {detail}")]
    Storage {
        /// The store file.
        path: PathBuf,
        /// What the store was doing.
        action: &'static str,
        /// The underlying error.
        detail: String,
    },

    /// Another process (or another open handle in this one) has the store open for writing.
    #[error(
        "the store file {path} is open in another process (it holds the lock {lock}); stop that process (e.g. `ticketflow serve` or `demo`) or use a read-only command, then retry"
    )]
    Locked {
        /// The store file.
        path: PathBuf,
        /// The lock file another writer holds.
        lock: PathBuf,
    },

    /// The store was closed or its writer stopped.
    #[error("the event store is closed{}", if reason.is_empty() { String::new() } else { format!(": {reason}") })]
    Closed {
        /// Why, if known.
        reason: String,
    },
}

impl StoreError {
    /// True when the caller's request was at fault (answer it, 4xx), false when the store is
    /// (log and alert, 5xx).
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            StoreError::WrongExpectedVersion { .. }
                | StoreError::IdempotencyConflict { .. }
                | StoreError::EventTooLarge { .. }
                | StoreError::EmptyAppend { .. }
                | StoreError::DuplicateIdInAppend { .. }
        )
    }
}

/// Shorthand for results of store operations.
pub type StoreResult<T> = Result<T, StoreError>;
