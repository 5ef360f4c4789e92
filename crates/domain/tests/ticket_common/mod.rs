//! A small desk for ticket tests: a ticket's events, its state, a controllable clock and the
//! usual actors. Every accepted command is checked against "state == fold of events".

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone, Utc};
use ticketflow_domain::ticket::{PortalForm, Ticket, TicketCommand, TicketError};
use ticketflow_domain::{Aggregate, Context, DeskConfig, fold};
use ticketflow_events::ticket::{
    AffectedSystem, Attachment, SharedWith, TicketEvent, TicketStatus, TicketType,
};
use ticketflow_events::{Actor, EventSet, OrganisationId, Region, Role, Timestamp};

pub struct Desk {
    pub config: DeskConfig,
    pub events: Vec<TicketEvent>,
    pub state: Ticket,
    pub now: Timestamp,
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
            events: Vec::new(),
            state: Ticket::default(),
            now: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap(),
        }
    }

    /// Decides and, if accepted, applies; a refusal must leave the state unchanged.
    pub fn run(
        &mut self,
        actor: &Actor,
        command: TicketCommand,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let before = self.state.clone();
        let ctx = Context {
            now: self.now,
            actor,
            config: &self.config,
        };
        let result = self.state.decide(&command, &ctx);
        match &result {
            Ok(events) => {
                for e in events {
                    let bytes = e.encode().unwrap();
                    assert_eq!(
                        &TicketEvent::decode(e.event_type(), e.schema_version(), &bytes).unwrap(),
                        e
                    );
                    self.state.evolve(e);
                    self.events.push(e.clone());
                }
                assert_eq!(self.state, fold::<Ticket>(&self.events));
            }
            Err(_) => assert_eq!(self.state, before),
        }
        result
    }

    /// Runs a command that must be accepted.
    pub fn ok(&mut self, actor: &Actor, command: TicketCommand) -> Vec<TicketEvent> {
        let name = command.name();
        match self.run(actor, command) {
            Ok(events) => events,
            Err(e) => panic!("`{name}` refused: {e}"),
        }
    }

    /// Runs a command that must be refused, and returns the refusal.
    pub fn refused(&mut self, actor: &Actor, command: TicketCommand) -> TicketError {
        let name = command.name();
        match self.run(actor, command) {
            Ok(events) => panic!("`{name}` accepted: {events:?}"),
            Err(e) => e,
        }
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    pub fn status(&self) -> TicketStatus {
        self.state.status()
    }

    /// Opens a portal incident by jane@acme.
    pub fn incident() -> Self {
        let mut desk = Desk::new();
        desk.ok(&jane(), open_portal(incident_form()));
        desk
    }

    /// Opens a portal request by jane@acme.
    pub fn request() -> Self {
        let mut desk = Desk::new();
        desk.ok(&jane(), open_portal(request_form()));
        desk
    }

    /// A ticket classified as `to` (an incident for defects, a request otherwise).
    pub fn classified(to: TicketType) -> Self {
        let mut desk = if to.is_defect() {
            Desk::incident()
        } else {
            Desk::request()
        };
        desk.ok(&agent(), TicketCommand::Classify { ticket_type: to });
        desk
    }

    /// The first timer of the given kind name currently scheduled.
    pub fn timer(
        &self,
        pick: impl Fn(&ticketflow_events::ticket::TimerKind) -> bool,
    ) -> ticketflow_events::ticket::ScheduledTimer {
        self.state
            .due_timers()
            .into_iter()
            .find(|t| pick(&t.kind))
            .expect("timer scheduled")
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
    customer("jane@acme", "acme")
}

pub fn joe() -> Actor {
    customer("joe@acme", "acme")
}

pub fn stranger() -> Actor {
    customer("eve@globex", "globex")
}

pub fn agent() -> Actor {
    Actor {
        id: "anna".into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

pub fn foreign_agent() -> Actor {
    Actor {
        id: "liam".into(),
        role: Role::SupportAgent {
            region: Region::International,
        },
    }
}

pub fn developer() -> Actor {
    Actor {
        id: "dev".into(),
        role: Role::TechnicalServices,
    }
}

pub fn consultant() -> Actor {
    Actor {
        id: "bc".into(),
        role: Role::BusinessConsultant,
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

pub fn auditor() -> Actor {
    Actor {
        id: "audit".into(),
        role: Role::Auditor,
    }
}

pub fn attachment(name: &str) -> Attachment {
    Attachment {
        name: name.into(),
        size_bytes: 1024,
        content_hash: "0f".repeat(32),
    }
}

pub fn incident_form() -> PortalForm {
    PortalForm {
        ticket_type: TicketType::Incident,
        summary: "Login fails".into(),
        description: "Nobody can log in since 8:00.".into(),
        share_with: Some(SharedWith::Organisation),
        affected_system: Some(AffectedSystem::Production),
        system_reachable: Some(true),
        url: Some("https://lms.acme.example/login".into()),
        customer_reference: None,
        attachments: vec![attachment("screen.png")],
        confidential: false,
    }
}

pub fn request_form() -> PortalForm {
    PortalForm {
        ticket_type: TicketType::Request,
        summary: "How do I export grades?".into(),
        description: "We need the grades of course 12 as CSV.".into(),
        share_with: Some(SharedWith::Organisation),
        affected_system: None,
        system_reachable: None,
        url: None,
        customer_reference: Some("ACME-1".into()),
        attachments: vec![],
        confidential: false,
    }
}

pub fn open_portal(form: PortalForm) -> TicketCommand {
    TicketCommand::OpenFromPortal {
        key: "SD-1042".parse().unwrap(),
        region: Region::Dach,
        extended_support_budget: false,
        form,
    }
}

pub fn status_changes(events: &[TicketEvent]) -> Vec<(TicketStatus, TicketStatus)> {
    events
        .iter()
        .filter_map(|e| match e {
            TicketEvent::TicketStatusChanged(c) => Some((c.from, c.to)),
            _ => None,
        })
        .collect()
}

pub fn types(events: &[TicketEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event_type()).collect()
}
