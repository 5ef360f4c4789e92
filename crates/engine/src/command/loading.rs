//! Loading an aggregate: the cached state plus the stream's tail, and the replay check of
//! idempotency keys (which needs the ids of the stream's events, kept in the cache).

use ticketflow_domain::Aggregate;
use ticketflow_events::{CodecError, EventSet, StreamId};
use ticketflow_store::{Direction, StreamRead};

use super::Engine;
use super::cache::{CachedAggregate, Entry, Slot};
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
        let mut entry = Entry::<A>::default();
        self.read_tail(stream, &mut entry).await?;
        Ok((entry.state, entry.version))
    }

    /// Reads the events after `entry.version` into `entry`.
    async fn read_tail<A: Aggregate>(
        &self,
        stream: &StreamId,
        entry: &mut Entry<A>,
    ) -> Result<(), CommandError> {
        loop {
            let read = StreamRead {
                from: entry.version + 1,
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
                entry.state.evolve(&event);
                entry.version = recorded.stream_version;
                entry.ids.insert(
                    recorded.event_id,
                    Slot {
                        version: recorded.stream_version,
                        position: recorded.global_position,
                    },
                );
            }
            if page.len() < PAGE {
                return Ok(());
            }
        }
    }

    /// The cached entry brought up to the stream's current version (a copy).
    pub(super) async fn load<A>(&self, stream: &StreamId) -> Result<Entry<A>, CommandError>
    where
        A: CachedAggregate,
        A::Command: Sync,
        A::Error: Into<Refusal>,
    {
        let cache = A::cache(&self.inner.caches);
        let mut entry = cache.lock().get(stream).cloned().unwrap_or_default();
        let before = entry.version;
        self.read_tail(stream, &mut entry).await?;
        if entry.version > before {
            let mut guard = cache.lock();
            let cached = guard.entry(stream.clone()).or_default();
            if cached.version < entry.version {
                *cached = entry.clone();
            }
        }
        Ok(entry)
    }

    /// The recorded outcome of an earlier try with the same key, if there was one.
    pub(super) async fn replay<A>(
        &self,
        stream: &StreamId,
        command: &'static str,
        key: &str,
        entry: &Entry<A>,
    ) -> Result<Option<CommandOutcome>, CommandError> {
        let Some(first) = entry.ids.get(&derived_event_id(stream, key, 0)) else {
            return Ok(None);
        };
        let count = (0..)
            .take_while(|i| entry.ids.contains_key(&derived_event_id(stream, key, *i)))
            .count();
        let read = StreamRead {
            from: first.version,
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
            stream_version: entry.version,
            replayed: true,
            attempts: 0,
        }))
    }
}
