//! What people (and the scheduler) ask a customisation order to do.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ticketflow_events::order::{DeliveryPath, OrderEnvironment, OrderKind, SetupTaskKind};
use ticketflow_events::{DeliveryKey, OrderKey, OrganisationId, Region, TicketKey};

/// A command to a customisation order. Commands carry no "now" (the decision gets it from the
/// context) but do carry business dates such as a slot start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum OrderCommand {
    /// Place the order from a Customisation ticket, confirming the kind's precondition.
    /// Sales, business consultant or the engine.
    Place {
        /// The new order's key.
        order: OrderKey,
        /// The Customisation ticket it comes from.
        ticket: TicketKey,
        /// The ordering customer organisation.
        customer: OrganisationId,
        /// The customer's region (its working-day calendar counts the deadlines).
        region: Region,
        /// Customer-specific customisation or standard extension.
        kind: OrderKind,
        /// One line describing the order.
        summary: String,
        /// The customer has its own codeline.
        own_codeline: bool,
        /// The customer has a test environment.
        test_environment: bool,
        /// Customer-specific: the product area allows custom code.
        #[serde(default)]
        custom_code_allowed: bool,
        /// Standard extension: product management agreed to take it into the standard.
        #[serde(default)]
        product_management_agreed: bool,
    },
    /// Assign or reassign the business consultant. Business consultant or sales.
    AssignConsultant {
        /// The consultant's id.
        consultant: String,
    },
    /// Customer-specific: schedule the implementation slot with Technical Services (also
    /// after a lost slot). Business consultant or Technical Services.
    ScheduleImplementationSlot {
        /// First day of development.
        start: NaiveDate,
        /// Planned last day of development.
        planned_end: NaiveDate,
    },
    /// Standard extension: plan it into an innovation package (also moving it to a later one
    /// after a missed approval). Business consultant or product management.
    ScheduleInnovationPackage {
        /// The package's name.
        package: String,
        /// When development of the package starts.
        development_start: NaiveDate,
        /// First Customer Shipment date.
        fcs: NaiveDate,
        /// General Availability date.
        ga: NaiveDate,
    },
    /// Agree the delivery path with support. Business consultant or support agent.
    AgreeDeliveryPath {
        /// The path.
        path: DeliveryPath,
        /// Free-text detail.
        #[serde(default)]
        note: String,
    },
    /// Tell the customer the consultant and the timeline; ends planning. Business consultant.
    CommunicateTimeline,
    /// The changed requirements were re-estimated and ordered again. Sales.
    RecordReorder {
        /// The new offer or order reference.
        reference: String,
    },
    /// Write or revise the concept with its acceptance criteria. Business consultant.
    WriteConcept {
        /// A reference to the document.
        document: String,
        /// The acceptance criteria (test cases).
        acceptance_criteria: Vec<String>,
    },
    /// Confirm the internal review: Technical Services (customer-specific) or product
    /// management (standard extension).
    ReviewConcept,
    /// Hand the reviewed concept to the customer. Business consultant.
    HandOverConcept,
    /// Record a significant change of requirements during the customer's review. Business
    /// consultant.
    RecordRequirementsChange {
        /// What changed.
        description: String,
    },
    /// Approve the concept. A contact of the ordering customer.
    ApproveConcept,
    /// Record that the approval deadline passed without approval. The scheduler (system) or
    /// the business consultant.
    RecordMissedApproval,
    /// Report the implementation done and self-checked. Technical Services (product
    /// management too for standard extensions).
    ReportImplementationCompleted {
        /// What was done.
        #[serde(default)]
        note: String,
    },
    /// Record a verification against the acceptance criteria. Business consultant.
    RecordVerification {
        /// Criteria that passed.
        passed: Vec<String>,
        /// Criteria that failed.
        failed: Vec<String>,
    },
    /// Standard extension: record a sprint review of product development attended by the
    /// consultant. Business consultant.
    RecordSprintReview {
        /// The sprint, e.g. `IP-2027.1 sprint 4`.
        sprint: String,
        /// Whether the progress is in line with the scoping document.
        in_line: bool,
        /// Feedback for development and product management (required when not in line).
        #[serde(default)]
        feedback: String,
    },
    /// Announce a delay with a new planned end of implementation. Business consultant.
    AnnounceDelay {
        /// The new planned end.
        planned_end: NaiveDate,
        /// Why.
        reason: String,
    },
    /// Deliver to the test or production environment. Business consultant or support agent.
    Deliver {
        /// Where to.
        environment: OrderEnvironment,
        /// The delivery ticket, if any.
        #[serde(default)]
        delivery: Option<DeliveryKey>,
        /// The delivery version.
        #[serde(default)]
        version: String,
    },
    /// Approve the test delivery for production. A contact of the ordering customer.
    ApproveTestDelivery,
    /// Open a post-delivery set-up task. Business consultant.
    OpenSetupTask {
        /// Id unique within the order.
        task: String,
        /// What kind of set-up.
        kind: SetupTaskKind,
        /// What to do.
        description: String,
    },
    /// Complete a set-up task. Business consultant.
    CompleteSetupTask {
        /// The task's id.
        task: String,
    },
    /// Record a defect the customer reported through a ticket. Support agent, business
    /// consultant or the engine.
    ReportDefect {
        /// The defect ticket.
        ticket: TicketKey,
        /// What is wrong.
        description: String,
    },
    /// Report a defect fixed. Technical Services or product management.
    ReportDefectFixed {
        /// The defect ticket.
        ticket: TicketKey,
    },
    /// Close the order with the booked project hours. Business consultant.
    Close {
        /// Project hours booked on the order.
        booked_hours: f64,
    },
}

impl OrderCommand {
    /// Every command name, in the order of the process.
    pub const NAMES: [&'static str; 24] = [
        "place",
        "assign_consultant",
        "schedule_implementation_slot",
        "schedule_innovation_package",
        "agree_delivery_path",
        "communicate_timeline",
        "record_reorder",
        "write_concept",
        "review_concept",
        "hand_over_concept",
        "record_requirements_change",
        "approve_concept",
        "record_missed_approval",
        "report_implementation_completed",
        "record_verification",
        "record_sprint_review",
        "announce_delay",
        "deliver",
        "approve_test_delivery",
        "open_setup_task",
        "complete_setup_task",
        "report_defect",
        "report_defect_fixed",
        "close",
    ];

    /// The command's snake_case name, as in its JSON `command` tag.
    pub fn name(&self) -> &'static str {
        match self {
            OrderCommand::Place { .. } => "place",
            OrderCommand::AssignConsultant { .. } => "assign_consultant",
            OrderCommand::ScheduleImplementationSlot { .. } => "schedule_implementation_slot",
            OrderCommand::ScheduleInnovationPackage { .. } => "schedule_innovation_package",
            OrderCommand::AgreeDeliveryPath { .. } => "agree_delivery_path",
            OrderCommand::CommunicateTimeline => "communicate_timeline",
            OrderCommand::RecordReorder { .. } => "record_reorder",
            OrderCommand::WriteConcept { .. } => "write_concept",
            OrderCommand::ReviewConcept => "review_concept",
            OrderCommand::HandOverConcept => "hand_over_concept",
            OrderCommand::RecordRequirementsChange { .. } => "record_requirements_change",
            OrderCommand::ApproveConcept => "approve_concept",
            OrderCommand::RecordMissedApproval => "record_missed_approval",
            OrderCommand::ReportImplementationCompleted { .. } => "report_implementation_completed",
            OrderCommand::RecordVerification { .. } => "record_verification",
            OrderCommand::RecordSprintReview { .. } => "record_sprint_review",
            OrderCommand::AnnounceDelay { .. } => "announce_delay",
            OrderCommand::Deliver { .. } => "deliver",
            OrderCommand::ApproveTestDelivery => "approve_test_delivery",
            OrderCommand::OpenSetupTask { .. } => "open_setup_task",
            OrderCommand::CompleteSetupTask { .. } => "complete_setup_task",
            OrderCommand::ReportDefect { .. } => "report_defect",
            OrderCommand::ReportDefectFixed { .. } => "report_defect_fixed",
            OrderCommand::Close { .. } => "close",
        }
    }
}
