//! What can go wrong when registering endpoints or reading the delivery log.

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is not an absolute http:// or https:// address with a host.
    #[error(
        "`{url}` is not a webhook URL: expected an absolute http:// or https:// address with a host"
    )]
    InvalidUrl {
        /// The rejected URL (cut to 200 characters).
        url: String,
    },
    /// A filter names something that cannot be a stream id.
    #[error("the filter's stream `{stream}` is not a stream id such as `ticket-SD-1042`")]
    InvalidStream {
        /// The rejected stream id.
        stream: String,
    },
    /// A filter names an event type the vocabulary does not have.
    #[error(
        "the filter's event type `{event_type}` is not an event type; the types are listed in schemas/events.json (e.g. TicketOpened)"
    )]
    UnknownEventType {
        /// The rejected name.
        event_type: String,
    },
    /// A filter names a category that has no streams.
    #[error(
        "the filter's category `{category}` is not a stream category; expected ticket, order or delivery"
    )]
    UnknownCategory {
        /// The rejected name.
        category: String,
    },
    /// No endpoint has this id.
    #[error("no webhook endpoint has the id `{id}`; `list` shows the registered ones")]
    UnknownEndpoint {
        /// The id asked for.
        id: String,
    },
    /// The text is not an endpoint id.
    #[error(
        "`{given}` is not a webhook endpoint id: expected a UUID such as 0192f5e0-7c1a-7d3e-8f00-1234567890ab"
    )]
    MalformedId {
        /// The rejected text (cut to 64 characters).
        given: String,
    },
    /// The registry file could not be created with owner-only permissions.
    #[error(
        "cannot create the webhook registry `{path}` readable by its owner only: {source}; check that the data directory exists and is writable"
    )]
    Create {
        /// The file.
        path: String,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The registry file could not be created or read.
    #[error("cannot use the webhook registry `{path}`: {source}")]
    Open {
        /// The file.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The registry file failed while in use (disk full, damaged file).
    #[error("the webhook registry failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A stored row could not be read back (damaged or edited by hand).
    #[error("the webhook registry holds an unreadable {what}: {reason}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why it could not be read.
        reason: String,
    },
}

impl WebhookError {
    /// True when the caller can fix the request (bad URL, unknown id): the 4xx side.
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            WebhookError::InvalidUrl { .. }
                | WebhookError::InvalidStream { .. }
                | WebhookError::UnknownEventType { .. }
                | WebhookError::UnknownCategory { .. }
                | WebhookError::UnknownEndpoint { .. }
                | WebhookError::MalformedId { .. }
        )
    }
}

/// Why a signature header did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=<unix seconds>,v1=<hex>`.
    #[error(
        "the Ticketflow-Signature header is malformed: expected `t=<unix seconds>,v1=<64 hex digits>`"
    )]
    Malformed,
    /// The timestamp is further from now than the tolerance: possibly a replayed request.
    #[error(
        "the signature's timestamp is {age_secs} s away from now, more than the tolerated {tolerance_secs} s; the request may be a replay"
    )]
    OutsideTolerance {
        /// Distance between the signed time and now, in seconds.
        age_secs: i64,
        /// The tolerance, in seconds.
        tolerance_secs: i64,
    },
    /// No `v1` signature matches the body and the secret.
    #[error(
        "no v1 signature matches the body; check the endpoint's secret (it changes when rotated)"
    )]
    Mismatch,
}
