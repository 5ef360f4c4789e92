//! Simulations: a script run on a simulated clock, with timers and process managers firing
//! in between.
//!
//! This is what `ticketflow simulate`, imports of past activity and the demo run. Before each
//! [`ScriptLine`] the clock is advanced to the line's time and every piece of due work that
//! falls due on the way is issued at its own time, in time order ([`Scheduler::advance_to`]);
//! then the line itself is executed at its time. A refused line does not stop the run: it is
//! reported with its number, like every other thing that happened, in a
//! [`SimulationReport`].
//!
//! Each line is executed with an idempotency key made of its number and its JSON form, so
//! running the same script again on the same store records nothing twice: an import that was
//! interrupted is resumed by simply running it again (the lines already recorded are reported
//! as replayed).

use std::fmt;
use std::sync::Arc;

use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::ScriptLine;
use ticketflow_events::{Actor, StreamId, Timestamp};
use ticketflow_store::EventStore;

use crate::clock::{Clock, SimulatedClock};
use crate::command::{CommandError, CommandOptions, Engine, RecordedSummary};
use crate::scheduler::{FireResult, Fired, Scheduler, SchedulerError};

/// Why a simulation stopped before the end of its script.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The scheduler failed (store, codec); the log holds everything up to the failure.
    #[error(transparent)]
    Scheduler(#[from] SchedulerError),
    /// A script line failed for a reason other than a refusal.
    #[error("line {line}: {source}")]
    Line {
        /// The 1-based number of the line in the script.
        line: usize,
        /// What the engine said.
        source: CommandError,
    },
}

/// Who issued a step of the simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepSource {
    /// The script, with the line's 1-based number (counting script lines, not comments).
    Line(usize),
    /// The scheduler (a timer, a deadline or a process manager), with the work's key.
    Scheduler(String),
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// These events were recorded (empty when the decision had nothing to record).
    Recorded(Vec<RecordedSummary>),
    /// An earlier run with the same key had recorded these events already.
    Replayed(Vec<RecordedSummary>),
    /// The aggregate refused, for this reason.
    Refused(String),
}

/// One step of a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulationStep {
    /// Business time of the step.
    pub at: Timestamp,
    /// Who issued it.
    pub source: StepSource,
    /// Who acted, as `role:id`.
    pub actor: String,
    /// The stream addressed.
    pub stream: StreamId,
    /// The command's snake_case name.
    pub command: &'static str,
    /// What it did.
    pub result: StepResult,
}

/// Everything a simulation did, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimulationReport {
    /// The steps, in the order they ran.
    pub steps: Vec<SimulationStep>,
}

impl SimulationReport {
    /// The script lines that were refused, with their numbers and reasons.
    pub fn refused_lines(&self) -> Vec<(usize, &str)> {
        self.steps
            .iter()
            .filter_map(|s| match (&s.source, &s.result) {
                (StepSource::Line(n), StepResult::Refused(reason)) => Some((*n, reason.as_str())),
                _ => None,
            })
            .collect()
    }

    /// How many events were recorded in total.
    pub fn events_recorded(&self) -> usize {
        self.steps
            .iter()
            .map(|s| match &s.result {
                StepResult::Recorded(e) => e.len(),
                _ => 0,
            })
            .sum()
    }
}

impl fmt::Display for SimulationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            let source = match &step.source {
                StepSource::Line(n) => format!("line {n}"),
                StepSource::Scheduler(_) => "scheduler".to_owned(),
            };
            write!(
                f,
                "{} {source:>9} {} {} {}: ",
                step.at.format("%Y-%m-%d %H:%M"),
                step.actor,
                step.stream,
                step.command
            )?;
            match &step.result {
                StepResult::Recorded(events) | StepResult::Replayed(events) => {
                    let names: Vec<String> = events
                        .iter()
                        .map(|e| format!("{}@{}", e.event_type, e.stream_version))
                        .collect();
                    let replay = matches!(step.result, StepResult::Replayed(_));
                    writeln!(
                        f,
                        "{}{}",
                        if replay { "(already recorded) " } else { "" },
                        names.join(", ")
                    )?;
                }
                StepResult::Refused(reason) => writeln!(f, "REFUSED: {reason}")?,
            }
        }
        writeln!(
            f,
            "{} steps, {} events recorded, {} lines refused",
            self.steps.len(),
            self.events_recorded(),
            self.refused_lines().len()
        )
    }
}

/// A desk on a simulated clock: an engine, its scheduler and the clock they share.
#[derive(Debug)]
pub struct Simulation {
    clock: SimulatedClock,
    scheduler: Scheduler,
}

impl Simulation {
    /// A simulation over `store` (fresh or not: the scheduler rebuilds its view from it),
    /// starting at `start`.
    pub async fn new(
        store: Arc<dyn EventStore>,
        config: DeskConfig,
        start: Timestamp,
    ) -> Result<Self, SimulationError> {
        let clock = SimulatedClock::new(start);
        let engine = Engine::new(store, config, Arc::new(clock.clone()));
        let scheduler = Scheduler::start(engine).await?;
        Ok(Simulation { clock, scheduler })
    }

    /// The simulated clock (shared with the engine).
    pub fn clock(&self) -> &SimulatedClock {
        &self.clock
    }

    /// The engine, for commands outside a script.
    pub fn engine(&self) -> &Engine {
        self.scheduler.engine()
    }

    /// The scheduler, e.g. to inspect the due-work view.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// Runs the script: before each line, fires everything due up to its time; then runs the
    /// line at its time. Lines are numbered from 1 in the report.
    pub async fn run(
        &mut self,
        script: &[ScriptLine],
    ) -> Result<SimulationReport, SimulationError> {
        let mut report = SimulationReport::default();
        for (index, line) in script.iter().enumerate() {
            let number = index + 1;
            self.advance_to(line.at, &mut report).await?;
            let options = CommandOptions::with_key(line_key(number, line));
            let outcome = self
                .scheduler
                .engine()
                .execute(&line.command, &line.actor, &options)
                .await;
            let result = match outcome {
                Ok(o) if o.replayed => StepResult::Replayed(o.events),
                Ok(o) => StepResult::Recorded(o.events),
                Err(e @ CommandError::Refused { .. }) => StepResult::Refused(e.to_string()),
                Err(source) => {
                    return Err(SimulationError::Line {
                        line: number,
                        source,
                    });
                }
            };
            report.steps.push(SimulationStep {
                at: self.clock.now(),
                source: StepSource::Line(number),
                actor: line.actor.envelope_label(),
                stream: line.command.stream_id(),
                command: line.command.name(),
                result,
            });
        }
        // Work the last line made due right away (process managers) runs before we return.
        let now = self.clock.now();
        self.advance_to(now, &mut report).await?;
        Ok(report)
    }

    /// Advances the clock to `until`, firing due work on the way, and adds it to `report`.
    pub async fn advance_to(
        &mut self,
        until: Timestamp,
        report: &mut SimulationReport,
    ) -> Result<(), SimulationError> {
        let fired = self.scheduler.advance_to(&self.clock, until).await?;
        report.steps.extend(fired.into_iter().map(step_of));
        Ok(())
    }
}

/// The idempotency key of a script line: its number and its content.
fn line_key(number: usize, line: &ScriptLine) -> String {
    let content = line
        .to_json()
        .unwrap_or_else(|_| format!("{}:{}", line.at, line.command.name()));
    format!("script-line:{number}:{content}")
}

fn step_of(fired: Fired) -> SimulationStep {
    let result = match fired.result {
        FireResult::Recorded(o) if o.replayed => StepResult::Replayed(o.events),
        FireResult::Recorded(o) => StepResult::Recorded(o.events),
        FireResult::Refused(e) => StepResult::Refused(e.to_string()),
    };
    SimulationStep {
        at: fired.at,
        source: StepSource::Scheduler(fired.work.key.clone()),
        actor: Actor::system("scheduler").envelope_label(),
        stream: fired.work.command.stream_id(),
        command: fired.work.command.name(),
        result,
    }
}
