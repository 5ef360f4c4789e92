//! Timer events: scheduling, cancelling, and reminders sent (automatic closes are
//! `TicketClosed` naming their timer); and the SLA notices the scheduler records when an SLA
//! clock becomes at risk or is breached.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ScheduledTimer, TimerId};
use crate::Timestamp;

/// Timers were scheduled; they replace nothing — stale ones are cancelled explicitly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketTimersScheduled {
    /// When.
    pub at: Timestamp,
    /// The new timers.
    pub timers: Vec<ScheduledTimer>,
}

/// Timers were cancelled because their status was left or a customer comment restarted the
/// clarification count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketTimersCancelled {
    /// When.
    pub at: Timestamp,
    /// The cancelled timers.
    pub timers: Vec<TimerId>,
}

/// A clarification reminder was sent to the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketClarificationReminderSent {
    /// When.
    pub at: Timestamp,
    /// The timer that fired.
    pub timer: TimerId,
    /// Which reminder (1, 2, 3 by default).
    pub number: u8,
}

/// Which SLA clock a notice is about (domain.md §2.7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SlaNoticeClock {
    /// Receipt → acceptance.
    Reaction,
    /// Acceptance (or reopening) → restoration.
    Restoration,
}

/// What an SLA notice says.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SlaNoticeKind {
    /// The clock reached the at-risk share of its target.
    AtRisk,
    /// The clock passed its target.
    Breached,
}

/// The scheduler noticed that an SLA clock of the ticket became at risk or was breached.
///
/// Recorded once per clock, cycle and kind, so the desk (notifications, escalations) learns
/// of it as an event at the instant it happened, not only when someone looks at the SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketSlaNoticeRecorded {
    /// When the clock became at risk or was breached (the scheduler fires at that instant).
    pub at: Timestamp,
    /// Which clock.
    pub clock: SlaNoticeClock,
    /// At risk or breached.
    pub kind: SlaNoticeKind,
    /// The clock's cycle: 1 for the reaction clock and the first restoration, +1 per reopening.
    pub cycle: u32,
}

impl std::fmt::Display for SlaNoticeClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SlaNoticeClock::Reaction => "reaction",
            SlaNoticeClock::Restoration => "restoration",
        })
    }
}

impl std::fmt::Display for SlaNoticeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SlaNoticeKind::AtRisk => "at-risk",
            SlaNoticeKind::Breached => "breached",
        })
    }
}
