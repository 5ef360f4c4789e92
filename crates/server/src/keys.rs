//! New keys for tickets, deliveries (both `SD-n`, one sequence) and orders (`CO-n`).
//!
//! At start the log is scanned once for the highest numbers in use; afterwards every key the
//! server hands out or sees in a command moves the counters on, so two `POST /tickets` never
//! get the same key. (A command naming a key someone else took is refused by the domain:
//! opening an existing ticket is not allowed.)

use parking_lot::Mutex;
use ticketflow_events::{DeliveryKey, OrderKey, StreamId, TicketKey};
use ticketflow_store::{EventStore, Filter, StoreResult};

/// The number in a key like `SD-1001`.
fn number(entity: &str) -> Option<u64> {
    entity.rsplit('-').next()?.parse().ok()
}

/// Hands out unused keys.
#[derive(Debug, Default)]
pub struct KeyAllocator {
    /// (highest `SD-` number, highest `CO-` number).
    highest: Mutex<(u64, u64)>,
}

impl KeyAllocator {
    /// Scans the log for the keys in use.
    pub async fn scan(store: &dyn EventStore) -> StoreResult<Self> {
        let keys = KeyAllocator::default();
        let mut from = 0;
        loop {
            let page = store.read_all(from, &Filter::all(), 10_000).await?;
            let Some(last) = page.last() else { break };
            from = last.global_position + 1;
            for e in &page {
                keys.observe(&e.stream_id);
            }
        }
        Ok(keys)
    }

    /// Notes a key in use.
    pub fn observe(&self, stream: &StreamId) {
        let Some(n) = stream.entity().and_then(number) else {
            return;
        };
        let mut h = self.highest.lock();
        match stream.category() {
            TicketKey::CATEGORY | DeliveryKey::CATEGORY => h.0 = h.0.max(n),
            OrderKey::CATEGORY => h.1 = h.1.max(n),
            _ => {}
        }
    }

    fn next_sd(&self) -> u64 {
        let mut h = self.highest.lock();
        h.0 = h.0.max(1000) + 1;
        h.0
    }

    /// A new ticket key.
    pub fn next_ticket(&self) -> Option<TicketKey> {
        TicketKey::new("SD", self.next_sd()).ok()
    }

    /// A new delivery key.
    pub fn next_delivery(&self) -> Option<DeliveryKey> {
        DeliveryKey::new("SD", self.next_sd()).ok()
    }

    /// A new order key.
    pub fn next_order(&self) -> Option<OrderKey> {
        let mut h = self.highest.lock();
        h.1 += 1;
        OrderKey::new("CO", h.1).ok()
    }
}
