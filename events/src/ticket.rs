//! Events of the ticket aggregate (domain.md §2): intake, classification, priority, the
//! per-type workflows, comments and sharing, efforts, escalations and timers.
//!
//! Every status change is recorded as its own [`TicketStatusChanged`] event, right after the
//! fact that caused it (a reproduction, a resolution, a delivery…). Read models and the SLA
//! therefore learn a ticket's status from one event type, and entering or leaving
//! `Clarification required / On hold` is simply a `TicketStatusChanged` from or to it.
//!
//! Timers are events too: [`TicketTimersScheduled`] is emitted together with the transition
//! that starts them, [`TicketTimersCancelled`] when the status they belong to is left, and each
//! reminder ([`TicketClarificationReminderSent`]) or automatic close ([`TicketClosed`] naming
//! the timer) records that the timer fired, so a replay never fires it again.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codec::{CodecError, Payload, decode_as};
use crate::{DeliveryKey, Department, OrderKey, OrganisationId, Region, TicketKey, Timestamp};

mod legacy;
#[cfg(test)]
mod tests;
mod values;

pub use values::{
    AffectedSystem, Attachment, CloseReason, CommentAuthorKind, CommentVisibility, DeliveryVersion,
    DeliveryVersionError, EscalationLevel, EscalationReason, ForwardTarget, IntakeChannel,
    ResolutionOutcome, ScheduledTimer, SharedWith, TicketStatus, TimerId, TimerKind,
};

/// Priority of a Software Defect or Non-Software Defect (domain.md §2.3).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Priority {
    /// Critical, system availability: environment not reachable or unusable.
    P1,
    /// Critical, system availability: outage of the whole system or essential parts.
    P2,
    /// Major, software usability: reasonable work impossible; a workaround exists.
    P3,
    /// Minor, software usability: little or no impairment.
    P4,
}

impl Priority {
    /// Every priority, most critical first.
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    /// P1 and P2 concern system availability and are handled around the clock.
    pub fn is_critical(self) -> bool {
        matches!(self, Priority::P1 | Priority::P2)
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// The type of a ticket (domain.md §2.1, §2.2). Portal intake starts as `Incident` or
/// `Request`; support classifies into one of the seven final types and may reclassify.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TicketType {
    /// Unclassified incident from the portal.
    Incident,
    /// Unclassified request from the portal or email.
    Request,
    /// A fault in the code.
    SoftwareDefect,
    /// Configuration, infrastructure, certificates, storage, mail server, outage.
    NonSoftwareDefect,
    /// Billable time and material from the extended support budget.
    ConsultingRequest,
    /// Free support.
    SupportRequest,
    /// A customer-specific customisation or customer-driven standard extension.
    Customisation,
    /// A suggestion for product management.
    Suggestion,
    /// A delivery ticket (created by support only).
    Delivery,
}

impl TicketType {
    /// Defects are the types the SLA of §2.7 applies to.
    pub fn is_defect(self) -> bool {
        matches!(
            self,
            TicketType::SoftwareDefect | TicketType::NonSoftwareDefect
        )
    }
}

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

/// A scoping workshop for a customisation took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketScopingWorkshopHeld {
    /// When it was recorded.
    pub at: Timestamp,
    /// The day the workshop took place.
    pub held_on: NaiveDate,
    /// What came out of it.
    #[serde(default)]
    pub note: String,
}

/// A customisation was forwarded to development for an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketEstimateRequested {
    /// When.
    pub at: Timestamp,
}

/// Development provided the estimate of a customisation; it is valid until `valid_until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketEstimateProvided {
    /// When.
    pub at: Timestamp,
    /// Estimated effort in hours.
    pub effort_hours: u32,
    /// When the estimate expires if not ordered.
    pub valid_until: Timestamp,
}

/// The customer ordered the customisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketOrdered {
    /// When.
    pub at: Timestamp,
    /// The customisation order created for it, if already known.
    #[serde(default)]
    pub order: Option<OrderKey>,
}

/// The customer approved the customisation's concept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketConceptApproved {
    /// When.
    pub at: Timestamp,
}

/// The customisation's implementation was commissioned (→ `In Progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketImplementationCommissioned {
    /// When.
    pub at: Timestamp,
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

/// A comment was written. Schema version 2: version 1 had a boolean `internal` and a boolean
/// `by_customer` instead of `visibility` and `author_kind`, and no attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketCommented {
    /// When.
    pub at: Timestamp,
    /// Who wrote it (actor id).
    pub author: String,
    /// Customer or vendor staff.
    pub author_kind: CommentAuthorKind,
    /// Who may read it.
    pub visibility: CommentVisibility,
    /// The text.
    pub text: String,
    /// Files attached to the comment.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// Files were attached to the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketAttachmentsAdded {
    /// When.
    pub at: Timestamp,
    /// The files.
    pub attachments: Vec<Attachment>,
}

/// Who the ticket is shared with changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketSharingChanged {
    /// When.
    pub at: Timestamp,
    /// The new sharing.
    pub shared_with: SharedWith,
}

/// The confidential flag changed; `region` is the region whose agents may read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketConfidentialityChanged {
    /// When.
    pub at: Timestamp,
    /// Whether personal data is now confidential.
    pub confidential: bool,
    /// The ticket's region.
    pub region: Region,
}

/// A person switched notifications about this ticket on or off (domain.md §2.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketNotificationsChanged {
    /// When.
    pub at: Timestamp,
    /// The person (actor id).
    pub person: String,
    /// Whether they are now notified of every comment and change.
    pub enabled: bool,
}

/// Effort was booked on the ticket (billing, domain.md §2.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketEffortBooked {
    /// When it was booked.
    pub at: Timestamp,
    /// The department that performed it.
    pub department: Department,
    /// Minutes spent.
    pub minutes: u32,
    /// The day it was performed (decides the billing month).
    pub performed_on: NaiveDate,
    /// Who booked it.
    pub booked_by: String,
}

/// The ticket was escalated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketEscalated {
    /// When.
    pub at: Timestamp,
    /// To which level.
    pub level: EscalationLevel,
    /// Why.
    pub reason: EscalationReason,
    /// Who escalated it.
    pub by: String,
}

/// Sales or support recorded whether the customer has an extended support budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketSupportBudgetRecorded {
    /// When.
    pub at: Timestamp,
    /// Whether a budget is available.
    pub available: bool,
}

/// Timers were scheduled; they replace nothing — stale ones are cancelled explicitly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketTimersScheduled {
    /// When.
    pub at: Timestamp,
    /// The new timers.
    pub timers: Vec<ScheduledTimer>,
}

/// Timers were cancelled because their status was left or a customer comment restarted the
/// clarification count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketTimersCancelled {
    /// When.
    pub at: Timestamp,
    /// The cancelled timers.
    pub timers: Vec<TimerId>,
}

/// A clarification reminder was sent to the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketClarificationReminderSent {
    /// When.
    pub at: Timestamp,
    /// The timer that fired.
    pub timer: TimerId,
    /// Which reminder (1, 2, 3 by default).
    pub number: u8,
}

crate::payload!(
    TicketOpened = 1,
    TicketAccepted = 1,
    TicketClassified = 1,
    TicketReclassified = 1,
    TicketPrioritised = 1,
    TicketPriorityCleared = 1,
    TicketStatusChanged = 1,
    TicketClarificationRequested = 1,
    TicketWorkResumed = 1,
    TicketDefectReproduced = 1,
    TicketWorkaroundProvided = 1,
    TicketResolved = 1,
    TicketReadyForDelivery = 1,
    TicketDeliveryVersionChanged = 1,
    TicketDelivered = 1,
    TicketForwarded = 1,
    TicketScopingWorkshopHeld = 1,
    TicketEstimateRequested = 1,
    TicketEstimateProvided = 1,
    TicketOrdered = 1,
    TicketConceptApproved = 1,
    TicketImplementationCommissioned = 1,
    TicketReopened = 1,
    TicketClosed = 1,
    TicketAttachmentsAdded = 1,
    TicketSharingChanged = 1,
    TicketConfidentialityChanged = 1,
    TicketNotificationsChanged = 1,
    TicketEffortBooked = 1,
    TicketEscalated = 1,
    TicketSupportBudgetRecorded = 1,
    TicketTimersScheduled = 1,
    TicketTimersCancelled = 1,
    TicketClarificationReminderSent = 1,
);

impl Payload for TicketCommented {
    const TYPE: &'static str = "TicketCommented";
    const VERSION: u16 = 2;

    fn upcast(version: u16, bytes: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => decode_as::<legacy::TicketCommentedV1>(Self::TYPE, version, bytes)
                .map(legacy::TicketCommentedV1::upcast),
            _ => Err(CodecError::UnknownSchemaVersion {
                event_type: Self::TYPE,
                found: version,
                supported: Self::VERSION,
            }),
        }
    }
}

crate::event_set! {
    /// Every event of a ticket stream.
    pub enum TicketEvent in "ticket" {
        TicketOpened,
        TicketAccepted,
        TicketClassified,
        TicketReclassified,
        TicketPrioritised,
        TicketPriorityCleared,
        TicketStatusChanged,
        TicketClarificationRequested,
        TicketWorkResumed,
        TicketDefectReproduced,
        TicketWorkaroundProvided,
        TicketResolved,
        TicketReadyForDelivery,
        TicketDeliveryVersionChanged,
        TicketDelivered,
        TicketForwarded,
        TicketScopingWorkshopHeld,
        TicketEstimateRequested,
        TicketEstimateProvided,
        TicketOrdered,
        TicketConceptApproved,
        TicketImplementationCommissioned,
        TicketReopened,
        TicketClosed,
        TicketCommented,
        TicketAttachmentsAdded,
        TicketSharingChanged,
        TicketConfidentialityChanged,
        TicketNotificationsChanged,
        TicketEffortBooked,
        TicketEscalated,
        TicketSupportBudgetRecorded,
        TicketTimersScheduled,
        TicketTimersCancelled,
        TicketClarificationReminderSent,
    }
}

impl TicketEvent {
    /// Business time of the event (every payload carries it as `at`).
    pub fn at(&self) -> Timestamp {
        match self {
            TicketEvent::TicketOpened(e) => e.at,
            TicketEvent::TicketAccepted(e) => e.at,
            TicketEvent::TicketClassified(e) => e.at,
            TicketEvent::TicketReclassified(e) => e.at,
            TicketEvent::TicketPrioritised(e) => e.at,
            TicketEvent::TicketPriorityCleared(e) => e.at,
            TicketEvent::TicketStatusChanged(e) => e.at,
            TicketEvent::TicketClarificationRequested(e) => e.at,
            TicketEvent::TicketWorkResumed(e) => e.at,
            TicketEvent::TicketDefectReproduced(e) => e.at,
            TicketEvent::TicketWorkaroundProvided(e) => e.at,
            TicketEvent::TicketResolved(e) => e.at,
            TicketEvent::TicketReadyForDelivery(e) => e.at,
            TicketEvent::TicketDeliveryVersionChanged(e) => e.at,
            TicketEvent::TicketDelivered(e) => e.at,
            TicketEvent::TicketForwarded(e) => e.at,
            TicketEvent::TicketScopingWorkshopHeld(e) => e.at,
            TicketEvent::TicketEstimateRequested(e) => e.at,
            TicketEvent::TicketEstimateProvided(e) => e.at,
            TicketEvent::TicketOrdered(e) => e.at,
            TicketEvent::TicketConceptApproved(e) => e.at,
            TicketEvent::TicketImplementationCommissioned(e) => e.at,
            TicketEvent::TicketReopened(e) => e.at,
            TicketEvent::TicketClosed(e) => e.at,
            TicketEvent::TicketCommented(e) => e.at,
            TicketEvent::TicketAttachmentsAdded(e) => e.at,
            TicketEvent::TicketSharingChanged(e) => e.at,
            TicketEvent::TicketConfidentialityChanged(e) => e.at,
            TicketEvent::TicketNotificationsChanged(e) => e.at,
            TicketEvent::TicketEffortBooked(e) => e.at,
            TicketEvent::TicketEscalated(e) => e.at,
            TicketEvent::TicketSupportBudgetRecorded(e) => e.at,
            TicketEvent::TicketTimersScheduled(e) => e.at,
            TicketEvent::TicketTimersCancelled(e) => e.at,
            TicketEvent::TicketClarificationReminderSent(e) => e.at,
        }
    }
}
