//! Shared by the read-model benches and the `latency` / `read_model_memory` examples: a
//! SQLite store filled once with the scenario generator's desk, and the command mix used to
//! measure end-to-end latency.
//!
//! Environment:
//! * `TICKETFLOW_BENCH_SCENARIO` = `default` (default), `small` or `large` — the scenario
//!   preset run through `Simulation`;
//! * `TICKETFLOW_BENCH_DIR` — where the temporary store lives (default: the system temp dir).

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{PortalForm, TicketCommand};
use ticketflow_engine::Simulation;
use ticketflow_events::ticket::{
    AffectedSystem, CommentVisibility, Priority, ResolutionOutcome, SharedWith, TicketType,
};
use ticketflow_events::{Actor, OrganisationId, Region, Role, TicketKey};
use ticketflow_scenario::ScenarioConfig;
use ticketflow_store::{EventStore, Filter, SqliteOptions, SqliteStore};

/// The scenario preset named by `TICKETFLOW_BENCH_SCENARIO`.
pub fn scenario() -> (String, ScenarioConfig) {
    let name = std::env::var("TICKETFLOW_BENCH_SCENARIO").unwrap_or_else(|_| "default".into());
    let config = match name.as_str() {
        "small" => ScenarioConfig::small(),
        "large" => ScenarioConfig::large(),
        _ => ScenarioConfig::default(),
    };
    (name, config)
}

/// A temporary directory in `TICKETFLOW_BENCH_DIR` or the system temp dir.
pub fn temp_dir() -> tempfile::TempDir {
    match std::env::var("TICKETFLOW_BENCH_DIR") {
        Ok(dir) => tempfile::tempdir_in(dir).unwrap(),
        Err(_) => tempfile::tempdir().unwrap(),
    }
}

/// Runs the scenario through `Simulation` on a SQLite store in `dir` (timers and process
/// managers fire as in production), then reads the whole log once so the OS cache is warm.
/// Answers the store and the number of events in it.
pub async fn filled_store(dir: &Path, config: &ScenarioConfig) -> (Arc<dyn EventStore>, u64) {
    let started = Instant::now();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(dir.join("events.db"), SqliteOptions::default()).unwrap());
    let script = ticketflow_scenario::generate(config);
    let mut simulation = Simulation::new(store.clone(), DeskConfig::default(), config.start)
        .await
        .unwrap();
    let report = simulation.run(&script).await.unwrap();
    let events = store.last_position().await.unwrap();
    eprintln!(
        "filled the store: {} script lines, {} steps, {} events, {} refused, in {:.1?}",
        script.len(),
        report.steps.len(),
        events,
        report.refused_lines().len(),
        started.elapsed()
    );
    warm(store.as_ref()).await;
    (store, events)
}

/// Reads the whole log once (OS page cache, SQLite's own cache).
pub async fn warm(store: &dyn EventStore) {
    let mut from = 1;
    loop {
        let page = store.read_all(from, &Filter::all(), 10_000).await.unwrap();
        match page.last() {
            Some(last) => from = last.global_position + 1,
            None => break,
        }
    }
}

/// A customer contact of a scenario-independent organisation.
pub fn customer() -> Actor {
    Actor {
        id: "jane@bench".into(),
        role: Role::Customer {
            organisation: OrganisationId("bench".into()),
        },
    }
}

/// A support agent.
pub fn agent() -> Actor {
    Actor {
        id: "anna".into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

/// Keys for the latency tickets, far above the scenario's numbering.
pub fn latency_key(n: u64) -> TicketKey {
    TicketKey::new("SD", 900_000 + n).unwrap()
}

/// The life of one ticket as a command mix: opened in the portal, accepted, classified as a
/// software defect with a priority, a clarification round trip, comments from both sides, a
/// workaround and the resolution — status changes and conversation in about the proportions
/// of the scenario. Each step is `(actor, command)`.
pub fn ticket_life(key: &TicketKey) -> Vec<(Actor, AddressedCommand)> {
    let t = |c: TicketCommand| AddressedCommand::Ticket(key.clone(), c);
    let comment = |text: &str, visibility| {
        t(TicketCommand::AddComment {
            text: text.into(),
            visibility,
            attachments: vec![],
        })
    };
    vec![
        (
            customer(),
            t(TicketCommand::OpenFromPortal {
                key: key.clone(),
                region: Region::Dach,
                extended_support_budget: false,
                form: PortalForm {
                    ticket_type: TicketType::Incident,
                    summary: "Grades lost after import".into(),
                    description: "Since the last import the grades of course 7 are empty.".into(),
                    share_with: Some(SharedWith::Organisation),
                    affected_system: Some(AffectedSystem::Production),
                    system_reachable: Some(true),
                    url: Some("https://lms.bench.example/grades".into()),
                    customer_reference: None,
                    attachments: vec![],
                    confidential: false,
                },
            }),
        ),
        (agent(), t(TicketCommand::Accept)),
        (
            agent(),
            t(TicketCommand::Classify {
                ticket_type: TicketType::SoftwareDefect,
            }),
        ),
        (
            agent(),
            t(TicketCommand::SetPriority {
                priority: Priority::P3,
            }),
        ),
        (
            customer(),
            comment("Any news? The teachers ask.", CommentVisibility::Public),
        ),
        (
            agent(),
            t(TicketCommand::RequestClarification {
                question: "Which import file did you use?".into(),
            }),
        ),
        (
            customer(),
            comment("The CSV from Monday, attached.", CommentVisibility::Public),
        ),
        (agent(), t(TicketCommand::ResumeWork)),
        (
            agent(),
            comment("Reproduced on staging.", CommentVisibility::Internal),
        ),
        (
            agent(),
            t(TicketCommand::ProvideWorkaround {
                description: "Re-import with the semicolon separator.".into(),
            }),
        ),
        (
            customer(),
            comment("The workaround helps, thanks.", CommentVisibility::Public),
        ),
        (
            agent(),
            t(TicketCommand::Resolve {
                outcome: ResolutionOutcome::Misconfiguration,
                note: "Separator setting fixed.".into(),
                reclassify_as: None,
            }),
        ),
    ]
}

/// An endless command mix: one [`ticket_life`] after another, each on a new ticket.
#[derive(Debug, Default)]
pub struct CommandMix {
    ticket: u64,
    life: Vec<(Actor, AddressedCommand)>,
}

impl CommandMix {
    /// The next command of the mix.
    pub fn next_command(&mut self) -> (Actor, AddressedCommand) {
        if self.life.is_empty() {
            self.ticket += 1;
            self.life = ticket_life(&latency_key(self.ticket));
            self.life.reverse();
        }
        self.life.pop().unwrap()
    }
}

/// A desk for latency measurements: the scenario in a SQLite store in `dir`, an engine on the
/// system clock, and a projection runner with every standard read model, caught up.
pub async fn latency_desk(
    dir: &Path,
    config: &ScenarioConfig,
) -> (
    ticketflow_engine::Engine,
    ticketflow_engine::projection::ProjectionRunner,
    u64,
) {
    use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
    let (store, n) = filled_store(dir, config).await;
    let mut builder =
        ProjectionRunnerBuilder::new(store.clone(), RunnerConfig::new(dir.join("snapshots")));
    builder
        .register_all(|| ticketflow_projections::standard_read_models(&DeskConfig::default()))
        .unwrap();
    let runner = builder.start().await.unwrap();
    runner.wait_for(n).await.unwrap();
    let engine = ticketflow_engine::Engine::new(
        store,
        DeskConfig::default(),
        Arc::new(ticketflow_engine::SystemClock),
    );
    (engine, runner, n)
}

/// Executes one command and waits until every read model reflects it; answers the time
/// until the append was acknowledged and the time until the read models had it.
pub async fn execute_and_wait(
    engine: &ticketflow_engine::Engine,
    runner: &ticketflow_engine::projection::ProjectionRunner,
    actor: &Actor,
    command: &AddressedCommand,
) -> (std::time::Duration, std::time::Duration) {
    let started = Instant::now();
    let outcome = engine
        .execute(
            command,
            actor,
            &ticketflow_engine::CommandOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{} refused: {e}", command.name()));
    let appended = started.elapsed();
    if let Some(last) = outcome.events.last() {
        runner.wait_for(last.global_position).await.unwrap();
    }
    (appended, started.elapsed())
}
