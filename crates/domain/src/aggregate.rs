//! The shape every aggregate shares: decide, evolve, fold.

use ticketflow_events::{Actor, EventSet, Timestamp};

use crate::DeskConfig;

/// Everything a decision may depend on besides the state and the command.
///
/// Time is passed in, never read: the engine owns the clock, so a decision is a pure function
/// and replaying, simulating or importing gives the same result as living through it.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Business time of the decision.
    pub now: Timestamp,
    /// Who issued the command.
    pub actor: &'a Actor,
    /// Configuration: timer lengths, calendars, order rules.
    pub config: &'a DeskConfig,
}

/// An event-sourced aggregate: its state is the fold of its events.
pub trait Aggregate: Default + Clone + std::fmt::Debug + PartialEq {
    /// What callers ask the aggregate to do.
    type Command;
    /// What the aggregate records.
    type Event: EventSet + Clone + std::fmt::Debug;
    /// Why a command was refused; refusals emit nothing and change nothing.
    type Error: std::error::Error;

    /// Decides which events a command causes, or refuses it.
    fn decide(
        &self,
        command: &Self::Command,
        ctx: &Context<'_>,
    ) -> Result<Vec<Self::Event>, Self::Error>;

    /// Folds one recorded event into the state. Never fails: a recorded event is a fact.
    fn evolve(&mut self, event: &Self::Event);
}

/// Rebuilds an aggregate's state from its events.
pub fn fold<'a, A: Aggregate + 'a>(events: impl IntoIterator<Item = &'a A::Event>) -> A {
    let mut state = A::default();
    for event in events {
        state.evolve(event);
    }
    state
}
