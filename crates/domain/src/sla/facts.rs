//! The facts of a ticket's history that the SLA depends on.
//!
//! The SLA is computed from these rather than from ticket events directly, so that the rules
//! stay independent of how the ticket aggregate names and shapes its events: an adapter maps
//! each ticket event to zero or more facts (see docs/sla.md, "Facts").

use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::Priority;

/// One timed fact of a ticket's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaFact {
    /// Business time of the fact (the event's `at`).
    pub at: Timestamp,
    /// What happened.
    pub kind: SlaFactKind,
}

impl SlaFact {
    /// A fact at an instant.
    pub fn new(at: Timestamp, kind: SlaFactKind) -> Self {
        SlaFact { at, kind }
    }
}

/// What happened, as far as the SLA is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "kebab-case")]
pub enum SlaFactKind {
    /// The ticket was received (created by portal or email). Starts the reaction clock.
    /// If missing, the first fact counts as receipt.
    Received,
    /// A priority was set or changed. The first one applies from receipt; later ones
    /// re-target the running clocks from their instant on.
    PrioritySet {
        /// The new priority.
        priority: Priority,
    },
    /// A support agent accepted the ticket. Stops the reaction clock and starts the first
    /// restoration cycle. Later acceptances change nothing.
    Accepted,
    /// The ticket entered `Clarification required / On hold`.
    Paused,
    /// The ticket left `Clarification required / On hold` for a working status.
    Resumed,
    /// A workaround was provided to the customer: restores the service unless the policy
    /// says only resolution does.
    WorkaroundProvided,
    /// The ticket was set `Resolved`: restores the service; also ends a pause.
    Resolved,
    /// The ticket was reopened after restoration (e.g. the fix did not work, or the customer
    /// reopened a resolved ticket): starts a new restoration cycle; also ends a pause.
    Reopened,
    /// The ticket was classified as a type the SLA does not cover (not a defect).
    NotApplicable,
    /// The ticket was classified (back) as a Software or Non-Software Defect.
    Applicable,
}

impl SlaFactKind {
    /// A stable kebab-case name, as serialised.
    pub fn name(&self) -> &'static str {
        match self {
            SlaFactKind::Received => "received",
            SlaFactKind::PrioritySet { .. } => "priority-set",
            SlaFactKind::Accepted => "accepted",
            SlaFactKind::Paused => "paused",
            SlaFactKind::Resumed => "resumed",
            SlaFactKind::WorkaroundProvided => "workaround-provided",
            SlaFactKind::Resolved => "resolved",
            SlaFactKind::Reopened => "reopened",
            SlaFactKind::NotApplicable => "not-applicable",
            SlaFactKind::Applicable => "applicable",
        }
    }
}
