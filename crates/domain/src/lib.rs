//! # The Ticketflow write model
//!
//! Pure, event-sourced aggregates for a vendor's service desk:
//!
//! * [`ticket`] — incidents and requests from intake to close, their classification, priority,
//!   workflow per type, comments, sharing and confidentiality, efforts, escalations and timers;
//! * [`order`] — customisation orders through planning, concept, implementation and delivery;
//! * [`delivery`] — delivery tickets from planning to `Delivered` / `Installation completed`;
//! * [`calendar`] — working-day, desk-hour and 24×7 calendars per region, business time;
//! * [`script`] — timestamped commands addressed to aggregates, one JSON line each.
//! * [`sla`] — SLA policy as data and the SLA state of a ticket as a function of its events.
//!
//! Nothing here does I/O or reads a clock: every decision gets `now` in its [`Context`].
//! Each aggregate follows the same shape ([`Aggregate`]): `decide(state, command, ctx)`
//! returns the events a command causes (or a refusal naming the current status and what is
//! allowed), and `evolve(state, event)` folds one event into the state. The state is therefore
//! always equal to the fold of its events, which the property tests check.

pub mod aggregate;
pub mod calendar;
pub mod config;
pub mod delivery;
pub mod order;
pub mod script;
pub mod sla;
pub mod ticket;

pub use aggregate::{Aggregate, Context, fold};
pub use config::DeskConfig;
