//! Choosing which appends share a group commit.

use std::sync::mpsc::{Receiver, TryRecvError};

use super::writer::{AppendJob, MAX_BATCH_EVENTS, WriterMsg};

/// Gathers one group commit's appends as they arrive.
///
/// It takes everything already queued. If the syncer is still flushing an earlier commit, it
/// keeps the transaction open and goes on taking appends until the syncer is free: committing
/// earlier would not make anything durable sooner (the next `fdatasync` cannot start before
/// the current one ends), it would only write the same hot index pages to the WAL twice.
/// When the syncer is idle and nothing is queued, the batch is complete — a single writer is
/// never kept waiting.
pub struct Collector<'a> {
    pub(super) rx: &'a Receiver<WriterMsg>,
    /// Commits handed to the syncer and not yet reported synced.
    pub(super) in_flight: &'a mut usize,
    /// Set when the store asked the writer to stop.
    pub(super) closing: &'a mut bool,
    pub(super) events: usize,
    pub(super) first: Option<AppendJob>,
}

impl Collector<'_> {
    /// The next append for this batch, `None` when the batch is complete.
    pub fn next(&mut self) -> Option<AppendJob> {
        if let Some(job) = self.first.take() {
            return Some(self.take(job));
        }
        loop {
            if self.events >= MAX_BATCH_EVENTS || *self.closing {
                return None;
            }
            let msg = match self.rx.try_recv() {
                Ok(msg) => msg,
                Err(TryRecvError::Disconnected) => {
                    *self.closing = true;
                    return None;
                }
                Err(TryRecvError::Empty) if *self.in_flight == 0 => return None,
                Err(TryRecvError::Empty) => match self.rx.recv() {
                    Ok(msg) => msg,
                    Err(_) => {
                        *self.closing = true;
                        return None;
                    }
                },
            };
            match msg {
                WriterMsg::Append(job) => return Some(self.take(job)),
                WriterMsg::Synced(n) => *self.in_flight = self.in_flight.saturating_sub(n),
                WriterMsg::Close => *self.closing = true,
            }
        }
    }

    fn take(&mut self, job: AppendJob) -> AppendJob {
        self.events += job.events.len();
        job
    }
}
