//! The generated script is valid: every scripted command is accepted by the pure aggregates
//! (with timers and the delivery process manager simulated), and the histories contain every
//! event type.

use std::collections::BTreeSet;

use ticketflow_domain::DeskConfig;
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::TicketEvent;
use ticketflow_scenario::replay::replay;
use ticketflow_scenario::{ScenarioConfig, generate};

#[test]
fn every_scripted_command_of_the_default_scenario_is_accepted_and_every_event_type_occurs() {
    let config = ScenarioConfig::default();
    let script = generate(&config);
    let report = match replay(&script, &DeskConfig::default()) {
        Ok(report) => report,
        Err(e) => panic!("{e}"),
    };
    eprintln!(
        "lines {} events {} timers {} follow-ups {} (refused {}) streams {:?}",
        report.lines,
        report.events,
        report.timers_fired,
        report.follow_ups,
        report.follow_ups_refused,
        report.streams
    );
    eprintln!(
        "missing: {:?} {:?} {:?}",
        report.missing::<TicketEvent>(),
        report.missing::<OrderEvent>(),
        report.missing::<DeliveryEvent>()
    );
    assert_eq!(report.lines, script.len());
    assert_eq!(report.follow_ups_refused, 0, "{report:?}");
    assert!(report.events > 20_000, "{}", report.events);
    // SLA notices are recorded by the engine's scheduler from the SLA evaluation, which this
    // pure replay does not run; the engine's scenario test covers them.
    assert_eq!(
        report.missing::<TicketEvent>(),
        vec!["TicketSlaNoticeRecorded"]
    );
    assert_eq!(report.missing::<OrderEvent>(), Vec::<&str>::new());
    assert_eq!(report.missing::<DeliveryEvent>(), Vec::<&str>::new());
    // Every way a ticket closes: by the customer, by each timer, unordered, delivered.
    for reason in [
        "ConfirmedByCustomer",
        "NoAnswerAfterResolution",
        "ClarificationUnanswered",
        "EstimateExpired",
        "NotOrdered",
        "Delivered",
    ] {
        assert!(
            report.close_reasons.contains_key(reason),
            "{reason}: {report:?}"
        );
    }
}

#[test]
fn the_default_scenario_uses_every_channel_department_priority_and_order_kind() {
    let script = generate(&ScenarioConfig::default());
    let mut seen = BTreeSet::new();
    for line in &script {
        let label = match &line.command {
            AddressedCommand::Ticket(_, TicketCommand::OpenFromPortal { .. }) => "portal".into(),
            AddressedCommand::Ticket(_, TicketCommand::OpenFromEmail { .. }) => "email".into(),
            AddressedCommand::Ticket(_, TicketCommand::BookEffort { department, .. }) => {
                format!("{department:?}")
            }
            AddressedCommand::Ticket(_, TicketCommand::SetPriority { priority }) => {
                format!("{priority:?}")
            }
            AddressedCommand::Order(_, OrderCommand::Place { kind, .. }) => format!("{kind:?}"),
            AddressedCommand::Delivery(
                _,
                DeliveryCommand::PlanDelivery {
                    cloud_environment, ..
                },
            ) => {
                format!("{cloud_environment:?}")
            }
            _ => continue,
        };
        seen.insert(label);
    }
    for expected in [
        "portal",
        "email",
        "Support",
        "TechnicalServices",
        "ManagedServices",
        "BusinessConsulting",
        "ProductManagement",
        "Operations",
        "P1",
        "P2",
        "P3",
        "P4",
        "CustomerSpecific",
        "StandardExtension",
        "DedicatedCloud",
        "CustomerHosted",
        "ThirdPartyHosted",
        "VendorPatchManaged",
    ] {
        assert!(seen.contains(expected), "{expected} missing from {seen:?}");
    }
}

#[test]
#[ignore = "replays about half a million events; run with --ignored (and --release)"]
fn the_large_preset_replays() {
    let script = generate(&ScenarioConfig::large());
    match replay(&script, &DeskConfig::default()) {
        Ok(report) => {
            eprintln!(
                "large: {} lines, {} events, {} timers fired, streams {:?}",
                report.lines, report.events, report.timers_fired, report.streams
            );
            assert_eq!(report.follow_ups_refused, 0);
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn other_seeds_and_sizes_replay_too() {
    for config in [
        ScenarioConfig::small(),
        ScenarioConfig::small().with_seed(7),
        ScenarioConfig {
            customers: 7,
            months: 4,
            ..ScenarioConfig::default().with_seed(2026)
        },
    ] {
        let script = generate(&config);
        if let Err(e) = replay(&script, &DeskConfig::default()) {
            panic!("seed {}: {e}", config.seed);
        }
    }
}
