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
use super::interval::{Interval, merge_intervals};

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

    #[test]
    fn a_midnight_skipped_by_dst_starts_the_day_at_the_transition() {
        // Chile moved clocks from 00:00 to 01:00 on Sunday 2024-09-08; Saturday ended then.
        let tz: Tz = "America/Santiago".parse().unwrap();
        let start = day_start(tz, NaiveDate::from_ymd_opt(2024, 9, 8).unwrap()).unwrap();
        assert_eq!(start, "2024-09-08T04:00:00Z".parse::<Timestamp>().unwrap());
    }
}
