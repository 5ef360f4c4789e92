//! # The projection runner
//!
//! Keeps every read model ([`ticketflow_projections::ReadModel`]) up to date with the event
//! log, persists where each one got to, and rebuilds them without interrupting queries.
//!
//! ```text
//! store ──read_all pages──▶ catch up ──subscribe_all──▶ live
//!                              │ decode each event once, apply in position order
//!                              ▼
//!               read model A, B, C …  ──every N events / T seconds / shutdown──▶ <name>.snapshot
//! ```
//!
//! * **Register** read models on a [`ProjectionRunnerBuilder`] by factory (so a fresh, empty
//!   instance can be built for a rebuild); each registration answers a [`ProjectionHandle`]
//!   through which queries get the current copy.
//! * **Start**: each read model is restored from its snapshot and resumes after its
//!   checkpoint. A snapshot of another version, a damaged one, or one ahead of the log is
//!   reported (a `tracing` warning and [`StartOutcome::Rebuilt`]) and the read model is
//!   rebuilt from position 0. The runner then reads the log from the lowest checkpoint, in
//!   pages, decodes each event once and applies it to every read model that has not seen it;
//!   at the end of the log it switches to the live subscription.
//! * **Checkpoints** ([`snapshot`]): the state and the position it reflects are written
//!   together into one file, atomically, so a persisted read model never reflects an event
//!   past its checkpoint nor misses one before it.
//! * **Online rebuild** ([`ProjectionRunner::rebuild`]): a fresh shadow copy folds the log
//!   from position 0 in the background; once caught up it is swapped into the handle at an
//!   exact position, between two live events.
//! * **Progress** ([`ProjectionRunner::progress`]): position, checkpoint, lag, events/s and
//!   [`ProjectionState`] per read model.
//! * **Failures**: an event that cannot be decoded stops every read model that needs it, at
//!   that position, with a [`ProjectionFailure`] naming the position, the type and the reason;
//!   nothing is skipped silently. See the `pipeline` module docs for the exact rules.

mod checkpoint;
mod config;
mod control;
mod error;
mod fold;
mod handle;
mod parallel;
mod pipeline;
mod progress;
mod read_ahead;
mod rebuild;
mod runner;
pub mod snapshot;

pub use config::{CheckpointPolicy, RunnerConfig};
pub use error::ProjectionError;
pub use handle::ProjectionHandle;
pub use progress::{Progress, ProjectionFailure, ProjectionState, RebuildReason, StartOutcome};
pub use rebuild::RebuildHandle;
pub use runner::{ProjectionRunner, ProjectionRunnerBuilder};
