//! SLA of Software and Non-Software Defects (domain.md §2.7): policy as data, and the SLA
//! state of a ticket as a pure function of its history.
//!
//! * [`policy`] — targets per priority and calendar kind, the at-risk threshold and the other
//!   **(default)** choices; a [`SlaPolicyBook`] with per-contract overrides, loaded from JSON.
//! * [`facts`] — the timed facts of a ticket's history the SLA depends on ([`SlaFact`]); an
//!   adapter derives them from ticket events.
//! * [`ticket_history`] — which ticket event is which fact ([`facts_of_ticket`]).
//! * [`report`] — [`evaluate`]: facts + policy + calendars + `now` → [`SlaReport`] with, for
//!   the reaction clock and each restoration cycle, target, elapsed, remaining, paused time,
//!   at risk, breached, met and the priority segments.
//!
//! The rules as built, with worked examples that are also tests, are in `docs/sla.md`.
//!
//! ```
//! use ticketflow_domain::calendar::RegionCalendars;
//! use ticketflow_domain::sla::{evaluate, SlaFact, SlaFactKind, SlaPolicyBook};
//! use ticketflow_events::{ticket::Priority, OrganisationId, Timestamp};
//!
//! let at = |s: &str| s.parse::<Timestamp>().unwrap();
//! let facts = [
//!     SlaFact::new(at("2026-11-28T01:10:00Z"), SlaFactKind::Received),
//!     SlaFact::new(at("2026-11-28T01:10:00Z"), SlaFactKind::PrioritySet { priority: Priority::P1 }),
//!     SlaFact::new(at("2026-11-28T01:25:00Z"), SlaFactKind::Accepted),
//! ];
//! let book = SlaPolicyBook::default();
//! let policy = book.policy_for(&OrganisationId("acme".into()));
//! let report = evaluate(&facts, &policy, &RegionCalendars::standard(), at("2026-11-28T04:30:00Z"));
//! let restoration = report.current_restoration().unwrap();
//! assert!(restoration.at_risk); // 3 h 5 min of the P1 target of 4 h
//! assert_eq!(restoration.due_at, Some(at("2026-11-28T05:25:00Z")));
//! ```

pub mod duration;
pub mod facts;
pub mod policy;
pub mod report;
pub mod ticket_history;
mod timeline;

pub use duration::{TargetDuration, TargetDurationError};
pub use facts::{SlaFact, SlaFactKind};
pub use policy::{
    PolicyError, PolicyOverride, PriorityTable, PriorityTargets, RestoredBy, SlaPolicy,
    SlaPolicyBook, TargetsOverride,
};
pub use report::{ClockKind, ClockReport, ClockState, PrioritySegment, SlaReport, evaluate};
pub use ticket_history::{evaluate_ticket, facts_of_ticket};
