//! Which SLA policy book was in force when.
//!
//! A change of SLA targets is configuration, not an event, so the read model is given the
//! history of policy books: each with the instant from which it applies. A ticket is scored
//! against the book in force at its *receipt* — the contract the customer had when the ticket
//! came in — even if it is evaluated long after a later book took effect. Before the first
//! book's effective instant, the first book applies.

use serde::{Deserialize, Serialize};
use ticketflow_domain::sla::SlaPolicyBook;
use ticketflow_events::Timestamp;

/// One policy book and the instant from which it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    /// Tickets received at or after this instant are scored under `book`.
    pub effective_from: Timestamp,
    /// The policy book.
    pub book: SlaPolicyBook,
}

/// A policy history was configured without any policy book.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "an SLA policy history needs at least one policy book; give the desk's book (`sla` in the desk configuration) with an effective date"
)]
pub struct EmptyPolicyHistory;

/// The policy books in force over time, oldest first. Never empty: the first book is held
/// apart from the later ones, so there is always one to score with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyHistory {
    first: PolicyVersion,
    later: Vec<PolicyVersion>,
}

impl PolicyHistory {
    /// One book that has always applied.
    pub fn single(book: SlaPolicyBook) -> Self {
        PolicyHistory {
            first: PolicyVersion {
                effective_from: chrono::DateTime::<chrono::Utc>::MIN_UTC,
                book,
            },
            later: Vec::new(),
        }
    }

    /// Books with their effective instants, in any order.
    pub fn new(mut versions: Vec<PolicyVersion>) -> Result<Self, EmptyPolicyHistory> {
        versions.sort_by_key(|v| v.effective_from);
        let mut versions = versions.into_iter();
        let first = versions.next().ok_or(EmptyPolicyHistory)?;
        Ok(PolicyHistory {
            first,
            later: versions.collect(),
        })
    }

    /// The book in force at `at`: the latest one effective at or before it, or the first.
    pub fn book_at(&self, at: Timestamp) -> &SlaPolicyBook {
        self.later
            .iter()
            .rev()
            .find(|v| v.effective_from <= at)
            .map_or(&self.first.book, |v| &v.book)
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &PolicyVersion> {
        std::iter::once(&self.first).chain(self.later.iter())
    }
}
