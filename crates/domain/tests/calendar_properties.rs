//! Property tests of business-time arithmetic on both calendar kinds.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, NaiveDate, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;
use ticketflow_domain::calendar::{BusinessCalendar, Interval, RegionCalendars};
use ticketflow_events::{Region, Timestamp};

/// Instants between 2025 and 2030, to the second.
fn instant() -> impl Strategy<Value = Timestamp> {
    let lo = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let hi = Utc
        .with_ymd_and_hms(2030, 12, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    (lo..hi).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// Durations up to 30 days, to the second.
fn duration() -> impl Strategy<Value = TimeDelta> {
    (0i64..30 * 86_400).prop_map(TimeDelta::seconds)
}

fn calendar() -> impl Strategy<Value = BusinessCalendar> {
    let zones: Vec<Tz> = vec![
        chrono_tz::Europe::Berlin,
        chrono_tz::Europe::Vienna,
        chrono_tz::Europe::London,
        chrono_tz::Australia::Melbourne,
        chrono_tz::America::Santiago,
        chrono_tz::UTC,
    ];
    prop_oneof![
        Just(BusinessCalendar::AroundTheClock),
        (
            proptest::sample::select(zones),
            proptest::sample::select(vec![Region::Dach, Region::International])
        )
            .prop_map(|(tz, region)| BusinessCalendar::desk_hours(
                tz,
                RegionCalendars::standard().get(region)
            )),
    ]
}

fn pauses() -> impl Strategy<Value = Vec<Interval>> {
    proptest::collection::vec(
        (instant(), 0i64..5 * 86_400)
            .prop_map(|(s, len)| Interval::new(s, s + TimeDelta::seconds(len))),
        0..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn elapsed_is_monotonic_in_the_end_instant(cal in calendar(), a in instant(), b in instant(), c in instant()) {
        let mut v = [a, b, c];
        v.sort();
        prop_assert!(cal.elapsed(v[0], v[1]) <= cal.elapsed(v[0], v[2]));
        prop_assert!(cal.elapsed(v[1], v[2]) <= cal.elapsed(v[0], v[2]));
    }

    #[test]
    fn elapsed_is_additive_over_adjacent_intervals(cal in calendar(), a in instant(), b in instant(), c in instant()) {
        let mut v = [a, b, c];
        v.sort();
        prop_assert_eq!(cal.elapsed(v[0], v[2]), cal.elapsed(v[0], v[1]) + cal.elapsed(v[1], v[2]));
    }

    #[test]
    fn elapsed_never_exceeds_wall_time(cal in calendar(), a in instant(), b in instant()) {
        let e = cal.elapsed(a.min(b), a.max(b));
        prop_assert!(e >= TimeDelta::zero());
        prop_assert!(e <= a.max(b) - a.min(b));
    }

    #[test]
    fn add_then_elapsed_round_trips(cal in calendar(), start in instant(), d in duration()) {
        let due = cal.add(start, d).unwrap();
        prop_assert!(due >= start);
        prop_assert_eq!(cal.elapsed(start, due), d);
        // The earliest such instant: a second earlier, less has elapsed.
        if d > TimeDelta::zero() {
            prop_assert!(cal.elapsed(start, due - TimeDelta::seconds(1)) < d);
        }
    }

    #[test]
    fn subtract_then_elapsed_round_trips(cal in calendar(), end in instant(), d in duration()) {
        let start = cal.subtract(end, d).unwrap();
        prop_assert!(start <= end);
        prop_assert_eq!(cal.elapsed(start, end), d);
    }

    #[test]
    fn add_is_monotonic_in_the_duration(cal in calendar(), start in instant(), d1 in duration(), d2 in duration()) {
        let (lo, hi) = (d1.min(d2), d1.max(d2));
        prop_assert!(cal.add(start, lo).unwrap() <= cal.add(start, hi).unwrap());
    }

    #[test]
    fn desk_hours_count_nothing_on_weekends_and_holidays(
        tz in proptest::sample::select(vec![chrono_tz::Europe::Berlin, chrono_tz::Australia::Melbourne]),
        region in proptest::sample::select(vec![Region::Dach, Region::International]),
        day in 0i64..(6 * 365),
        from_s in 0i64..86_400,
        to_s in 0i64..86_400,
    ) {
        let days = RegionCalendars::standard().get(region);
        let date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + TimeDelta::days(day);
        prop_assume!(matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || days.holidays.contains(&date));
        let cal = BusinessCalendar::desk_hours(tz, days);
        let midnight = tz.from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap()).earliest().unwrap();
        let a = midnight.with_timezone(&Utc) + TimeDelta::seconds(from_s.min(to_s));
        let b = midnight.with_timezone(&Utc) + TimeDelta::seconds(from_s.max(to_s));
        // Stay inside the local day (DST days are 23 h long).
        prop_assume!(b.with_timezone(&tz).date_naive() == date);
        prop_assert_eq!(cal.elapsed(a, b), TimeDelta::zero());
    }

    #[test]
    fn paused_time_never_counts(cal in calendar(), a in instant(), b in instant(), ps in pauses()) {
        let (from, to) = (a.min(b), a.max(b));
        let with = cal.elapsed_with_pauses(from, to, &ps);
        prop_assert!(with >= TimeDelta::zero());
        prop_assert!(with <= cal.elapsed(from, to));
        for p in &ps {
            // Time fully inside a pause adds nothing.
            let inner = Interval::new(p.start.max(from), p.end.min(to));
            if !inner.is_empty() {
                prop_assert_eq!(
                    cal.elapsed_with_pauses(inner.start, inner.end, &ps),
                    TimeDelta::zero()
                );
            }
        }
    }

    #[test]
    fn add_with_pauses_round_trips(cal in calendar(), start in instant(), d in duration(), ps in pauses()) {
        let due = cal.add_with_pauses(start, d, &ps).unwrap();
        prop_assert_eq!(cal.elapsed_with_pauses(start, due, &ps), d);
    }
}
