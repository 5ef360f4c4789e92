//! Identifiers of aggregates and their streams.
//!
//! Keys come from outside (URLs, email subjects, CLI arguments), so they are validated on
//! construction: a key that parses can be used in a file name, a URL path segment and a
//! stream id without escaping, and can never smuggle in a path separator.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A key or stream id that does not have the allowed shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is not `PREFIX-NUMBER`.
    #[error("`{given}` is not a valid {what}: expected {expected}")]
    Malformed {
        /// What kind of key was expected.
        what: &'static str,
        /// The rejected input (truncated to 64 characters).
        given: String,
        /// The shape that is accepted.
        expected: &'static str,
    },
}

fn truncated(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Checks `PREFIX-NUMBER` with a 2–10 letter upper-case prefix and a 1–9 digit number.
fn is_prefixed_number(s: &str) -> bool {
    let Some((prefix, number)) = s.split_once('-') else {
        return false;
    };
    (2..=10).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && (1..=9).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
        && !number.starts_with('0')
}

macro_rules! prefixed_key {
    ($(#[$doc:meta])* $name:ident, $what:literal, $category:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The stream category of this kind of aggregate.
            pub const CATEGORY: &'static str = $category;

            /// Builds a key from a prefix such as `SD` and a sequence number.
            pub fn new(prefix: &str, number: u64) -> Result<Self, KeyError> {
                format!("{prefix}-{number}").parse()
            }

            /// The key as text, e.g. `SD-1042`.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id of the stream that holds this aggregate's events.
            pub fn stream_id(&self) -> StreamId {
                StreamId(format!("{}-{}", Self::CATEGORY, self.0))
            }
        }

        impl FromStr for $name {
            type Err = KeyError;
            fn from_str(s: &str) -> Result<Self, KeyError> {
                if is_prefixed_number(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(KeyError::Malformed {
                        what: $what,
                        given: truncated(s),
                        expected: "PREFIX-NUMBER, e.g. SD-1042 (2-10 capital letters, a dash, 1-9 digits)",
                    })
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = KeyError;
            fn try_from(s: String) -> Result<Self, KeyError> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(k: $name) -> String {
                k.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_key!(
    /// The key of a service-desk ticket, e.g. `SD-1042`. Delivery tickets use the same key
    /// space as every other ticket, as on the vendor's desk.
    TicketKey,
    "ticket key",
    "ticket"
);

prefixed_key!(
    /// The key of a customisation order, e.g. `CO-17`.
    OrderKey,
    "order key",
    "order"
);

prefixed_key!(
    /// The key of a delivery ticket, e.g. `SD-2001`. Deliveries are tickets on the desk but
    /// their own aggregate, so their streams have the category `delivery`.
    DeliveryKey,
    "delivery key",
    "delivery"
);

/// The id of an event stream: `category-rest`, e.g. `ticket-SD-1042`.
///
/// The category is the part before the first `-`. Stream ids are limited to 128 characters of
/// `[A-Za-z0-9._-]` and never start with a dot, so they are safe as file names and URL segments.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

impl StreamId {
    /// The longest stream id accepted.
    pub const MAX_LEN: usize = 128;

    /// The stream id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The category: the part before the first `-` (the whole id if it has none).
    pub fn category(&self) -> &str {
        self.0.split_once('-').map_or(self.0.as_str(), |(c, _)| c)
    }

    /// The part after the category, e.g. the ticket key of a ticket stream.
    pub fn entity(&self) -> Option<&str> {
        self.0.split_once('-').map(|(_, rest)| rest)
    }
}

impl FromStr for StreamId {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && !s.starts_with('.')
            && !s.starts_with('-')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(KeyError::Malformed {
                what: "stream id",
                given: truncated(s),
                expected: "1-128 characters of A-Z a-z 0-9 . _ -, not starting with '.' or '-', e.g. ticket-SD-1042",
            })
        }
    }
}

impl TryFrom<String> for StreamId {
    type Error = KeyError;
    fn try_from(s: String) -> Result<Self, KeyError> {
        s.parse()
    }
}

impl From<StreamId> for String {
    fn from(k: StreamId) -> String {
        k.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_key_accepts_prefix_dash_number() {
        let key: TicketKey = "SD-1042".parse().unwrap();
        assert_eq!(key.stream_id().as_str(), "ticket-SD-1042");
        assert_eq!(key.stream_id().category(), "ticket");
        assert_eq!(key.stream_id().entity(), Some("SD-1042"));
    }

    #[test]
    fn ticket_key_refuses_path_traversal_and_junk() {
        for bad in [
            "../etc",
            "SD-",
            "sd-1",
            "SD-01",
            "SD-1/2",
            "",
            "S-1",
            "SD-1234567890",
        ] {
            assert!(bad.parse::<TicketKey>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn stream_id_refuses_separators_and_dot_prefix() {
        for bad in ["", ".hidden", "a/b", "a b", "-x", &"x".repeat(129)] {
            assert!(bad.parse::<StreamId>().is_err(), "{bad} accepted");
        }
        assert!("ticket-SD-1".parse::<StreamId>().is_ok());
    }

    #[test]
    fn keys_deserialize_through_validation() {
        assert!(serde_json::from_str::<TicketKey>("\"../x\"").is_err());
        assert_eq!(
            serde_json::from_str::<OrderKey>("\"CO-7\"")
                .unwrap()
                .as_str(),
            "CO-7"
        );
    }
}
