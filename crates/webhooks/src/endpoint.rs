//! Webhook endpoints: where events go, which ones, and how the endpoint is doing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ticketflow_events::{AnyEvent, StreamId, Timestamp};
use ticketflow_store::Filter;
use uuid::Uuid;

use crate::error::WebhookError;

/// The id of a registered endpoint (a UUID chosen at registration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EndpointId(pub Uuid);

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for EndpointId {
    type Err = WebhookError;
    fn from_str(s: &str) -> Result<Self, WebhookError> {
        Uuid::parse_str(s.trim())
            .map(EndpointId)
            .map_err(|_| WebhookError::MalformedId {
                given: s.chars().take(64).collect(),
            })
    }
}

/// The stream categories events are recorded in.
const CATEGORIES: [&str; 3] = ["ticket", "order", "delivery"];

/// Which events an endpoint receives. Empty lists mean "all"; kinds combine with AND, values
/// within one list with OR — the same rules as the store's [`Filter`], which it becomes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointFilter {
    /// Stream categories: `ticket`, `order`, `delivery`.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Event type names, e.g. `TicketOpened`.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Whole stream ids, e.g. `ticket-SD-1042`.
    #[serde(default)]
    pub streams: Vec<String>,
}

impl EndpointFilter {
    /// Every event of the log.
    pub fn all() -> Self {
        EndpointFilter::default()
    }

    /// Only events of one category.
    pub fn category(category: impl Into<String>) -> Self {
        EndpointFilter {
            categories: vec![category.into()],
            ..EndpointFilter::default()
        }
    }

    /// Checks every name against the vocabulary, so a typo is refused at registration
    /// instead of silently matching nothing.
    pub fn validate(&self) -> Result<(), WebhookError> {
        if let Some(category) = self
            .categories
            .iter()
            .find(|c| !CATEGORIES.contains(&c.as_str()))
        {
            return Err(WebhookError::UnknownCategory {
                category: category.chars().take(64).collect(),
            });
        }
        if let Some(event_type) = self
            .event_types
            .iter()
            .find(|t| !AnyEvent::event_types().any(|(known, _)| known == t.as_str()))
        {
            return Err(WebhookError::UnknownEventType {
                event_type: event_type.chars().take(64).collect(),
            });
        }
        self.to_store_filter().map(|_| ())
    }

    /// The store filter the dispatcher subscribes with; fails on a malformed stream id.
    pub fn to_store_filter(&self) -> Result<Filter, WebhookError> {
        let streams = self
            .streams
            .iter()
            .map(|s| {
                s.parse::<StreamId>()
                    .map_err(|_| WebhookError::InvalidStream {
                        stream: s.chars().take(128).collect(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Filter {
            categories: self.categories.clone(),
            event_types: self.event_types.clone(),
            streams,
        })
    }
}

/// What a caller gives to register an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEndpoint {
    /// Where to POST: an absolute http:// or https:// URL.
    pub url: String,
    /// Which events.
    #[serde(default)]
    pub filter: EndpointFilter,
    /// A note for operators (whose endpoint, what for).
    #[serde(default)]
    pub description: String,
    /// Whether the free text of confidential tickets may be sent. The dispatcher only passes
    /// it to the redactor, which decides (see [`crate::Redactor`]).
    #[serde(default)]
    pub confidential_text: bool,
    /// The global position after which delivery starts: 0 sends the whole log, the store's
    /// last position sends only what happens from now on.
    #[serde(default)]
    pub start_after: u64,
    /// The name of the integrator token that manages the endpoint. The server sets it to the
    /// registering integrator's own token; an operator may name one, or leave it out for an
    /// endpoint only operators manage. Integrators see and manage only their own endpoints.
    #[serde(default)]
    pub owner: Option<String>,
}

impl NewEndpoint {
    /// An endpoint receiving every event from the beginning of the log.
    pub fn new(url: impl Into<String>) -> Self {
        NewEndpoint {
            url: url.into(),
            filter: EndpointFilter::all(),
            description: String::new(),
            confidential_text: false,
            start_after: 0,
            owner: None,
        }
    }
}

/// Whether deliveries to an endpoint currently succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EndpointHealth {
    /// The last batch was accepted (or nothing was sent yet).
    Healthy,
    /// One batch has been refused or unreachable for longer than the configured
    /// `failing_after`; the dispatcher keeps retrying at the backoff cap.
    Failing {
        /// When the batch's first attempt failed.
        since: Timestamp,
        /// The last attempt's error or HTTP status.
        last_error: String,
    },
}

/// A registered endpoint as the registry lists it (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Its id.
    pub id: EndpointId,
    /// Where events are POSTed.
    pub url: String,
    /// Which events.
    pub filter: EndpointFilter,
    /// The operators' note.
    pub description: String,
    /// Whether free text of confidential tickets may be sent (see [`NewEndpoint`]).
    pub confidential_text: bool,
    /// Inactive endpoints keep their checkpoint but receive nothing.
    pub active: bool,
    /// When it was registered.
    pub created_at: Timestamp,
    /// The last global position delivered (accepted with a 2xx, or left out by the
    /// redactor); the dispatcher resumes after it.
    pub checkpoint: u64,
    /// Whether deliveries currently succeed.
    pub health: EndpointHealth,
    /// The integrator token that manages it (see [`NewEndpoint::owner`]); `None` for an
    /// endpoint only operators manage, including every endpoint registered before owners
    /// were recorded.
    pub owner: Option<String>,
}

impl Endpoint {
    /// True when a running worker must be restarted to follow this endpoint's new settings.
    pub(crate) fn same_delivery_settings(&self, other: &Endpoint) -> bool {
        self.url == other.url
            && self.filter == other.filter
            && self.confidential_text == other.confidential_text
            && self.active == other.active
    }
}

/// What [`crate::WebhookRegistry::register`] and `rotate_secret` answer: the endpoint and its
/// secret, which is shown this once (the registry keeps it only to sign). Its `Debug` form
/// hides the secret, so it never ends up in a log by accident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The signing secret, `whsec_` and 64 hex digits.
    pub secret: String,
}

impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("endpoint", &self.endpoint)
            .field("secret", &"whsec_…")
            .finish()
    }
}

/// Checks that `url` is an absolute http(s) URL with a host.
pub(crate) fn validate_url(url: &str) -> Result<String, WebhookError> {
    let invalid = || WebhookError::InvalidUrl {
        url: url.chars().take(200).collect(),
    };
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| invalid())?;
    let scheme_ok = matches!(parsed.scheme(), "http" | "https");
    if !scheme_ok || parsed.host_str().is_none_or(str::is_empty) || url.len() > 2048 {
        return Err(invalid());
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_with_a_host_are_accepted() {
        assert!(validate_url("https://hooks.example.com/ticketflow").is_ok());
        assert!(validate_url("http://127.0.0.1:8080/x").is_ok());
        for bad in [
            "",
            "ftp://x/y",
            "/relative",
            "https://",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(validate_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_filter_naming_unknown_types_or_categories_is_refused() {
        let mut filter = EndpointFilter::category("tickets");
        assert!(matches!(
            filter.validate(),
            Err(WebhookError::UnknownCategory { .. })
        ));
        filter = EndpointFilter {
            event_types: vec!["TicketOpend".into()],
            ..EndpointFilter::default()
        };
        assert!(matches!(
            filter.validate(),
            Err(WebhookError::UnknownEventType { .. })
        ));
        filter.event_types = vec!["TicketOpened".into()];
        filter.categories = vec!["ticket".into()];
        assert!(filter.validate().is_ok());
    }

    #[test]
    fn a_filter_with_a_malformed_stream_is_refused() {
        let filter = EndpointFilter {
            streams: vec!["../etc".into()],
            ..EndpointFilter::default()
        };
        assert!(matches!(
            filter.to_store_filter(),
            Err(WebhookError::InvalidStream { .. })
        ));
    }
}
