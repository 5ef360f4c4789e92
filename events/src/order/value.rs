//! Value types carried by the customisation order events (domain.md §3).
//!
//! They live beside the events because they are part of the recorded contract: their serde
//! spelling (kebab-case) is stable and integrators may rely on it.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The two kinds of customisation order. They differ in precondition, concept document,
/// implementation vehicle, delivery and defect fixing (domain.md §3 table).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum OrderKind {
    /// Built only in the customer's own codeline, in a planned implementation slot, with a
    /// *technical concept* reviewed by Technical Services.
    CustomerSpecific,
    /// Built into the standard product in an innovation package, with a *scoping document*
    /// reviewed by product management.
    StandardExtension,
}

impl std::fmt::Display for OrderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OrderKind::CustomerSpecific => "customer-specific customisation",
            OrderKind::StandardExtension => "customer-driven standard extension",
        })
    }
}

/// The implementation slot of a customer-specific customisation, agreed with Technical
/// Services: when development starts in the customer's codeline and when it is planned to end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImplementationSlot {
    /// First day of development.
    pub start: NaiveDate,
    /// Planned last day of development.
    pub planned_end: NaiveDate,
}

/// The innovation package a standard extension is built in, as scheduled by product
/// management.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InnovationPackage {
    /// The package's name, e.g. `IP-2027.1`.
    pub id: String,
    /// When development of the package starts; the scoping document must be approved
    /// before it, so the concept deadlines count back from this date.
    pub development_start: NaiveDate,
    /// First Customer Shipment: customers with their own codeline get the extension here.
    pub fcs: NaiveDate,
    /// General Availability (the package's first patch): customers without own codeline get
    /// the extension here, via the cloud patch cycle.
    pub ga: NaiveDate,
}

/// The concept deadlines derived from the start of the slot or package, in working days of
/// the customer's region, recorded so that replay never depends on today's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConceptDeadlines {
    /// The concept must be handed to the customer on or before this date.
    pub handover: NaiveDate,
    /// From this date on an unapproved concept is at risk.
    pub approval_warning: NaiveDate,
    /// The customer must approve on or before this date, or the slot is lost.
    pub approval: NaiveDate,
}

/// How the finished customisation reaches the customer, agreed with support in planning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryPath {
    /// Customer-specific: with a regular patch delivery already planned.
    RegularPatch,
    /// Customer-specific: an extra delivery on the customer's current code level.
    ExtraDelivery,
    /// Standard extension: with the innovation package's First Customer Shipment (only for
    /// customers with their own codeline).
    FirstCustomerShipment,
    /// Standard extension: with General Availability (the package's first patch); the only
    /// path for customers without own codeline (cloud patch cycle).
    GeneralAvailability,
}

impl DeliveryPath {
    /// The order kind this path belongs to.
    pub fn kind(self) -> OrderKind {
        match self {
            DeliveryPath::RegularPatch | DeliveryPath::ExtraDelivery => OrderKind::CustomerSpecific,
            DeliveryPath::FirstCustomerShipment | DeliveryPath::GeneralAvailability => {
                OrderKind::StandardExtension
            }
        }
    }
}

/// Which of the customer's environments a delivery went to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum OrderEnvironment {
    /// The customer's test environment; always first when the customer has one.
    Test,
    /// The customer's production environment.
    Production,
}

impl std::fmt::Display for OrderEnvironment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OrderEnvironment::Test => "test",
            OrderEnvironment::Production => "production",
        })
    }
}

/// What a post-delivery set-up task is about (domain.md §3, phase 4).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SetupTaskKind {
    /// Navigation entries in the LMS.
    NavigationEntry,
    /// Scheduled (cron) jobs.
    ScheduledJob,
    /// Changes to roles and rights, including shares on objects.
    RolesAndRights,
    /// An SFTP job for data transfer.
    SftpJob,
    /// Anything else the concept calls for.
    Other,
}
