//! Command handling against real stores: conflicts, idempotency, the cache, refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use parking_lot::Mutex;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{Ticket, TicketCommand, TicketError};
use ticketflow_engine::{CommandError, CommandOptions, Engine, Refusal, SimulatedClock};
use ticketflow_events::ticket::TicketStatus;
use ticketflow_events::{Actor, NewEvent, RecordedEvent, StreamId};
use ticketflow_store::{
    AppendOutcome, EventStore, ExpectedVersion, Filter, StoreResult, StreamRead, Subscription,
    VerifyReport,
};

fn engine_on(store: Arc<dyn EventStore>, clock: &SimulatedClock) -> Engine {
    Engine::new(store, DeskConfig::default(), Arc::new(clock.clone()))
}

/// A store that lets another writer slip in a command right before the next appends.
struct RacingStore {
    inner: Arc<dyn EventStore>,
    races: Mutex<Vec<(Engine, AddressedCommand, Actor)>>,
}

#[async_trait]
impl EventStore for RacingStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> StoreResult<AppendOutcome> {
        let race = self.races.lock().pop();
        if let Some((other, command, actor)) = race {
            other
                .execute(&command, &actor, &CommandOptions::default())
                .await
                .unwrap();
        }
        self.inner.append(stream, expected, events).await
    }
    async fn read_stream(
        &self,
        stream: &StreamId,
        read: StreamRead,
    ) -> StoreResult<Vec<RecordedEvent>> {
        self.inner.read_stream(stream, read).await
    }
    async fn stream_version(&self, stream: &StreamId) -> StoreResult<Option<u64>> {
        self.inner.stream_version(stream).await
    }
    async fn read_all(
        &self,
        from: u64,
        filter: &Filter,
        max_count: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        self.inner.read_all(from, filter, max_count).await
    }
    async fn last_position(&self) -> StoreResult<u64> {
        self.inner.last_position().await
    }
    fn subscribe_all(&self, after: u64, filter: Filter) -> Subscription {
        self.inner.subscribe_all(after, filter)
    }
    async fn verify(&self) -> StoreResult<VerifyReport> {
        self.inner.verify().await
    }
}

#[tokio::test]
async fn a_command_that_loses_a_race_is_decided_again_on_the_new_state() {
    for (name, store, _dir) in stores() {
        let clock = SimulatedClock::new(t0());
        let key = ticket(1);
        let other = engine_on(store.clone(), &clock);
        let racing = Arc::new(RacingStore {
            inner: store.clone(),
            races: Mutex::new(Vec::new()),
        });
        let engine = engine_on(racing.clone(), &clock);
        let none = CommandOptions::default();
        engine
            .execute(&open_incident(&key), &jane(), &none)
            .await
            .unwrap();
        // Two other writers slip in before our appends: we lose twice, then succeed.
        racing.races.lock().extend([
            (other.clone(), to_ticket(&key, comment("first")), jane()),
            (other.clone(), to_ticket(&key, comment("second")), jane()),
        ]);
        let outcome = engine
            .execute(&to_ticket(&key, comment("mine")), &jane(), &none)
            .await
            .unwrap();
        assert_eq!(outcome.attempts, 3, "{name}");
        assert_eq!(outcome.stream_version, 4, "{name}");
        let (cached, v1) = engine.state::<Ticket>(&key.stream_id()).await.unwrap();
        let (stored, v2) = engine
            .state_from_store::<Ticket>(&key.stream_id())
            .await
            .unwrap();
        assert_eq!((cached.comment_count(), v1), (3, 4), "{name}");
        assert_eq!((cached, v1), (stored, v2), "{name}");
    }
}

#[tokio::test]
async fn endless_races_give_up_after_a_bounded_number_of_attempts() {
    let store: Arc<dyn EventStore> = Arc::new(ticketflow_store::MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let key = ticket(1);
    let other = engine_on(store.clone(), &clock);
    let racing = Arc::new(RacingStore {
        inner: store.clone(),
        races: Mutex::new(Vec::new()),
    });
    let engine = engine_on(racing.clone(), &clock);
    let none = CommandOptions::default();
    engine
        .execute(&open_incident(&key), &jane(), &none)
        .await
        .unwrap();
    racing.races.lock().extend((0..10).map(|i| {
        (
            other.clone(),
            to_ticket(&key, comment(&format!("c{i}"))),
            jane(),
        )
    }));
    let err = engine
        .execute(&to_ticket(&key, comment("mine")), &jane(), &none)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CommandError::TooManyConflicts { attempts: 5, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_fixed_expected_version_reports_the_conflict_naming_both_versions() {
    for (name, store, _dir) in stores() {
        let clock = SimulatedClock::new(t0());
        let engine = engine_on(store.clone(), &clock);
        let key = ticket(7);
        let none = CommandOptions::default();
        engine
            .execute(&open_incident(&key), &jane(), &none)
            .await
            .unwrap();
        engine
            .execute(&to_ticket(&key, comment("a")), &jane(), &none)
            .await
            .unwrap();
        let fixed = CommandOptions {
            expected_version: Some(1),
            ..CommandOptions::default()
        };
        let err = engine
            .execute(&to_ticket(&key, comment("b")), &jane(), &fixed)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                CommandError::Conflict {
                    expected: 1,
                    actual: Some(2),
                    ..
                }
            ),
            "{name}: {err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("expected version 1") && text.contains("version 2"),
            "{text}"
        );
        // The right version goes through.
        let fixed = CommandOptions {
            expected_version: Some(2),
            ..CommandOptions::default()
        };
        let ok = engine
            .execute(&to_ticket(&key, comment("b")), &jane(), &fixed)
            .await
            .unwrap();
        assert_eq!(ok.stream_version, 3, "{name}");
    }
}

#[tokio::test]
async fn a_fixed_expected_version_that_loses_the_race_is_not_retried() {
    let store: Arc<dyn EventStore> = Arc::new(ticketflow_store::MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let key = ticket(1);
    let other = engine_on(store.clone(), &clock);
    let racing = Arc::new(RacingStore {
        inner: store.clone(),
        races: Mutex::new(Vec::new()),
    });
    let engine = engine_on(racing.clone(), &clock);
    engine
        .execute(&open_incident(&key), &jane(), &CommandOptions::default())
        .await
        .unwrap();
    racing
        .races
        .lock()
        .push((other, to_ticket(&key, comment("first")), jane()));
    let fixed = CommandOptions {
        expected_version: Some(1),
        ..CommandOptions::default()
    };
    let err = engine
        .execute(&to_ticket(&key, comment("mine")), &jane(), &fixed)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CommandError::Conflict {
                expected: 1,
                actual: Some(2),
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn the_same_idempotency_key_gives_the_same_answer_and_records_nothing_twice() {
    for (name, store, _dir) in stores() {
        let clock = SimulatedClock::new(t0());
        let engine = engine_on(store.clone(), &clock);
        let key = ticket(3);
        let opened = engine
            .execute(
                &open_incident(&key),
                &jane(),
                &CommandOptions::with_key("open-3"),
            )
            .await
            .unwrap();
        engine
            .execute(
                &to_ticket(&key, classify_defect()),
                &agent(),
                &CommandOptions::default(),
            )
            .await
            .unwrap();
        let keyed = CommandOptions::with_key("resolve-3");
        let first = engine
            .execute(&to_ticket(&key, resolve_no_defect()), &agent(), &keyed)
            .await
            .unwrap();
        assert!(!first.replayed);
        let last = store.last_position().await.unwrap();
        // Later, on a state that has moved on (resolve is no longer allowed), and after a
        // restart (a fresh engine, empty cache): the retry answers what was recorded.
        clock.advance(days(1));
        let restarted = engine_on(store.clone(), &clock);
        let again = restarted
            .execute(&to_ticket(&key, resolve_no_defect()), &agent(), &keyed)
            .await
            .unwrap();
        assert!(again.replayed, "{name}");
        assert_eq!(again.events, first.events, "{name}");
        let reopen = restarted
            .execute(
                &open_incident(&key),
                &jane(),
                &CommandOptions::with_key("open-3"),
            )
            .await
            .unwrap();
        assert_eq!(reopen.events, opened.events, "{name}");
        assert_eq!(store.last_position().await.unwrap(), last, "{name}");
        // Without the key the same command is decided again, and refused.
        let err = restarted
            .execute(
                &to_ticket(&key, resolve_no_defect()),
                &agent(),
                &CommandOptions::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, CommandError::Refused { .. }), "{name}: {err}");
    }
}

#[tokio::test]
async fn a_refusal_is_typed_and_keeps_the_domain_message() {
    let store: Arc<dyn EventStore> = Arc::new(ticketflow_store::MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let engine = engine_on(store.clone(), &clock);
    let key = ticket(9);
    let err = engine
        .execute(
            &to_ticket(&key, TicketCommand::Accept),
            &agent(),
            &CommandOptions::default(),
        )
        .await
        .unwrap_err();
    let Some(Refusal::Ticket(domain @ TicketError::DoesNotExist { .. })) = err.refusal() else {
        panic!("not a ticket refusal: {err:?}");
    };
    assert!(err.to_string().contains(&domain.to_string()), "{err}");
    assert!(err.is_caller_error());
    assert_eq!(store.last_position().await.unwrap(), 0);
}

#[tokio::test]
async fn state_through_the_cache_equals_state_folded_from_the_store() {
    for (name, store, _dir) in stores() {
        let clock = SimulatedClock::new(t0());
        let engine = engine_on(store.clone(), &clock);
        let other = engine_on(store.clone(), &clock);
        let none = CommandOptions::default();
        for n in 1..=3 {
            let key = ticket(n);
            engine
                .execute(&open_incident(&key), &jane(), &none)
                .await
                .unwrap();
            engine
                .execute(&to_ticket(&key, classify_defect()), &agent(), &none)
                .await
                .unwrap();
            // Another engine writes behind this one's cache.
            other
                .execute(
                    &to_ticket(&key, comment("behind the cache")),
                    &jane(),
                    &none,
                )
                .await
                .unwrap();
            clock.advance(days(1));
            engine
                .execute(&to_ticket(&key, resolve_no_defect()), &agent(), &none)
                .await
                .unwrap();
        }
        for n in 1..=3 {
            let stream = ticket(n).stream_id();
            let cached = engine.state::<Ticket>(&stream).await.unwrap();
            let stored = engine.state_from_store::<Ticket>(&stream).await.unwrap();
            assert_eq!(cached, stored, "{name}");
            assert_eq!(cached.0.status(), TicketStatus::Resolved, "{name}");
            assert_eq!(cached.0.comment_count(), 1, "{name}");
        }
    }
}

#[tokio::test]
async fn recorded_events_carry_business_time_actor_and_correlation() {
    let store: Arc<dyn EventStore> = Arc::new(ticketflow_store::MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let engine = engine_on(store.clone(), &clock);
    let key = ticket(1);
    engine
        .execute(&open_incident(&key), &jane(), &CommandOptions::default())
        .await
        .unwrap();
    clock.advance(days(2));
    let cause = uuid::Uuid::now_v7();
    let options = CommandOptions {
        causation_id: Some(cause),
        ..CommandOptions::default()
    };
    let outcome = engine
        .execute(&to_ticket(&key, classify_defect()), &agent(), &options)
        .await
        .unwrap();
    let events = store
        .read_stream(&key.stream_id(), StreamRead::forwards(100))
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.occurred_at, t0() + days(2));
    assert_eq!(last.actor, "support-agent:anna");
    assert_eq!(last.causation_id, Some(cause));
    assert_eq!(last.correlation_id, outcome.events[0].event_id);
    assert_eq!(
        outcome.events.last().unwrap().global_position,
        last.global_position
    );
}

#[tokio::test]
async fn a_small_cache_evicts_streams_and_still_answers_the_stored_state() {
    let store: Arc<dyn EventStore> = Arc::new(ticketflow_store::MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let engine = Engine::with_cache_capacity(
        store.clone(),
        DeskConfig::default(),
        Arc::new(clock.clone()),
        2,
    );
    let none = CommandOptions::default();
    for round in 0..3 {
        for n in 1..=5 {
            let key = ticket(n);
            if round == 0 {
                engine
                    .execute(&open_incident(&key), &jane(), &none)
                    .await
                    .unwrap();
            }
            engine
                .execute(
                    &to_ticket(&key, comment("again")),
                    &jane(),
                    &CommandOptions::with_key(format!("c{round}")),
                )
                .await
                .unwrap();
        }
    }
    for n in 1..=5 {
        let stream = ticket(n).stream_id();
        let cached = engine.state::<Ticket>(&stream).await.unwrap();
        assert_eq!(
            cached,
            engine.state_from_store::<Ticket>(&stream).await.unwrap()
        );
        assert_eq!(cached.0.comment_count(), 3);
    }
    // An evicted stream still recognises a retried key.
    let again = engine
        .execute(
            &to_ticket(&ticket(1), comment("again")),
            &jane(),
            &CommandOptions::with_key("c0"),
        )
        .await
        .unwrap();
    assert!(again.replayed);
}
