//! Business time on the 24×7 and desk-hour calendars: weekends, holidays, time zones, DST
//! and pauses.

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Tz;
use ticketflow_domain::calendar::{BusinessCalendar, Interval, WorkingDayCalendar};
use ticketflow_events::Timestamp;

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
fn a_weekday_with_a_dst_change_counts_the_hours_it_really_has() {
    // Egypt starts DST on the last Friday of April at 00:00 (→ 01:00) and ends it on the
    // last Thursday of October at 24:00 (→ 23:00): Friday 2026-04-24 has 23 hours, Thursday
    // 2026-10-29 has 25.
    let cairo: Tz = "Africa/Cairo".parse().unwrap();
    let cal = BusinessCalendar::desk_hours(cairo, WorkingDayCalendar::default());
    let thu_april = utc("2026-04-22T22:00:00Z"); // Thu 23 Apr 00:00 EET
    let sat_april = utc("2026-04-24T21:00:00Z"); // Sat 25 Apr 00:00 EEST
    assert_eq!(cal.elapsed(thu_april, sat_april), TimeDelta::hours(24 + 23));
    let wed_october = utc("2026-10-27T21:00:00Z"); // Wed 28 Oct 00:00 EEST
    let fri_october = utc("2026-10-29T22:00:00Z"); // Fri 30 Oct 00:00 EET
    assert_eq!(
        cal.elapsed(wed_october, fri_october),
        TimeDelta::hours(24 + 25)
    );
    assert_eq!(
        cal.add(wed_october, TimeDelta::hours(49)),
        Some(fri_october)
    );
}
