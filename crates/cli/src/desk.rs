//! A minimal command path over the store: load a stream, fold it, decide, append.
//!
//! This is the way a command travels (docs/architecture.md) in its simplest form, enough for
//! the built-in scenario: one caller, a simulated clock, and the append's expected version set
//! to the version the decision was made on, so a concurrent writer would be detected.

use anyhow::{Context as _, anyhow};
use ticketflow_domain::{Aggregate, Context, DeskConfig, fold};
use ticketflow_events::{Actor, EventSet, NewEvent, RecordedEvent, StreamId, Timestamp};
use ticketflow_store::{EventStore, ExpectedVersion, StreamRead};
use uuid::Uuid;

/// The store, the configuration and the simulated clock of one desk.
pub struct Desk<S> {
    /// Where events are recorded.
    pub store: S,
    /// Timer lengths, calendars, deadlines.
    pub config: DeskConfig,
    /// The simulated business time; the scenario moves it forward.
    pub now: Timestamp,
}

impl<S: EventStore> Desk<S> {
    /// Loads an aggregate's current state and its stream version.
    pub async fn load<A: Aggregate>(
        &self,
        stream: &StreamId,
    ) -> anyhow::Result<(A, Vec<A::Event>, Option<u64>)> {
        let recorded = self
            .store
            .read_stream(stream, StreamRead::forwards(usize::MAX))
            .await
            .with_context(|| format!("reading stream {stream}"))?;
        let events = decode_all::<A::Event>(&recorded)?;
        let state = fold::<A>(&events);
        Ok((state, events, recorded.last().map(|r| r.stream_version)))
    }

    /// Runs one command against one aggregate and records what it decided.
    pub async fn execute<A>(
        &self,
        stream: &StreamId,
        command: &A::Command,
        actor: &Actor,
    ) -> anyhow::Result<Vec<A::Event>>
    where
        A: Aggregate,
        A::Error: Send + Sync + 'static,
    {
        let (state, _, version) = self.load::<A>(stream).await?;
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        let decided = state
            .decide(command, &ctx)
            .map_err(|e| anyhow!("{stream}: {e}"))?;
        let correlation_id = Uuid::new_v4();
        let new_events = decided
            .iter()
            .map(|e| {
                Ok(NewEvent {
                    event_id: Uuid::new_v4(),
                    event_type: e.event_type().to_owned(),
                    schema_version: e.schema_version(),
                    occurred_at: self.now,
                    actor: actor.envelope_label(),
                    correlation_id,
                    causation_id: None,
                    payload: e.encode()?,
                })
            })
            .collect::<Result<Vec<_>, ticketflow_events::CodecError>>()?;
        if !new_events.is_empty() {
            let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
            self.store
                .append(stream, expected, new_events)
                .await
                .with_context(|| format!("appending to {stream}"))?;
        }
        Ok(decided)
    }
}

/// Decodes recorded events of one aggregate kind, upcasting older schema versions.
pub fn decode_all<E: EventSet>(recorded: &[RecordedEvent]) -> anyhow::Result<Vec<E>> {
    recorded
        .iter()
        .map(|r| {
            E::decode(&r.event_type, r.schema_version, &r.payload).with_context(|| {
                format!(
                    "decoding {} version {} of {}",
                    r.event_type, r.stream_version, r.stream_id
                )
            })
        })
        .collect()
}
