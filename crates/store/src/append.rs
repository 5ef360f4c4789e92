//! What an append asks for and what it answers.
//!
//! An append writes one or more events to one stream, atomically, under an optimistic
//! concurrency check ([`ExpectedVersion`]). The events of one append receive contiguous stream
//! versions *and* contiguous global positions (a single writer assigns both), so the answer is
//! two ranges.
//!
//! Idempotency: the event id is the idempotency key. Sending the same append again (same
//! stream, same ids, same content) records nothing and answers the same [`AppendOutcome`] as the
//! first time, whatever the expected version says, so a caller that lost the answer can simply
//! retry. Reusing an id for different content or a different stream is refused.

use std::fmt;

use ticketflow_events::{NewEvent, StreamId};

use crate::error::{StoreError, StoreResult};

/// The optimistic-concurrency condition of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version is (creating it if needed).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last version must be exactly this (`Exact(0)` means the same as
    /// [`ExpectedVersion::NoStream`]).
    Exact(u64),
}

impl ExpectedVersion {
    /// True when a stream whose last version is `actual` (`None` = does not exist) satisfies
    /// the condition.
    pub fn admits(&self, actual: Option<u64>) -> bool {
        match (self, actual) {
            (ExpectedVersion::Any, _) => true,
            (ExpectedVersion::NoStream | ExpectedVersion::Exact(0), None) => true,
            (ExpectedVersion::Exact(n), Some(v)) => *n == v,
            _ => false,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream | ExpectedVersion::Exact(0) => {
                f.write_str("the stream not to exist")
            }
            ExpectedVersion::Exact(n) => write!(f, "version {n}"),
        }
    }
}

/// The answer to a successful append: where its events now live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Stream version of the first appended event.
    pub first_version: u64,
    /// Stream version of the last appended event: the stream's new version.
    pub last_version: u64,
    /// Global position of the first appended event.
    pub first_position: u64,
    /// Global position of the last appended event.
    pub last_position: u64,
}

/// Limits every backend enforces before an append reaches storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendLimits {
    /// Largest accepted event, payload plus metadata, in bytes.
    pub max_event_bytes: usize,
}

impl Default for AppendLimits {
    /// 1 MiB per event: far above any workflow event, small enough that one careless import
    /// cannot stall the group commit for every other writer.
    fn default() -> Self {
        AppendLimits {
            max_event_bytes: 1024 * 1024,
        }
    }
}

/// Size of an event as the limit counts it: payload plus the variable-length metadata.
pub fn event_size(e: &NewEvent) -> usize {
    e.payload.len() + e.event_type.len() + e.actor.len() + 16 * 3 + 2 + 8
}

/// Checks an append against the rules that need no storage: not empty, no id twice, no
/// oversized event. Backends call this before queueing the append.
pub fn validate_append(
    stream: &StreamId,
    events: &[NewEvent],
    limits: &AppendLimits,
) -> StoreResult<()> {
    if events.is_empty() {
        return Err(StoreError::EmptyAppend {
            stream: stream.clone(),
        });
    }
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    for e in events {
        let size = event_size(e);
        if size > limits.max_event_bytes {
            return Err(StoreError::EventTooLarge {
                event_id: e.event_id,
                size,
                limit: limits.max_event_bytes,
            });
        }
        if !seen.insert(e.event_id) {
            return Err(StoreError::DuplicateIdInAppend {
                event_id: e.event_id,
            });
        }
    }
    Ok(())
}

/// Where an already-recorded event id lives, as far as idempotency needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedId {
    /// Its stream.
    pub stream: StreamId,
    /// Its stream version.
    pub version: u64,
    /// Its global position.
    pub position: u64,
    /// The hash of the stream's previous event when it was recorded.
    pub prev_hash: ticketflow_events::Hash,
    /// Its own hash.
    pub hash: ticketflow_events::Hash,
}

/// What to do with an append given which of its ids are already recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum Replay {
    /// None of the ids is known: check the expected version and record the append.
    Fresh,
    /// The identical append was recorded before: answer this, record nothing.
    AlreadyRecorded(AppendOutcome),
}

/// Decides whether an append is new, a retry of one already recorded, or a conflicting reuse
/// of event ids. `found[i]` is the record of `events[i].event_id`, if any.
///
/// A retry must name the same stream and carry the same content (checked by recomputing the
/// stream hash), in the same order; anything else would silently drop data, so it is refused.
pub fn replay_of(
    stream: &StreamId,
    events: &[NewEvent],
    found: &[Option<RecordedId>],
) -> StoreResult<Replay> {
    let Some(first) = found.iter().flatten().next() else {
        return Ok(Replay::Fresh);
    };
    for (i, (e, f)) in events.iter().zip(found).enumerate() {
        let Some(f) = f else {
            return Err(StoreError::IdempotencyConflict {
                event_id: first_id(events, found),
                detail: format!(
                    "in an append that did not contain event {}; retry the original append unchanged or use new ids",
                    e.event_id
                ),
            });
        };
        if &f.stream != stream {
            return Err(StoreError::IdempotencyConflict {
                event_id: e.event_id,
                detail: format!("in stream `{}`, not `{stream}`", f.stream),
            });
        }
        if f.version != first.version + i as u64 || f.position != first.position + i as u64 {
            return Err(StoreError::IdempotencyConflict {
                event_id: e.event_id,
                detail: format!(
                    "at version {} in a different order than this append",
                    f.version
                ),
            });
        }
        if ticketflow_events::RecordedEvent::compute_hash(&f.prev_hash, stream, f.version, e)
            != f.hash
        {
            return Err(StoreError::IdempotencyConflict {
                event_id: e.event_id,
                detail: format!("at version {} with different content", f.version),
            });
        }
    }
    let n = events.len() as u64;
    Ok(Replay::AlreadyRecorded(AppendOutcome {
        first_version: first.version,
        last_version: first.version + n - 1,
        first_position: first.position,
        last_position: first.position + n - 1,
    }))
}

fn first_id(events: &[NewEvent], found: &[Option<RecordedId>]) -> uuid::Uuid {
    events
        .iter()
        .zip(found)
        .find(|(_, f)| f.is_some())
        .map_or_else(uuid::Uuid::nil, |(e, _)| e.event_id)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::conformance::{event, stream};

    #[test]
    fn expected_version_admits_exactly_what_it_says() {
        use ExpectedVersion::*;
        assert!(Any.admits(None) && Any.admits(Some(3)));
        assert!(NoStream.admits(None) && !NoStream.admits(Some(1)));
        assert!(Exact(0).admits(None) && !Exact(0).admits(Some(1)));
        assert!(Exact(3).admits(Some(3)) && !Exact(3).admits(Some(2)) && !Exact(3).admits(None));
        assert_eq!(Exact(4).to_string(), "version 4");
        assert_eq!(NoStream.to_string(), "the stream not to exist");
    }

    #[test]
    fn replay_answers_the_original_ranges_for_an_identical_retry() {
        let s = stream("ticket-SD-1");
        let events = vec![event("A", b"1"), event("B", b"2")];
        let mut prev = ticketflow_events::Hash::ZERO;
        let found: Vec<Option<RecordedId>> = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let version = 4 + i as u64;
                let hash = ticketflow_events::RecordedEvent::compute_hash(&prev, &s, version, e);
                let r = RecordedId {
                    stream: s.clone(),
                    version,
                    position: 10 + i as u64,
                    prev_hash: prev,
                    hash,
                };
                prev = hash;
                Some(r)
            })
            .collect();
        assert_eq!(
            replay_of(&s, &events, &found).unwrap(),
            Replay::AlreadyRecorded(AppendOutcome {
                first_version: 4,
                last_version: 5,
                first_position: 10,
                last_position: 11
            })
        );
        assert_eq!(
            replay_of(&s, &events, &[None, None]).unwrap(),
            Replay::Fresh
        );
        assert!(replay_of(&s, &events, &[found[0].clone(), None]).is_err());
        assert!(replay_of(&stream("ticket-SD-2"), &events, &found).is_err());
        let mut changed = events.clone();
        changed[1].actor = "agent:other".into();
        assert!(replay_of(&s, &changed, &found).is_err());
    }
}
