//! The configurable rules of customisation orders: every value domain.md §3 states as a
//! default is a field here, never a constant in the decision code.

use serde::{Deserialize, Serialize};

/// Deadlines of customisation orders, counted in working days of the customer's region
/// (concept) or calendar days (delivery).
///
/// The defaults are those of domain.md §3: concept hand-over at least **10** working days
/// before the slot starts, approval warning at **3** and approval deadline at **2** working
/// days before it, earliest delivery **7** calendar days (one week) after the planned end of
/// implementation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderPolicy {
    /// Working days between the concept hand-over deadline and the slot start.
    pub concept_handover_working_days: u32,
    /// Working days before the slot start from which an unapproved concept is at risk.
    pub approval_warning_working_days: u32,
    /// Working days before the slot start by which the customer must approve the concept.
    pub approval_deadline_working_days: u32,
    /// Calendar days between the planned end of implementation and the earliest delivery
    /// (time for verification and rework).
    pub earliest_delivery_days_after_implementation: u32,
}

impl Default for OrderPolicy {
    fn default() -> Self {
        Self {
            concept_handover_working_days: 10,
            approval_warning_working_days: 3,
            approval_deadline_working_days: 2,
            earliest_delivery_days_after_implementation: 7,
        }
    }
}
