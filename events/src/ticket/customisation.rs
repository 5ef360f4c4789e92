//! Events of the Customisation workflow: scoping workshop, estimate, order, concept, implementation.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{OrderKey, Timestamp};

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
