//! Command handling: load, decide, append — with optimistic concurrency and idempotency.
//!
//! One command's way through [`Engine::execute`]:
//!
//! 1. **Load** the aggregate: the cached state plus the stream's tail ([`cache`]).
//! 2. **Replay check**: with an idempotency key, if the stream already holds the command's
//!    derived event ids ([`idempotency`]), answer what was recorded then. Nothing is decided.
//! 3. **Expected version**: if the caller fixed one and the stream is elsewhere, report the
//!    conflict (naming both versions) without deciding.
//! 4. **Decide** with `Context { now: clock.now(), actor, config }`. A refusal is returned
//!    as a typed [`Refusal`] and records nothing.
//! 5. **Encode and append** with the version the decision was made on. On
//!    `WrongExpectedVersion` someone else wrote in between: unless the caller fixed the
//!    version, reload the tail and decide again, at most [`MAX_ATTEMPTS`] times.
//!
//! Each command runs in one `tracing` span named `command` with the stream, the command name
//! and the actor.

pub mod cache;
pub mod error;
pub mod idempotency;

use std::sync::Arc;

use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::Ticket;
use ticketflow_domain::{Aggregate, Context, DeskConfig};
use ticketflow_events::{Actor, EventSet, NewEvent, StreamId, Timestamp};
use ticketflow_store::{Direction, EventStore, ExpectedVersion, StoreError, StreamRead};
use tracing::Instrument;
use uuid::Uuid;

use crate::clock::Clock;
pub use cache::CachedAggregate;
use cache::{Caches, Entry, Slot};
pub use error::{CommandError, Refusal};
pub use idempotency::derived_event_id;

/// How often a command is decided again after losing a race with another writer.
pub const MAX_ATTEMPTS: u32 = 5;

/// How many events a load reads per page.
const PAGE: usize = 1000;

/// What the caller adds to a command besides the command itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOptions {
    /// Decide only if the stream is exactly at this version (0 = it must not exist); on a
    /// mismatch report a [`CommandError::Conflict`] instead of retrying.
    pub expected_version: Option<u64>,
    /// Retrying with the same key answers the first outcome and records nothing twice.
    pub idempotency_key: Option<String>,
    /// Groups the events with others of the same request or process (default: the id of the
    /// command's first event).
    pub correlation_id: Option<Uuid>,
    /// The event that caused this command, e.g. for timers and process managers.
    pub causation_id: Option<Uuid>,
}

impl CommandOptions {
    /// Options with only an idempotency key.
    pub fn with_key(key: impl Into<String>) -> Self {
        CommandOptions {
            idempotency_key: Some(key.into()),
            ..CommandOptions::default()
        }
    }
}

/// One event a command recorded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSummary {
    /// The event's id.
    pub event_id: Uuid,
    /// Its stable type name, e.g. `TicketClosed`.
    pub event_type: String,
    /// Its version in the stream.
    pub stream_version: u64,
    /// Its position in the global log.
    pub global_position: u64,
    /// Business time it carries.
    pub occurred_at: Timestamp,
}

/// What an accepted command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The stream written to.
    pub stream: StreamId,
    /// The command's snake_case name.
    pub command: &'static str,
    /// The events recorded, in order (empty when the decision had nothing to record).
    pub events: Vec<RecordedSummary>,
    /// The stream's version after the command.
    pub stream_version: u64,
    /// True when an earlier try with the same idempotency key had recorded these events and
    /// nothing was decided now.
    pub replayed: bool,
    /// How many times the command was decided (1 unless it lost races with other writers).
    pub attempts: u32,
}

struct Inner {
    store: Arc<dyn EventStore>,
    config: Arc<DeskConfig>,
    clock: Arc<dyn Clock>,
    caches: Caches,
}

/// The command side of the desk: decides commands on cached aggregates and records their
/// events. Cloning is cheap and shares the store, the clock and the cache.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over `store` deciding under `config` at the time `clock` tells.
    pub fn new(store: Arc<dyn EventStore>, config: DeskConfig, clock: Arc<dyn Clock>) -> Self {
        Engine {
            inner: Arc::new(Inner {
                store,
                config: Arc::new(config),
                clock,
                caches: Caches::default(),
            }),
        }
    }

    /// The store the engine writes to.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.inner.store
    }

    /// The configuration decisions are made under.
    pub fn config(&self) -> &Arc<DeskConfig> {
        &self.inner.config
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The current business time.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Drops every cached state; the next load of each stream folds it from the store.
    pub fn clear_cache(&self) {
        self.inner.caches.clear();
    }

    /// Executes a command addressed to any aggregate on behalf of `actor`.
    pub async fn execute(
        &self,
        command: &AddressedCommand,
        actor: &Actor,
        options: &CommandOptions,
    ) -> Result<CommandOutcome, CommandError> {
        let stream = command.stream_id();
        let span = tracing::info_span!(
            "command",
            stream = %stream,
            command = command.name(),
            actor = %actor,
        );
        match command {
            AddressedCommand::Ticket(_, c) => {
                self.run::<Ticket>(stream, c.name(), c, actor, options)
                    .instrument(span)
                    .await
            }
            AddressedCommand::Order(_, c) => {
                self.run::<CustomisationOrder>(stream, c.name(), c, actor, options)
                    .instrument(span)
                    .await
            }
            AddressedCommand::Delivery(_, c) => {
                self.run::<Delivery>(stream, c.name(), c, actor, options)
                    .instrument(span)
                    .await
            }
        }
    }

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
                    ticketflow_events::CodecError::UnknownEventType { .. } => {
                        CommandError::ForeignEvent {
                            stream: stream.clone(),
                            event_type: recorded.event_type.clone(),
                        }
                    }
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
    async fn load<A>(&self, stream: &StreamId) -> Result<Entry<A>, CommandError>
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
    async fn replay<A>(
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

    async fn run<A>(
        &self,
        stream: StreamId,
        name: &'static str,
        command: &A::Command,
        actor: &Actor,
        options: &CommandOptions,
    ) -> Result<CommandOutcome, CommandError>
    where
        A: CachedAggregate,
        A::Command: Sync,
        A::Error: Into<Refusal>,
    {
        let config = self.inner.config.clone();
        for attempt in 1..=MAX_ATTEMPTS {
            let mut entry = self.load::<A>(&stream).await?;
            if let Some(key) = &options.idempotency_key
                && let Some(outcome) = self.replay(&stream, name, key, &entry).await?
            {
                return Ok(outcome);
            }
            if let Some(expected) = options.expected_version
                && expected != entry.version
            {
                return Err(conflict(&stream, name, expected, entry.version));
            }
            let now = self.inner.clock.now();
            let ctx = Context {
                now,
                actor,
                config: &config,
            };
            let events = entry
                .state
                .decide(command, &ctx)
                .map_err(|e| CommandError::Refused {
                    stream: stream.clone(),
                    command: name,
                    refusal: Box::new(e.into()),
                })?;
            if events.is_empty() {
                return Ok(CommandOutcome {
                    stream,
                    command: name,
                    events: Vec::new(),
                    stream_version: entry.version,
                    replayed: false,
                    attempts: attempt,
                });
            }
            let new_events = self.encode(&stream, &events, now, actor, options)?;
            let append = self
                .inner
                .store
                .append(
                    &stream,
                    ExpectedVersion::Exact(entry.version),
                    new_events.clone(),
                )
                .await;
            match append {
                Ok(out) => {
                    let loaded_version = entry.version;
                    let mut summaries = Vec::with_capacity(events.len());
                    for (i, (event, new)) in events.iter().zip(&new_events).enumerate() {
                        entry.state.evolve(event);
                        let slot = Slot {
                            version: out.first_version + i as u64,
                            position: out.first_position + i as u64,
                        };
                        entry.ids.insert(new.event_id, slot);
                        summaries.push(RecordedSummary {
                            event_id: new.event_id,
                            event_type: new.event_type.clone(),
                            stream_version: slot.version,
                            global_position: slot.position,
                            occurred_at: now,
                        });
                    }
                    entry.version = out.last_version;
                    {
                        let mut guard = A::cache(&self.inner.caches).lock();
                        let cached = guard.entry(stream.clone()).or_default();
                        if cached.version <= loaded_version {
                            *cached = entry;
                        }
                    }
                    tracing::debug!(attempt, events = summaries.len(), "command recorded");
                    return Ok(CommandOutcome {
                        stream,
                        command: name,
                        events: summaries,
                        stream_version: out.last_version,
                        replayed: false,
                        attempts: attempt,
                    });
                }
                Err(StoreError::WrongExpectedVersion { actual, .. }) => {
                    if let Some(expected) = options.expected_version {
                        return Err(conflict(&stream, name, expected, actual.unwrap_or(0)));
                    }
                    tracing::debug!(attempt, "lost a race with another writer; deciding again");
                }
                Err(StoreError::IdempotencyConflict { .. })
                    if options.idempotency_key.is_some() =>
                {
                    // A concurrent try with the same key got there first; the next load
                    // finds its events and answers them.
                    tracing::debug!(attempt, "a concurrent try with the same key recorded first");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(CommandError::TooManyConflicts {
            stream,
            command: name,
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Wraps decided events into envelopes.
    fn encode<E: EventSet>(
        &self,
        stream: &StreamId,
        events: &[E],
        now: Timestamp,
        actor: &Actor,
        options: &CommandOptions,
    ) -> Result<Vec<NewEvent>, CommandError> {
        let ids: Vec<Uuid> = (0..events.len())
            .map(|i| match &options.idempotency_key {
                Some(key) => derived_event_id(stream, key, i),
                None => Uuid::now_v7(),
            })
            .collect();
        let correlation_id = options
            .correlation_id
            .or_else(|| ids.first().copied())
            .unwrap_or_else(Uuid::now_v7);
        let label = actor.envelope_label();
        events
            .iter()
            .zip(ids)
            .map(|(event, event_id)| {
                Ok(NewEvent {
                    event_id,
                    event_type: event.event_type().to_owned(),
                    schema_version: event.schema_version(),
                    occurred_at: now,
                    actor: label.clone(),
                    correlation_id,
                    causation_id: options.causation_id,
                    payload: event.encode().map_err(|source| CommandError::Codec {
                        stream: stream.clone(),
                        source,
                    })?,
                })
            })
            .collect()
    }
}

fn conflict(stream: &StreamId, command: &'static str, expected: u64, actual: u64) -> CommandError {
    CommandError::Conflict {
        stream: stream.clone(),
        command,
        expected,
        actual: (actual > 0).then_some(actual),
    }
}
