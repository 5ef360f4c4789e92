//! Workload 2 — loading tickets of 10, 100 and 1,000 events (`read_stream`).
//!
//! Before measuring, [`prepare`] writes five tickets of each length made of the scenario's
//! ticket events (history after history, so the event mix and sizes are the desk's; the
//! scenario has no 1,000-event ticket, so the long ones are several histories in a row).
//! Each repetition then loads them round-robin, one whole stream per load, for a fixed time,
//! after an untimed pass over all of them — the peer harness's load workload, on the
//! desk's events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ticketflow_events::StreamId;
use ticketflow_store::{EventStore, ExpectedVersion, StreamRead};

use crate::corpus::{Corpus, fresh_ticket_stream, renewed};
use crate::error::BenchError;
use crate::plan::{LOAD_TICKETS, TICKET_SIZES};
use crate::stats::Repetition;

/// The tickets written for the load workload: `(length, streams)` for every length.
#[derive(Debug, Clone)]
pub struct LoadTickets {
    /// For each length of [`TICKET_SIZES`], the [`LOAD_TICKETS`] streams of that length.
    pub by_size: Vec<(usize, Vec<StreamId>)>,
}

/// Writes [`LOAD_TICKETS`] tickets of every length of [`TICKET_SIZES`] into `store`.
pub async fn prepare(store: &dyn EventStore, corpus: &Corpus) -> Result<LoadTickets, BenchError> {
    let mut events = corpus.ticket_events();
    let mut by_size = Vec::new();
    for size in TICKET_SIZES {
        let mut streams = Vec::new();
        for _ in 0..LOAD_TICKETS {
            let stream = fresh_ticket_stream()?;
            let batch: Vec<_> = events.by_ref().take(size).map(renewed).collect();
            store
                .append(&stream, ExpectedVersion::NoStream, batch)
                .await
                .map_err(BenchError::store("load"))?;
            streams.push(stream);
        }
        by_size.push((size, streams));
    }
    Ok(LoadTickets { by_size })
}

/// Loads the `size`-event tickets round-robin for `duration` (at least three loads), after an
/// untimed pass over each; answers loads per second and the latency of each load.
pub async fn run(
    store: Arc<dyn EventStore>,
    streams: &[StreamId],
    size: usize,
    duration: Duration,
) -> Result<Repetition, BenchError> {
    if streams.is_empty() {
        return Err(BenchError::Invalid {
            workload: "load",
            detail: format!("no ticket of {size} events to load; call `prepare` first"),
        });
    }
    for stream in streams {
        load(store.as_ref(), stream, size).await?;
    }
    let started = Instant::now();
    let deadline = started + duration;
    let mut latencies = Vec::new();
    let mut i = 0;
    while Instant::now() < deadline || latencies.len() < 3 {
        let t = Instant::now();
        load(store.as_ref(), &streams[i % streams.len()], size).await?;
        latencies.push(t.elapsed());
        i += 1;
    }
    Ok(Repetition::from_latencies(latencies, started.elapsed()))
}

/// Loads one whole ticket and checks it has `size` events.
pub async fn load(
    store: &dyn EventStore,
    stream: &StreamId,
    size: usize,
) -> Result<(), BenchError> {
    let events = store
        .read_stream(stream, StreamRead::forwards(10_000))
        .await
        .map_err(BenchError::store("load"))?;
    if events.len() != size {
        return Err(BenchError::Invalid {
            workload: "load",
            detail: format!(
                "{stream} was written with {size} events but loaded with {}",
                events.len()
            ),
        });
    }
    Ok(())
}
