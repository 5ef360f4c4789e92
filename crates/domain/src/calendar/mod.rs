//! Working-day calendars per region.
//!
//! A working day is Monday to Friday except the public holidays of the region **(default)**.
//! Holidays are data, never code.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ticketflow_events::Region;

/// Working days of one region: which weekdays are worked and which dates are holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDayCalendar {
    /// Public holidays on which nobody works.
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for WorkingDayCalendar {
    fn default() -> Self {
        Self {
            holidays: BTreeSet::new(),
        }
    }
}

impl WorkingDayCalendar {
    /// A calendar with the given holidays and the Monday-to-Friday week.
    pub fn with_holidays(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// True on Monday to Friday unless the date is a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The date `n` working days after `date` (before it when `n` is negative). `date` itself is
    /// not counted; with `n == 0` the date is returned unchanged.
    pub fn add_working_days(&self, date: NaiveDate, n: i64) -> NaiveDate {
        let step = if n >= 0 { 1 } else { -1 };
        let mut remaining = n.unsigned_abs();
        let mut current = date;
        while remaining > 0 {
            current = match current.checked_add_signed(chrono::Duration::days(step)) {
                Some(d) => d,
                None => return current,
            };
            if self.is_working_day(current) {
                remaining -= 1;
            }
        }
        current
    }

    /// Working days strictly after `from` up to and including `to` (negative if `to < from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let count = a
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= b)
            .filter(|d| self.is_working_day(*d))
            .count() as i64;
        sign * count
    }
}

/// The working-day calendar of each region; a region without an entry has no holidays.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionCalendars(pub BTreeMap<Region, WorkingDayCalendar>);

impl RegionCalendars {
    /// The calendar of a region (Monday to Friday without holidays if none is configured).
    pub fn get(&self, region: Region) -> WorkingDayCalendar {
        self.0.get(&region).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = WorkingDayCalendar::with_holidays([d(2026, 12, 25)]);
        // Thu 2026-12-24 + 1 working day skips the holiday Fri 25th and the weekend.
        assert_eq!(cal.add_working_days(d(2026, 12, 24), 1), d(2026, 12, 28));
        assert_eq!(cal.add_working_days(d(2026, 12, 28), -1), d(2026, 12, 24));
        assert_eq!(
            cal.working_days_between(d(2026, 12, 24), d(2026, 12, 28)),
            1
        );
    }
}
