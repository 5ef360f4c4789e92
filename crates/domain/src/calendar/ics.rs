//! Import of public holidays from iCalendar (`.ics`, RFC 5545) files.
//!
//! Holiday calendars are published everywhere as `.ics` files, so the desk's holidays are
//! kept in that format: the shipped defaults in `crates/domain/data/` are `.ics` files, and an
//! operator can replace or extend them with a file exported from any calendar tool.
//!
//! Only what a holiday list needs is understood: `VEVENT`s whose `DTSTART` is an all-day date
//! (`DTSTART;VALUE=DATE:20251225` or `DTSTART:20251225`), an optional all-day `DTEND`
//! (exclusive, so multi-day events cover every day in between) and an optional `SUMMARY`
//! naming the holiday. Anything that would silently change the meaning — a `DTSTART` with a
//! time of day, a recurrence rule, an event without a start — is refused with an error naming
//! the line, so a holiday is never lost without anyone noticing. Other properties and
//! components (`VTIMEZONE`, `VALARM`, `X-…`) are ignored.

use chrono::NaiveDate;
use thiserror::Error;

/// One public holiday read from a calendar file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holiday {
    /// The (local) date on which the desk is closed.
    pub date: NaiveDate,
    /// The holiday's name from `SUMMARY`, empty if the event had none.
    pub name: String,
}

/// Why an iCalendar file could not be read as a list of holidays. Every variant names the
/// (1-based) line of the file so the author can fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IcsError {
    /// A content line has no `:` between its name and its value.
    #[error("line {line}: `{text}` is not an iCalendar content line (expected `NAME:value`)")]
    NotAContentLine {
        /// Line number.
        line: usize,
        /// The offending text (shortened).
        text: String,
    },
    /// A date value is not `YYYYMMDD` or not a real date.
    #[error(
        "line {line}: `{value}` is not an all-day date; write it as YYYYMMDD, e.g. `DTSTART;VALUE=DATE:20251225`"
    )]
    BadDate {
        /// Line number.
        line: usize,
        /// The value found.
        value: String,
    },
    /// `DTSTART`/`DTEND` carries a time of day; holidays are whole days.
    #[error(
        "line {line}: `{value}` has a time of day, but holidays must be all-day events (`DTSTART;VALUE=DATE:YYYYMMDD`)"
    )]
    NotAllDay {
        /// Line number.
        line: usize,
        /// The value found.
        value: String,
    },
    /// A recurrence would have to be expanded; list each date instead.
    #[error(
        "line {line}: recurring events (`{property}`) are not supported for holidays; list every date as its own VEVENT"
    )]
    Recurrence {
        /// Line number.
        line: usize,
        /// `RRULE`, `RDATE` or `EXRULE`.
        property: String,
    },
    /// An event ended without a `DTSTART`.
    #[error(
        "line {line}: the VEVENT that starts here has no DTSTART; add `DTSTART;VALUE=DATE:YYYYMMDD`"
    )]
    MissingStart {
        /// Line of its `BEGIN:VEVENT`.
        line: usize,
    },
    /// `DTEND` is not after `DTSTART`.
    #[error(
        "line {line}: DTEND must be after DTSTART (DTEND is exclusive: a one-day holiday ends the next day)"
    )]
    EndBeforeStart {
        /// Line of the `DTEND`.
        line: usize,
    },
    /// `BEGIN:VEVENT` inside an event, or `END:VEVENT` without one.
    #[error(
        "line {line}: `{text}` does not match an open VEVENT; check BEGIN:VEVENT / END:VEVENT pairs"
    )]
    Unbalanced {
        /// Line number.
        line: usize,
        /// The offending line.
        text: String,
    },
    /// The file ended inside an event.
    #[error("line {line}: the VEVENT that starts here is never closed with END:VEVENT")]
    Unterminated {
        /// Line of its `BEGIN:VEVENT`.
        line: usize,
    },
    /// An event covers an unreasonable number of days (probably a typo in a year).
    #[error(
        "line {line}: the event spans {days} days; holidays longer than {max} days are refused as a likely typo"
    )]
    TooLong {
        /// Line of the `DTEND`.
        line: usize,
        /// Days covered.
        days: i64,
        /// The limit.
        max: i64,
    },
}

/// Longest accepted multi-day event, in days.
const MAX_EVENT_DAYS: i64 = 31;

/// One logical (unfolded) content line with the physical line it started on.
struct ContentLine<'a> {
    line: usize,
    name: String,
    params: Vec<(String, String)>,
    value: std::borrow::Cow<'a, str>,
}

/// Unfolds RFC 5545 continuation lines (a line starting with a space or tab continues the
/// previous one) and keeps the number of the line each logical line started on.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = out.last_mut()
        {
            last.1.push_str(rest);
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        out.push((index + 1, raw.to_owned()));
    }
    out
}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

fn parse_content_line(line: usize, text: &str) -> Result<ContentLine<'_>, IcsError> {
    // The value starts after the first ':' that is not inside a quoted parameter value.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(colon) = colon else {
        return Err(IcsError::NotAContentLine {
            line,
            text: shorten(text),
        });
    };
    let (head, value) = (&text[..colon], &text[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() {
        return Err(IcsError::NotAContentLine {
            line,
            text: shorten(text),
        });
    }
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().to_owned()),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Ok(ContentLine {
        line,
        name,
        params,
        value: std::borrow::Cow::Borrowed(value),
    })
}

/// Reads an all-day date value (`YYYYMMDD`); refuses date-times with a precise error.
fn parse_date(cl: &ContentLine<'_>) -> Result<NaiveDate, IcsError> {
    let value = cl.value.trim();
    let says_date = cl
        .params
        .iter()
        .any(|(k, v)| k == "VALUE" && v.eq_ignore_ascii_case("DATE"));
    if value.contains('T') && !says_date {
        return Err(IcsError::NotAllDay {
            line: cl.line,
            value: shorten(value),
        });
    }
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IcsError::BadDate {
            line: cl.line,
            value: shorten(value),
        });
    }
    NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| IcsError::BadDate {
        line: cl.line,
        value: shorten(value),
    })
}

/// Undoes the RFC 5545 TEXT escapes (`\,`, `\;`, `\n`, `\\`).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Default)]
struct OpenEvent {
    begin_line: usize,
    start: Option<NaiveDate>,
    end: Option<(usize, NaiveDate)>,
    name: String,
}

/// Reads the all-day events of an iCalendar text as holidays, in file order (a multi-day
/// event yields one holiday per day). Never panics; malformed input gives an [`IcsError`]
/// naming the line.
pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, IcsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut holidays = Vec::new();
    let mut open: Option<OpenEvent> = None;
    // Depth of nested non-event components inside an event (VALARM), ignored.
    let mut nested = 0usize;
    for (line, raw) in unfold(text) {
        let cl = parse_content_line(line, &raw)?;
        let value_upper = cl.value.trim().to_ascii_uppercase();
        match (cl.name.as_str(), open.as_mut()) {
            ("BEGIN", None) if value_upper == "VEVENT" => {
                open = Some(OpenEvent {
                    begin_line: line,
                    ..OpenEvent::default()
                });
            }
            ("BEGIN", Some(_)) if value_upper == "VEVENT" => {
                return Err(IcsError::Unbalanced {
                    line,
                    text: shorten(&raw),
                });
            }
            ("BEGIN", Some(_)) => nested += 1,
            ("END", None) if value_upper == "VEVENT" => {
                return Err(IcsError::Unbalanced {
                    line,
                    text: shorten(&raw),
                });
            }
            ("END", Some(_)) if value_upper != "VEVENT" => nested = nested.saturating_sub(1),
            ("END", Some(event)) => {
                let Some(start) = event.start else {
                    return Err(IcsError::MissingStart {
                        line: event.begin_line,
                    });
                };
                let days = match event.end {
                    None => 1,
                    Some((end_line, end)) => {
                        let days = (end - start).num_days();
                        if days <= 0 {
                            return Err(IcsError::EndBeforeStart { line: end_line });
                        }
                        if days > MAX_EVENT_DAYS {
                            return Err(IcsError::TooLong {
                                line: end_line,
                                days,
                                max: MAX_EVENT_DAYS,
                            });
                        }
                        days
                    }
                };
                for date in start.iter_days().take(days as usize) {
                    holidays.push(Holiday {
                        date,
                        name: event.name.clone(),
                    });
                }
                open = None;
                nested = 0;
            }
            (_, Some(event)) if nested == 0 => match cl.name.as_str() {
                "DTSTART" => event.start = Some(parse_date(&cl)?),
                "DTEND" => event.end = Some((line, parse_date(&cl)?)),
                "SUMMARY" => event.name = unescape(cl.value.trim()),
                "RRULE" | "RDATE" | "EXRULE" => {
                    return Err(IcsError::Recurrence {
                        line,
                        property: cl.name.clone(),
                    });
                }
                _ => {}
            },
            _ => {}
        }
    }
    if let Some(event) = open {
        return Err(IcsError::Unterminated {
            line: event.begin_line,
        });
    }
    Ok(holidays)
}
