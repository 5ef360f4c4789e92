//! Events of the ticket aggregate. (Placeholder vocabulary, to be completed.)

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

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

/// A ticket was opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketOpened {
    /// When.
    pub at: Timestamp,
}

crate::payload!(TicketOpened = 1);

crate::event_set! {
    /// Every event of a ticket stream.
    pub enum TicketEvent in "ticket" {
        TicketOpened,
    }
}
