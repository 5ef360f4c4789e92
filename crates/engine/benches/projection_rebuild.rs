//! Projection runner benchmarks: full rebuild throughput (events/s) from a warm SQLite store.
//!
//! * `projection_rebuild/online` — an online rebuild of one read model: a fresh copy folds
//!   the whole log from position 0 in the background and is swapped in.
//! * `projection_rebuild/cold_start` — a runner starting without snapshots: catch-up from
//!   position 0 through the runner's own pipeline, then shutdown (one snapshot write).
//! * `projection_rebuild/read_only` — reading the log from the store in the runner's pages,
//!   without decoding: the store's share of a rebuild.
//! * `projection_rebuild/decode_only` — the codec alone over the same events in memory: the
//!   codec's share.
//!
//! The read model is deliberately simple (a count per event type) so the figures show the
//! runner and the store, not a read model; the real read models get their own benches.
//! Run with `cargo bench -p ticketflow-engine --bench projection_rebuild`; set
//! `TICKETFLOW_BENCH_EVENTS` to change the log size (default 200,000).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parking_lot::Mutex;
use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
use ticketflow_events::ticket::{
    TicketEvent, TicketNotificationsChanged, TicketSupportBudgetRecorded,
};
use ticketflow_events::{AnyEvent, EventSet, NewEvent, RecordedEvent, StreamId};
use ticketflow_projections::{ReadModel, SnapshotError};
use ticketflow_store::{EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore};
use uuid::Uuid;

/// Counts events per type: about the cheapest fold there is.
#[derive(Default)]
struct TypeCounter {
    total: AtomicU64,
    per_type: Mutex<BTreeMap<&'static str, u64>>,
}

impl ReadModel for TypeCounter {
    fn name(&self) -> &'static str {
        "type-counter"
    }

    fn version(&self) -> u32 {
        1
    }

    fn apply(&self, _envelope: &RecordedEvent, event: &AnyEvent) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let name = match event {
            AnyEvent::Ticket(e) => e.event_type(),
            AnyEvent::Order(e) => e.event_type(),
            AnyEvent::Delivery(e) => e.event_type(),
        };
        *self.per_type.lock().entry(name).or_default() += 1;
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        rmp_serde::to_vec_named(&*self.per_type.lock()).map_err(|e| SnapshotError::Write {
            name: "type-counter",
            reason: e.to_string(),
        })
    }

    fn restore(&self, _snapshot: &[u8]) -> Result<(), SnapshotError> {
        Err(SnapshotError::Read {
            name: "type-counter",
            reason: "the bench always rebuilds".to_owned(),
        })
    }
}

fn event(i: u64) -> NewEvent {
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
            person: format!("agent:{}", i % 50),
            enabled: i % 2 == 1,
        }
        .into()
    };
    NewEvent {
        event_id: Uuid::new_v4(),
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        occurred_at: at,
        actor: "agent:bench".to_owned(),
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        payload: event.encode().unwrap(),
    }
}

fn events() -> u64 {
    std::env::var("TICKETFLOW_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A SQLite store holding `n` events over 1,000 streams, read once so it is warm.
async fn warm_store(dir: &std::path::Path, n: u64) -> Arc<dyn EventStore> {
    let store = SqliteStore::open(dir.join("events.db"), SqliteOptions::default()).unwrap();
    let batch = 500;
    let mut i = 0;
    while i < n {
        let stream: StreamId = format!("ticket-SD-{}", (i / batch) % 1000 + 1)
            .parse()
            .unwrap();
        let events = (i..(i + batch).min(n)).map(event).collect();
        store
            .append(&stream, ExpectedVersion::Any, events)
            .await
            .unwrap();
        i += batch;
    }
    let mut from = 1;
    loop {
        let page = store.read_all(from, &Filter::all(), 10_000).await.unwrap();
        match page.last() {
            Some(last) => from = last.global_position + 1,
            None => break,
        }
    }
    Arc::new(store)
}

fn rebuild(c: &mut Criterion) {
    let n = events();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(warm_store(dir.path(), n));
    let mut g = c.benchmark_group("projection_rebuild");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(n));

    let snapshots = dir.path().join("online");
    let runner = rt.block_on(async {
        let mut b = ProjectionRunnerBuilder::new(store.clone(), RunnerConfig::new(&snapshots));
        b.register(TypeCounter::default).unwrap();
        let runner = b.start().await.unwrap();
        runner.wait_for(n).await.unwrap();
        runner
    });
    g.bench_function("online", |b| {
        b.to_async(&rt).iter(|| async {
            let at = runner
                .rebuild("type-counter")
                .await
                .unwrap()
                .finished()
                .await
                .unwrap();
            assert_eq!(at, n);
        })
    });
    rt.block_on(runner.shutdown()).unwrap();

    g.bench_function("cold_start", |b| {
        b.to_async(&rt).iter(|| async {
            let snapshots = tempfile::tempdir().unwrap();
            let mut b =
                ProjectionRunnerBuilder::new(store.clone(), RunnerConfig::new(snapshots.path()));
            let handle = b.register(TypeCounter::default).unwrap();
            let runner = b.start().await.unwrap();
            runner.wait_for(n).await.unwrap();
            runner.shutdown().await.unwrap();
            assert_eq!(handle.current().total.load(Ordering::Relaxed), n);
        })
    });

    g.bench_function("read_only", |b| {
        b.to_async(&rt).iter(|| async {
            let mut from = 1;
            loop {
                let page = store.read_all(from, &Filter::all(), 4096).await.unwrap();
                match page.last() {
                    Some(last) => from = last.global_position + 1,
                    None => break,
                }
            }
        })
    });

    let log: Vec<RecordedEvent> = rt
        .block_on(store.read_all(1, &Filter::all(), usize::MAX))
        .unwrap();
    g.bench_function("decode_only", |b| {
        b.iter(|| {
            for e in &log {
                std::hint::black_box(AnyEvent::from_recorded(e).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, rebuild);
criterion_main!(benches);
