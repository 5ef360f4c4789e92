//! The SLA state of a ticket at an instant: a pure function of its facts and its policy.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::Priority;

use super::facts::SlaFact;
use super::policy::SlaPolicy;
use super::timeline::{Span, Timeline};
use crate::calendar::{CalendarKind, Interval, RegionCalendars};

/// Which of the two SLA clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockKind {
    /// Receipt → acceptance.
    Reaction,
    /// Acceptance (or reopening) → restoration.
    Restoration,
}

/// Whether a clock is counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockState {
    /// Counting business time.
    Running,
    /// Started but waiting for the customer; time does not count.
    Paused,
    /// Ended: accepted (reaction) or restored (restoration).
    Stopped,
}

/// A stretch of a clock under one priority. Re-prioritising starts a new segment; the time
/// counted before is kept and the new priority's target applies from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrioritySegment {
    /// The priority in force (`None` while no priority is known).
    pub priority: Option<Priority>,
    /// The calendar time was counted on.
    pub calendar: CalendarKind,
    /// The target in force during the segment.
    #[serde(with = "option_seconds")]
    pub target: Option<TimeDelta>,
    /// First instant of the segment.
    pub start: Timestamp,
    /// End of the segment (`now` for the running one).
    pub end: Timestamp,
    /// Business time counted in this segment.
    #[serde(with = "seconds")]
    pub elapsed: TimeDelta,
    /// Wall-clock time the clock was paused in this segment.
    #[serde(with = "seconds")]
    pub paused: TimeDelta,
    /// The clock's total elapsed time at the end of this segment had passed this segment's
    /// target: the record that the SLA was breached under this priority.
    pub breached: bool,
}

/// One clock (reaction, or one restoration cycle) at the evaluation instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReport {
    /// Reaction or restoration.
    pub kind: ClockKind,
    /// 1 for the reaction clock and the first restoration cycle; +1 per reopening.
    pub cycle: u32,
    /// Running, paused or stopped.
    pub state: ClockState,
    /// When the clock started.
    pub started_at: Timestamp,
    /// When the clock stopped, if it has.
    pub stopped_at: Option<Timestamp>,
    /// The priority in force at the end of the clock (at `now` while it runs).
    pub priority: Option<Priority>,
    /// The calendar of that priority.
    pub calendar: CalendarKind,
    /// That priority's target; `None` while no priority is known.
    #[serde(with = "option_seconds")]
    pub target: Option<TimeDelta>,
    /// Business time counted, summed over the priority segments, pauses excluded.
    #[serde(with = "seconds")]
    pub elapsed: TimeDelta,
    /// Target minus elapsed; negative once breached.
    #[serde(with = "option_seconds")]
    pub remaining: Option<TimeDelta>,
    /// Wall-clock time the clock was paused.
    #[serde(with = "seconds")]
    pub paused: TimeDelta,
    /// Elapsed has reached the at-risk share of the target but not passed the target.
    pub at_risk: bool,
    /// Elapsed has passed the target.
    pub breached: bool,
    /// For a stopped clock with a target: whether it stopped within the target.
    pub met: Option<bool>,
    /// For a running clock that is not yet breached: the instant the target will be reached
    /// if nothing pauses it or changes its priority.
    pub due_at: Option<Timestamp>,
    /// The priority segments, in order.
    pub segments: Vec<PrioritySegment>,
}

/// The SLA of one ticket at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaReport {
    /// The instant evaluated.
    pub now: Timestamp,
    /// Whether the SLA covers the ticket (it is, or may still become, a defect).
    pub applicable: bool,
    /// Receipt of the ticket, if known.
    pub received_at: Option<Timestamp>,
    /// The priority at `now`.
    pub priority: Option<Priority>,
    /// The reaction clock, once the ticket is received.
    pub reaction: Option<ClockReport>,
    /// The restoration cycles, oldest first.
    pub restoration: Vec<ClockReport>,
}

impl SlaReport {
    /// The latest restoration cycle (the one that counts for the ticket now).
    pub fn current_restoration(&self) -> Option<&ClockReport> {
        self.restoration.last()
    }

    /// Every clock, reaction first.
    pub fn clocks(&self) -> impl Iterator<Item = &ClockReport> {
        self.reaction.iter().chain(self.restoration.iter())
    }

    /// True if the SLA applies and any clock is breached now.
    pub fn is_breached(&self) -> bool {
        self.applicable && self.clocks().any(|c| c.breached)
    }

    /// True if the SLA applies and a clock that is not stopped is at risk.
    pub fn is_at_risk(&self) -> bool {
        self.applicable
            && self
                .clocks()
                .any(|c| c.at_risk && c.state != ClockState::Stopped)
    }
}

/// The SLA state of a ticket at `now`, from its facts (in stream order) and its contract's
/// policy. Pure: the same facts, policy, calendars and `now` always give the same report,
/// and facts after `now` are ignored, so any past instant can be replayed.
pub fn evaluate(
    facts: &[SlaFact],
    policy: &SlaPolicy,
    calendars: &RegionCalendars,
    now: Timestamp,
) -> SlaReport {
    let timeline = Timeline::fold(facts, policy.restored_by, now);
    let clocks = Clocks {
        timeline: &timeline,
        policy,
        calendars,
        now,
    };
    let reaction = timeline
        .reaction
        .map(|span| clocks.clock(ClockKind::Reaction, 1, span));
    let restoration = timeline
        .restorations
        .iter()
        .zip(1u32..)
        .map(|(span, cycle)| clocks.clock(ClockKind::Restoration, cycle, *span))
        .collect();
    SlaReport {
        now,
        applicable: timeline.applicable,
        received_at: timeline.received,
        priority: timeline.priority_at(now),
        reaction,
        restoration,
    }
}

struct Clocks<'a> {
    timeline: &'a Timeline,
    policy: &'a SlaPolicy,
    calendars: &'a RegionCalendars,
    now: Timestamp,
}

impl Clocks<'_> {
    fn target(&self, kind: ClockKind, priority: Option<Priority>) -> Option<TimeDelta> {
        let t = self.policy.targets.get(priority?);
        Some(match kind {
            ClockKind::Reaction => t.reaction.as_delta(),
            ClockKind::Restoration => t.restoration.as_delta(),
        })
    }

    fn calendar_kind(&self, priority: Option<Priority>) -> CalendarKind {
        priority.map_or(CalendarKind::AroundTheClock, |p| {
            self.policy.targets.get(p).calendar
        })
    }

    fn pauses(&self, kind: ClockKind) -> &[Interval] {
        let pausing = match kind {
            ClockKind::Reaction => self.policy.pause_reaction,
            ClockKind::Restoration => self.policy.pause_restoration,
        };
        if pausing { &self.timeline.pauses } else { &[] }
    }

    /// The priority segments of `[start, end)`: the priority in force at `start`, then one per
    /// change inside the span.
    fn segment_bounds(
        &self,
        start: Timestamp,
        end: Timestamp,
    ) -> Vec<(Option<Priority>, Interval)> {
        let mut bounds: Vec<(Option<Priority>, Timestamp)> =
            vec![(self.timeline.priority_at(start), start)];
        for &(at, p) in &self.timeline.priorities {
            if at > start && at < end {
                bounds.push((Some(p), at));
            }
        }
        let ends: Vec<Timestamp> = bounds
            .iter()
            .skip(1)
            .map(|&(_, at)| at)
            .chain([end])
            .collect();
        bounds
            .into_iter()
            .zip(ends)
            .map(|((p, s), e)| (p, Interval::new(s, e)))
            .collect()
    }

    fn clock(&self, kind: ClockKind, cycle: u32, span: Span) -> ClockReport {
        let end = span.end.unwrap_or(self.now);
        let pauses = self.pauses(kind);
        let mut elapsed = TimeDelta::zero();
        let mut paused = TimeDelta::zero();
        let mut segments = Vec::new();
        for (priority, interval) in self.segment_bounds(span.start, end) {
            let calendar_kind = self.calendar_kind(priority);
            let calendar = self.policy.calendar_of_kind(calendar_kind, self.calendars);
            let seg_elapsed = calendar.elapsed_with_pauses(interval.start, interval.end, pauses);
            let seg_paused = crate::calendar::merge_intervals(pauses)
                .iter()
                .map(|p| p.intersect(&interval).duration())
                .fold(TimeDelta::zero(), |a, b| a + b);
            elapsed += seg_elapsed;
            paused += seg_paused;
            let target = self.target(kind, priority);
            segments.push(PrioritySegment {
                priority,
                calendar: calendar_kind,
                target,
                start: interval.start,
                end: interval.end,
                elapsed: seg_elapsed,
                paused: seg_paused,
                breached: target.is_some_and(|t| elapsed > t),
            });
        }
        let priority = segments.last().and_then(|s| s.priority);
        let calendar = self.calendar_kind(priority);
        let target = self.target(kind, priority);
        let state = if span.end.is_some() {
            ClockState::Stopped
        } else if !pauses.is_empty() && self.timeline.paused_now {
            ClockState::Paused
        } else {
            ClockState::Running
        };
        let breached = target.is_some_and(|t| elapsed > t);
        let at_risk = !breached
            && target.is_some_and(|t| {
                i128::from(elapsed.num_milliseconds()) * 100
                    >= i128::from(t.num_milliseconds()) * i128::from(self.policy.at_risk_percent)
            });
        let remaining = target.map(|t| t - elapsed);
        let due_at = match (state, remaining) {
            (ClockState::Running, Some(r)) if r > TimeDelta::zero() => self
                .policy
                .calendar_of_kind(calendar, self.calendars)
                .add(self.now, r),
            _ => None,
        };
        ClockReport {
            kind,
            cycle,
            state,
            started_at: span.start,
            stopped_at: span.end,
            priority,
            calendar,
            target,
            elapsed,
            remaining,
            paused,
            at_risk,
            breached,
            met: match (state, target) {
                (ClockState::Stopped, Some(t)) => Some(elapsed <= t),
                _ => None,
            },
            due_at,
            segments,
        }
    }
}

/// Durations in reports serialise as whole seconds.
mod seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeDelta, D::Error> {
        let secs = i64::deserialize(d)?;
        TimeDelta::try_seconds(secs)
            .ok_or_else(|| serde::de::Error::custom(format!("{secs} seconds is out of range")))
    }
}

/// Optional durations in reports serialise as whole seconds or null.
mod option_seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<TimeDelta>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.num_seconds()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimeDelta>, D::Error> {
        match Option::<i64>::deserialize(d)? {
            None => Ok(None),
            Some(secs) => TimeDelta::try_seconds(secs)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("{secs} seconds is out of range"))),
        }
    }
}
