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
    let deadline = started + duration;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            let corpus = corpus.clone();
            tokio::spawn(async move { writer(store, &corpus, w, writers, deadline).await })
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
    Ok(Repetition::from_latencies(latencies, started.elapsed()))
}

/// One writer: ticket histories `w`, `w + writers`, … in turn, one event per append.
async fn writer(
    store: Arc<dyn EventStore>,
    corpus: &Corpus,
    w: usize,
    writers: usize,
    deadline: Instant,
) -> Result<Vec<Duration>, BenchError> {
    let mut latencies = Vec::with_capacity(4096);
    let mut ticket = w;
    while Instant::now() < deadline {
        let history = &corpus.tickets[ticket % corpus.tickets.len()];
        let stream = fresh_ticket_stream()?;
        for (version, event) in history.iter().enumerate() {
            if Instant::now() >= deadline {
                break;
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
