//! The per-stream cache of decided-on state.
//!
//! Loading an aggregate by folding its whole stream for every command would make a command's
//! cost grow with the ticket's history. The cache keeps, per stream, the folded state, the
//! version it reflects and the ids of the stream's events (for idempotent replays); a load
//! reads only the events after the cached version (the *tail*). The store stays the truth:
//! an entry is only ever moved forwards by events read from, or acknowledged by, the store,
//! so `state via cache == fold of the stream` at the entry's version (tested in
//! `tests/command_handling.rs`).

use std::collections::HashMap;

use parking_lot::Mutex;
use ticketflow_domain::Aggregate;
use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::ticket::Ticket;
use ticketflow_events::StreamId;
use uuid::Uuid;

use super::error::Refusal;

/// Where an event of a stream was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub version: u64,
    pub position: u64,
}

/// One cached stream.
#[derive(Debug, Clone)]
pub(crate) struct Entry<A> {
    pub state: A,
    pub version: u64,
    pub ids: HashMap<Uuid, Slot>,
}

impl<A: Default> Default for Entry<A> {
    fn default() -> Self {
        Entry {
            state: A::default(),
            version: 0,
            ids: HashMap::new(),
        }
    }
}

/// The cache of one aggregate kind.
pub(crate) type StreamCache<A> = Mutex<HashMap<StreamId, Entry<A>>>;

/// The cached entry of `stream`, making room first if the cache holds `capacity` streams.
///
/// Eviction drops an arbitrary other stream: the cache is an optimisation, and a dropped
/// stream is simply folded from the store again on its next command. Arbitrary is good enough
/// because the streams that matter (open tickets, busy deliveries) come straight back.
pub(crate) fn admit<'a, A: Default>(
    map: &'a mut HashMap<StreamId, Entry<A>>,
    stream: &StreamId,
    capacity: usize,
) -> &'a mut Entry<A> {
    if !map.contains_key(stream) && map.len() >= capacity.max(1) {
        let victim = map.keys().next().cloned();
        if let Some(victim) = victim {
            map.remove(&victim);
        }
    }
    map.entry(stream.clone()).or_default()
}

/// Every aggregate kind's cache.
#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub tickets: StreamCache<Ticket>,
    pub orders: StreamCache<CustomisationOrder>,
    pub deliveries: StreamCache<Delivery>,
}

impl Caches {
    pub(crate) fn clear(&self) {
        self.tickets.lock().clear();
        self.orders.lock().clear();
        self.deliveries.lock().clear();
    }
}

/// An aggregate the engine can load, cache and decide on.
///
/// Implemented for the three aggregates of the domain; it only tells the engine which cache
/// holds the aggregate and how its refusals are typed.
pub trait CachedAggregate: Aggregate + Send + Sync + 'static
where
    Self::Command: Sync,
    Self::Error: Into<Refusal>,
{
    /// The cache of this aggregate kind.
    #[doc(hidden)]
    #[allow(private_interfaces)]
    fn cache(caches: &Caches) -> &StreamCache<Self>;
}

impl CachedAggregate for Ticket {
    #[allow(private_interfaces)]
    fn cache(caches: &Caches) -> &StreamCache<Self> {
        &caches.tickets
    }
}

impl CachedAggregate for CustomisationOrder {
    #[allow(private_interfaces)]
    fn cache(caches: &Caches) -> &StreamCache<Self> {
        &caches.orders
    }
}

impl CachedAggregate for Delivery {
    #[allow(private_interfaces)]
    fn cache(caches: &Caches) -> &StreamCache<Self> {
        &caches.deliveries
    }
}
