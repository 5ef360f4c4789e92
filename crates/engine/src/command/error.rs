//! Why a command did not record anything, split the way callers need it: what they can act
//! on (a refusal, a conflict) versus what broke inside (the store, an undecodable event).

use ticketflow_domain::delivery::DeliveryError;
use ticketflow_domain::order::OrderError;
use ticketflow_domain::ticket::TicketError;
use ticketflow_events::{CodecError, StreamId};
use ticketflow_store::StoreError;

/// The domain's refusal of a command, kept typed so callers can match on it; its message is
/// the domain's own (naming the current status and what is allowed).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// A ticket refused the command.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// A customisation order refused the command.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// A delivery refused the command.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

/// Everything [`crate::Engine::execute`] can answer instead of an outcome.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The aggregate refused the command; nothing was recorded.
    #[error("`{command}` on `{stream}` was refused: {refusal}")]
    Refused {
        /// The addressed stream.
        stream: StreamId,
        /// The command's snake_case name.
        command: &'static str,
        /// The domain's reason (boxed: refusals carry lists of allowed commands, and the error
        /// travels through every `Result` of the engine).
        refusal: Box<Refusal>,
    },
    /// The caller fixed the expected version and the stream is elsewhere; nothing was
    /// recorded. Reload, look at what changed, and decide whether to send the command again.
    #[error(
        "`{command}` on `{stream}` expected version {expected} but the stream is at {}; reload it and send the command again if it still applies",
        actual.map_or_else(|| "no version (it does not exist)".to_owned(), |v| format!("version {v}"))
    )]
    Conflict {
        /// The addressed stream.
        stream: StreamId,
        /// The command's snake_case name.
        command: &'static str,
        /// The version the caller expected.
        expected: u64,
        /// The stream's actual version.
        actual: Option<u64>,
    },
    /// Other writers kept changing the stream between our read and our append.
    #[error(
        "`{command}` on `{stream}` kept conflicting with concurrent writers ({attempts} attempts); try again later"
    )]
    TooManyConflicts {
        /// The addressed stream.
        stream: StreamId,
        /// The command's snake_case name.
        command: &'static str,
        /// How often it was decided and appended.
        attempts: u32,
    },
    /// A recorded event of the stream could not be read, so no decision could be made.
    #[error("cannot read stream `{stream}` to decide on it: {source}")]
    Codec {
        /// The stream being loaded.
        stream: StreamId,
        /// What the codec said.
        source: CodecError,
    },
    /// A recorded event belongs to another aggregate's vocabulary than its stream's.
    #[error(
        "stream `{stream}` holds an event of type `{event_type}` which is not one of its aggregate's events; the log is inconsistent"
    )]
    ForeignEvent {
        /// The stream being loaded.
        stream: StreamId,
        /// The unexpected type.
        event_type: String,
    },
    /// The store failed (I/O, damaged file, closed); the command may be retried with the same
    /// idempotency key.
    #[error("the event store failed: {0}")]
    Store(#[from] StoreError),
}

impl CommandError {
    /// True when the caller can act on the error (refusal, conflict): the 4xx side.
    pub fn is_caller_error(&self) -> bool {
        match self {
            CommandError::Refused { .. } | CommandError::Conflict { .. } => true,
            CommandError::Store(e) => e.is_caller_error(),
            _ => false,
        }
    }

    /// The domain's refusal, if this is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            CommandError::Refused { refusal, .. } => Some(refusal.as_ref()),
            _ => None,
        }
    }
}
