//! Events of the customisation order aggregate (domain.md §3).
//!
//! An order lives in the stream `order-<key>` and goes through four phases — planning,
//! concept, implementation, delivery — before it is closed. Every date a later decision
//! depends on (concept deadlines, earliest delivery) is derived once, when the schedule is
//! set, and *recorded* in the event: replaying an old order with a changed holiday calendar
//! or policy gives the same state as living through it.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DeliveryKey, OrderKey, OrganisationId, Region, TicketKey, Timestamp};

mod business_time;
mod value;
pub use value::{
    ConceptDeadlines, DeliveryPath, ImplementationSlot, InnovationPackage, OrderEnvironment,
    OrderKind, SetupTaskKind,
};

#[cfg(test)]
mod tests;

/// A customisation order was placed from a Customisation ticket, its kind's precondition
/// having been confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderPlaced {
    /// When.
    pub at: Timestamp,
    /// The order's own key, e.g. `CO-17`.
    pub order: OrderKey,
    /// The Customisation ticket the order came from.
    pub ticket: TicketKey,
    /// The ordering customer organisation.
    pub customer: OrganisationId,
    /// The customer's region; its working-day calendar counts the concept deadlines.
    pub region: Region,
    /// Customer-specific customisation or customer-driven standard extension.
    pub kind: OrderKind,
    /// A one-line description of what was ordered.
    pub summary: String,
    /// Whether the customer has its own codeline (required for customer-specific work;
    /// decides FCS or GA for standard extensions).
    pub own_codeline: bool,
    /// Whether the customer has a test environment (deliveries go there first).
    pub test_environment: bool,
    /// Customer-specific: the product area allows custom code (confirmed at placing).
    #[serde(default)]
    pub custom_code_allowed: bool,
    /// Standard extension: product management agreed to take it into the standard.
    #[serde(default)]
    pub product_management_agreed: bool,
}

/// A business consultant was assigned (or reassigned) to the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderConsultantAssigned {
    /// When.
    pub at: Timestamp,
    /// The consultant's id, e.g. `clara@vendor`.
    pub consultant: String,
}

/// A customer-specific customisation got its implementation slot (or a new one), with the
/// deadlines that follow from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderImplementationSlotScheduled {
    /// When.
    pub at: Timestamp,
    /// Start and planned end of development.
    pub slot: ImplementationSlot,
    /// Concept hand-over and approval deadlines, counted back from the slot start.
    pub deadlines: ConceptDeadlines,
    /// The earliest day a delivery may happen: planned end plus the verification week.
    pub earliest_delivery: NaiveDate,
}

/// A standard extension was planned into an innovation package (or moved to a later one),
/// with the deadlines that follow from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderInnovationPackageScheduled {
    /// When.
    pub at: Timestamp,
    /// The package.
    pub package: InnovationPackage,
    /// Scoping document hand-over and approval deadlines, counted back from the package's
    /// development start.
    pub deadlines: ConceptDeadlines,
    /// The earliest day a delivery may happen: FCS for customers with own codeline (unless
    /// GA was agreed), GA otherwise.
    pub earliest_delivery: NaiveDate,
}

/// The delivery path was agreed with support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderDeliveryPathAgreed {
    /// When.
    pub at: Timestamp,
    /// The path.
    pub path: DeliveryPath,
    /// Free-text detail, e.g. the patch the customisation rides with.
    #[serde(default)]
    pub note: String,
    /// Standard extension with a scheduled package: the earliest delivery as the path sets it
    /// (FCS or GA date); `None` leaves the recorded earliest delivery unchanged.
    #[serde(default)]
    pub earliest_delivery: Option<NaiveDate>,
}

/// The customer was told the consultant and the timeline: planning is complete and the
/// concept phase begins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderTimelineCommunicated {
    /// When.
    pub at: Timestamp,
}

/// The consultant wrote (or revised) the concept — technical concept or scoping document —
/// with its acceptance criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderConceptWritten {
    /// When.
    pub at: Timestamp,
    /// A reference to the document (name, link or version).
    pub document: String,
    /// The acceptance criteria (test cases) the implementation is verified against.
    pub acceptance_criteria: Vec<String>,
}

/// The concept passed the internal review (Technical Services or product management).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderConceptReviewed {
    /// When.
    pub at: Timestamp,
    /// Who reviewed it.
    pub reviewer: String,
}

/// The concept was handed to the customer for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderConceptHandedOver {
    /// When.
    pub at: Timestamp,
    /// The hand-over deadline in force.
    pub deadline: NaiveDate,
    /// True when the hand-over happened after the deadline (recorded, not refused).
    pub late: bool,
}

/// The customer's requirements changed significantly during review: the order needs
/// re-estimation and a new ordering, and returns to planning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderRequirementsChanged {
    /// When.
    pub at: Timestamp,
    /// What changed.
    pub description: String,
}

/// The changed requirements were re-estimated and ordered again; planning can restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderReordered {
    /// When.
    pub at: Timestamp,
    /// The new offer or order reference.
    pub reference: String,
}

/// The customer approved the concept: the concept phase is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderConceptApproved {
    /// When.
    pub at: Timestamp,
    /// The approval deadline that was met.
    pub deadline: NaiveDate,
    /// Who approved, e.g. the customer contact's id.
    pub approved_by: String,
}

/// The approval deadline passed without approval: the slot (or package) is lost and the
/// implementation must be rescheduled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderApprovalMissed {
    /// When.
    pub at: Timestamp,
    /// The deadline that passed.
    pub deadline: NaiveDate,
    /// The lost implementation slot (customer-specific).
    #[serde(default)]
    pub lost_slot: Option<ImplementationSlot>,
    /// The lost innovation package (standard extension).
    #[serde(default)]
    pub lost_package: Option<InnovationPackage>,
}

/// The developer finished and self-checked the implementation (first time or after
/// deviations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderImplementationCompleted {
    /// When.
    pub at: Timestamp,
    /// The developer's id.
    pub developer: String,
    /// What was done, e.g. the commit or build.
    #[serde(default)]
    pub note: String,
}

/// The consultant verified the implementation on the reference system against the
/// acceptance criteria. Failed criteria send it back to the developer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderVerificationRecorded {
    /// When.
    pub at: Timestamp,
    /// Criteria that passed.
    pub passed: Vec<String>,
    /// Criteria that failed (deviations for the developer).
    pub failed: Vec<String>,
    /// True when every criterion passed: the customisation is verified and releasable.
    pub verified: bool,
}

/// Standard extension: the consultant attended a sprint review of product development and
/// checked the progress against the scoping document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderSprintReviewRecorded {
    /// When.
    pub at: Timestamp,
    /// The sprint, e.g. `IP-2027.1 sprint 4`.
    pub sprint: String,
    /// Whether the progress is in line with the scoping document.
    pub in_line: bool,
    /// Feedback passed to development and product management (required when not in line).
    #[serde(default)]
    pub feedback: String,
}

/// A delay in implementation was announced to the customer with a new plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderImplementationDelayed {
    /// When.
    pub at: Timestamp,
    /// The new planned end of implementation.
    pub planned_end: NaiveDate,
    /// The earliest delivery that follows from it.
    pub earliest_delivery: NaiveDate,
    /// Why (resources, quality, …).
    pub reason: String,
}

/// The customisation was delivered to one of the customer's environments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderDelivered {
    /// When.
    pub at: Timestamp,
    /// Test or production.
    pub environment: OrderEnvironment,
    /// The delivery ticket that carried it, if support created one.
    #[serde(default)]
    pub delivery: Option<DeliveryKey>,
    /// The delivery version, e.g. `14.21.3.1` or `CUSTOM`.
    #[serde(default)]
    pub version: String,
    /// Defect tickets whose fixes this delivery carries.
    #[serde(default)]
    pub fixes: Vec<TicketKey>,
}

/// The customer tested the delivery on the test environment and approved it for production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderTestDeliveryApproved {
    /// When.
    pub at: Timestamp,
    /// Who approved.
    pub approved_by: String,
}

/// A post-delivery set-up task was opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderSetupTaskOpened {
    /// When.
    pub at: Timestamp,
    /// The task's id, unique within the order, e.g. `nav-1`.
    pub task: String,
    /// What kind of set-up.
    pub kind: SetupTaskKind,
    /// What to do.
    pub description: String,
}

/// A post-delivery set-up task was done and the customer informed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderSetupTaskCompleted {
    /// When.
    pub at: Timestamp,
    /// The task's id.
    pub task: String,
}

/// The customer reported a defect of the customisation through a service-desk ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderDefectReported {
    /// When.
    pub at: Timestamp,
    /// The service-desk ticket that references the order.
    pub ticket: TicketKey,
    /// What is wrong.
    pub description: String,
}

/// A reported defect was fixed; a new delivery must carry the fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderDefectFixed {
    /// When.
    pub at: Timestamp,
    /// The defect's ticket.
    pub ticket: TicketKey,
}

/// The consultant closed the order: installed in production, set up, no open defects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderClosed {
    /// When.
    pub at: Timestamp,
    /// Project hours booked on the order.
    pub booked_hours: f64,
}

crate::payload!(
    OrderPlaced = 1,
    OrderConsultantAssigned = 1,
    OrderImplementationSlotScheduled = 1,
    OrderInnovationPackageScheduled = 1,
    OrderDeliveryPathAgreed = 1,
    OrderTimelineCommunicated = 1,
    OrderConceptWritten = 1,
    OrderConceptReviewed = 1,
    OrderConceptHandedOver = 1,
    OrderRequirementsChanged = 1,
    OrderReordered = 1,
    OrderConceptApproved = 1,
    OrderApprovalMissed = 1,
    OrderImplementationCompleted = 1,
    OrderVerificationRecorded = 1,
    OrderSprintReviewRecorded = 1,
    OrderImplementationDelayed = 1,
    OrderDelivered = 1,
    OrderTestDeliveryApproved = 1,
    OrderSetupTaskOpened = 1,
    OrderSetupTaskCompleted = 1,
    OrderDefectReported = 1,
    OrderDefectFixed = 1,
    OrderClosed = 1,
);

crate::event_set! {
    /// Every event of a customisation order stream.
    pub enum OrderEvent in "order" {
        OrderPlaced,
        OrderConsultantAssigned,
        OrderImplementationSlotScheduled,
        OrderInnovationPackageScheduled,
        OrderDeliveryPathAgreed,
        OrderTimelineCommunicated,
        OrderConceptWritten,
        OrderConceptReviewed,
        OrderConceptHandedOver,
        OrderRequirementsChanged,
        OrderReordered,
        OrderConceptApproved,
        OrderApprovalMissed,
        OrderImplementationCompleted,
        OrderVerificationRecorded,
        OrderSprintReviewRecorded,
        OrderImplementationDelayed,
        OrderDelivered,
        OrderTestDeliveryApproved,
        OrderSetupTaskOpened,
        OrderSetupTaskCompleted,
        OrderDefectReported,
        OrderDefectFixed,
        OrderClosed,
    }
}
