//! # The Ticketflow engine
//!
//! The runtime around the pure domain: it owns the clock, carries commands from their callers
//! to the aggregates and their events to the store, fires timers, runs process managers and
//! keeps the read models up to date.
//!
//! * [`projection`] — the projection runner: checkpoints, snapshots, online rebuild.

pub mod projection;
