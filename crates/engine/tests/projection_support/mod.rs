//! Small read models and helpers shared by the projection runner tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
use ticketflow_events::ticket::{
    TicketEvent, TicketNotificationsChanged, TicketSupportBudgetRecorded,
};
use ticketflow_events::{AnyEvent, EventSet, NewEvent, RecordedEvent, StreamId};
use ticketflow_projections::{ReadModel, SnapshotError};
use ticketflow_store::{EventStore, ExpectedVersion};
use uuid::Uuid;

/// What a [`Counter`] has folded: events per type and every position, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Events seen per event type.
    pub per_type: BTreeMap<String, u64>,
    /// Every global position applied, in the order applied.
    pub positions: Vec<u64>,
    /// Sum of a number carried by the events, so the payload matters too.
    pub enabled: u64,
}

impl Counts {
    /// Folds one event in (the same code the read model runs).
    pub fn fold(&mut self, envelope: &RecordedEvent, event: &AnyEvent) {
        *self
            .per_type
            .entry(envelope.event_type.clone())
            .or_default() += 1;
        self.positions.push(envelope.global_position);
        if let AnyEvent::Ticket(TicketEvent::TicketNotificationsChanged(e)) = event
            && e.enabled
        {
            self.enabled += 1;
        }
    }

    /// Folds a whole log from scratch, without the runner.
    pub fn from_log(log: &[RecordedEvent]) -> Self {
        let mut counts = Counts::default();
        for e in log {
            counts.fold(e, &AnyEvent::from_recorded(e).unwrap());
        }
        counts
    }
}

/// Lets a test hold the read model inside `apply` at a chosen position.
#[derive(Debug, Default)]
pub struct Gate {
    closed: AtomicBool,
    /// Events at or after this position wait while the gate is closed (0: none).
    from: AtomicU64,
    /// Sleep this many microseconds per applied event (0: none).
    pub delay_micros: AtomicU64,
}

impl Gate {
    /// Holds events from `position` on.
    pub fn close_from(&self, position: u64) {
        self.from.store(position, Ordering::SeqCst);
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Lets everything through.
    pub fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
    }

    fn pass(&self, position: u64) {
        let delay = self.delay_micros.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(Duration::from_micros(delay));
        }
        // Bounded, so that a failing test ends instead of holding a worker thread forever.
        for _ in 0..5000 {
            if !self.closed.load(Ordering::SeqCst) || position < self.from.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Shared knobs and counters of every instance a factory builds.
#[derive(Debug, Default)]
pub struct Probe {
    /// `apply` calls over all instances.
    pub applied: AtomicU64,
    /// Instances built so far (the first is generation 1).
    pub generations: AtomicU64,
    /// Gate for instances of generation ≥ `gate_generation`.
    pub gate: Gate,
    /// Which generations the gate holds (0: none).
    pub gate_generation: AtomicU64,
    /// Panic when applying an event of this type (empty: never).
    pub panic_on: Mutex<String>,
    /// Refuse every snapshot after folding half of it in.
    pub refuse_restore: AtomicBool,
}

/// A read model counting events per type and recording every position it applied.
#[derive(Debug)]
pub struct Counter {
    name: &'static str,
    version: u32,
    /// Which instance this is.
    pub generation: u64,
    probe: Arc<Probe>,
    counts: Mutex<Counts>,
}

impl Counter {
    /// A factory for [`ProjectionRunnerBuilder::register`].
    pub fn factory(
        name: &'static str,
        version: u32,
        probe: Arc<Probe>,
    ) -> impl Fn() -> Counter + Send + Sync + 'static {
        move || Counter {
            name,
            version,
            generation: probe.generations.fetch_add(1, Ordering::SeqCst) + 1,
            probe: probe.clone(),
            counts: Mutex::new(Counts::default()),
        }
    }

    /// The query: what it has folded so far.
    pub fn counts(&self) -> Counts {
        self.counts.lock().clone()
    }
}

impl ReadModel for Counter {
    fn name(&self) -> &'static str {
        self.name
    }

    fn version(&self) -> u32 {
        self.version
    }

    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent) {
        let gated = self.probe.gate_generation.load(Ordering::SeqCst);
        if gated > 0 && self.generation >= gated {
            self.probe.gate.pass(envelope.global_position);
        }
        if *self.probe.panic_on.lock() == envelope.event_type {
            panic!("counter refuses {}", envelope.event_type);
        }
        self.probe.applied.fetch_add(1, Ordering::SeqCst);
        self.counts.lock().fold(envelope, event);
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        rmp_serde::to_vec_named(&*self.counts.lock()).map_err(|e| SnapshotError::Write {
            name: self.name,
            reason: e.to_string(),
        })
    }

    fn restore(&self, snapshot: &[u8]) -> Result<(), SnapshotError> {
        let counts = rmp_serde::from_slice(snapshot).map_err(|e| SnapshotError::Read {
            name: self.name,
            reason: e.to_string(),
        })?;
        *self.counts.lock() = counts;
        if self.probe.refuse_restore.load(Ordering::SeqCst) {
            return Err(SnapshotError::Read {
                name: self.name,
                reason: "this test refuses snapshots".to_owned(),
            });
        }
        Ok(())
    }
}

/// The event at index `i` of a test history: alternating between two real ticket events.
pub fn event(i: u64) -> NewEvent {
    let at = chrono::DateTime::from_timestamp(1_750_000_000 + i as i64, 0).unwrap();
    let event: TicketEvent = if i.is_multiple_of(3) {
        TicketSupportBudgetRecorded {
            at,
            available: i.is_multiple_of(2),
        }
        .into()
    } else {
        TicketNotificationsChanged {
            at,
            person: format!("agent:{}", i % 5),
            enabled: i % 2 == 1,
        }
        .into()
    };
    NewEvent {
        event_id: Uuid::new_v4(),
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        occurred_at: at,
        actor: "agent:test".to_owned(),
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        payload: event.encode().unwrap(),
    }
}

/// An event no build of Ticketflow can decode.
pub fn undecodable() -> NewEvent {
    NewEvent {
        event_type: "TicketTeleported".to_owned(),
        payload: vec![0xc1],
        ..event(0)
    }
}

/// Appends the events `from..to` (by [`event`] index), spread over a few streams, and answers
/// the last position.
pub async fn append_events(store: &dyn EventStore, from: u64, to: u64) -> u64 {
    let mut last = store.last_position().await.unwrap();
    for i in from..to {
        let stream: StreamId = format!("ticket-SD-{}", i % 7 + 1).parse().unwrap();
        last = store
            .append(&stream, ExpectedVersion::Any, vec![event(i)])
            .await
            .unwrap()
            .last_position;
    }
    last
}

/// Appends one prepared event.
pub async fn append_one(store: &dyn EventStore, event: NewEvent) -> u64 {
    let stream: StreamId = "ticket-SD-99".parse().unwrap();
    store
        .append(&stream, ExpectedVersion::Any, vec![event])
        .await
        .unwrap()
        .last_position
}

/// The whole log.
pub async fn whole_log(store: &dyn EventStore) -> Vec<RecordedEvent> {
    store
        .read_all(1, &ticketflow_store::Filter::all(), usize::MAX)
        .await
        .unwrap()
}

/// A configuration with quick sampling, snapshots in `dir`.
pub fn config(dir: &Path) -> RunnerConfig {
    let mut config = RunnerConfig::new(dir);
    config.progress_interval = Duration::from_millis(20);
    config.page_size = 16;
    config
}

/// A builder over `store`.
pub fn builder(store: Arc<dyn EventStore>, config: RunnerConfig) -> ProjectionRunnerBuilder {
    ProjectionRunnerBuilder::new(store, config)
}

/// Polls `check` until it holds or five seconds have passed.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}
