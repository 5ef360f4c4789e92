//! # The Ticketflow engine
//!
//! The runtime around the pure domain: it owns the clock, carries commands from their callers
//! to the aggregates and their events to the store, fires timers, runs process managers and
//! keeps the read models up to date.
//!
//! * [`clock`] — the one place time is read: [`SystemClock`] in production, a
//!   [`SimulatedClock`] for tests, imports and what-if runs.
//! * [`command`] — [`Engine::execute`]: load (cached state + tail), decide, append with the
//!   expected version, decide again after losing a race (bounded), idempotency keys, one
//!   tracing span per command.
//! * [`due_work`] — the due-work view: ticket timers, missed approval deadlines and the
//!   delivery process manager, as a fold over the log with derived idempotency keys.
//! * [`scheduler`] — issues due work in time order; survives restarts by rebuilding the view.
//! * [`simulation`] — runs a script on a simulated clock with due work firing in between.
//! * [`projection`] — the projection runner: checkpoints, snapshots, online rebuild.
//!
//! `docs/engine.md` describes the guarantees for operators and developers.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use ticketflow_domain::{DeskConfig, script::ScriptLine};
//! use ticketflow_engine::simulation::Simulation;
//! use ticketflow_store::MemoryStore;
//!
//! let script = ScriptLine::parse_all(&std::fs::read_to_string("demo.jsonl")?)?;
//! let start = script.first().map(|l| l.at).unwrap_or_default();
//! let mut simulation = Simulation::new(Arc::new(MemoryStore::new()), DeskConfig::default(), start).await?;
//! print!("{}", simulation.run(&script).await?);
//! # Ok(()) }
//! ```

pub mod clock;
pub mod command;
pub mod due_work;
pub mod projection;
pub mod scheduler;
pub mod simulation;

pub use clock::{Clock, SimulatedClock, SystemClock};
pub use command::{CommandError, CommandOptions, CommandOutcome, Engine, RecordedSummary, Refusal};
pub use due_work::{DueWork, DueWorkView, WorkKind};
pub use scheduler::{FireResult, Fired, Scheduler, SchedulerError};
pub use simulation::{Simulation, SimulationError, SimulationReport, SimulationStep};
