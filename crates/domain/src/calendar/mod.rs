//! Working-day calendars per region, and business time.
//!
//! A working day is Monday to Friday except the public holidays of the region **(default)**.
//! Holidays are data, never code: the defaults ship as iCalendar files in
//! `crates/domain/data/` ([`RegionCalendars::standard`]), and any `.ics` file with all-day
//! events can replace or extend them ([`WorkingDayCalendar::from_ics`]).
//!
//! * [`WorkingDayCalendar`] — whole working days: adding, subtracting and counting them.
//! * [`BusinessCalendar`] — business time for SLAs: 24×7 or desk hours, elapsed time between
//!   instants (honouring pauses) and due times.
//! * [`ics`] — the iCalendar import.

pub mod business;
pub mod ics;
pub mod interval;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ticketflow_events::Region;

pub use business::{BusinessCalendar, CalendarKind};
pub use ics::{Holiday, IcsError, parse_holidays};
pub use interval::{Interval, merge_intervals};

/// The shipped DACH holidays: days on which both DACH sites (Saarbrücken, Saarland, and
/// Graz, Austria) are closed, 2025–2030. See `docs/sla.md` for the choice.
pub const DACH_HOLIDAYS_ICS: &str = include_str!("../../data/holidays-dach.ics");

/// The shipped International holidays: days on which every International site (Sibiu,
/// London, Singapore, Melbourne) is closed, 2025–2030. See `docs/sla.md` for the choice.
pub const INTERNATIONAL_HOLIDAYS_ICS: &str = include_str!("../../data/holidays-international.ics");

/// Working days of one region: which weekdays are worked and which dates are holidays.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkingDayCalendar {
    /// Public holidays on which nobody works.
    pub holidays: BTreeSet<NaiveDate>,
}

impl WorkingDayCalendar {
    /// A calendar with the given holidays and the Monday-to-Friday week.
    pub fn with_holidays(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// A calendar with the all-day events of an iCalendar text as holidays.
    pub fn from_ics(text: &str) -> Result<Self, IcsError> {
        Ok(Self::with_holidays(
            parse_holidays(text)?.into_iter().map(|h| h.date),
        ))
    }

    /// Adds the holidays of another calendar (e.g. a contract's extra days off).
    pub fn extend(&mut self, holidays: impl IntoIterator<Item = NaiveDate>) {
        self.holidays.extend(holidays);
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

    /// The shipped default holidays of every region ([`DACH_HOLIDAYS_ICS`],
    /// [`INTERNATIONAL_HOLIDAYS_ICS`]), 2025–2030.
    ///
    /// `RegionCalendars::default()` stays empty (no holidays) so that a configuration file
    /// that lists its own calendars is taken literally; this is the documented default of
    /// domain.md that a desk configuration should start from.
    pub fn standard() -> Self {
        Self(
            SHIPPED_REGIONS
                .iter()
                .map(|&region| (region, shipped_calendar(region)))
                .collect(),
        )
    }
}

/// The shipped holidays of a region, parsed from the bundled `.ics` file.
pub fn shipped_holidays(region: Region) -> Result<Vec<Holiday>, IcsError> {
    parse_holidays(match region {
        Region::Dach => DACH_HOLIDAYS_ICS,
        Region::International => INTERNATIONAL_HOLIDAYS_ICS,
    })
}

fn shipped_calendar(region: Region) -> WorkingDayCalendar {
    // The bundled files are compiled in and checked by the test
    // `shipped_holiday_files_parse_and_cover_2025_to_2030`; they are not user input.
    match shipped_holidays(region) {
        Ok(holidays) => WorkingDayCalendar::with_holidays(holidays.into_iter().map(|h| h.date)),
        Err(_) => WorkingDayCalendar::default(),
    }
}

/// Regions with shipped holiday files; `shipped_holidays` matches exhaustively, so a new
/// region fails to compile until its holidays are decided.
const SHIPPED_REGIONS: [Region; 2] = [Region::Dach, Region::International];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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

    #[test]
    fn shipped_holiday_files_parse_and_cover_2025_to_2030() {
        for region in [Region::Dach, Region::International] {
            let holidays = shipped_holidays(region).unwrap();
            for year in 2025..=2030 {
                assert!(
                    holidays.iter().any(|h| h.date == d(year, 1, 1))
                        && holidays.iter().any(|h| h.date == d(year, 12, 25)),
                    "{region} {year}"
                );
            }
        }
        let standard = RegionCalendars::standard();
        let dach = standard.get(Region::Dach);
        assert_eq!(dach.holidays.len(), 60);
        // Easter Monday 2026 and Corpus Christi 2027 are DACH holidays; 3 October is not.
        assert!(!dach.is_working_day(d(2026, 4, 6)));
        assert!(!dach.is_working_day(d(2027, 5, 27)));
        assert!(dach.is_working_day(d(2025, 10, 3)));
        let international = standard.get(Region::International);
        assert!(!international.is_working_day(d(2025, 4, 18)));
        assert!(international.is_working_day(d(2026, 4, 3)));
    }
}
