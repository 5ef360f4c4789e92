//! Loading an aggregate: the cached state plus the stream's tail, and the replay check of
//! idempotency keys (which needs the ids of the stream's events, kept in the cache).

use ticketflow_domain::Aggregate;
use ticketflow_events::{CodecError, EventSet, StreamId};
use ticketflow_store::{Direction, StreamRead};
use uuid::Uuid;

use super::Engine;
use super::cache::{CachedAggregate, Slot, admit};
use super::error::{CommandError, Refusal};
use super::idempotency::derived_event_id;
use super::outcome::{CommandOutcome, RecordedSummary};

/// How many events a load reads per page.
const PAGE: usize = 1000;

impl Engine {
    /// The aggregate's state and version through the cache (loading the tail).
    pub async fn state<A>(&self, stream: &StreamId) -> Result<(A, u64), CommandError>
    where
        A: CachedAggregate,
        A::Command: Sync,
        A::Error: Into<Refusal>,
    {
        let entry = self.load::<A>(stream).await?;
        Ok((entry.state, entry.version))
    }

    /// The aggregate's state and version folded from the whole stream, bypassing (and not
    /// touching) the cache: the reference the cache is checked against.
    pub async fn state_from_store<A>(&self, stream: &StreamId) -> Result<(A, u64), CommandError>
    where
        A: CachedAggregate,
        A::Command: Sync,
        A::Error: Into<Refusal>,
    {
        let mut loaded = Loaded {
            state: A::default(),
            version: 0,
        };
        self.read_tail(stream, &mut loaded, &mut Vec::new()).await?;
        Ok((loaded.state, loaded.version))
    }

    /// Reads the events after `loaded.version` into `loaded`, noting where each was recorded.
    async fn read_tail<A: Aggregate>(
        &self,
        stream: &StreamId,
        loaded: &mut Loaded<A>,
        ids: &mut Vec<(Uuid, Slot)>,
    ) -> Result<(), CommandError> {
        loop {
            let read = StreamRead {
                from: loaded.version + 1,
                direction: Direction::Forward,
                max_count: PAGE,
            };
            let page = self.inner.store.read_stream(stream, read).await?;
            for recorded in &page {
                let event = A::Event::decode(
                    &recorded.event_type,
                    recorded.schema_version,
                    &recorded.payload,
                )
                .map_err(|source| match source {
                    CodecError::UnknownEventType { .. } => CommandError::ForeignEvent {
                        stream: stream.clone(),
                        event_type: recorded.event_type.clone(),
                    },
                    source => CommandError::Codec {
                        stream: stream.clone(),
                        source,
                    },
                })?;
                loaded.state.evolve(&event);
                loaded.version = recorded.stream_version;
                ids.push((
                    recorded.event_id,
                    Slot {
                        version: recorded.stream_version,
                        position: recorded.global_position,
                    },
                ));
            }
            if page.len() < PAGE {
                return Ok(());
            }
        }
    }

    /// The cached state brought up to the stream's current version (a copy of the state; the
    /// event ids stay in the cache).
    pub(super) async fn load<A>(&self, stream: &StreamId) -> Result<Loaded<A>, CommandError>
    where
        A: CachedAggregate,
        A::Command: Sync,
        A::Error: Into<Refusal>,
    {
        let cache = A::cache(&self.inner.caches);
        let mut loaded = cache
            .lock()
            .get(stream)
            .map(|e| Loaded {
                state: e.state.clone(),
                version: e.version,
            })
            .unwrap_or_else(|| Loaded {
                state: A::default(),
                version: 0,
            });
        let before = loaded.version;
        let mut ids = Vec::new();
        self.read_tail(stream, &mut loaded, &mut ids).await?;
        if !ids.is_empty() {
            let mut guard = cache.lock();
            let cached = admit(&mut guard, stream, self.inner.cache_capacity);
            if cached.version == before {
                cached.state = loaded.state.clone();
                cached.version = loaded.version;
                cached.ids.extend(ids);
            } else if cached.version < loaded.version {
                // The entry was evicted and re-created meanwhile: it lacks the ids before
                // ours, so drop it and let the next load fold the stream from the start.
                guard.remove(stream);
            }
        }
        Ok(loaded)
    }

    /// The recorded outcome of an earlier try with the same key, if there was one.
    pub(super) async fn replay<A>(
        &self,
        stream: &StreamId,
        command: &'static str,
        key: &str,
        version: u64,
    ) -> Result<Option<CommandOutcome>, CommandError>
    where
        A: CachedAggregate,
        A::Command: Sync,
        A::Error: Into<Refusal>,
    {
        let found = {
            let guard = A::cache(&self.inner.caches).lock();
            guard.get(stream).and_then(|entry| {
                let first = entry.ids.get(&derived_event_id(stream, key, 0))?;
                let count = (0..)
                    .take_while(|i| entry.ids.contains_key(&derived_event_id(stream, key, *i)))
                    .count();
                Some((first.version, count))
            })
        };
        let Some((first, count)) = found else {
            return Ok(None);
        };
        let read = StreamRead {
            from: first,
            direction: Direction::Forward,
            max_count: count,
        };
        let events = self
            .inner
            .store
            .read_stream(stream, read)
            .await?
            .into_iter()
            .map(|e| RecordedSummary {
                event_id: e.event_id,
                event_type: e.event_type,
                stream_version: e.stream_version,
                global_position: e.global_position,
                occurred_at: e.occurred_at,
            })
            .collect();
        tracing::debug!(key, "idempotent replay: answering the recorded outcome");
        Ok(Some(CommandOutcome {
            stream: stream.clone(),
            command,
            events,
            stream_version: version,
            replayed: true,
            attempts: 0,
        }))
    }
}

/// A state loaded for one decision.
pub(super) struct Loaded<A> {
    pub state: A,
    pub version: u64,
}
