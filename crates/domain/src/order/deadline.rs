//! The dates of a customisation order: how they are derived from a slot or package, and how
//! the due-work view and the planning board read them back.
//!
//! Deadlines are derived *once*, when the slot or package is scheduled, and recorded in the
//! event. A later change of the holiday calendar or of [`OrderPolicy`] therefore never moves
//! the deadlines of an order already scheduled — the customer was told those dates.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use ticketflow_events::order::ConceptDeadlines;

use crate::calendar::WorkingDayCalendar;

use super::{CustomisationOrder, OrderPhase, OrderPolicy};

/// Counts the concept deadlines back from `start` in working days of `calendar`.
pub fn concept_deadlines(
    start: NaiveDate,
    calendar: &WorkingDayCalendar,
    policy: &OrderPolicy,
) -> ConceptDeadlines {
    let back = |n: u32| calendar.add_working_days(start, -i64::from(n));
    ConceptDeadlines {
        handover: back(policy.concept_handover_working_days),
        approval_warning: back(policy.approval_warning_working_days),
        approval: back(policy.approval_deadline_working_days),
    }
}

/// The earliest delivery of a customer-specific customisation: the planned end of
/// implementation plus the verification week (calendar days).
pub fn earliest_delivery_after(planned_end: NaiveDate, policy: &OrderPolicy) -> NaiveDate {
    planned_end
        .checked_add_days(Days::new(u64::from(
            policy.earliest_delivery_days_after_implementation,
        )))
        .unwrap_or(NaiveDate::MAX)
}

/// Which date of the order a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderDeadlineKind {
    /// The concept must be handed to the customer by this date.
    ConceptHandover,
    /// The customer must approve the concept by this date (at risk from the warning date).
    ConceptApproval,
    /// Implementation is planned to be verified by this date.
    ImplementationEnd,
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineStatus {
    /// Done (possibly late for the hand-over, which is recorded, not refused).
    Met,
    /// Not done and not yet close.
    Pending,
    /// Not done and on or after its warning date.
    AtRisk,
    /// Not done and the date has passed.
    Missed,
}

/// One deadline of an order, for the due-work view and the order planning board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDeadline {
    /// Which deadline.
    pub kind: OrderDeadlineKind,
    /// The last day on which it is still met.
    pub date: NaiveDate,
    /// From this day on an unmet deadline is at risk, if it has a warning.
    pub warning_from: Option<NaiveDate>,
    /// Whether what the deadline asks for has happened.
    pub met: bool,
}

impl OrderDeadline {
    /// Where the deadline stands on `today`.
    pub fn status_on(&self, today: NaiveDate) -> DeadlineStatus {
        if self.met {
            DeadlineStatus::Met
        } else if today > self.date {
            DeadlineStatus::Missed
        } else if self.warning_from.is_some_and(|w| today >= w) {
            DeadlineStatus::AtRisk
        } else {
            DeadlineStatus::Pending
        }
    }

    /// Unmet and past its date on `today`.
    pub fn is_missed(&self, today: NaiveDate) -> bool {
        self.status_on(today) == DeadlineStatus::Missed
    }

    /// Unmet, not yet past, and on or after its warning date on `today`.
    pub fn is_at_risk(&self, today: NaiveDate) -> bool {
        self.status_on(today) == DeadlineStatus::AtRisk
    }
}

impl CustomisationOrder {
    /// The order's deadlines under the schedule in force (none before scheduling, after a
    /// lost slot, or once closed). The scheduler issues `record_missed_approval` for a
    /// missed [`OrderDeadlineKind::ConceptApproval`].
    pub fn deadlines(&self) -> Vec<OrderDeadline> {
        if matches!(self.phase, OrderPhase::NotPlaced | OrderPhase::Closed) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let concept = self.concept.as_ref();
        let approved = self.phase > OrderPhase::Concept;
        if let Some(d) = &self.concept_deadlines {
            out.push(OrderDeadline {
                kind: OrderDeadlineKind::ConceptHandover,
                date: d.handover,
                warning_from: None,
                met: approved || concept.is_some_and(|c| c.handed_over.is_some()),
            });
            out.push(OrderDeadline {
                kind: OrderDeadlineKind::ConceptApproval,
                date: d.approval,
                warning_from: Some(d.approval_warning),
                met: approved,
            });
        }
        if let Some(end) = self.planned_end {
            out.push(OrderDeadline {
                kind: OrderDeadlineKind::ImplementationEnd,
                date: end,
                warning_from: None,
                met: self.implementation.verified,
            });
        }
        out
    }
}
