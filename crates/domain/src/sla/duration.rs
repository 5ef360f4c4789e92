//! SLA target durations as people write them: `30min`, `4h`, `5d`, `1d 12h`.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A length of business time, e.g. an SLA target. A day (`d`) is 24 counted hours — on the
/// desk-hour calendar "5 days of desk hours" is 120 hours inside working days (domain.md
/// §2.7). Written and read as text: `30min`, `4h`, `5d`, `1d 12h`, `90s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TargetDuration {
    seconds: i64,
}

/// Why a text is not a target duration.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TargetDurationError {
    /// The text does not follow the `<number><unit>` pattern.
    #[error(
        "`{text}` is not a duration; write a number and a unit, e.g. `30min`, `4h`, `5d` or `1d 12h` (units: d = 24 h, h, min, s)"
    )]
    Malformed {
        /// The text given.
        text: String,
    },
    /// The duration is zero or too large.
    #[error(
        "`{text}` is not a usable SLA target; it must be longer than zero and at most 100 years"
    )]
    OutOfRange {
        /// The text given.
        text: String,
    },
}

const MAX_SECONDS: i64 = 100 * 366 * 86_400;

impl TargetDuration {
    /// A target of whole minutes.
    pub const fn minutes(minutes: i64) -> Self {
        TargetDuration {
            seconds: minutes * 60,
        }
    }

    /// A target of whole hours.
    pub const fn hours(hours: i64) -> Self {
        TargetDuration {
            seconds: hours * 3600,
        }
    }

    /// A target of whole days of 24 counted hours.
    pub const fn days(days: i64) -> Self {
        TargetDuration {
            seconds: days * 86_400,
        }
    }

    /// The duration as a chrono `TimeDelta` for calendar arithmetic.
    pub fn as_delta(self) -> TimeDelta {
        TimeDelta::seconds(self.seconds)
    }

    /// Whole seconds.
    pub fn as_seconds(self) -> i64 {
        self.seconds
    }
}

impl From<TargetDuration> for TimeDelta {
    fn from(d: TargetDuration) -> Self {
        d.as_delta()
    }
}

impl FromStr for TargetDuration {
    type Err = TargetDurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || TargetDurationError::Malformed {
            text: text.to_owned(),
        };
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(malformed());
        }
        let mut total: i64 = 0;
        let mut rest = compact.as_str();
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(malformed());
            }
            let number: i64 = rest[..digits].parse().map_err(|_| malformed())?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let factor = match unit {
                "d" => 86_400,
                "h" => 3_600,
                "min" | "m" => 60,
                "s" => 1,
                _ => return Err(malformed()),
            };
            total = number
                .checked_mul(factor)
                .and_then(|s| total.checked_add(s))
                .ok_or_else(|| TargetDurationError::OutOfRange {
                    text: text.to_owned(),
                })?;
        }
        if total <= 0 || total > MAX_SECONDS {
            return Err(TargetDurationError::OutOfRange {
                text: text.to_owned(),
            });
        }
        Ok(TargetDuration { seconds: total })
    }
}

impl TryFrom<String> for TargetDuration {
    type Error = TargetDurationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<TargetDuration> for String {
    fn from(d: TargetDuration) -> Self {
        d.to_string()
    }
}

impl fmt::Display for TargetDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.seconds;
        let mut parts = Vec::new();
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)] {
            if rest >= size {
                parts.push(format!("{}{unit}", rest / size));
                rest %= size;
            }
        }
        if parts.is_empty() {
            parts.push("0s".to_owned());
        }
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn target_durations_read_and_write_as_text() {
        for (text, seconds) in [
            ("30min", 1_800),
            ("4h", 14_400),
            ("5d", 432_000),
            ("1d 12h", 129_600),
            ("90m", 5_400),
        ] {
            let d: TargetDuration = text.parse().unwrap();
            assert_eq!(d.as_seconds(), seconds, "{text}");
            assert_eq!(d.to_string().parse::<TargetDuration>().unwrap(), d);
        }
        assert_eq!(TargetDuration::minutes(90).to_string(), "1h 30min");
        assert_eq!(
            serde_json::to_string(&TargetDuration::days(20)).unwrap(),
            "\"20d\""
        );
    }

    #[test]
    fn malformed_or_empty_targets_are_refused() {
        for text in ["", "4", "h", "4x", "4h30", "-4h", "0h"] {
            let err = text.parse::<TargetDuration>().unwrap_err();
            assert!(err.to_string().contains(&format!("`{text}`")), "{err}");
        }
        assert!(serde_json::from_str::<TargetDuration>("\"4 weeks\"").is_err());
    }
}
