//! The per-endpoint delivery log: one row per HTTP attempt, so an operator or integrator can
//! see what was sent, what the receiver answered and when the next retry is due.

use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;
use uuid::Uuid;

use crate::endpoint::EndpointId;

/// How many attempts the log keeps per endpoint; older ones are dropped.
pub const KEPT_ATTEMPTS_PER_ENDPOINT: i64 = 1000;

/// What one attempt got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status (2xx = delivered).
    Status {
        /// The status code.
        code: u16,
    },
    /// No answer: connection refused, timeout, TLS failure, ….
    Error {
        /// What went wrong.
        message: String,
    },
}

impl AttemptOutcome {
    /// True when the batch was delivered (a 2xx status).
    pub fn is_success(&self) -> bool {
        matches!(self, AttemptOutcome::Status { code } if (200..300).contains(code))
    }
}

/// One HTTP attempt to deliver a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The batch's delivery id (`Ticketflow-Delivery`), the same for every retry of a batch.
    pub delivery_id: Uuid,
    /// 1 for the first try of a batch, then 2, 3, ….
    pub attempt: u32,
    /// When the request was sent.
    pub attempted_at: Timestamp,
    /// Global position of the batch's first event.
    pub first_position: u64,
    /// Global position of the batch's last event.
    pub last_position: u64,
    /// What came back.
    pub outcome: AttemptOutcome,
    /// How long the request took, in milliseconds.
    pub duration_ms: u64,
    /// When the next try is due, if this one failed.
    pub next_retry_at: Option<Timestamp>,
}
