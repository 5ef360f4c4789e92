//! Business time: how much of the time between two instants counts for an SLA.
//!
//! Two calendars exist (domain.md §2.7):
//!
//! * **24×7** ([`BusinessCalendar::AroundTheClock`]) — every second counts. Used for critical
//!   incidents (P1, P2), which on-call staff handle on weekends and holidays too.
//! * **Desk hours** ([`BusinessCalendar::DeskHours`]) — the desk is staffed around the clock on
//!   working days: Monday to Friday, 00:00 to 24:00 in the contract's time zone, except the
//!   public holidays of the contract's region. Time on weekends and holidays does not count.
//!   A "day of desk hours" is 24 counted hours.
//!
//! Business time is *real* elapsed time inside the staffed intervals, so a working day that
//! contains a daylight-saving change (some zones switch on weekdays, at midnight) counts the
//! 23 or 25 hours that really pass. A local midnight skipped by a DST gap starts the day at
//! the transition; a repeated midnight starts it at the first occurrence.
//!
//! All intervals are half-open, `[start, end)`.

use chrono::{DateTime, LocalResult, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;

use super::WorkingDayCalendar;

/// Which business-time calendar a target is measured on; the configuration names it, the
/// contract supplies the time zone and region that make it a [`BusinessCalendar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CalendarKind {
    /// Every second counts (`"24x7"`).
    #[serde(rename = "24x7")]
    AroundTheClock,
    /// Only working days of the contract's region and time zone count (`"desk-hours"`).
    #[serde(rename = "desk-hours")]
    DeskHours,
}

impl std::fmt::Display for CalendarKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CalendarKind::AroundTheClock => "24×7",
            CalendarKind::DeskHours => "desk hours",
        })
    }
}

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

/// A calendar that says which time counts as business time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BusinessCalendar {
    /// Every instant counts.
    AroundTheClock,
    /// Monday to Friday, 00:00–24:00 local time, except holidays.
    DeskHours {
        /// The contract's time zone: where the local days begin and end.
        time_zone: Tz,
        /// The region's working days (its holidays).
        working_days: WorkingDayCalendar,
    },
}

/// The last instant the calendars reason about; intervals are clipped to it.
fn end_of_time() -> Timestamp {
    DateTime::<Utc>::MAX_UTC
}

/// The instant a local date begins in a time zone, resolving DST gaps and folds (see module
/// docs). `None` only at the ends of the representable range.
fn day_start(tz: Tz, date: NaiveDate) -> Option<Timestamp> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            // Midnight was skipped: the day starts at the transition, which is midnight read
            // with the offset in force just before it.
            let before = midnight.checked_sub_signed(TimeDelta::hours(6))?;
            let offset = tz.offset_from_local_datetime(&before).earliest()?;
            let utc = midnight.checked_sub_signed(TimeDelta::seconds(i64::from(
                chrono::Offset::fix(&offset).local_minus_utc(),
            )))?;
            Some(Utc.from_utc_datetime(&utc))
        }
    }
}

impl BusinessCalendar {
    /// A desk-hour calendar for a contract's time zone and its region's working days.
    pub fn desk_hours(time_zone: Tz, working_days: WorkingDayCalendar) -> Self {
        BusinessCalendar::DeskHours {
            time_zone,
            working_days,
        }
    }

    /// Which kind of calendar this is.
    pub fn kind(&self) -> CalendarKind {
        match self {
            BusinessCalendar::AroundTheClock => CalendarKind::AroundTheClock,
            BusinessCalendar::DeskHours { .. } => CalendarKind::DeskHours,
        }
    }

    /// True if the instant lies inside business time.
    pub fn is_business_time(&self, at: Timestamp) -> bool {
        match self {
            BusinessCalendar::AroundTheClock => true,
            BusinessCalendar::DeskHours {
                time_zone,
                working_days,
            } => working_days.is_working_day(at.with_timezone(time_zone).date_naive()),
        }
    }

    /// The staffed intervals that end after `from`, in order, starting with the one containing
    /// `from` (unclipped). Ends when the representable range ends.
    fn staffed_after(&self, from: Timestamp) -> Box<dyn Iterator<Item = Interval> + '_> {
        match self {
            BusinessCalendar::AroundTheClock => {
                Box::new(std::iter::once(Interval::new(from, end_of_time())))
            }
            BusinessCalendar::DeskHours {
                time_zone,
                working_days,
            } => {
                let tz = *time_zone;
                // Start one day early: a DST fold can make `from`'s local date begin before it.
                let first = from.with_timezone(&tz).date_naive();
                let first = first.pred_opt().unwrap_or(first);
                let mut date = Some(first);
                Box::new(
                    std::iter::from_fn(move || {
                        loop {
                            let d = date?;
                            let next = d.succ_opt();
                            date = next;
                            if working_days.is_working_day(d) {
                                let start = day_start(tz, d)?;
                                let end = match next {
                                    Some(n) => day_start(tz, n)?,
                                    None => end_of_time(),
                                };
                                return Some(Interval::new(start, end));
                            }
                        }
                    })
                    .filter(move |i| i.end > from),
                )
            }
        }
    }

    /// The staffed intervals that start before `to`, latest first (unclipped).
    fn staffed_before(&self, to: Timestamp) -> Box<dyn Iterator<Item = Interval> + '_> {
        match self {
            BusinessCalendar::AroundTheClock => {
                Box::new(std::iter::once(Interval::new(DateTime::<Utc>::MIN_UTC, to)))
            }
            BusinessCalendar::DeskHours {
                time_zone,
                working_days,
            } => {
                let tz = *time_zone;
                let last = to.with_timezone(&tz).date_naive();
                let last = last.succ_opt().unwrap_or(last);
                let mut date = Some(last);
                Box::new(
                    std::iter::from_fn(move || {
                        loop {
                            let d = date?;
                            date = d.pred_opt();
                            if working_days.is_working_day(d) {
                                let start = day_start(tz, d)?;
                                let end = match d.succ_opt() {
                                    Some(n) => day_start(tz, n)?,
                                    None => end_of_time(),
                                };
                                return Some(Interval::new(start, end));
                            }
                        }
                    })
                    .filter(move |i| i.start < to),
                )
            }
        }
    }

    /// Business time between two instants (zero if `to` is not after `from`).
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> TimeDelta {
        let window = Interval::new(from, to);
        if window.is_empty() {
            return TimeDelta::zero();
        }
        self.staffed_after(from)
            .take_while(|i| i.start < to)
            .map(|i| i.intersect(&window).duration())
            .fold(TimeDelta::zero(), |a, b| a + b)
    }

    /// Business time between two instants not covered by any of the pauses. Pauses may
    /// overlap, touch, be unordered or reach outside `[from, to)`; each instant is excluded
    /// at most once.
    pub fn elapsed_with_pauses(
        &self,
        from: Timestamp,
        to: Timestamp,
        pauses: &[Interval],
    ) -> TimeDelta {
        let window = Interval::new(from, to);
        let paused = merge_intervals(pauses)
            .iter()
            .map(|p| p.intersect(&window))
            .filter(|p| !p.is_empty())
            .map(|p| self.elapsed(p.start, p.end))
            .fold(TimeDelta::zero(), |a, b| a + b);
        self.elapsed(from, to) - paused
    }

    /// The earliest instant at which `business` time has elapsed since `start` (the due time
    /// of a target). A zero or negative duration gives `start`. `None` only if the answer lies
    /// beyond the representable range.
    pub fn add(&self, start: Timestamp, business: TimeDelta) -> Option<Timestamp> {
        self.add_with_pauses(start, business, &[])
    }

    /// Like [`add`](Self::add), but time inside the pauses does not count.
    pub fn add_with_pauses(
        &self,
        start: Timestamp,
        business: TimeDelta,
        pauses: &[Interval],
    ) -> Option<Timestamp> {
        if business <= TimeDelta::zero() {
            return Some(start);
        }
        let pauses = merge_intervals(pauses);
        let mut remaining = business;
        for staffed in self.staffed_after(start) {
            let mut piece_start = staffed.start.max(start);
            // Cut the staffed interval at each pause it overlaps.
            let first = piece_start;
            let overlapping = pauses
                .iter()
                .filter(|p| p.end > first && p.start < staffed.end);
            for pause in
                overlapping.chain(std::iter::once(&Interval::new(staffed.end, staffed.end)))
            {
                let piece = Interval::new(piece_start, pause.start.min(staffed.end));
                let length = piece.duration();
                if length >= remaining && !piece.is_empty() {
                    return piece.start.checked_add_signed(remaining);
                }
                remaining -= length;
                piece_start = piece_start.max(pause.end);
                if piece_start >= staffed.end {
                    break;
                }
            }
        }
        None
    }

    /// The latest instant from which `business` time elapses until `end` (the start a due
    /// time implies). A zero or negative duration gives `end`. `None` only beyond the
    /// representable range.
    pub fn subtract(&self, end: Timestamp, business: TimeDelta) -> Option<Timestamp> {
        if business <= TimeDelta::zero() {
            return Some(end);
        }
        let mut remaining = business;
        for staffed in self.staffed_before(end) {
            let piece = Interval::new(staffed.start, staffed.end.min(end));
            let length = piece.duration();
            if length >= remaining {
                return piece.end.checked_sub_signed(remaining);
            }
            remaining -= length;
        }
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn utc(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn desk(holidays: &[(i32, u32, u32)]) -> BusinessCalendar {
        BusinessCalendar::desk_hours(
            Berlin,
            WorkingDayCalendar::with_holidays(
                holidays
                    .iter()
                    .map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            ),
        )
    }

    #[test]
    fn around_the_clock_counts_wall_time() {
        let cal = BusinessCalendar::AroundTheClock;
        let a = utc("2026-11-21T10:00:00Z");
        assert_eq!(
            cal.elapsed(a, utc("2026-11-22T10:00:00Z")),
            TimeDelta::hours(24)
        );
        assert_eq!(
            cal.add(a, TimeDelta::hours(4)),
            Some(utc("2026-11-21T14:00:00Z"))
        );
        assert_eq!(
            cal.subtract(a, TimeDelta::hours(4)),
            Some(utc("2026-11-21T06:00:00Z"))
        );
    }

    #[test]
    fn desk_hours_skip_the_weekend_in_local_time() {
        let cal = desk(&[]);
        // Fri 2026-11-20 22:00 Berlin (21:00Z) to Mon 2026-11-23 02:00 Berlin (01:00Z):
        // 2 h on Friday + 2 h on Monday.
        let from = utc("2026-11-20T21:00:00Z");
        let to = utc("2026-11-23T01:00:00Z");
        assert_eq!(cal.elapsed(from, to), TimeDelta::hours(4));
        assert_eq!(cal.add(from, TimeDelta::hours(4)), Some(to));
        assert_eq!(cal.subtract(to, TimeDelta::hours(4)), Some(from));
        // Adding exactly the rest of Friday lands on the end of Friday (Sat 00:00 Berlin).
        assert_eq!(
            cal.add(from, TimeDelta::hours(2)),
            Some(utc("2026-11-20T23:00:00Z"))
        );
    }

    #[test]
    fn desk_hours_skip_holidays() {
        let cal = desk(&[(2026, 12, 25)]);
        // Thu 24 Dec 12:00 Berlin + 24 h: 12 h Thursday, Fri 25 holiday, weekend, 12 h Monday.
        let start = utc("2026-12-24T11:00:00Z");
        assert_eq!(
            cal.add(start, TimeDelta::hours(24)),
            Some(utc("2026-12-28T11:00:00Z"))
        );
    }

    #[test]
    fn desk_hours_starting_on_a_weekend_begin_on_monday() {
        let cal = desk(&[]);
        let sat = utc("2026-11-21T12:00:00Z");
        // Monday 00:00 Berlin is Sunday 23:00Z.
        assert_eq!(
            cal.add(sat, TimeDelta::hours(1)),
            Some(utc("2026-11-23T00:00:00Z"))
        );
        assert!(!cal.is_business_time(sat));
    }

    #[test]
    fn desk_hours_follow_local_days_across_a_dst_weekend() {
        let cal = desk(&[]);
        // Fri 2026-03-27 22:00 CET (21:00Z) to Mon 2026-03-30 02:00 CEST (00:00Z).
        let from = utc("2026-03-27T21:00:00Z");
        let to = utc("2026-03-30T00:00:00Z");
        assert_eq!(cal.elapsed(from, to), TimeDelta::hours(4));
        assert_eq!(cal.add(from, TimeDelta::hours(4)), Some(to));
        // 24x7 counts the real 23 hours of that Saturday noon to Sunday noon.
        let sat_noon = utc("2026-03-28T11:00:00Z");
        let sun_noon = utc("2026-03-29T10:00:00Z");
        assert_eq!(
            BusinessCalendar::AroundTheClock.elapsed(sat_noon, sun_noon),
            TimeDelta::hours(23)
        );
    }

    #[test]
    fn pauses_do_not_count_and_overlapping_pauses_count_once() {
        let cal = BusinessCalendar::AroundTheClock;
        let a = utc("2026-11-23T08:00:00Z");
        let b = utc("2026-11-23T18:00:00Z");
        let pauses = [
            Interval::new(utc("2026-11-23T10:00:00Z"), utc("2026-11-23T12:00:00Z")),
            Interval::new(utc("2026-11-23T11:00:00Z"), utc("2026-11-23T13:00:00Z")),
            Interval::new(utc("2026-11-23T17:00:00Z"), utc("2026-11-23T20:00:00Z")),
        ];
        assert_eq!(cal.elapsed_with_pauses(a, b, &pauses), TimeDelta::hours(6));
        assert_eq!(
            cal.add_with_pauses(a, TimeDelta::hours(3), &pauses),
            Some(utc("2026-11-23T14:00:00Z"))
        );
        assert_eq!(
            cal.add_with_pauses(a, TimeDelta::hours(6), &pauses),
            Some(utc("2026-11-23T17:00:00Z"))
        );
        assert_eq!(
            cal.add_with_pauses(a, TimeDelta::hours(7), &pauses),
            Some(utc("2026-11-23T21:00:00Z"))
        );
    }

    #[test]
    fn a_midnight_skipped_by_dst_starts_the_day_at_the_transition() {
        // Chile moved clocks from 00:00 to 01:00 on Sunday 2024-09-08; Saturday ended then.
        let tz: Tz = "America/Santiago".parse().unwrap();
        let start = day_start(tz, NaiveDate::from_ymd_opt(2024, 9, 8).unwrap()).unwrap();
        assert_eq!(start, utc("2024-09-08T04:00:00Z"));
    }
}
