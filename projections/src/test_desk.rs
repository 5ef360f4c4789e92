//! A small desk for read-model tests: runs real commands through the aggregates' `decide`,
//! records the events as the store would (stream versions, increasing global positions,
//! envelope actor and times) and feeds them to read models.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use ticketflow_domain::delivery::{Delivery, DeliveryCommand, FollowUp, follow_ups};
use ticketflow_domain::order::{CustomisationOrder, OrderCommand};
use ticketflow_domain::ticket::{PortalForm, Ticket, TicketCommand};
use ticketflow_domain::{Aggregate, Context, DeskConfig};
use ticketflow_events::ticket::{AffectedSystem, SharedWith, TicketType};
use ticketflow_events::{
    Actor, AnyEvent, DeliveryKey, EventSet, Hash, OrderKey, OrganisationId, RecordedEvent, Region,
    Role, StreamId, TicketKey, Timestamp,
};
use uuid::Uuid;

use crate::ReadModel;

/// Aggregates, a clock and the recorded log.
pub struct Desk {
    pub config: DeskConfig,
    pub now: Timestamp,
    tickets: HashMap<TicketKey, Ticket>,
    orders: HashMap<OrderKey, CustomisationOrder>,
    deliveries: HashMap<DeliveryKey, Delivery>,
    versions: HashMap<StreamId, u64>,
    /// Every recorded event with its decoded payload, in global order.
    pub log: Vec<(RecordedEvent, AnyEvent)>,
    commands: u128,
}

impl Default for Desk {
    fn default() -> Self {
        Self::new()
    }
}

impl Desk {
    pub fn new() -> Self {
        Desk {
            config: DeskConfig::default(),
            now: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap(),
            tickets: HashMap::new(),
            orders: HashMap::new(),
            deliveries: HashMap::new(),
            versions: HashMap::new(),
            log: Vec::new(),
            commands: 0,
        }
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    pub fn ticket_state(&self, key: &str) -> Option<&Ticket> {
        self.tickets.get(&key.parse::<TicketKey>().unwrap())
    }

    fn record<E: EventSet + Clone>(
        &mut self,
        stream: StreamId,
        actor: &Actor,
        events: &[E],
        wrap: impl Fn(E) -> AnyEvent,
    ) {
        self.commands += 1;
        let correlation = Uuid::from_u128(self.commands);
        for event in events {
            let version = self.versions.entry(stream.clone()).or_insert(0);
            *version += 1;
            let position = self.log.len() as u64 + 1;
            let recorded = RecordedEvent {
                stream_id: stream.clone(),
                stream_version: *version,
                global_position: position,
                event_id: Uuid::from_u128(u128::from(position) << 32),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                recorded_at: self.now,
                occurred_at: self.now,
                actor: actor.envelope_label(),
                correlation_id: correlation,
                causation_id: None,
                payload: event.encode().unwrap(),
                prev_hash: Hash::ZERO,
                hash: Hash::ZERO,
            };
            let decoded = AnyEvent::from_recorded(&recorded).unwrap();
            assert_eq!(decoded, wrap(event.clone()));
            self.log.push((recorded, decoded));
        }
    }

    /// Runs a ticket command; refused commands record nothing.
    pub fn try_ticket(&mut self, actor: &Actor, key: &str, command: TicketCommand) -> bool {
        let key: TicketKey = key.parse().unwrap();
        let state = self.tickets.entry(key.clone()).or_default();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        let Ok(events) = state.decide(&command, &ctx) else {
            return false;
        };
        for e in &events {
            state.evolve(e);
        }
        self.record(key.stream_id(), actor, &events, AnyEvent::Ticket);
        true
    }

    pub fn ticket(&mut self, actor: &Actor, key: &str, command: TicketCommand) {
        let parsed: TicketKey = key.parse().unwrap();
        let state = self.tickets.get(&parsed).cloned().unwrap_or_default();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        if let Err(e) = state.decide(&command, &ctx) {
            panic!("`{}` on {key} refused: {e}", command.name());
        }
        assert!(self.try_ticket(actor, key, command));
    }

    /// Runs an order command; refused commands record nothing.
    pub fn try_order(&mut self, actor: &Actor, key: &str, command: OrderCommand) -> bool {
        let key: OrderKey = key.parse().unwrap();
        let state = self.orders.entry(key.clone()).or_default();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        let Ok(events) = state.decide(&command, &ctx) else {
            return false;
        };
        for e in &events {
            state.evolve(e);
        }
        self.record(key.stream_id(), actor, &events, AnyEvent::Order);
        true
    }

    pub fn order(&mut self, actor: &Actor, key: &str, command: OrderCommand) {
        let parsed: OrderKey = key.parse().unwrap();
        let state = self.orders.get(&parsed).cloned().unwrap_or_default();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        if let Err(e) = state.decide(&command, &ctx) {
            panic!("`{}` on {key} refused: {e}", command.name());
        }
        assert!(self.try_order(actor, key, command));
    }

    /// Runs a delivery command, then the delivery process manager's follow-ups (the included
    /// tickets learn that they were delivered).
    pub fn try_delivery(&mut self, actor: &Actor, key: &str, command: DeliveryCommand) -> bool {
        let key: DeliveryKey = key.parse().unwrap();
        let state = self.deliveries.entry(key.clone()).or_default();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        let Ok(events) = state.decide(&command, &ctx) else {
            return false;
        };
        let mut follow = Vec::new();
        for e in &events {
            follow.extend(follow_ups(state, e));
            state.evolve(e);
        }
        self.record(key.stream_id(), actor, &events, AnyEvent::Delivery);
        let system = Actor::system("delivery-process");
        for f in follow {
            let FollowUp::TicketDelivered { ticket, delivery } = f;
            self.try_ticket(
                &system,
                ticket.as_str(),
                TicketCommand::RecordDelivery { delivery },
            );
        }
        true
    }

    pub fn delivery(&mut self, actor: &Actor, key: &str, command: DeliveryCommand) {
        let parsed: DeliveryKey = key.parse().unwrap();
        let state = self.deliveries.get(&parsed).cloned().unwrap_or_default();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        if let Err(e) = state.decide(&command, &ctx) {
            panic!("`{}` on {key} refused: {e}", command.name());
        }
        assert!(self.try_delivery(actor, key, command));
    }

    /// Feeds the whole log to a read model.
    pub fn feed(&self, model: &dyn ReadModel) {
        for (envelope, event) in &self.log {
            model.apply(envelope, event);
        }
    }

    /// Feeds the events from `from` (an index into the log) on.
    pub fn feed_from(&self, model: &dyn ReadModel, from: usize) {
        for (envelope, event) in self.log.iter().skip(from) {
            model.apply(envelope, event);
        }
    }

    /// Opens a portal incident (acme, DACH).
    pub fn open_incident(&mut self, creator: &Actor, key: &str, summary: &str, share: SharedWith) {
        self.ticket(
            creator,
            key,
            open(key, TicketType::Incident, summary, share, false),
        );
    }

    /// Opens a portal request (acme, DACH).
    pub fn open_request(&mut self, creator: &Actor, key: &str, summary: &str, share: SharedWith) {
        self.ticket(
            creator,
            key,
            open(key, TicketType::Request, summary, share, false),
        );
    }
}

/// A portal form for `ticket_type`.
pub fn open(
    key: &str,
    ticket_type: TicketType,
    summary: &str,
    share: SharedWith,
    confidential: bool,
) -> TicketCommand {
    let incident = ticket_type == TicketType::Incident;
    TicketCommand::OpenFromPortal {
        key: key.parse().unwrap(),
        region: Region::Dach,
        extended_support_budget: true,
        form: PortalForm {
            ticket_type,
            summary: summary.into(),
            description: format!("{summary}: details follow"),
            share_with: Some(share),
            affected_system: incident.then_some(AffectedSystem::Production),
            system_reachable: incident.then_some(true),
            url: incident.then(|| "https://lms.acme.example/courses".into()),
            customer_reference: None,
            attachments: Vec::new(),
            confidential,
        },
    }
}

pub fn customer(id: &str, org: &str) -> Actor {
    Actor {
        id: id.into(),
        role: Role::Customer {
            organisation: OrganisationId(org.into()),
        },
    }
}

pub fn jane() -> Actor {
    customer("jane", "acme")
}

pub fn john() -> Actor {
    customer("john", "acme")
}

pub fn agent() -> Actor {
    Actor {
        id: "anna".into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

pub fn consultant() -> Actor {
    Actor {
        id: "clara".into(),
        role: Role::BusinessConsultant,
    }
}

pub fn developer() -> Actor {
    Actor {
        id: "dev".into(),
        role: Role::TechnicalServices,
    }
}

pub fn sales() -> Actor {
    Actor {
        id: "sam".into(),
        role: Role::Sales,
    }
}

pub fn system() -> Actor {
    Actor::system("scheduler")
}
