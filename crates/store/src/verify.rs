//! Walking the log to prove nothing was changed, removed or reordered.
//!
//! [`ChainVerifier`] is fed every record in global-position order with its log hash and
//! stops at the first broken link. It checks, per event:
//!
//! 1. the global position is the previous one plus one (no deleted or inserted events);
//! 2. the stream version is the stream's previous version plus one;
//! 3. `prev_hash` is the hash of the stream's previous event (stream chain);
//! 4. `hash` matches the content (nothing altered);
//! 5. the log hash matches the previous log hash, the event hash, the position and the
//!    recording time (log chain: catches removed streams and reordering);
//!
//! and at the end that the head the store recorded in the file is the last event walked (the
//! tail was not cut off). Every backend uses the same verifier, so an auditor gets the same
//! report whatever the storage.

use std::collections::HashMap;
use std::fmt;

use ticketflow_events::{Hash, RecordedEvent, StreamId};

use crate::chain::log_hash;

/// What kind of link is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// A global position is missing or repeated: events were deleted, inserted or moved.
    PositionGap,
    /// A stream version is missing or repeated: events of the stream were deleted or moved.
    VersionGap,
    /// The event does not point at its stream's previous event: the stream was reordered or
    /// an event before it was replaced.
    StreamChain,
    /// The event's content does not match its hash: payload or metadata were altered.
    ContentAltered,
    /// The log chain does not match: events were removed, reordered or their recording time
    /// or position edited.
    LogChain,
    /// The head recorded in the store does not match the last event: the tail was removed or
    /// the head edited.
    Head,
    /// A record could not be decoded at all.
    Unreadable,
}

impl fmt::Display for BreakKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BreakKind::PositionGap => "global position gap",
            BreakKind::VersionGap => "stream version gap",
            BreakKind::StreamChain => "broken stream chain",
            BreakKind::ContentAltered => "content altered",
            BreakKind::LogChain => "broken log chain",
            BreakKind::Head => "recorded head does not match the log",
            BreakKind::Unreadable => "unreadable record",
        })
    }
}

/// The first broken link found: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// What kind of break.
    pub kind: BreakKind,
    /// The stream of the event at the break, if one could be read.
    pub stream: Option<StreamId>,
    /// Its stream version, if known.
    pub version: Option<u64>,
    /// Its global position (for a missing tail: the recorded head position).
    pub position: u64,
    /// A sentence describing what was expected and what was found.
    pub detail: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at global position {}", self.kind, self.position)?;
        if let Some(s) = &self.stream {
            write!(f, ", stream `{s}`")?;
        }
        if let Some(v) = self.version {
            write!(f, " version {v}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events checked before the first break (all of them when intact).
    pub events_checked: u64,
    /// Distinct streams seen.
    pub streams: u64,
    /// Global position of the last intact event (0 for an empty log).
    pub head_position: u64,
    /// Log hash of the last intact event: write it down to detect a rewrite of the whole file
    /// later.
    pub head_hash: Hash,
    /// The first broken link, `None` when the log is intact.
    pub first_break: Option<Break>,
}

impl VerifyReport {
    /// True when no break was found.
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Checks records one by one, in global-position order.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    last_position: u64,
    prev_log: Hash,
    streams: HashMap<StreamId, (u64, Hash)>,
    checked: u64,
    first_break: Option<Break>,
}

impl ChainVerifier {
    /// A verifier for a log starting at position 1.
    pub fn new() -> Self {
        ChainVerifier::default()
    }

    /// True once a break was found; later records are ignored.
    pub fn is_broken(&self) -> bool {
        self.first_break.is_some()
    }

    /// Checks the next record and its stored log hash.
    pub fn check(&mut self, e: &RecordedEvent, stored_log_hash: &Hash) {
        if self.first_break.is_some() {
            return;
        }
        let at = |kind, detail: String| Break {
            kind,
            stream: Some(e.stream_id.clone()),
            version: Some(e.stream_version),
            position: e.global_position,
            detail,
        };
        let expected_position = self.last_position + 1;
        if e.global_position != expected_position {
            self.first_break = Some(at(
                BreakKind::PositionGap,
                format!(
                    "expected global position {expected_position} after {}, found {}",
                    self.last_position, e.global_position
                ),
            ));
            return;
        }
        let (prev_version, prev_hash) = self
            .streams
            .get(&e.stream_id)
            .copied()
            .unwrap_or((0, Hash::ZERO));
        if e.stream_version != prev_version + 1 {
            self.first_break = Some(at(
                BreakKind::VersionGap,
                format!(
                    "expected stream version {} after {prev_version}, found {}",
                    prev_version + 1,
                    e.stream_version
                ),
            ));
            return;
        }
        if e.prev_hash != prev_hash {
            self.first_break = Some(at(
                BreakKind::StreamChain,
                format!(
                    "prev_hash is {} but the stream's previous event hashes to {prev_hash}",
                    e.prev_hash
                ),
            ));
            return;
        }
        if !e.hash_is_valid() {
            self.first_break = Some(at(
                BreakKind::ContentAltered,
                format!(
                    "the stored hash {} does not match the event's content",
                    e.hash
                ),
            ));
            return;
        }
        let expected_log = log_hash(&self.prev_log, &e.hash, e.global_position, e.recorded_at);
        if *stored_log_hash != expected_log {
            self.first_break = Some(at(
                BreakKind::LogChain,
                "the log hash does not follow from the previous log hash, this event's hash, its position and recording time".to_owned(),
            ));
            return;
        }
        self.streams
            .insert(e.stream_id.clone(), (e.stream_version, e.hash));
        self.last_position = e.global_position;
        self.prev_log = expected_log;
        self.checked += 1;
    }

    /// Records a row that could not be decoded.
    pub fn unreadable(&mut self, position: u64, detail: String) {
        if self.first_break.is_none() {
            self.first_break = Some(Break {
                kind: BreakKind::Unreadable,
                stream: None,
                version: None,
                position,
                detail,
            });
        }
    }

    /// Finishes the walk, comparing the last event with the head the store recorded
    /// (`None` when the backend records none).
    pub fn finish(mut self, recorded_head: Option<(u64, Hash)>) -> VerifyReport {
        if self.first_break.is_none()
            && let Some((position, hash)) = recorded_head
            && (position != self.last_position || hash != self.prev_log)
        {
            self.first_break = Some(Break {
                kind: BreakKind::Head,
                stream: None,
                version: None,
                position,
                detail: format!(
                    "the store recorded its head at position {position} with log hash {hash}, but the log ends at position {} with log hash {}",
                    self.last_position, self.prev_log
                ),
            });
        }
        VerifyReport {
            events_checked: self.checked,
            streams: self.streams.len() as u64,
            head_position: self.last_position,
            head_hash: self.prev_log,
            first_break: self.first_break,
        }
    }
}
