//! The script under construction: lines pushed by the stories, the cast, the delivery
//! calendar, key allocation and the variant rotation that guarantees every path is taken.

use std::collections::BTreeMap;

use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::{AddressedCommand, ScriptLine};
use ticketflow_events::{Actor, OrderKey, TicketKey, Timestamp};

use crate::cast::{Customer, Staff};
use crate::deliveries::DeliveryCalendar;
use crate::random::SplitMix64;

/// Everything the stories share while the scenario is generated.
pub(crate) struct Activity {
    /// The random stream of the story being told (re-forked for every story).
    pub rng: SplitMix64,
    /// The vendor's staff.
    pub staff: Staff,
    /// The customers.
    pub customers: Vec<Customer>,
    /// Every customer's delivery cycles.
    pub deliveries: DeliveryCalendar,
    /// Lines at or after this instant are not kept (the scenario's end).
    pub end: Timestamp,
    /// The desk configuration the script is planned for (working-day calendars, order
    /// deadlines).
    pub desk: DeskConfig,
    lines: Vec<(Timestamp, u64, ScriptLine)>,
    next_ticket: u64,
    next_order: u64,
    rotation: BTreeMap<&'static str, usize>,
}

impl Activity {
    /// An empty script for the given cast.
    pub fn new(rng: SplitMix64, customers: Vec<Customer>, end: Timestamp) -> Self {
        Activity {
            rng,
            staff: Staff::default(),
            customers,
            deliveries: DeliveryCalendar::default(),
            end,
            desk: DeskConfig::default(),
            lines: Vec::new(),
            next_ticket: 1,
            next_order: 1,
            rotation: BTreeMap::new(),
        }
    }

    /// Records a command at `at` (dropped when it lies past the scenario's end).
    pub fn push(&mut self, at: Timestamp, actor: &Actor, command: AddressedCommand) {
        if at >= self.end {
            return;
        }
        let seq = self.lines.len() as u64;
        self.lines.push((
            at,
            seq,
            ScriptLine {
                at,
                actor: actor.clone(),
                command,
            },
        ));
    }

    /// A fresh provisional service-desk key (tickets and deliveries share the `SD` sequence;
    /// keys are renumbered in order of first appearance at the end).
    pub fn new_ticket_key(&mut self) -> TicketKey {
        let n = self.next_ticket;
        self.next_ticket += 1;
        provisional_key(|| TicketKey::new("SD", n))
    }

    /// A fresh provisional customisation order key.
    pub fn new_order_key(&mut self) -> OrderKey {
        let n = self.next_order;
        self.next_order += 1;
        provisional_key(|| OrderKey::new("CO", n))
    }

    /// Which variant of a story to tell: the first `weights.len()` stories of a kind take
    /// every variant once, in order (so every path appears early enough for its timers to
    /// fire), later ones draw a variant with the given weights.
    pub fn variant(&mut self, kind: &'static str, weights: &[f64]) -> usize {
        let seen = self.rotation.entry(kind).or_insert(0);
        let n = *seen;
        *seen += 1;
        if n < weights.len() {
            n
        } else {
            self.rng.weighted(weights)
        }
    }

    /// The next number (from 1) of a running count, e.g. of innovation packages.
    pub fn next_number(&mut self, count: &'static str) -> usize {
        let n = self.rotation.entry(count).or_insert(0);
        *n += 1;
        *n
    }

    /// The finished script, in time order (ties keep the order in which they were pushed).
    pub fn finish(mut self) -> Vec<ScriptLine> {
        self.lines.sort_by_key(|(at, seq, _)| (*at, *seq));
        self.lines.into_iter().map(|(_, _, line)| line).collect()
    }
}

/// Builds a key from the fixed prefix and a positive running number.
///
/// Such a key always parses (2 capital letters, a dash, a number without leading zero), so a
/// failure would be a bug in this crate, not bad input: the generator takes no keys from
/// outside.
#[allow(clippy::expect_used)]
fn provisional_key<K>(make: impl FnOnce() -> Result<K, ticketflow_events::KeyError>) -> K {
    make().expect("a fixed prefix and a positive running number form a valid key")
}
