//! Why an email could not be taken in.

use ticketflow_engine::CommandError;
use ticketflow_events::TicketKey;

/// Every reason intake refuses or fails on a message. Each message says what is wrong and
/// what is accepted, so the CLI and the HTTP endpoint can show it as it is.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The message is larger than the configured limit.
    #[error(
        "the message has {size} bytes, more than the {limit} bytes accepted; send large files through the portal"
    )]
    TooLarge {
        /// The message's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not an RFC 5322 message (no header fields could be read).
    #[error("the input is not an email message (RFC 5322): {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// The message has no usable `From` address.
    #[error(
        "the message has no sender: a `From:` header with an address such as ann@example.com is required"
    )]
    NoSender,
    /// The sender is not in the contact directory.
    #[error(
        "`{sender}` is not a known contact: add the address or its domain to the contact directory (contacts.toml) first"
    )]
    UnknownSender {
        /// The sender's address.
        sender: String,
    },
    /// The subject names a ticket that does not exist.
    #[error(
        "the subject refers to ticket {ticket}, which does not exist; remove the key from the subject to open a new request"
    )]
    UnknownTicket {
        /// The key found in the subject.
        ticket: TicketKey,
    },
    /// The contact directory file could not be read.
    #[error("cannot read the contact directory `{path}`: {reason}")]
    Directory {
        /// The file.
        path: String,
        /// What went wrong (I/O or TOML, with line and column).
        reason: String,
    },
    /// The engine refused or failed the command (e.g. the contact may not see the ticket).
    #[error("the email could not be recorded: {0}")]
    Command(#[from] CommandError),
    /// No free ticket key could be found (the key space is exhausted or keeps being taken).
    #[error("no free ticket key could be allocated for the new request: {reason}")]
    NoKey {
        /// Why.
        reason: String,
    },
}

impl IntakeError {
    /// True when the sender or the message is at fault (the 4xx side): a retry of the same
    /// message will fail the same way.
    pub fn is_caller_error(&self) -> bool {
        match self {
            IntakeError::Command(e) => e.is_caller_error(),
            IntakeError::Directory { .. } | IntakeError::NoKey { .. } => false,
            _ => true,
        }
    }
}
