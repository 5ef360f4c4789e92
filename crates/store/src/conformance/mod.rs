//! The conformance suite every [`EventStore`] backend must pass.
//!
//! A backend's test calls [`run_all`] with a factory that makes a fresh, empty store (or
//! calls the checks one by one to see them as separate tests):
//!
//! ```no_run
//! # async fn demo() {
//! ticketflow_store::conformance::run_all(|| async { ticketflow_store::MemoryStore::new() }).await;
//! # }
//! ```
//!
//! The checks panic with a message on the first violation, like any test assertion. They
//! cover positions, versions, expected-version rules, idempotency, stream and log reads with
//! filters, subscription switch-over, slow subscribers and concurrent writers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod appends;
mod concurrency;
mod reads;
mod subscriptions;

use std::future::Future;

use ticketflow_events::{NewEvent, RecordedEvent, StreamId};
use uuid::Uuid;

use crate::{EventStore, Filter};

pub use appends::{
    expected_version_rules, idempotent_retry, positions_and_versions, refuses_bad_appends,
};
pub use concurrency::{concurrent_conflicts, concurrent_writers, verify_intact_log};
pub use reads::{read_all_with_filters, read_stream_both_ways};
pub use subscriptions::{slow_subscriber_does_not_block_writers, subscription_switch_over};

/// A test event of `event_type` with a fresh id and `payload`.
pub fn event(event_type: &str, payload: &[u8]) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        occurred_at: chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default(),
        actor: "agent:conformance".to_owned(),
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        payload: payload.to_vec(),
    }
}

/// A stream id from text (panics on invalid ids: test input only).
pub fn stream(id: &str) -> StreamId {
    id.parse().unwrap()
}

/// Runs every check, each on a fresh store from `factory`.
pub async fn run_all<S, F, Fut>(factory: F)
where
    S: EventStore + Clone + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    positions_and_versions(factory().await).await;
    expected_version_rules(factory().await).await;
    idempotent_retry(factory().await).await;
    read_stream_both_ways(factory().await).await;
    read_all_with_filters(factory().await).await;
    refuses_bad_appends(factory().await).await;
    subscription_switch_over(factory().await).await;
    slow_subscriber_does_not_block_writers(factory().await).await;
    concurrent_writers(factory().await).await;
    concurrent_conflicts(factory().await).await;
    verify_intact_log(factory().await).await;
}

pub(crate) async fn all_events<S: EventStore>(store: &S) -> Vec<RecordedEvent> {
    store.read_all(0, &Filter::all(), usize::MAX).await.unwrap()
}
