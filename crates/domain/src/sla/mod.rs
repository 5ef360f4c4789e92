//! SLA of Software and Non-Software Defects (domain.md §2.7): policy as data, and the SLA
//! state of a ticket as a pure function of its history.
//!
//! * [`policy`] — targets per priority and calendar kind, the at-risk threshold and the other
//!   **(default)** choices; a [`SlaPolicyBook`] with per-contract overrides, loaded from JSON.
//! * [`facts`] — the timed facts of a ticket's history the SLA depends on ([`SlaFact`]); an
//!   adapter derives them from ticket events.
//! * [`report`] — [`evaluate`]: facts + policy + calendars + `now` → [`SlaReport`] with, for
//!   the reaction clock and each restoration cycle, target, elapsed, remaining, paused time,
//!   at risk, breached, met and the priority segments.
//!
//! The rules as built, with worked examples that are also tests, are in `docs/sla.md`.

pub mod duration;
pub mod facts;
pub mod policy;
pub mod report;
mod timeline;

pub use duration::{TargetDuration, TargetDurationError};
pub use facts::{SlaFact, SlaFactKind};
pub use policy::{
    PolicyError, PolicyOverride, PriorityTable, PriorityTargets, RestoredBy, SlaPolicy,
    SlaPolicyBook, TargetsOverride,
};
pub use report::{ClockKind, ClockReport, ClockState, PrioritySegment, SlaReport, evaluate};
