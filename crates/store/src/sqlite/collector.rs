//! Choosing which appends share a group commit.

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::writer::{AppendJob, MAX_BATCH_EVENTS};

/// Gathers one group commit's appends as they arrive.
///
/// It takes everything already queued and then, for a short bounded time, waits for the
/// callers the previous commit answered: under steady concurrent load they come straight
/// back with their next append, and without the wait the writers split into two half-size
/// groups that alternate, paying twice the fsyncs. Callers are recognised by their tokio
/// task id; a single writer is never waited for (it is already back when the batch starts),
/// and the wait never exceeds half the previous commit's duration or [`MAX_LINGER`].
pub struct Collector<'a> {
    pub(super) rx: &'a Receiver<AppendJob>,
    pub(super) returning: HashSet<tokio::task::Id>,
    pub(super) deadline: Instant,
    pub(super) events: usize,
    pub(super) first: Option<AppendJob>,
}

/// The longest a batch waits for returning callers.
pub const MAX_LINGER: Duration = Duration::from_micros(300);

impl Collector<'_> {
    /// The next append for this batch, `None` when the batch is complete.
    pub fn next(&mut self) -> Option<AppendJob> {
        if let Some(job) = self.first.take() {
            return Some(self.take(job));
        }
        if self.events >= MAX_BATCH_EVENTS {
            return None;
        }
        match self.rx.try_recv() {
            Ok(job) => Some(self.take(job)),
            Err(TryRecvError::Disconnected) => None,
            Err(TryRecvError::Empty) => {
                let now = Instant::now();
                if self.returning.is_empty() || now >= self.deadline {
                    return None;
                }
                let job = self.rx.recv_timeout(self.deadline - now).ok()?;
                Some(self.take(job))
            }
        }
    }

    fn take(&mut self, job: AppendJob) -> AppendJob {
        if let Some(caller) = job.caller {
            self.returning.remove(&caller);
        }
        self.events += job.events.len();
        job
    }
}
