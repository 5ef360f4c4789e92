//! # The Ticketflow engine
//!
//! The runtime around the pure domain: it owns the clock, carries commands from their callers
//! to the aggregates and their events to the store, fires timers, runs process managers and
//! keeps the read models up to date.
//!
//! * [`clock`] — the one place time is read: [`SystemClock`] in production, a
//!   [`SimulatedClock`] for tests, imports and what-if runs.
//! * [`command`] — [`Engine::execute`]: load (cached state + tail), decide, append with the
//!   expected version, retry on conflicts, idempotency keys.
//! * [`projection`] — the projection runner: checkpoints, snapshots, online rebuild.

pub mod clock;
pub mod command;
pub mod due_work;
pub mod projection;

pub use clock::{Clock, SimulatedClock, SystemClock};
pub use command::{
    CommandError, CommandOptions, CommandOutcome, Engine, RecordedSummary, Refusal,
};
