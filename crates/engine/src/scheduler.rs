//! The scheduler: issues the due work of the [`DueWorkView`] when its time comes.
//!
//! The scheduler keeps no state that matters across restarts: on [`Scheduler::start`] it
//! rebuilds the due-work view from the store, and every command it issues carries the
//! idempotency key of its [`DueWork`]. So after a crash — even one between recording a
//! timer's events and noticing it — the worst that happens is that an item is offered again
//! and the engine answers the recorded outcome.
//!
//! Time order: the scheduler always issues the *earliest* due item next, then folds what that
//! command recorded into the view before choosing again. When a [`SimulatedClock`] jumps
//! ahead by months ([`Scheduler::advance_to`]), the clock is stepped to each item's due time
//! before the item is issued, so each decision sees the time it would have seen live, and a
//! fired command that schedules new timers due before the jump's end gets them fired too, in
//! order.
//!
//! A refused item (e.g. a delivered ticket that had already left `Delivery Pending`) is
//! recorded in the [`Fired`] list as handled and not offered again by this scheduler; the
//! view drops such items on its own as soon as the log makes them moot.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use ticketflow_events::{Actor, Timestamp};

use crate::clock::SimulatedClock;
use crate::command::{CommandError, CommandOptions, CommandOutcome, Engine};
use crate::due_work::{DueWork, DueWorkError, DueWorkView};

/// Why the scheduler stopped.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// The due-work view could not follow the log.
    #[error(transparent)]
    View(#[from] DueWorkError),
    /// A command failed for a reason other than a refusal (store, codec, endless conflicts);
    /// the work stays due and is offered again on the next run.
    #[error("the scheduler could not issue `{key}`: {source}")]
    Command {
        /// The work's idempotency key.
        key: String,
        /// What the engine said.
        source: CommandError,
    },
}

/// What became of one piece of due work.
#[derive(Debug)]
pub enum FireResult {
    /// The command was recorded now (or, on a replay, had been recorded before).
    Recorded(CommandOutcome),
    /// The aggregate refused; the work counts as handled.
    Refused(CommandError),
}

/// One piece of due work the scheduler issued.
#[derive(Debug)]
pub struct Fired {
    /// The work.
    pub work: DueWork,
    /// The business time it was issued at.
    pub at: Timestamp,
    /// What became of it.
    pub result: FireResult,
}

/// Issues due work through an [`Engine`].
#[derive(Debug)]
pub struct Scheduler {
    engine: Engine,
    view: DueWorkView,
    handled: HashSet<String>,
    actor: Actor,
}

impl Scheduler {
    /// A scheduler over `engine`, with its view rebuilt from the store.
    pub async fn start(engine: Engine) -> Result<Self, SchedulerError> {
        let mut scheduler = Scheduler {
            view: DueWorkView::new(engine.config().clone()),
            engine,
            handled: HashSet::new(),
            actor: Actor::system("scheduler"),
        };
        scheduler.catch_up().await?;
        Ok(scheduler)
    }

    /// The due-work view as of the last catch-up.
    pub fn view(&self) -> &DueWorkView {
        &self.view
    }

    /// The engine the scheduler issues commands through.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Folds the events recorded since the last catch-up into the view.
    pub async fn catch_up(&mut self) -> Result<usize, SchedulerError> {
        Ok(self.view.catch_up(self.engine.store().as_ref()).await?)
    }

    /// The earliest due work not yet handled, due at or before `until`.
    fn next(&mut self, until: Timestamp) -> Option<DueWork> {
        // Forget handled keys the view no longer offers, so the set stays small.
        let view = &self.view;
        self.handled.retain(|k| view.offers(k));
        view.iter()
            .take_while(|w| w.due_at <= until)
            .find(|w| !self.handled.contains(&w.key))
            .cloned()
    }

    /// Issues everything due at the engine clock's current time, earliest first, including
    /// work that the issued commands make due.
    pub async fn fire_due(&mut self) -> Result<Vec<Fired>, SchedulerError> {
        let mut fired = Vec::new();
        loop {
            self.catch_up().await?;
            let Some(work) = self.next(self.engine.now()) else {
                return Ok(fired);
            };
            fired.push(self.issue(work).await?);
        }
    }

    /// Moves `clock` forwards to `until`, issuing every piece of work that falls due on the
    /// way at its own due time, in time order. The clock ends at `until` (or stays where it
    /// is if that is later).
    pub async fn advance_to(
        &mut self,
        clock: &SimulatedClock,
        until: Timestamp,
    ) -> Result<Vec<Fired>, SchedulerError> {
        let mut fired = Vec::new();
        loop {
            self.catch_up().await?;
            let Some(work) = self.next(until) else {
                break;
            };
            if work.due_at > clock_now(clock) {
                clock.set(work.due_at);
            }
            fired.push(self.issue(work).await?);
        }
        if until > clock_now(clock) {
            clock.set(until);
        }
        Ok(fired)
    }

    /// Runs as a background service until `shutdown` completes: fires what is due, then sleeps
    /// until the next item falls due or `poll` has passed (new events written by others are
    /// noticed at the next poll), and again. For production with a [`crate::SystemClock`].
    pub async fn run_until<F>(&mut self, poll: Duration, shutdown: F) -> Result<(), SchedulerError>
    where
        F: Future<Output = ()>,
    {
        tokio::pin!(shutdown);
        loop {
            for fired in self.fire_due().await? {
                tracing::info!(key = %fired.work.key, at = %fired.at, "due work issued");
            }
            let now = self.engine.now();
            let wait = self
                .view
                .iter()
                .find(|w| !self.handled.contains(&w.key))
                .map_or(poll, |w| {
                    (w.due_at - now)
                        .to_std()
                        .unwrap_or(Duration::ZERO)
                        .min(poll)
                });
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Issues one piece of work with its derived idempotency key.
    async fn issue(&mut self, work: DueWork) -> Result<Fired, SchedulerError> {
        let options = CommandOptions {
            expected_version: None,
            idempotency_key: Some(work.key.clone()),
            correlation_id: work.correlation_id,
            causation_id: work.causation_id,
        };
        let at = self.engine.now();
        let result = match self
            .engine
            .execute(&work.command, &self.actor, &options)
            .await
        {
            Ok(outcome) => FireResult::Recorded(outcome),
            Err(e @ CommandError::Refused { .. }) => {
                tracing::info!(key = %work.key, reason = %e, "due work refused; counted as handled");
                FireResult::Refused(e)
            }
            Err(source) => {
                return Err(SchedulerError::Command {
                    key: work.key,
                    source,
                });
            }
        };
        self.handled.insert(work.key.clone());
        Ok(Fired { work, at, result })
    }
}

fn clock_now(clock: &SimulatedClock) -> Timestamp {
    use crate::clock::Clock;
    clock.now()
}
