//! Folding a ticket's SLA facts into the spans the clocks measure.
//!
//! Facts are taken in the order given (the order of the ticket's stream). A fact whose time
//! is earlier than its predecessor's counts at its predecessor's time, so a clock never runs
//! backwards; facts after `now` are not yet known and are ignored, which is what makes the
//! evaluation "as of" any instant.

use ticketflow_events::Timestamp;
use ticketflow_events::ticket::Priority;

use super::facts::{SlaFact, SlaFactKind};
use super::policy::RestoredBy;
use crate::calendar::Interval;

/// One restoration cycle: from acceptance (or reopening) to restoration, if restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
}

/// Everything the clocks need, folded from the facts known at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Timeline {
    /// Receipt; `None` if no fact is known yet.
    pub received: Option<Timestamp>,
    /// Priority changes, first at receipt; empty while no priority is known.
    pub priorities: Vec<(Timestamp, Priority)>,
    /// The reaction clock: receipt → acceptance.
    pub reaction: Option<Span>,
    /// Restoration cycles in order.
    pub restorations: Vec<Span>,
    /// Waiting periods; an open one ends at `now`.
    pub pauses: Vec<Interval>,
    /// Whether the ticket is waiting at `now`.
    pub paused_now: bool,
    /// Whether the SLA covers the ticket at `now`.
    pub applicable: bool,
}

impl Timeline {
    /// Folds the facts known at `now`.
    pub fn fold(facts: &[SlaFact], restored_by: RestoredBy, now: Timestamp) -> Timeline {
        let mut t = Timeline {
            applicable: true,
            ..Timeline::default()
        };
        let mut last = None::<Timestamp>;
        let mut pause_start = None::<Timestamp>;
        for fact in facts {
            let at = last.map_or(fact.at, |l| l.max(fact.at));
            if at > now {
                break;
            }
            last = Some(at);
            let received = *t.received.get_or_insert(at);
            if t.reaction.is_none() {
                t.reaction = Some(Span {
                    start: received,
                    end: None,
                });
            }
            match fact.kind {
                SlaFactKind::Received => {}
                SlaFactKind::PrioritySet { priority } => match t.priorities.last() {
                    None => t.priorities.push((received, priority)),
                    Some(&(_, current)) if current == priority => {}
                    Some(_) => t.priorities.push((at, priority)),
                },
                SlaFactKind::Accepted => t.accept(at),
                SlaFactKind::Paused => {
                    pause_start.get_or_insert(at);
                }
                SlaFactKind::Resumed => t.end_pause(&mut pause_start, at),
                SlaFactKind::WorkaroundProvided => {
                    t.accept(at);
                    if restored_by == RestoredBy::WorkaroundOrResolution {
                        t.restore(at);
                    }
                }
                SlaFactKind::Resolved => {
                    t.accept(at);
                    t.restore(at);
                    t.end_pause(&mut pause_start, at);
                }
                SlaFactKind::Reopened => {
                    t.end_pause(&mut pause_start, at);
                    let restored = t.restorations.last().is_some_and(|c| c.end.is_some());
                    if restored {
                        t.restorations.push(Span {
                            start: at,
                            end: None,
                        });
                    }
                }
                SlaFactKind::NotApplicable => t.applicable = false,
                SlaFactKind::Applicable => t.applicable = true,
            }
        }
        if let Some(start) = pause_start {
            t.pauses.push(Interval::new(start, now));
            t.paused_now = true;
        }
        t
    }

    /// Acceptance (explicit, or implied by a workaround or resolution) stops the reaction
    /// clock and starts the first restoration cycle, once.
    fn accept(&mut self, at: Timestamp) {
        if let Some(reaction) = self.reaction.as_mut()
            && reaction.end.is_none()
        {
            reaction.end = Some(at);
            self.restorations.push(Span {
                start: at,
                end: None,
            });
        }
    }

    /// Restoration stops the running cycle, if any.
    fn restore(&mut self, at: Timestamp) {
        if let Some(cycle) = self.restorations.last_mut()
            && cycle.end.is_none()
        {
            cycle.end = Some(at);
        }
    }

    fn end_pause(&mut self, pause_start: &mut Option<Timestamp>, at: Timestamp) {
        if let Some(start) = pause_start.take() {
            self.pauses.push(Interval::new(start, at));
        }
    }

    /// The priority in force at an instant (the first priority applies from receipt).
    pub fn priority_at(&self, at: Timestamp) -> Option<Priority> {
        self.priorities
            .iter()
            .take_while(|(from, _)| *from <= at)
            .last()
            .or(self.priorities.first())
            .map(|&(_, p)| p)
    }
}
