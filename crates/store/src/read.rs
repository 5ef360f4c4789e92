//! How callers ask for events: one stream by version, or the whole log by position.

use ticketflow_events::{RecordedEvent, StreamId};

/// Which way to read a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Ascending versions, starting at `from` (inclusive).
    Forward,
    /// Descending versions, starting at `from` (inclusive); use [`StreamRead::LAST`] for the
    /// end of the stream.
    Backward,
}

/// A request to read one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamRead {
    /// First version to return (inclusive).
    pub from: u64,
    /// Which way to go from there.
    pub direction: Direction,
    /// At most this many events.
    pub max_count: usize,
}

impl StreamRead {
    /// As a `from` version: the stream's last event, whatever its version.
    pub const LAST: u64 = u64::MAX;

    /// The whole stream from version 1, up to `max_count` events.
    pub fn forwards(max_count: usize) -> Self {
        StreamRead {
            from: 1,
            direction: Direction::Forward,
            max_count,
        }
    }

    /// The stream from its last event backwards, up to `max_count` events.
    pub fn backwards(max_count: usize) -> Self {
        StreamRead {
            from: Self::LAST,
            direction: Direction::Backward,
            max_count,
        }
    }
}

/// Which events of the global log a reader or subscriber wants. Empty lists mean "all".
///
/// Conditions of different kinds combine with AND; values inside one list with OR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Stream categories (the part of the stream id before the first `-`).
    pub categories: Vec<String>,
    /// Event type names, e.g. `TicketOpened`.
    pub event_types: Vec<String>,
    /// Whole stream ids.
    pub streams: Vec<StreamId>,
}

impl Filter {
    /// Everything.
    pub fn all() -> Self {
        Filter::default()
    }

    /// Only events of streams in this category.
    pub fn category(category: impl Into<String>) -> Self {
        Filter {
            categories: vec![category.into()],
            ..Filter::default()
        }
    }

    /// Only events of this type.
    pub fn event_type(event_type: impl Into<String>) -> Self {
        Filter {
            event_types: vec![event_type.into()],
            ..Filter::default()
        }
    }

    /// Only events of this stream.
    pub fn stream(stream: StreamId) -> Self {
        Filter {
            streams: vec![stream],
            ..Filter::default()
        }
    }

    /// True when nothing is filtered out.
    pub fn is_all(&self) -> bool {
        self.categories.is_empty() && self.event_types.is_empty() && self.streams.is_empty()
    }

    /// True when the event passes the filter.
    pub fn matches(&self, e: &RecordedEvent) -> bool {
        (self.categories.is_empty() || self.categories.iter().any(|c| c == e.stream_id.category()))
            && (self.event_types.is_empty() || self.event_types.contains(&e.event_type))
            && (self.streams.is_empty() || self.streams.contains(&e.stream_id))
    }
}
