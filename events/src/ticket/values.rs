//! Value types carried by ticket events: statuses, intake fields, delivery versions, timers,
//! escalation levels. Their serde spelling is part of the wire contract and never changes.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Where a ticket came from (domain.md §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IntakeChannel {
    /// The customer filled in the portal form.
    Portal,
    /// The customer wrote an email to the desk.
    Email,
}

/// Which system an incident affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AffectedSystem {
    /// The customer's production system.
    Production,
    /// A test, staging or other non-production system.
    NonProduction,
}

/// Who besides the creator sees a ticket (domain.md §1, "Sharing").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SharedWith {
    /// Every contact of the customer organisation sees the ticket.
    Organisation,
    /// Only the creator (and the vendor) sees the ticket.
    Nobody,
}

/// Metadata of an attached file. The file itself lives in blob storage, addressed by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// File name as the customer gave it.
    pub name: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the content, 64 lower-case hex digits.
    pub content_hash: String,
}

/// The statuses of a ticket (domain.md §2.4). Which ones a ticket passes through depends on
/// its type; the domain refuses every transition its workflow does not list.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TicketStatus {
    /// Waiting for support.
    Open,
    /// `Clarification required / On hold`: waiting for the customer.
    ClarificationRequired,
    /// Being worked on by development, Technical Services or Managed Services.
    InProgress,
    /// A fix, configuration or implementation waits for the next delivery.
    DeliveryPending,
    /// Answered or fixed; waiting for the customer to confirm.
    Resolved,
    /// Finished; nothing more happens except effort bookings.
    Closed,
    /// Customisation: development is estimating the effort.
    EstimationInProgress,
    /// Customisation: the estimate is available, sales makes an offer.
    EstimationAvailable,
    /// Customisation: the customer ordered it.
    Ordered,
    /// Customisation: the customer approved the concept.
    ConceptApproved,
}

impl TicketStatus {
    /// The name shown to users, as on the vendor's desk.
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Open => "Open",
            TicketStatus::ClarificationRequired => "Clarification required / On hold",
            TicketStatus::InProgress => "In Progress",
            TicketStatus::DeliveryPending => "Delivery Pending",
            TicketStatus::Resolved => "Resolved",
            TicketStatus::Closed => "Closed",
            TicketStatus::EstimationInProgress => "Estimation in progress",
            TicketStatus::EstimationAvailable => "Estimation available",
            TicketStatus::Ordered => "Ordered",
            TicketStatus::ConceptApproved => "Concept approved",
        }
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The version a fix, configuration or implementation is delivered with: a patch version
/// ([`crate::delivery::PatchVersion`], e.g. `14.21.3.1`), or `CUSTOM` (built for this customer's codeline only and
/// included automatically in the customer's next delivery, whatever its version).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct DeliveryVersion(String);

/// A delivery version that is neither a patch version nor `CUSTOM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a delivery version: expected a patch version of 2 to 6 dot-separated numbers such as 14.21.3.1, or CUSTOM"
)]
pub struct DeliveryVersionError {
    /// The rejected input (truncated to 64 characters).
    pub given: String,
}

impl DeliveryVersion {
    /// The text of a customer-specific delivery.
    pub const CUSTOM_TEXT: &'static str = "CUSTOM";

    /// The customer-specific version `CUSTOM`.
    pub fn custom() -> Self {
        DeliveryVersion(Self::CUSTOM_TEXT.to_owned())
    }

    /// True for `CUSTOM`.
    pub fn is_custom(&self) -> bool {
        self.0 == Self::CUSTOM_TEXT
    }

    /// The version as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The patch version, unless this is `CUSTOM`.
    pub fn patch(&self) -> Option<crate::delivery::PatchVersion> {
        self.0.parse().ok()
    }
}

impl FromStr for DeliveryVersion {
    type Err = DeliveryVersionError;
    fn from_str(s: &str) -> Result<Self, DeliveryVersionError> {
        if s == Self::CUSTOM_TEXT {
            return Ok(Self::custom());
        }
        match s.parse::<crate::delivery::PatchVersion>() {
            Ok(_) => Ok(DeliveryVersion(s.to_owned())),
            Err(_) => Err(DeliveryVersionError {
                given: s.chars().take(64).collect(),
            }),
        }
    }
}

impl TryFrom<String> for DeliveryVersion {
    type Error = DeliveryVersionError;
    fn try_from(s: String) -> Result<Self, DeliveryVersionError> {
        s.parse()
    }
}

impl From<DeliveryVersion> for String {
    fn from(v: DeliveryVersion) -> String {
        v.0
    }
}

impl fmt::Display for DeliveryVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why support set a ticket `Resolved` (domain.md §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ResolutionOutcome {
    /// The question was answered (Consulting or Support Request).
    Answered,
    /// Support or operations fixed it (Non-Software Defect).
    FixedBySupport,
    /// Development found no defect.
    NoDefect,
    /// The behaviour is the specified standard behaviour.
    StandardBehaviour,
    /// A misconfiguration caused it.
    Misconfiguration,
    /// A fix was rejected for business or economic reasons.
    RejectedForBusinessReasons,
}

/// Where a ticket was forwarded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardTarget {
    /// Technical questions of a Consulting Request.
    TechnicalServices,
    /// Configuration and consulting work of a Consulting Request.
    ManagedServices,
    /// Suggestions, reviewed quarterly.
    ProductManagement,
}

/// Why a ticket was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CloseReason {
    /// The customer confirmed the resolution (action or confirming comment).
    ConfirmedByCustomer,
    /// No answer within the configured days after `Resolved`.
    NoAnswerAfterResolution,
    /// No answer to a clarification within the configured days.
    ClarificationUnanswered,
    /// The estimate expired without an order.
    EstimateExpired,
    /// The offer for a customisation was not ordered.
    NotOrdered,
    /// The customisation was delivered.
    Delivered,
}

/// Who wrote a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CommentAuthorKind {
    /// A contact of the customer organisation.
    Customer,
    /// Vendor staff.
    Vendor,
}

/// Who may read a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CommentVisibility {
    /// Everyone who sees the ticket.
    Public,
    /// Vendor staff only; customers never write or read these.
    Internal,
}

/// The five escalation levels (domain.md §2.8), lowest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum EscalationLevel {
    /// 1: the customer's personal support contact.
    PersonalContact,
    /// 2: the support team lead (DACH or International).
    TeamLead,
    /// 3: the head of support.
    HeadOfSupport,
    /// 4: the head of customer services.
    HeadOfCustomerServices,
    /// 5: the executive board.
    ExecutiveBoard,
}

impl EscalationLevel {
    /// The level's number, 1 to 5.
    pub fn number(self) -> u8 {
        match self {
            EscalationLevel::PersonalContact => 1,
            EscalationLevel::TeamLead => 2,
            EscalationLevel::HeadOfSupport => 3,
            EscalationLevel::HeadOfCustomerServices => 4,
            EscalationLevel::ExecutiveBoard => 5,
        }
    }
}

/// Why a ticket was escalated (domain.md §2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EscalationReason {
    /// The reaction time target was exceeded.
    ReactionTimeExceeded,
    /// The restoration time target was exceeded.
    RestorationTimeExceeded,
    /// The customer is unhappy with the handling of the ticket.
    Handling,
    /// The customer is unhappy with the product quality.
    ProductQuality,
}

/// Identifies one scheduled timer of one ticket. Ids are handed out in order and never
/// reused, so the scheduler can derive an idempotent command id from ticket key and timer id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct TimerId(pub u64);

impl fmt::Display for TimerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timer {}", self.0)
    }
}

/// What happens when a timer fires (domain.md §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TimerKind {
    /// Close a resolved ticket the customer did not answer.
    ResolvedAutoClose,
    /// Remind the customer of an open clarification; `number` counts from 1.
    ClarificationReminder {
        /// Which reminder this is (1, 2, 3 by default).
        number: u8,
    },
    /// Close a ticket whose clarification was never answered.
    ClarificationAutoClose,
    /// Close a customisation whose estimate expired unordered.
    EstimationExpiry,
}

/// A timer that will fire at `due_at` unless the ticket's status changes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct ScheduledTimer {
    /// The timer's id within its ticket.
    pub id: TimerId,
    /// What it does.
    pub kind: TimerKind,
    /// When it becomes due.
    pub due_at: Timestamp,
}
