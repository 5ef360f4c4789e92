//! What callers may ask of a ticket.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ticketflow_events::ticket::{
    AffectedSystem, Attachment, CommentVisibility, EscalationLevel, EscalationReason,
    ForwardTarget, Priority, ResolutionOutcome, SharedWith, SlaNoticeClock, SlaNoticeKind,
    TicketType, TimerId,
};
use ticketflow_events::{DeliveryKey, Department, OrderKey, OrganisationId, Region, TicketKey};

/// The portal form a customer fills in (domain.md §2.1). Fields the form may leave empty are
/// optional here, so that a missing one is refused with a message naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PortalForm {
    /// `incident` or `request`.
    pub ticket_type: TicketType,
    /// One-line summary (required).
    pub summary: String,
    /// Description (required).
    pub description: String,
    /// `organisation` or `nobody` (required).
    #[serde(default)]
    pub share_with: Option<SharedWith>,
    /// Incident: `production` or `non-production` (required for an incident).
    #[serde(default)]
    pub affected_system: Option<AffectedSystem>,
    /// Incident: whether the system is reachable (required for an incident).
    #[serde(default)]
    pub system_reachable: Option<bool>,
    /// Where it happened: required for an incident, optional for a request.
    #[serde(default)]
    pub url: Option<String>,
    /// The customer's own reference (optional).
    #[serde(default)]
    pub customer_reference: Option<String>,
    /// Attachment metadata (optional).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Whether personal data is confidential (optional, default no).
    #[serde(default)]
    pub confidential: bool,
}

/// An email to the desk that starts a new ticket (domain.md §2.1). Replies to an existing
/// ticket are [`TicketCommand::AddComment`] on it; see [`super::ticket_key_in_subject`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EmailMessage {
    /// The sender's address; becomes the ticket's creator.
    pub sender: String,
    /// Becomes the summary.
    pub subject: String,
    /// Becomes the description.
    pub body: String,
    /// Attachments, kept as metadata.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// Every command of the ticket aggregate. Time is not a field: it is the decision's
/// `Context::now`. Who may issue each command is listed in `docs/domain/tickets.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum TicketCommand {
    /// A customer opens a ticket in the portal; the organisation is the customer's own.
    OpenFromPortal {
        /// The key the engine assigned.
        key: TicketKey,
        /// The customer's region (from the contract).
        region: Region,
        /// Whether the customer has an extended support budget (from the contract).
        #[serde(default)]
        extended_support_budget: bool,
        /// The form.
        form: PortalForm,
    },
    /// The email adapter opens a ticket from an email.
    OpenFromEmail {
        /// The key the engine assigned.
        key: TicketKey,
        /// The sender's organisation (from the contact directory).
        organisation: OrganisationId,
        /// The customer's region (from the contract).
        region: Region,
        /// Whether the customer has an extended support budget (from the contract).
        #[serde(default)]
        extended_support_budget: bool,
        /// The email.
        email: EmailMessage,
    },
    /// A support agent takes the ticket (ends the SLA's reaction time).
    Accept,
    /// Support classifies an `Incident` or `Request` into its final type.
    Classify {
        /// The final type.
        ticket_type: TicketType,
    },
    /// Support changes the type of a classified ticket.
    Reclassify {
        /// The new type.
        ticket_type: TicketType,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Support sets or changes a defect's priority.
    SetPriority {
        /// The new priority.
        priority: Priority,
    },
    /// Support asks the customer for information.
    RequestClarification {
        /// The question.
        question: String,
    },
    /// Support resumes work after a clarification.
    ResumeWork,
    /// Support reproduced a software defect on the reference system; it goes to development.
    ReproduceDefect {
        /// The reference system used.
        reference_system: String,
    },
    /// Support provides a workaround for a defect.
    ProvideWorkaround {
        /// The workaround.
        description: String,
    },
    /// Support resolves the ticket without a delivery.
    Resolve {
        /// Why.
        outcome: ResolutionOutcome,
        /// The answer or explanation.
        #[serde(default)]
        note: String,
        /// A new type, e.g. when development found no defect.
        #[serde(default)]
        reclassify_as: Option<TicketType>,
    },
    /// A fix, configuration or implementation is ready for delivery.
    ReportReadyForDelivery {
        /// A patch version such as `14.21.3.1`, or `CUSTOM`.
        delivery_version: String,
    },
    /// The delivery version of a pending fix changes.
    ChangeDeliveryVersion {
        /// A patch version such as `14.21.3.1`, or `CUSTOM`.
        delivery_version: String,
    },
    /// A delivery including this ticket was delivered or installed (delivery process manager).
    RecordDelivery {
        /// The delivery ticket.
        delivery: DeliveryKey,
    },
    /// Support forwards a consulting request (Technical or Managed Services) or a suggestion
    /// (product management).
    Forward {
        /// To whom.
        to: ForwardTarget,
    },
    /// A scoping workshop for a customisation took place.
    HoldScopingWorkshop {
        /// The day it took place.
        held_on: NaiveDate,
        /// What came out of it.
        #[serde(default)]
        note: String,
    },
    /// Support forwards a customisation to development for an estimate.
    RequestEstimate,
    /// Development provides the estimate.
    ProvideEstimate {
        /// Estimated effort in hours.
        effort_hours: u32,
    },
    /// Sales records the customer's order.
    RecordOrder {
        /// The customisation order, if already created.
        #[serde(default)]
        order: Option<OrderKey>,
    },
    /// The offer was not ordered; the ticket closes.
    DeclineOffer,
    /// The customer approved the concept.
    ApproveConcept,
    /// The implementation is commissioned.
    CommissionImplementation,
    /// Support reopens a resolved ticket whose solution the customer reports as not working.
    Reopen {
        /// Why.
        reason: String,
    },
    /// The customer closes a resolved ticket, optionally with a confirming comment.
    Close {
        /// A confirming comment.
        #[serde(default)]
        comment: Option<String>,
    },
    /// Someone writes a comment.
    AddComment {
        /// The text.
        text: String,
        /// Public or internal (customers: public only).
        #[serde(default = "public")]
        visibility: CommentVisibility,
        /// Attached files.
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// Someone attaches files to the ticket.
    AddAttachments {
        /// The files.
        attachments: Vec<Attachment>,
    },
    /// The creator or support changes who the ticket is shared with.
    ChangeSharing {
        /// The new sharing.
        shared_with: SharedWith,
    },
    /// The customer or support flags personal data as confidential, or clears the flag.
    SetConfidential {
        /// The new flag.
        confidential: bool,
    },
    /// A customer switches their own notifications for this ticket on or off.
    SetNotifications {
        /// Whether to be notified of every comment and change.
        enabled: bool,
    },
    /// Vendor staff book effort (billing).
    BookEffort {
        /// The department that performed it.
        department: Department,
        /// Minutes spent (1 to 1440).
        minutes: u32,
        /// The day it was performed.
        performed_on: NaiveDate,
    },
    /// The customer or support escalates the ticket.
    Escalate {
        /// The level.
        level: EscalationLevel,
        /// Why.
        reason: EscalationReason,
    },
    /// Sales or support records whether the customer has an extended support budget.
    RecordSupportBudget {
        /// Whether a budget is available.
        available: bool,
    },
    /// The scheduler fires a due timer.
    FireTimer {
        /// The timer.
        timer: TimerId,
    },
    /// The scheduler records that an SLA clock became at risk or was breached (once per
    /// clock, cycle and kind).
    RecordSlaNotice {
        /// Which clock.
        clock: SlaNoticeClock,
        /// At risk or breached.
        kind: SlaNoticeKind,
        /// The clock's cycle (1 for reaction and the first restoration).
        cycle: u32,
    },
}

fn public() -> CommentVisibility {
    CommentVisibility::Public
}

impl TicketCommand {
    /// The command's snake_case name, as in its JSON form and in refusals.
    pub fn name(&self) -> &'static str {
        match self {
            TicketCommand::OpenFromPortal { .. } => "open_from_portal",
            TicketCommand::OpenFromEmail { .. } => "open_from_email",
            TicketCommand::Accept => "accept",
            TicketCommand::Classify { .. } => "classify",
            TicketCommand::Reclassify { .. } => "reclassify",
            TicketCommand::SetPriority { .. } => "set_priority",
            TicketCommand::RequestClarification { .. } => "request_clarification",
            TicketCommand::ResumeWork => "resume_work",
            TicketCommand::ReproduceDefect { .. } => "reproduce_defect",
            TicketCommand::ProvideWorkaround { .. } => "provide_workaround",
            TicketCommand::Resolve { .. } => "resolve",
            TicketCommand::ReportReadyForDelivery { .. } => "report_ready_for_delivery",
            TicketCommand::ChangeDeliveryVersion { .. } => "change_delivery_version",
            TicketCommand::RecordDelivery { .. } => "record_delivery",
            TicketCommand::Forward { .. } => "forward",
            TicketCommand::HoldScopingWorkshop { .. } => "hold_scoping_workshop",
            TicketCommand::RequestEstimate => "request_estimate",
            TicketCommand::ProvideEstimate { .. } => "provide_estimate",
            TicketCommand::RecordOrder { .. } => "record_order",
            TicketCommand::DeclineOffer => "decline_offer",
            TicketCommand::ApproveConcept => "approve_concept",
            TicketCommand::CommissionImplementation => "commission_implementation",
            TicketCommand::Reopen { .. } => "reopen",
            TicketCommand::Close { .. } => "close",
            TicketCommand::AddComment { .. } => "add_comment",
            TicketCommand::AddAttachments { .. } => "add_attachments",
            TicketCommand::ChangeSharing { .. } => "change_sharing",
            TicketCommand::SetConfidential { .. } => "set_confidential",
            TicketCommand::SetNotifications { .. } => "set_notifications",
            TicketCommand::BookEffort { .. } => "book_effort",
            TicketCommand::Escalate { .. } => "escalate",
            TicketCommand::RecordSupportBudget { .. } => "record_support_budget",
            TicketCommand::FireTimer { .. } => "fire_timer",
            TicketCommand::RecordSlaNotice { .. } => "record_sla_notice",
        }
    }
}
