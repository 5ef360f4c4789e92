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
mod loading;
mod outcome;

use std::sync::Arc;

use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::Ticket;
use ticketflow_domain::{Context, DeskConfig};
use ticketflow_events::{Actor, EventSet, NewEvent, StreamId, Timestamp};
use ticketflow_store::{EventStore, ExpectedVersion, StoreError};
use tracing::Instrument;
use uuid::Uuid;

use crate::clock::Clock;
pub use cache::CachedAggregate;
use cache::{Caches, Slot, admit};
pub use error::{CommandError, Refusal};
pub use idempotency::derived_event_id;
pub use outcome::{CommandOptions, CommandOutcome, RecordedSummary};

/// How often a command is decided again after losing a race with another writer.
pub const MAX_ATTEMPTS: u32 = 5;

struct Inner {
    store: Arc<dyn EventStore>,
    config: Arc<DeskConfig>,
    clock: Arc<dyn Clock>,
    caches: Caches,
    cache_capacity: usize,
}

/// How many streams of each aggregate kind the engine caches by default.
pub const DEFAULT_CACHE_CAPACITY: usize = 100_000;

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
                cache_capacity: DEFAULT_CACHE_CAPACITY,
            }),
        }
    }

    /// Like [`Engine::new`], caching at most `capacity` streams of each aggregate kind (at
    /// least one). Memory then stays bounded however many tickets the desk has.
    pub fn with_cache_capacity(
        store: Arc<dyn EventStore>,
        config: DeskConfig,
        clock: Arc<dyn Clock>,
        capacity: usize,
    ) -> Self {
        Engine {
            inner: Arc::new(Inner {
                store,
                config: Arc::new(config),
                clock,
                caches: Caches::default(),
                cache_capacity: capacity.max(1),
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
                && let Some(outcome) = self.replay::<A>(&stream, name, key, entry.version).await?
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
                    let mut slots = Vec::with_capacity(events.len());
                    for (i, (event, new)) in events.iter().zip(&new_events).enumerate() {
                        entry.state.evolve(event);
                        let slot = Slot {
                            version: out.first_version + i as u64,
                            position: out.first_position + i as u64,
                        };
                        slots.push((new.event_id, slot));
                        summaries.push(RecordedSummary {
                            event_id: new.event_id,
                            event_type: new.event_type.clone(),
                            stream_version: slot.version,
                            global_position: slot.position,
                            occurred_at: now,
                        });
                    }
                    {
                        let mut guard = A::cache(&self.inner.caches).lock();
                        let cached = admit(&mut guard, &stream, self.inner.cache_capacity);
                        if cached.version == loaded_version {
                            cached.state = entry.state;
                            cached.version = out.last_version;
                            cached.ids.extend(slots);
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
