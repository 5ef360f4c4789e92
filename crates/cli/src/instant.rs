//! Instants and months on the command line: RFC 3339 (`2026-03-02T09:00:00Z`), a bare date
//! (`2026-03-02`, meaning its midnight UTC) and `YYYY-MM`.

use chrono::{DateTime, NaiveDate, Utc};
use ticketflow_events::Timestamp;

/// Reads an instant: RFC 3339 with an offset, a date meaning its start (UTC), or `now` (the
/// wall clock — the CLI is where time enters from outside).
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if text == "now" {
        return Ok(Utc::now());
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(midnight) = day.and_hms_opt(0, 0, 0)
    {
        return Ok(midnight.and_utc());
    }
    Err(format!(
        "`{text}` is not a time: use RFC 3339 such as 2026-03-02T09:00:00Z, a date such as 2026-03-02, or now"
    ))
}

/// Reads a month `YYYY-MM` as the instants it starts and ends (exclusive).
pub fn parse_month(text: &str) -> Result<(Timestamp, Timestamp), String> {
    let bad = || format!("`{text}` is not a month: use YYYY-MM, e.g. 2026-03");
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(bad)?;
    let start = first.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc();
    let end = next.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc();
    Ok((start, end))
}

/// An instant as the CLI prints it: `2026-03-02 09:00:00Z`.
pub fn show(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_months_and_their_errors() {
        assert_eq!(
            parse_instant("2026-03-02T10:00:00+01:00").map(show),
            Ok("2026-03-02 09:00:00Z".to_owned())
        );
        assert_eq!(
            parse_instant("2026-03-02").map(show),
            Ok("2026-03-02 00:00:00Z".to_owned())
        );
        assert!(parse_instant("yesterday").is_err());
        let (start, end) = parse_month("2026-12").unwrap_or_default();
        assert_eq!(
            (show(start), show(end)),
            (
                "2026-12-01 00:00:00Z".to_owned(),
                "2027-01-01 00:00:00Z".to_owned()
            )
        );
        assert!(parse_month("2026-13").is_err());
    }
}
