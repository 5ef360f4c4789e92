//! The engine's clock.
//!
//! The domain never reads a clock: every decision gets `now` in its `Context`. The engine is
//! the one place that asks a [`Clock`], so swapping the clock swaps time for the whole desk:
//! production runs on [`SystemClock`]; tests, imports and what-if runs use a
//! [`SimulatedClock`] that only moves when told to. Jumping a simulated clock ahead by months
//! is how the scheduler is made to fire months of timers in a second (see
//! [`crate::scheduler`]).

use std::fmt;
use std::sync::Arc;

use chrono::TimeDelta;
use parking_lot::Mutex;
use ticketflow_events::Timestamp;

/// A source of business time for decisions.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current business time.
    fn now(&self) -> Timestamp;
}

/// Wall-clock time from the operating system, for production.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// A clock that stands still until it is set or advanced.
///
/// Clones share the same time (an `Arc` inside), so the engine and whoever drives the
/// simulation (a test, the `simulate` command) see the same instant.
#[derive(Clone)]
pub struct SimulatedClock {
    now: Arc<Mutex<Timestamp>>,
}

impl SimulatedClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> Self {
        SimulatedClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock to `at`. Going backwards is allowed (what-if runs replay a period), but
    /// the scheduler only ever moves it forwards.
    pub fn set(&self, at: Timestamp) {
        *self.now.lock() = at;
    }

    /// Moves the clock forwards by `by` (saturating at the latest representable instant) and
    /// answers the new time.
    pub fn advance(&self, by: TimeDelta) -> Timestamp {
        let mut now = self.now.lock();
        *now = now
            .checked_add_signed(by)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
        *now
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> Timestamp {
        *self.now.lock()
    }
}

impl fmt::Debug for SimulatedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SimulatedClock({})", self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_a_simulated_clock_share_their_time() {
        let start: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let clock = SimulatedClock::new(start);
        let shared = clock.clone();
        clock.advance(TimeDelta::days(90));
        assert_eq!(shared.now(), start + TimeDelta::days(90));
        shared.set(start);
        assert_eq!(clock.now(), start);
    }
}
