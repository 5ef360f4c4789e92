//! The phases of a customisation order and the result that ends each (domain.md §3).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an order stands. Each phase ends with a result:
///
/// | phase | ends when |
/// |---|---|
/// | `Planning` | the customer knows the consultant and the schedule |
/// | `Concept` | the customer approved the concept |
/// | `Implementation` | the consultant verified it: releasable |
/// | `Delivery` | installed in production, set up, no open defects — the consultant closes |
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum OrderPhase {
    /// The order does not exist yet.
    #[default]
    NotPlaced,
    /// Consultant assignment, scheduling, delivery path, timeline.
    Planning,
    /// Concept written, reviewed, handed over, approved.
    Concept,
    /// Development, self-check, verification against the acceptance criteria.
    Implementation,
    /// Test and production delivery, set-up tasks, defect fixes.
    Delivery,
    /// Done; nothing more happens on the order.
    Closed,
}

impl fmt::Display for OrderPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrderPhase::NotPlaced => "not placed",
            OrderPhase::Planning => "Planning",
            OrderPhase::Concept => "Concept",
            OrderPhase::Implementation => "Implementation",
            OrderPhase::Delivery => "Delivery",
            OrderPhase::Closed => "Closed",
        })
    }
}
