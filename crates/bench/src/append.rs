//! Workload 1 — durable appends with 1, 8 and 64 concurrent writers.
//!
//! Each writer replays the scenario's ticket histories as a command handler would write
//! them: one event per append, with the expected version it knows, on a fresh ticket stream
//! that it alone writes; when a history is used up it starts the next ticket on a new
//! stream. Every append is durable when acknowledged (the store's default, fsync on). Event
//! ids are fresh UUIDv7, as the engine generates them.
//!
//! The shape of the measurement is the peer harness's (`benches/peers/common/measure.rs`):
//! every writer appends in a loop until the deadline; the figure is events acknowledged per
//! second of wall-clock time, with the latency of every append.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ticketflow_store::{EventStore, ExpectedVersion};

use crate::corpus::{Corpus, fresh_ticket_stream, renewed};
use crate::error::BenchError;
use crate::stats::Repetition;

/// Runs `writers` concurrent append loops against `store` for `duration`; answers one
/// repetition: events per second and the latency of each append.
pub async fn run(
    store: Arc<dyn EventStore>,
    corpus: Arc<Corpus>,
    writers: usize,
    duration: Duration,
) -> Result<Repetition, BenchError> {
    let started = Instant::now();
    let latencies = drive(store, corpus, writers, Until::Deadline(started + duration)).await?;
    Ok(Repetition::from_latencies(latencies, started.elapsed()))
}

/// Appends exactly `events` events with `writers` concurrent writers and answers the wall
/// time they took (for criterion's `iter_custom`).
pub async fn run_count(
    store: Arc<dyn EventStore>,
    corpus: Arc<Corpus>,
    writers: usize,
    events: u64,
) -> Result<Duration, BenchError> {
    let started = Instant::now();
    let budget = Arc::new(AtomicU64::new(events));
    drive(store, corpus, writers, Until::Budget(budget)).await?;
    Ok(started.elapsed())
}

/// When the writers stop.
#[derive(Clone)]
enum Until {
    /// At this instant.
    Deadline(Instant),
    /// When this many appends have been started, all writers together.
    Budget(Arc<AtomicU64>),
}

impl Until {
    /// Whether one more append may start (taking it from the budget).
    fn another(&self) -> bool {
        match self {
            Until::Deadline(deadline) => Instant::now() < *deadline,
            Until::Budget(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

async fn drive(
    store: Arc<dyn EventStore>,
    corpus: Arc<Corpus>,
    writers: usize,
    until: Until,
) -> Result<Vec<Duration>, BenchError> {
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            let corpus = corpus.clone();
            let until = until.clone();
            tokio::spawn(async move { writer(store, &corpus, w, writers, until).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        let mine = task.await.map_err(|e| BenchError::Invalid {
            workload: "append",
            detail: format!("a writer task stopped: {e}"),
        })??;
        latencies.extend(mine);
    }
    Ok(latencies)
}

/// One writer: ticket histories `w`, `w + writers`, … in turn, one event per append.
async fn writer(
    store: Arc<dyn EventStore>,
    corpus: &Corpus,
    w: usize,
    writers: usize,
    until: Until,
) -> Result<Vec<Duration>, BenchError> {
    let mut latencies = Vec::with_capacity(4096);
    let mut ticket = w;
    'tickets: loop {
        let history = &corpus.tickets[ticket % corpus.tickets.len()];
        let stream = fresh_ticket_stream()?;
        for (version, event) in history.iter().enumerate() {
            if !until.another() {
                break 'tickets;
            }
            let event = renewed(event);
            let t = Instant::now();
            store
                .append(&stream, ExpectedVersion::Exact(version as u64), vec![event])
                .await
                .map_err(BenchError::store("append"))?;
            latencies.push(t.elapsed());
        }
        ticket += writers;
    }
    Ok(latencies)
}
