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

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::codec::{CodecError, Payload, decode_as};

mod conversation;
mod customisation;
mod legacy;
mod lifecycle;
#[cfg(test)]
mod tests;
mod timers;
mod values;

pub use conversation::*;
pub use customisation::*;
pub use lifecycle::*;
pub use timers::*;

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
    TicketSlaNoticeRecorded = 1,
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
        TicketSlaNoticeRecorded,
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
            TicketEvent::TicketSlaNoticeRecorded(e) => e.at,
        }
    }
}
