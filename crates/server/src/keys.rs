//! New keys for tickets, deliveries (both `SD-n`, one sequence) and orders (`CO-n`).
//!
//! At start the log is scanned once for the numbers in use; afterwards every key the server
//! hands out, and every key a client chose itself once its command succeeded, is marked as
//! taken. A new key is the next *free* number after the last one handed out, so a client
//! that opens `SD-999999999` itself does not use the sequence up: the server keeps counting
//! from where it was and skips numbers that are taken. (A command naming a key someone else
//! took is refused by the domain: opening an existing ticket is not allowed.)

use std::collections::BTreeSet;

use parking_lot::Mutex;
use ticketflow_events::{DeliveryKey, OrderKey, StreamId, TicketKey};
use ticketflow_store::{EventStore, Filter, StoreResult};

/// Ticket and delivery numbers the server hands out start after this one.
const FIRST_SD_AFTER: u64 = 1000;

/// The highest number a key may carry (keys have 1 to 9 digits).
const HIGHEST_NUMBER: u64 = 999_999_999;

/// The number in a key like `SD-1001`.
fn number(entity: &str) -> Option<u64> {
    entity.rsplit('-').next()?.parse().ok()
}

/// One sequence of numbers: the last one handed out and the ones taken otherwise.
#[derive(Debug, Default)]
struct Sequence {
    /// The last number handed out (or the start).
    last: u64,
    /// Numbers in use above `last` (below it nothing is handed out again).
    taken: BTreeSet<u64>,
}

impl Sequence {
    fn starting_after(last: u64) -> Self {
        Sequence {
            last,
            taken: BTreeSet::new(),
        }
    }

    fn observe(&mut self, n: u64) {
        if n > self.last {
            self.taken.insert(n);
        }
    }

    /// The next free number, or `None` when every number up to the highest is taken.
    fn next(&mut self) -> Option<u64> {
        let mut candidate = self.last.checked_add(1)?;
        // `taken` holds only numbers above `last`, in order: skip the run that starts here.
        while self.taken.remove(&candidate) {
            candidate = candidate.checked_add(1)?;
        }
        if candidate > HIGHEST_NUMBER {
            self.last = HIGHEST_NUMBER;
            return None;
        }
        self.last = candidate;
        Some(candidate)
    }
}

/// Hands out unused keys.
#[derive(Debug)]
pub struct KeyAllocator {
    /// (`SD-` numbers, `CO-` numbers).
    sequences: Mutex<(Sequence, Sequence)>,
}

impl Default for KeyAllocator {
    fn default() -> Self {
        KeyAllocator {
            sequences: Mutex::new((
                Sequence::starting_after(FIRST_SD_AFTER),
                Sequence::starting_after(0),
            )),
        }
    }
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

    /// Notes a key in use (call it only once the command that created it succeeded).
    pub fn observe(&self, stream: &StreamId) {
        let Some(n) = stream.entity().and_then(number) else {
            return;
        };
        let mut s = self.sequences.lock();
        match stream.category() {
            TicketKey::CATEGORY | DeliveryKey::CATEGORY => s.0.observe(n),
            OrderKey::CATEGORY => s.1.observe(n),
            _ => {}
        }
    }

    /// A new ticket key, or `None` when every `SD-` number is taken.
    pub fn next_ticket(&self) -> Option<TicketKey> {
        let n = self.sequences.lock().0.next()?;
        TicketKey::new("SD", n).ok()
    }

    /// A new delivery key, or `None` when every `SD-` number is taken.
    pub fn next_delivery(&self) -> Option<DeliveryKey> {
        let n = self.sequences.lock().0.next()?;
        DeliveryKey::new("SD", n).ok()
    }

    /// A new order key, or `None` when every `CO-` number is taken.
    pub fn next_order(&self) -> Option<OrderKey> {
        let n = self.sequences.lock().1.next()?;
        OrderKey::new("CO", n).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(n: u64) -> StreamId {
        TicketKey::new("SD", n).map(|k| k.stream_id()).unwrap()
    }

    #[test]
    fn one_client_chosen_high_key_does_not_use_the_sequence_up() {
        let keys = KeyAllocator::default();
        keys.observe(&ticket(999_999_999));
        assert_eq!(keys.next_ticket().unwrap().as_str(), "SD-1001");
    }

    #[test]
    fn taken_numbers_are_skipped() {
        let keys = KeyAllocator::default();
        keys.observe(&ticket(1001));
        keys.observe(&ticket(1002));
        keys.observe(&ticket(1004));
        assert_eq!(keys.next_ticket().unwrap().as_str(), "SD-1003");
        assert_eq!(keys.next_delivery().unwrap().as_str(), "SD-1005");
        assert_eq!(keys.next_order().unwrap().as_str(), "CO-1");
    }

    #[test]
    fn an_exhausted_sequence_answers_none_instead_of_failing() {
        let keys = KeyAllocator::default();
        keys.observe(&ticket(999_999_998));
        keys.sequences.lock().0.last = 999_999_997;
        keys.observe(&ticket(999_999_999));
        assert!(keys.next_ticket().is_none());
        assert!(keys.next_ticket().is_none(), "and stays so");
    }
}
