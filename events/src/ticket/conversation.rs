//! Events around the work: comments, attachments, sharing, confidentiality, notification
//! choices, effort bookings, escalations and the extended support budget.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Attachment, CommentAuthorKind, CommentVisibility, EscalationLevel, EscalationReason, SharedWith,
};
use crate::{Department, Region, Timestamp};

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
