//! A small desk for engine tests: actors, commands, script lines and stores.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use tempfile::TempDir;
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::script::{AddressedCommand, ScriptLine};
use ticketflow_domain::ticket::{PortalForm, TicketCommand};
use ticketflow_events::delivery::{CloudEnvironment, DeliverySharing};
use ticketflow_events::ticket::{
    AffectedSystem, CommentVisibility, ResolutionOutcome, SharedWith, TicketType,
};
use ticketflow_events::{
    Actor, AnyEvent, DeliveryKey, OrganisationId, RecordedEvent, Region, Role, TicketKey, Timestamp,
};
use ticketflow_store::{EventStore, Filter, MemoryStore, SqliteOptions, SqliteStore};

pub fn t0() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

pub fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

pub fn customer(org: &str) -> Actor {
    Actor {
        id: format!("jane@{org}"),
        role: Role::Customer {
            organisation: OrganisationId(org.into()),
        },
    }
}

pub fn jane() -> Actor {
    customer("acme")
}

pub fn agent() -> Actor {
    Actor {
        id: "anna".into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

pub fn developer() -> Actor {
    Actor {
        id: "dev".into(),
        role: Role::TechnicalServices,
    }
}

pub fn ticket(n: u64) -> TicketKey {
    TicketKey::new("SD", n).unwrap()
}

pub fn delivery(n: u64) -> DeliveryKey {
    DeliveryKey::new("SD", n).unwrap()
}

pub fn open_incident(key: &TicketKey) -> AddressedCommand {
    AddressedCommand::Ticket(
        key.clone(),
        TicketCommand::OpenFromPortal {
            key: key.clone(),
            region: Region::Dach,
            extended_support_budget: false,
            form: PortalForm {
                ticket_type: TicketType::Incident,
                summary: "Login fails".into(),
                description: "Nobody can log in since 8:00.".into(),
                share_with: Some(SharedWith::Organisation),
                affected_system: Some(AffectedSystem::Production),
                system_reachable: Some(true),
                url: Some("https://lms.acme.example/login".into()),
                customer_reference: None,
                attachments: vec![],
                confidential: false,
            },
        },
    )
}

pub fn to_ticket(key: &TicketKey, command: TicketCommand) -> AddressedCommand {
    AddressedCommand::Ticket(key.clone(), command)
}

pub fn to_delivery(key: &DeliveryKey, command: DeliveryCommand) -> AddressedCommand {
    AddressedCommand::Delivery(key.clone(), command)
}

pub fn comment(text: &str) -> TicketCommand {
    TicketCommand::AddComment {
        text: text.into(),
        visibility: CommentVisibility::Public,
        attachments: vec![],
    }
}

pub fn classify_defect() -> TicketCommand {
    TicketCommand::Classify {
        ticket_type: TicketType::SoftwareDefect,
    }
}

pub fn resolve_no_defect() -> TicketCommand {
    TicketCommand::Resolve {
        outcome: ResolutionOutcome::NoDefect,
        note: "works as designed".into(),
        reclassify_as: None,
    }
}

pub fn line(at: Timestamp, actor: Actor, command: AddressedCommand) -> ScriptLine {
    ScriptLine { at, actor, command }
}

/// A software defect opened by `customer` at `at` and taken to `Delivery Pending` with
/// `version` within the hour.
pub fn defect_ready_for_delivery(
    key: &TicketKey,
    customer: Actor,
    version: &str,
    at: Timestamp,
) -> Vec<ScriptLine> {
    let minute = |m| at + TimeDelta::minutes(m);
    vec![
        line(at, customer, open_incident(key)),
        line(minute(10), agent(), to_ticket(key, classify_defect())),
        line(
            minute(20),
            agent(),
            to_ticket(
                key,
                TicketCommand::ReproduceDefect {
                    reference_system: "ref".into(),
                },
            ),
        ),
        line(
            minute(30),
            developer(),
            to_ticket(
                key,
                TicketCommand::ReportReadyForDelivery {
                    delivery_version: version.into(),
                },
            ),
        ),
    ]
}

pub fn plan_delivery(
    key: &DeliveryKey,
    org: &str,
    tickets: Vec<TicketKey>,
    environment: CloudEnvironment,
) -> DeliveryCommand {
    DeliveryCommand::PlanDelivery {
        delivery: key.clone(),
        version: "14.21.3.1".parse().unwrap(),
        cloud_environment: environment,
        organisation: OrganisationId(org.into()),
        shared_with: DeliverySharing::Organisation,
        documents: vec![],
        tickets,
    }
}

/// The delivery steps from planned to released, one hour apart from `at`, with the estimated
/// delivery date `estimate`.
pub fn walk_to_release(
    key: &DeliveryKey,
    at: Timestamp,
    merge_on: NaiveDate,
    estimate: NaiveDate,
) -> Vec<ScriptLine> {
    let commands = [
        DeliveryCommand::ScheduleMerge {
            merge_on,
            estimated_delivery_on: estimate,
        },
        DeliveryCommand::CompleteMerge {},
        DeliveryCommand::ConfirmChangesComplete {},
        DeliveryCommand::CloseCodeline {},
        DeliveryCommand::BuildPackage {},
        DeliveryCommand::PassReferenceTest {},
        DeliveryCommand::Release {},
    ];
    commands
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            line(
                at + TimeDelta::hours(i as i64),
                agent(),
                to_delivery(key, c),
            )
        })
        .collect()
}

/// The stores every test runs against: in memory, and SQLite in a temporary directory.
pub fn stores() -> Vec<(&'static str, Arc<dyn EventStore>, Option<TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(dir.path().join("events.db"), SqliteOptions::default()).unwrap();
    vec![
        ("memory", Arc::new(MemoryStore::new()), None),
        ("sqlite", Arc::new(sqlite), Some(dir)),
    ]
}

/// Every recorded event with its decoded payload.
pub async fn all_events(store: &dyn EventStore) -> Vec<(RecordedEvent, AnyEvent)> {
    let events = store.read_all(0, &Filter::all(), 1_000_000).await.unwrap();
    events
        .into_iter()
        .map(|e| {
            let any = AnyEvent::from_recorded(&e).unwrap();
            (e, any)
        })
        .collect()
}
