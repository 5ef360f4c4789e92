//! Timer events: scheduling, cancelling, and reminders sent (automatic closes are
//! `TicketClosed` naming their timer).

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
