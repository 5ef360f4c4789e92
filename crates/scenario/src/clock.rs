//! Business-time helpers: office hours, nights and weekends, days and minutes.
//!
//! The script's times are UTC. People in the scenario work office hours (08:00–18:00 on
//! Monday to Friday); only critical incidents (P1, P2) are raised and handled at night and on
//! weekends, as the desk's on-call staff does.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use ticketflow_events::Timestamp;

use crate::random::SplitMix64;

/// Hour at which office work starts.
const OFFICE_START: u32 = 8;
/// Hour at which office work ends.
const OFFICE_END: u32 = 18;

/// `date` at `hour:minute` UTC.
pub fn at(date: NaiveDate, hour: u32, minute: u32) -> Timestamp {
    let time = date
        .and_hms_opt(hour.min(23), minute.min(59), 0)
        .unwrap_or_default();
    Utc.from_utc_datetime(&time)
}

/// True on Saturday and Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first Monday to Friday on or after `date`.
pub fn weekday_on_or_after(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while is_weekend(d) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// The first Monday on or after `date`.
pub fn monday_on_or_after(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while d.weekday() != Weekday::Mon {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// `t` if it lies in office hours, else the start of the next office day.
pub fn office(t: Timestamp) -> Timestamp {
    let date = t.date_naive();
    if !is_weekend(date) && (OFFICE_START..OFFICE_END).contains(&t.hour()) {
        return t;
    }
    let day = if t.hour() >= OFFICE_END || is_weekend(date) {
        weekday_on_or_after(date.succ_opt().unwrap_or(date))
    } else {
        date
    };
    let day = weekday_on_or_after(day);
    at(day, OFFICE_START, 0).max(t)
}

/// A random moment in the office hours of the first office day on or after `date`.
pub fn during_office(date: NaiveDate, rng: &mut SplitMix64) -> Timestamp {
    let day = weekday_on_or_after(date);
    at(
        day,
        rng.between(i64::from(OFFICE_START), i64::from(OFFICE_END) - 2) as u32,
        rng.between(0, 59) as u32,
    )
}

/// A random moment outside office hours near `date`: a weekday night or a weekend.
pub fn off_hours(date: NaiveDate, rng: &mut SplitMix64) -> Timestamp {
    if rng.chance(0.5) {
        // The next weekend, at any hour.
        let mut d = date;
        while d.weekday() != Weekday::Sat {
            d = d.succ_opt().unwrap_or(d);
        }
        let d = d + Duration::days(rng.between(0, 1));
        at(d, rng.between(0, 23) as u32, rng.between(0, 59) as u32)
    } else {
        let d = weekday_on_or_after(date);
        let hour = *rng.pick(&[19, 21, 22, 23, 0, 1, 2, 3, 5, 6]);
        at(d, hour, rng.between(0, 59) as u32)
    }
}

/// `t` plus a random number of minutes in `lo..=hi`.
pub fn minutes(t: Timestamp, rng: &mut SplitMix64, lo: i64, hi: i64) -> Timestamp {
    t + Duration::minutes(rng.between(lo, hi))
}

/// `t` plus a random number of whole days in `lo..=hi`, moved into office hours.
pub fn days(t: Timestamp, rng: &mut SplitMix64, lo: i64, hi: i64) -> Timestamp {
    office(t + Duration::days(rng.between(lo, hi)) + Duration::minutes(rng.between(0, 120)))
}

/// `t` plus a random number of office hours in `lo..=hi` (skipping nights and weekends).
pub fn office_hours(t: Timestamp, rng: &mut SplitMix64, lo: i64, hi: i64) -> Timestamp {
    office(office(t) + Duration::minutes(rng.between(lo * 60, hi * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn office_moves_nights_and_weekends_to_the_next_morning() {
        // Friday 2026-11-27 19:00 → Monday 08:00.
        assert_eq!(
            office(at(d(2026, 11, 27), 19, 0)),
            at(d(2026, 11, 30), 8, 0)
        );
        // Tuesday 05:00 → Tuesday 08:00.
        assert_eq!(office(at(d(2026, 11, 24), 5, 0)), at(d(2026, 11, 24), 8, 0));
        // Office hours stay.
        assert_eq!(
            office(at(d(2026, 11, 24), 9, 30)),
            at(d(2026, 11, 24), 9, 30)
        );
    }

    #[test]
    fn off_hours_are_off_hours() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..200 {
            let t = off_hours(d(2026, 11, 24), &mut rng);
            assert!(is_weekend(t.date_naive()) || !(8..18).contains(&t.hour()));
        }
    }
}
