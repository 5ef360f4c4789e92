//! The benchmark's events: the scenario generator's desk, run through the engine once.
//!
//! Every workload writes these events (or copies of them under new stream names), so event
//! sizes, event types, actors and stream shapes are those of a real desk rather than a
//! synthetic fixed-size payload. The scenario runs through [`Simulation`] on a
//! [`MemoryStore`] — scheduler timers and process managers included — which is fast and
//! touches no disk; the workloads then copy what it recorded.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ticketflow_domain::DeskConfig;
use ticketflow_engine::Simulation;
use ticketflow_events::{NewEvent, RecordedEvent, StreamId};
use ticketflow_scenario::ScenarioConfig;
use ticketflow_store::{EventStore, ExpectedVersion, Filter, MemoryStore};

use crate::error::BenchError;

/// The scenario's recorded log, and its ticket histories.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Script lines the generator produced.
    pub script_lines: usize,
    /// Every event the engine recorded, in log order.
    pub log: Vec<RecordedEvent>,
    /// The history of every ticket stream, in order of the tickets' first event; each history
    /// in stream-version order.
    pub tickets: Vec<Vec<RecordedEvent>>,
}

impl Corpus {
    /// Generates the scenario and runs it through the engine on a memory store.
    pub async fn generate(config: &ScenarioConfig) -> Result<Corpus, BenchError> {
        let script = ticketflow_scenario::generate(config);
        let store = Arc::new(MemoryStore::new());
        let mut simulation =
            Simulation::new(store.clone(), DeskConfig::default(), config.start).await?;
        simulation.run(&script).await?;
        let log = store
            .read_all(0, &Filter::all(), usize::MAX)
            .await
            .map_err(BenchError::store("scenario"))?;
        let mut order: Vec<StreamId> = Vec::new();
        let mut by_stream: HashMap<StreamId, Vec<RecordedEvent>> = HashMap::new();
        for event in log.iter().filter(|e| e.stream_id.category() == "ticket") {
            by_stream
                .entry(event.stream_id.clone())
                .or_insert_with(|| {
                    order.push(event.stream_id.clone());
                    Vec::new()
                })
                .push(event.clone());
        }
        let tickets: Vec<Vec<RecordedEvent>> =
            order.iter().filter_map(|s| by_stream.remove(s)).collect();
        if tickets.is_empty() {
            return Err(BenchError::Invalid {
                workload: "scenario",
                detail: "the scenario recorded no ticket; use a scenario with customers and months"
                    .into(),
            });
        }
        Ok(Corpus {
            script_lines: script.len(),
            log,
            tickets,
        })
    }

    /// Ticket events in an endless cycle: ticket after ticket, each in its own order. Used to
    /// build tickets longer than any the scenario has, out of real events.
    pub fn ticket_events(&self) -> impl Iterator<Item = &RecordedEvent> {
        self.tickets.iter().flatten().cycle()
    }

    /// Mean payload size of the log's events, in bytes.
    pub fn mean_payload_bytes(&self) -> f64 {
        if self.log.is_empty() {
            return 0.0;
        }
        self.log.iter().map(|e| e.payload.len()).sum::<usize>() as f64 / self.log.len() as f64
    }

    /// Mean number of events per ticket.
    pub fn mean_ticket_events(&self) -> f64 {
        self.tickets.iter().map(Vec::len).sum::<usize>() as f64 / self.tickets.len().max(1) as f64
    }

    /// Copies the whole log into `store` (which should be empty) in log order, so that every
    /// event lands at the same global position as in the scenario, with the same ids.
    ///
    /// Consecutive events of one stream go in one append, one append at a time: concurrent
    /// appends to different streams may be committed in any order, and the read models
    /// depend on the order across streams (a delivery's events after its tickets'). The
    /// positions answered are checked, so a copy out of order is reported rather than
    /// benchmarked. On a disk that is one fsync per append; [`crate::rebuild::prepare_desk`]
    /// therefore fills a staging store in memory-backed storage and backs it up.
    pub async fn fill(&self, store: &dyn EventStore) -> Result<u64, BenchError> {
        let mut runs: Vec<(StreamId, u64, Vec<NewEvent>, u64)> = Vec::new();
        for event in &self.log {
            match runs.last_mut() {
                Some((stream, _, events, _)) if *stream == event.stream_id => {
                    events.push(copy_of(event));
                }
                _ => runs.push((
                    event.stream_id.clone(),
                    event.stream_version - 1,
                    vec![copy_of(event)],
                    event.global_position,
                )),
            }
        }
        let mut last = 0;
        for (stream, version, events, wanted) in runs {
            let outcome = store
                .append(&stream, ExpectedVersion::Exact(version), events)
                .await
                .map_err(BenchError::store("fill"))?;
            if outcome.first_position != wanted {
                return Err(BenchError::Invalid {
                    workload: "fill",
                    detail: format!(
                        "an event meant for position {wanted} landed at {}; the copy of the scenario is out of order (was the store empty?)",
                        outcome.first_position
                    ),
                });
            }
            last = outcome.last_position;
        }
        Ok(last)
    }
}

/// The same event as recorded, as an append of the same id and content.
pub fn copy_of(e: &RecordedEvent) -> NewEvent {
    NewEvent {
        event_id: e.event_id,
        event_type: e.event_type.clone(),
        schema_version: e.schema_version,
        occurred_at: e.occurred_at,
        actor: e.actor.clone(),
        correlation_id: e.correlation_id,
        causation_id: e.causation_id,
        payload: e.payload.clone(),
    }
}

/// The same event content under a fresh UUIDv7 id (as the engine generates ids), for
/// workloads that write the scenario's events again under new stream names.
pub fn renewed(e: &RecordedEvent) -> NewEvent {
    NewEvent {
        event_id: uuid::Uuid::now_v7(),
        ..copy_of(e)
    }
}

/// Fresh ticket stream names that meet no scenario ticket and no other workload's tickets:
/// `ticket-SD-<n>` counting up from 10,000,000.
pub fn fresh_ticket_stream() -> Result<StreamId, BenchError> {
    static NEXT: AtomicU64 = AtomicU64::new(10_000_000);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("ticket-SD-{n}")
        .parse()
        .map_err(|e: ticketflow_events::KeyError| BenchError::Invalid {
            workload: "streams",
            detail: e.to_string(),
        })
}
