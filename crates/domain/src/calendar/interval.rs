//! Half-open intervals of instants, e.g. the pauses of an SLA clock.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;

/// A half-open interval of instants `[start, end)`, e.g. a pause of an SLA clock. An interval
/// whose end is not after its start is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interval {
    /// First instant inside.
    pub start: Timestamp,
    /// First instant after.
    pub end: Timestamp,
}

impl Interval {
    /// The interval `[start, end)`.
    pub fn new(start: Timestamp, end: Timestamp) -> Self {
        Interval { start, end }
    }

    /// True if no instant lies inside.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Wall-clock length (zero when empty).
    pub fn duration(&self) -> TimeDelta {
        if self.is_empty() {
            TimeDelta::zero()
        } else {
            self.end - self.start
        }
    }

    /// The common part of two intervals (possibly empty).
    pub fn intersect(&self, other: &Interval) -> Interval {
        Interval {
            start: self.start.max(other.start),
            end: self.end.min(other.end),
        }
    }
}

/// Sorts intervals and merges overlapping or touching ones, dropping empty ones, so that each
/// instant is covered at most once (pauses recorded twice must not be subtracted twice).
pub fn merge_intervals(intervals: &[Interval]) -> Vec<Interval> {
    let mut sorted: Vec<Interval> = intervals
        .iter()
        .copied()
        .filter(|i| !i.is_empty())
        .collect();
    sorted.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(sorted.len());
    for interval in sorted {
        match merged.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => merged.push(interval),
        }
    }
    merged
}
