//! An in-memory backend for tests and simulations.
//!
//! It keeps the log in a `Vec` behind one mutex, assigns positions and versions exactly like
//! the SQLite backend, hashes both chains, and passes the same [`crate::conformance`] suite,
//! so code tested against it behaves the same against the durable store. It is not durable.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use ticketflow_events::{Hash, NewEvent, RecordedEvent, StreamId};
use tokio::sync::watch;
use uuid::Uuid;

use crate::append::{
    AppendLimits, AppendOutcome, ExpectedVersion, RecordedId, Replay, replay_of, validate_append,
};
use crate::chain::{now_micros, seal};
use crate::error::{StoreError, StoreResult};
use crate::event_store::EventStore;
use crate::read::{Direction, Filter, StreamRead};
use crate::subscription::Subscription;
use crate::verify::{ChainVerifier, VerifyReport};

/// The in-memory store. Cloning it is cheap and shares the log.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

struct Inner {
    log: Mutex<Log>,
    head: watch::Sender<u64>,
    limits: AppendLimits,
}

#[derive(Default)]
struct Log {
    /// Index `i` holds position `i + 1` and its log hash.
    events: Vec<(RecordedEvent, Hash)>,
    /// Indexes into `events`, in version order.
    streams: HashMap<StreamId, Vec<usize>>,
    ids: HashMap<Uuid, usize>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MemoryStore({} events)",
            self.inner.log.lock().events.len()
        )
    }
}

impl MemoryStore {
    /// An empty store with default limits.
    pub fn new() -> Self {
        MemoryStore::with_limits(AppendLimits::default())
    }

    /// An empty store with the given limits.
    pub fn with_limits(limits: AppendLimits) -> Self {
        let (head, _) = watch::channel(0);
        MemoryStore {
            inner: Arc::new(Inner {
                log: Mutex::new(Log::default()),
                head,
                limits,
            }),
        }
    }

    fn append_now(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> StoreResult<AppendOutcome> {
        validate_append(stream, &events, &self.inner.limits)?;
        let mut log = self.inner.log.lock();
        let found: Vec<Option<RecordedId>> = events
            .iter()
            .map(|e| {
                log.ids.get(&e.event_id).map(|&i| {
                    let r = &log.events[i].0;
                    RecordedId {
                        stream: r.stream_id.clone(),
                        version: r.stream_version,
                        position: r.global_position,
                        prev_hash: r.prev_hash,
                        hash: r.hash,
                    }
                })
            })
            .collect();
        if let Replay::AlreadyRecorded(outcome) = replay_of(stream, &events, &found)? {
            return Ok(outcome);
        }
        let head = log
            .streams
            .get(stream)
            .and_then(|v| v.last())
            .map(|&i| (log.events[i].0.stream_version, log.events[i].0.hash));
        let actual = head.map(|h| h.0);
        if !expected.admits(actual) {
            return Err(StoreError::WrongExpectedVersion {
                stream: stream.clone(),
                expected,
                actual,
            });
        }
        let (mut version, mut prev) = head.unwrap_or((0, Hash::ZERO));
        let mut prev_log = log.events.last().map_or(Hash::ZERO, |e| e.1);
        let recorded_at = now_micros();
        let first_version = version + 1;
        let first_position = log.events.len() as u64 + 1;
        for e in events {
            version += 1;
            let position = log.events.len() as u64 + 1;
            let id = e.event_id;
            let (record, log_hash) =
                seal(stream, version, position, prev, &prev_log, recorded_at, e);
            prev = record.hash;
            prev_log = log_hash;
            let index = log.events.len();
            log.events.push((record, log_hash));
            log.streams.entry(stream.clone()).or_default().push(index);
            log.ids.insert(id, index);
        }
        let last_position = log.events.len() as u64;
        drop(log);
        self.inner.head.send_replace(last_position);
        Ok(AppendOutcome {
            first_version,
            last_version: version,
            first_position,
            last_position,
        })
    }
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> StoreResult<AppendOutcome> {
        self.append_now(stream, expected, events)
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        read: StreamRead,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let log = self.inner.log.lock();
        let Some(indexes) = log.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let len = indexes.len() as u64;
        let pick = |i: &usize| log.events[*i].0.clone();
        Ok(match read.direction {
            Direction::Forward => {
                let start = read.from.max(1) - 1;
                if start >= len {
                    Vec::new()
                } else {
                    indexes[start as usize..]
                        .iter()
                        .take(read.max_count)
                        .map(pick)
                        .collect()
                }
            }
            Direction::Backward => {
                if read.from == 0 {
                    Vec::new()
                } else {
                    let end = read.from.min(len) as usize;
                    indexes[..end]
                        .iter()
                        .rev()
                        .take(read.max_count)
                        .map(pick)
                        .collect()
                }
            }
        })
    }

    async fn stream_version(&self, stream: &StreamId) -> StoreResult<Option<u64>> {
        Ok(self
            .inner
            .log
            .lock()
            .streams
            .get(stream)
            .map(|v| v.len() as u64))
    }

    async fn read_all(
        &self,
        from: u64,
        filter: &Filter,
        max_count: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let log = self.inner.log.lock();
        let start = (from.max(1) - 1) as usize;
        Ok(log
            .events
            .iter()
            .skip(start)
            .map(|(e, _)| e)
            .filter(|e| filter.matches(e))
            .take(max_count)
            .cloned()
            .collect())
    }

    async fn last_position(&self) -> StoreResult<u64> {
        Ok(self.inner.log.lock().events.len() as u64)
    }

    fn subscribe_all(&self, after: u64, filter: Filter) -> Subscription {
        Subscription::catch_up_then_live(self.clone(), self.inner.head.subscribe(), after, filter)
    }

    async fn verify(&self) -> StoreResult<VerifyReport> {
        let log = self.inner.log.lock();
        let mut v = ChainVerifier::new();
        for (e, h) in &log.events {
            v.check(e, h);
        }
        Ok(v.finish(None))
    }
}
