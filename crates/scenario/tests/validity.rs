//! The generated script is valid: every scripted command is accepted by the pure aggregates
//! (with timers and the delivery process manager simulated), and the histories contain every
//! event type.

use ticketflow_domain::DeskConfig;
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
    assert_eq!(report.missing::<TicketEvent>(), Vec::<&str>::new());
    assert_eq!(report.missing::<OrderEvent>(), Vec::<&str>::new());
    assert_eq!(report.missing::<DeliveryEvent>(), Vec::<&str>::new());
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
