//! The iCalendar holiday import: what it accepts, and that malformed input is refused with
//! an error naming the line (never a panic).

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use ticketflow_domain::calendar::{Holiday, IcsError, parse_holidays};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn all_day_events_become_holidays_with_their_names() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251225\r\nSUMMARY:Christmas\\, Day\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let holidays = parse_holidays(text).unwrap();
    assert_eq!(
        holidays,
        vec![
            Holiday {
                date: d(2025, 12, 25),
                name: "Christmas, Day".into()
            },
            Holiday {
                date: d(2026, 1, 1),
                name: String::new()
            },
        ]
    );
}

#[test]
fn a_multi_day_event_covers_every_day_before_its_exclusive_end() {
    let text = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20251224\nDTEND;VALUE=DATE:20251227\nEND:VEVENT\n";
    let dates: Vec<_> = parse_holidays(text)
        .unwrap()
        .into_iter()
        .map(|h| h.date)
        .collect();
    assert_eq!(
        dates,
        vec![d(2025, 12, 24), d(2025, 12, 25), d(2025, 12, 26)]
    );
}

#[test]
fn folded_lines_are_unfolded_and_alarms_ignored() {
    let text = "BEGIN:VEVENT\nSUMMARY:Long\n  name\nDTSTART;VALUE=DATE:2025\n 0501\nBEGIN:VALARM\nDTSTART:19700101T000000\nEND:VALARM\nEND:VEVENT\n";
    let holidays = parse_holidays(text).unwrap();
    assert_eq!(holidays[0].date, d(2025, 5, 1));
    assert_eq!(holidays[0].name, "Long name");
}

#[test]
fn malformed_dates_are_refused_naming_the_line() {
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2025131\nEND:VEVENT\n";
    let err = parse_holidays(text).unwrap_err();
    assert_eq!(
        err,
        IcsError::BadDate {
            line: 3,
            value: "2025131".into()
        }
    );
    assert!(err.to_string().starts_with("line 3:"));
    let err = parse_holidays("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20250230\nEND:VEVENT").unwrap_err();
    assert!(matches!(err, IcsError::BadDate { line: 2, .. }));
}

#[test]
fn timed_events_are_refused_because_holidays_are_whole_days() {
    let err = parse_holidays("BEGIN:VEVENT\nDTSTART:20251225T090000Z\nEND:VEVENT").unwrap_err();
    assert!(matches!(err, IcsError::NotAllDay { line: 2, .. }), "{err}");
}

#[test]
fn recurring_events_are_refused() {
    let err =
        parse_holidays("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20251225\nRRULE:FREQ=YEARLY\nEND:VEVENT")
            .unwrap_err();
    assert!(matches!(err, IcsError::Recurrence { line: 3, .. }), "{err}");
}

#[test]
fn structural_errors_name_the_line() {
    assert_eq!(
        parse_holidays("BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT").unwrap_err(),
        IcsError::MissingStart { line: 1 }
    );
    assert_eq!(
        parse_holidays("X\nBEGIN:VEVENT\nDTSTART:20250101").unwrap_err(),
        IcsError::NotAContentLine {
            line: 1,
            text: "X".into()
        }
    );
    assert_eq!(
        parse_holidays("BEGIN:VEVENT\nDTSTART:20250101").unwrap_err(),
        IcsError::Unterminated { line: 1 }
    );
    assert!(matches!(
        parse_holidays("END:VEVENT").unwrap_err(),
        IcsError::Unbalanced { line: 1, .. }
    ));
    assert!(matches!(
        parse_holidays("BEGIN:VEVENT\nDTSTART:20250102\nDTEND:20250101\nEND:VEVENT").unwrap_err(),
        IcsError::EndBeforeStart { line: 3 }
    ));
}

mod never_panics {
    use proptest::prelude::*;
    use ticketflow_domain::calendar::{DACH_HOLIDAYS_ICS, parse_holidays};

    proptest! {
        #[test]
        fn arbitrary_text_gives_holidays_or_an_error(text in "\\PC{0,400}") {
            let _ = parse_holidays(&text);
        }

        #[test]
        fn a_corrupted_shipped_file_gives_holidays_or_an_error_naming_a_line(
            cut in 0usize..6000,
            insert in "[A-Z0-9:;=\\r\\n ]{0,12}",
        ) {
            let mut text = DACH_HOLIDAYS_ICS.to_owned();
            let mut at = cut.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, &insert);
            if let Err(err) = parse_holidays(&text) {
                prop_assert!(err.to_string().starts_with("line "), "{err}");
            }
        }
    }
}
