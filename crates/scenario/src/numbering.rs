//! Key numbering: stories allocate provisional keys as they are told (a delivery's key before
//! the tickets it will carry, a defect ticket in the middle of an order's story); once the
//! script is in time order every key is renumbered by first appearance, so `SD-1001`,
//! `SD-1002`, … and `CO-1`, `CO-2`, … are handed out in the order the engine would assign them.
//! Tickets and deliveries share the `SD` sequence, as delivery tickets are service-desk
//! tickets.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::script::{AddressedCommand, ScriptLine};
use ticketflow_domain::ticket::TicketCommand;

/// First number of the service-desk sequence.
pub const FIRST_TICKET_NUMBER: u64 = 1001;
/// First number of the customisation order sequence.
pub const FIRST_ORDER_NUMBER: u64 = 1;

/// One key sequence: provisional key text → final key text.
struct Sequence {
    prefix: &'static str,
    next: u64,
    map: HashMap<String, String>,
}

impl Sequence {
    fn new(prefix: &'static str, first: u64) -> Self {
        Sequence {
            prefix,
            next: first,
            map: HashMap::new(),
        }
    }

    /// The final key for a provisional one, numbering it on first sight.
    fn renumber<K: Display + FromStr>(&mut self, key: &mut K) {
        let old = key.to_string();
        let new = match self.map.get(&old) {
            Some(new) => new.clone(),
            None => {
                let new = format!("{}-{}", self.prefix, self.next);
                self.next += 1;
                self.map.insert(old, new.clone());
                new
            }
        };
        if let Ok(parsed) = new.parse() {
            *key = parsed;
        }
    }
}

/// Renumbers every key of a time-ordered script by first appearance.
pub(crate) fn renumber(lines: &mut [ScriptLine]) {
    let mut sd = Sequence::new("SD", FIRST_TICKET_NUMBER);
    let mut co = Sequence::new("CO", FIRST_ORDER_NUMBER);
    for line in lines {
        match &mut line.command {
            AddressedCommand::Ticket(key, command) => {
                sd.renumber(key);
                match command {
                    TicketCommand::OpenFromPortal { key, .. }
                    | TicketCommand::OpenFromEmail { key, .. } => sd.renumber(key),
                    TicketCommand::RecordOrder { order: Some(order) } => co.renumber(order),
                    TicketCommand::RecordDelivery { delivery } => sd.renumber(delivery),
                    _ => {}
                }
            }
            AddressedCommand::Delivery(key, command) => {
                sd.renumber(key);
                match command {
                    DeliveryCommand::PlanDelivery {
                        delivery, tickets, ..
                    } => {
                        sd.renumber(delivery);
                        tickets.iter_mut().for_each(|t| sd.renumber(t));
                    }
                    DeliveryCommand::IncludeTicket { ticket }
                    | DeliveryCommand::RemoveTicket { ticket, .. } => sd.renumber(ticket),
                    _ => {}
                }
            }
            AddressedCommand::Order(key, command) => {
                co.renumber(key);
                match command {
                    OrderCommand::Place { order, ticket, .. } => {
                        co.renumber(order);
                        sd.renumber(ticket);
                    }
                    OrderCommand::ReportDefect { ticket, .. }
                    | OrderCommand::ReportDefectFixed { ticket } => sd.renumber(ticket),
                    OrderCommand::Deliver {
                        delivery: Some(delivery),
                        ..
                    } => sd.renumber(delivery),
                    _ => {}
                }
            }
        }
    }
}
