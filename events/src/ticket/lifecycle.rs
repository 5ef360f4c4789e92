//! Events of a ticket's life: intake, acceptance, classification, priority, the workflow
//! transitions of every type, reopening and closing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AffectedSystem, Attachment, CloseReason, DeliveryVersion, ForwardTarget, IntakeChannel,
    Priority, ResolutionOutcome, SharedWith, TicketStatus, TicketType, TimerId,
};
use crate::{DeliveryKey, OrganisationId, Region, TicketKey, Timestamp};

/// A ticket was opened from the portal or from an email. Status `Open`; receipt time for
/// the SLA's reaction time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketOpened {
    /// When the ticket was received.
    pub at: Timestamp,
    /// The ticket's key.
    pub key: TicketKey,
    /// Portal or email.
    pub channel: IntakeChannel,
    /// `Incident` or `Request` (email: always `Request`).
    pub ticket_type: TicketType,
    /// The customer organisation the ticket belongs to.
    pub organisation: OrganisationId,
    /// The region whose support agents handle it and whose calendar applies.
    pub region: Region,
    /// Who created it: the portal user's id, or the email sender.
    pub creator: String,
    /// One-line summary (email: the subject).
    pub summary: String,
    /// Description (email: the body).
    pub description: String,
    /// Who besides the creator sees it (email: always the organisation).
    pub shared_with: SharedWith,
    /// Incident only: the affected system.
    #[serde(default)]
    pub affected_system: Option<AffectedSystem>,
    /// Incident only: whether the system is reachable.
    #[serde(default)]
    pub system_reachable: Option<bool>,
    /// Where it happened (required for an incident, optional for a request).
    #[serde(default)]
    pub url: Option<String>,
    /// The customer's own reference.
    #[serde(default)]
    pub customer_reference: Option<String>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Whether personal data in the ticket is confidential.
    #[serde(default)]
    pub confidential: bool,
    /// Whether the customer has an extended support budget (needed to forward a consulting
    /// request), as known at intake.
    #[serde(default)]
    pub extended_support_budget: bool,
}

/// A support agent accepted the ticket: the SLA's reaction time ends here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketAccepted {
    /// When.
    pub at: Timestamp,
    /// The accepting support agent.
    pub agent: String,
}

/// Support classified an `Incident` or `Request` into its final type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketClassified {
    /// When.
    pub at: Timestamp,
    /// The intake type (`Incident` or `Request`).
    pub from: TicketType,
    /// The final type.
    pub to: TicketType,
}

/// A classified ticket changed its type, e.g. development found no defect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketReclassified {
    /// When.
    pub at: Timestamp,
    /// The previous type.
    pub from: TicketType,
    /// The new type.
    pub to: TicketType,
    /// Why, in words.
    #[serde(default)]
    pub reason: String,
}

/// A defect's priority was set or changed; the SLA re-targets from here and keeps both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketPrioritised {
    /// When.
    pub at: Timestamp,
    /// The previous priority, if any.
    #[serde(default)]
    pub from: Option<Priority>,
    /// The new priority.
    pub to: Priority,
}

/// A priority was dropped because the ticket was reclassified into a type without priorities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketPriorityCleared {
    /// When.
    pub at: Timestamp,
    /// The priority it had.
    pub from: Priority,
}

/// The ticket's status changed. Always follows the fact that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketStatusChanged {
    /// When.
    pub at: Timestamp,
    /// The status left.
    pub from: TicketStatus,
    /// The status entered.
    pub to: TicketStatus,
}

/// Support asked the customer for information (→ `Clarification required / On hold`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketClarificationRequested {
    /// When.
    pub at: Timestamp,
    /// What the customer is asked.
    pub question: String,
}

/// Support resumed work after a clarification (back to the status before it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketWorkResumed {
    /// When.
    pub at: Timestamp,
}

/// Support reproduced a software defect on the customer's reference system and handed it to
/// development (→ `In Progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketDefectReproduced {
    /// When.
    pub at: Timestamp,
    /// Which reference system it was reproduced on.
    pub reference_system: String,
}

/// Support provided a workaround: the SLA's restoration time ends at the first of this and
/// `Resolved`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketWorkaroundProvided {
    /// When.
    pub at: Timestamp,
    /// The workaround.
    pub description: String,
}

/// Support set the ticket `Resolved` without a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketResolved {
    /// When.
    pub at: Timestamp,
    /// Why.
    pub outcome: ResolutionOutcome,
    /// The answer or explanation given to the customer.
    #[serde(default)]
    pub note: String,
}

/// A fix, configuration or implementation is ready and waits for a delivery
/// (→ `Delivery Pending`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketReadyForDelivery {
    /// When.
    pub at: Timestamp,
    /// The version it will be delivered with.
    pub delivery_version: DeliveryVersion,
}

/// The version a pending fix will be delivered with changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketDeliveryVersionChanged {
    /// When.
    pub at: Timestamp,
    /// The previous version.
    pub from: DeliveryVersion,
    /// The new version.
    pub to: DeliveryVersion,
}

/// A delivery including this ticket was delivered or installed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketDelivered {
    /// When.
    pub at: Timestamp,
    /// The delivery ticket.
    pub delivery: DeliveryKey,
}

/// The ticket was forwarded to another department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketForwarded {
    /// When.
    pub at: Timestamp,
    /// To whom.
    pub to: ForwardTarget,
}

/// Support reopened a resolved ticket because the customer reported that the solution does
/// not work (→ `Open`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketReopened {
    /// When.
    pub at: Timestamp,
    /// Why, in words.
    pub reason: String,
}

/// The ticket was closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketClosed {
    /// When.
    pub at: Timestamp,
    /// Why.
    pub reason: CloseReason,
    /// The timer that closed it automatically, if any.
    #[serde(default)]
    pub timer: Option<TimerId>,
}
