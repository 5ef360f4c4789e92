//! Shared fixture of the customisation order tests: actors, dates, a harness that applies
//! accepted events, and drivers that bring an order to a given phase.
#![allow(clippy::unwrap_used, dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use ticketflow_domain::order::{CustomisationOrder, OrderCommand, OrderError};
use ticketflow_domain::{Aggregate, Context, DeskConfig};
use ticketflow_events::order::{DeliveryPath, OrderEnvironment, OrderEvent, OrderKind};
use ticketflow_events::{Actor, OrganisationId, Region, Role, Timestamp};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// 09:00 UTC on the given day.
pub fn on(date: NaiveDate) -> Timestamp {
    Utc.from_utc_datetime(&date.and_hms_opt(9, 0, 0).unwrap())
}

fn actor(id: &str, role: Role) -> Actor {
    Actor {
        id: id.into(),
        role,
    }
}

pub fn consultant() -> Actor {
    actor("clara@vendor", Role::BusinessConsultant)
}
pub fn developer() -> Actor {
    actor("dev@vendor", Role::TechnicalServices)
}
pub fn product_manager() -> Actor {
    actor("pm@vendor", Role::ProductManagement)
}
pub fn sales() -> Actor {
    actor("sam@vendor", Role::Sales)
}
pub fn support() -> Actor {
    actor(
        "anna@vendor",
        Role::SupportAgent {
            region: Region::Dach,
        },
    )
}
pub fn customer() -> Actor {
    actor(
        "kim@acme",
        Role::Customer {
            organisation: OrganisationId("acme".into()),
        },
    )
}
pub fn other_customer() -> Actor {
    actor(
        "eve@globex",
        Role::Customer {
            organisation: OrganisationId("globex".into()),
        },
    )
}
pub fn scheduler() -> Actor {
    Actor::system("scheduler")
}

/// Today in the tests: Monday 2026-11-23.
pub fn start_day() -> NaiveDate {
    d(2026, 11, 23)
}

/// The slot used by the customer-specific path: Mon 2027-02-01 to Fri 2027-02-26.
/// Without holidays: hand-over deadline Mon 2027-01-18, warning Wed 01-27, approval Thu
/// 01-28; earliest delivery Fri 2027-03-05.
pub fn slot() -> OrderCommand {
    OrderCommand::ScheduleImplementationSlot {
        start: d(2027, 2, 1),
        planned_end: d(2027, 2, 26),
    }
}

/// The package used by the standard-extension path: development starts Mon 2027-02-01,
/// FCS 2027-05-03, GA 2027-06-01.
pub fn package(id: &str, development_start: NaiveDate) -> OrderCommand {
    OrderCommand::ScheduleInnovationPackage {
        package: id.into(),
        development_start,
        fcs: development_start + chrono::Days::new(91),
        ga: development_start + chrono::Days::new(120),
    }
}

pub fn place(kind: OrderKind) -> OrderCommand {
    OrderCommand::Place {
        order: "CO-17".parse().unwrap(),
        ticket: "SD-1042".parse().unwrap(),
        customer: OrganisationId("acme".into()),
        region: Region::Dach,
        kind,
        summary: "Export of course bookings".into(),
        own_codeline: true,
        test_environment: true,
        custom_code_allowed: true,
        product_management_agreed: true,
    }
}

pub fn criteria() -> Vec<String> {
    vec!["TC-1".into(), "TC-2".into()]
}

/// An order under test with the configuration, the current state and every event so far.
pub struct Harness {
    pub config: DeskConfig,
    pub state: CustomisationOrder,
    pub events: Vec<OrderEvent>,
    pub today: NaiveDate,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new(DeskConfig::default())
    }
}

impl Harness {
    pub fn new(config: DeskConfig) -> Self {
        Self {
            config,
            state: CustomisationOrder::default(),
            events: Vec::new(),
            today: start_day(),
        }
    }

    /// Decides at 09:00 of `self.today` and applies the accepted events.
    pub fn run(
        &mut self,
        who: &Actor,
        command: OrderCommand,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        let ctx = Context {
            now: on(self.today),
            actor: who,
            config: &self.config,
        };
        let events = self.state.decide(&command, &ctx)?;
        for e in &events {
            self.state.evolve(e);
        }
        self.events.extend(events.clone());
        Ok(events)
    }

    /// Like [`run`](Self::run) but the command must be accepted.
    pub fn ok(&mut self, who: &Actor, command: OrderCommand) -> Vec<OrderEvent> {
        match self.run(who, command.clone()) {
            Ok(events) => events,
            Err(e) => panic!("{} refused: {e}", command.name()),
        }
    }

    /// Like [`run`](Self::run) but the command must be refused; checks nothing changed.
    pub fn refused(&mut self, who: &Actor, command: OrderCommand) -> OrderError {
        let before = self.state.clone();
        let count = self.events.len();
        match self.run(who, command.clone()) {
            Ok(events) => panic!("{} accepted: {events:?}", command.name()),
            Err(e) => {
                assert_eq!(self.state, before);
                assert_eq!(self.events.len(), count);
                e
            }
        }
    }

    pub fn placed(kind: OrderKind) -> Self {
        Self::placed_by(place(kind))
    }

    /// Placed with a custom `place` command (e.g. a customer without test environment).
    pub fn placed_by(command: OrderCommand) -> Self {
        let mut h = Self::default();
        h.ok(&sales(), command);
        h
    }

    fn kind(&self) -> OrderKind {
        self.state.kind().unwrap()
    }

    pub fn in_concept(kind: OrderKind) -> Self {
        Self::placed(kind).planned()
    }

    pub fn with_reviewed_concept(kind: OrderKind) -> Self {
        Self::in_concept(kind).concept_reviewed()
    }

    pub fn awaiting_approval(kind: OrderKind) -> Self {
        Self::with_reviewed_concept(kind).concept_handed_over()
    }

    pub fn in_implementation(kind: OrderKind) -> Self {
        Self::awaiting_approval(kind).concept_approved()
    }

    pub fn in_delivery(kind: OrderKind) -> Self {
        Self::in_implementation(kind).verified()
    }

    /// Planning done: consultant, slot/package, delivery path, timeline.
    pub fn planned(mut self) -> Self {
        let kind = self.kind();
        self.ok(
            &sales(),
            OrderCommand::AssignConsultant {
                consultant: "clara@vendor".into(),
            },
        );
        let (scheduler, schedule, path) = match kind {
            OrderKind::CustomerSpecific => (developer(), slot(), DeliveryPath::RegularPatch),
            OrderKind::StandardExtension => (
                product_manager(),
                package("IP-2027.1", d(2027, 2, 1)),
                if self.state.placement.as_ref().unwrap().own_codeline {
                    DeliveryPath::FirstCustomerShipment
                } else {
                    DeliveryPath::GeneralAvailability
                },
            ),
        };
        self.ok(&scheduler, schedule);
        self.ok(
            &support(),
            OrderCommand::AgreeDeliveryPath {
                path,
                note: String::new(),
            },
        );
        self.ok(&consultant(), OrderCommand::CommunicateTimeline);
        self
    }

    /// Concept written and reviewed, not yet handed over.
    pub fn concept_reviewed(mut self) -> Self {
        self.ok(
            &consultant(),
            OrderCommand::WriteConcept {
                document: "concept-v1".into(),
                acceptance_criteria: criteria(),
            },
        );
        let reviewer = match self.kind() {
            OrderKind::CustomerSpecific => developer(),
            OrderKind::StandardExtension => product_manager(),
        };
        self.ok(&reviewer, OrderCommand::ReviewConcept);
        self
    }

    /// Concept handed over (in time), awaiting approval.
    pub fn concept_handed_over(mut self) -> Self {
        self.ok(&consultant(), OrderCommand::HandOverConcept);
        self
    }

    /// Concept approved in time (on 2027-01-20): implementation phase.
    pub fn concept_approved(mut self) -> Self {
        self.today = d(2027, 1, 20);
        self.ok(&customer(), OrderCommand::ApproveConcept);
        self
    }

    /// Implementation verified on the earliest delivery day (a standard extension's reference
    /// system has the package's code level then): delivery phase.
    pub fn verified(mut self) -> Self {
        self.today = self.state.earliest_delivery.unwrap();
        self.ok(
            &developer(),
            OrderCommand::ReportImplementationCompleted {
                note: String::new(),
            },
        );
        self.ok(
            &consultant(),
            OrderCommand::RecordVerification {
                passed: criteria(),
                failed: vec![],
            },
        );
        self
    }

    pub fn deliver(&mut self, environment: OrderEnvironment) -> Vec<OrderEvent> {
        self.ok(
            &support(),
            OrderCommand::Deliver {
                environment,
                delivery: Some("SD-2001".parse().unwrap()),
                version: "CUSTOM".into(),
            },
        )
    }
}
