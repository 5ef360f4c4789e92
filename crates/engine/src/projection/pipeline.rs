//! The runner's task: the one place that applies events to the current copies.
//!
//! It starts at the lowest checkpoint among the read models, reads the log in pages until it
//! reaches the end (catching up), then follows it live through `subscribe_all`. Each event is
//! decoded once and applied, in global-position order, to every read model whose position is
//! below it — so read models restored from different checkpoints converge without any event
//! being applied twice.
//!
//! # When an event cannot be folded
//!
//! * **Undecodable** (unknown type, newer schema, damaged payload): every read model that
//!   needs the event is marked failed with its position, type and the codec's reason, and its
//!   checkpoint is written at the position *before* the event. It keeps answering queries
//!   from that state and applies nothing more, because skipping an event would leave it
//!   silently wrong. After an upgrade, a restart resumes from that checkpoint.
//! * **A read model panics** in `apply`: only that read model fails; its state may hold half
//!   the event, so it is never snapshotted again and a restart resumes from its last
//!   checkpoint. The other read models carry on.
//!
//! Failed read models cannot be rebuilt online (the same event would stop the rebuild); the
//! cure is a fix and a restart.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use ticketflow_events::RecordedEvent;
use ticketflow_projections::ReadModel;
use ticketflow_store::{EventStore, Filter, StoreError};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::AbortHandle;
use tokio::time::MissedTickBehavior;

use super::config::RunnerConfig;
use super::error::ProjectionError;
use super::fold::{self, Decoding};
use super::handle::{Shadow, Slot};
use super::parallel;
use super::progress::{ProjectionFailure, Status};
use super::read_ahead::{PageEvent, read_ahead};
use super::rebuild::{Done, RebuildHandle};

/// A reply channel.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, ProjectionError>>;

/// Messages to the runner's task.
pub(crate) enum Control {
    /// Start an online rebuild of the named read model.
    Rebuild {
        name: String,
        reply: Reply<RebuildHandle>,
    },
    /// A shadow copy reached the end of the log at `position`: swap it in.
    Adopt {
        index: usize,
        shadow: Shadow,
        position: u64,
        done: Done,
    },
    /// A shadow copy stopped.
    ShadowFailed {
        index: usize,
        error: ProjectionError,
        done: Done,
    },
    /// Write every checkpoint that is behind now.
    Checkpoint { reply: Reply<()> },
    /// Write every checkpoint and stop.
    Shutdown { reply: Reply<()> },
}

/// One registered read model as the task sees it.
pub(crate) struct Entry {
    pub slot: Box<dyn Slot>,
    pub model: Arc<dyn ReadModel>,
    pub status: Arc<Status>,
    pub position: u64,
    pub since_checkpoint: u64,
    pub checkpointed_at: Instant,
    pub failed: bool,
    /// The state may hold half an event (apply panicked): it must never be snapshotted.
    pub tainted: bool,
    pub rebuild: Option<AbortHandle>,
    /// How long folding the last big page took this read model: the bigger ones are handed
    /// out first when a page is folded on two threads.
    pub page_cost: Duration,
}

impl Entry {
    pub fn new(slot: Box<dyn Slot>) -> Self {
        let status = slot.status().clone();
        Entry {
            model: slot.current(),
            position: status.position(),
            status,
            slot,
            since_checkpoint: 0,
            checkpointed_at: Instant::now(),
            failed: false,
            tainted: false,
            rebuild: None,
            page_cost: Duration::ZERO,
        }
    }

    fn wants(&self, position: u64) -> bool {
        !self.failed && self.position < position
    }

    fn advance(&mut self, position: u64) {
        self.position = position;
        self.since_checkpoint += 1;
        self.status.position.store(position, Ordering::Release);
    }

    fn fail(&mut self, failure: ProjectionFailure) {
        tracing::error!(read_model = self.status.name, %failure, "read model stopped");
        self.failed = true;
        self.status.inner.lock().failure = Some(failure);
    }

    /// Folds one event in if this read model works and has not seen it: a failed decoding
    /// stops it, and so does a panic in `apply` (which leaves the state tainted).
    pub fn fold(&mut self, envelope: &RecordedEvent, decoding: &Decoding) {
        let position = envelope.global_position;
        if !self.wants(position) {
            return;
        }
        match decoding {
            Ok(decoded) => match fold::apply(self.model.as_ref(), envelope, decoded) {
                Ok(()) => self.advance(position),
                Err(failure) => {
                    self.tainted = true;
                    self.fail(failure);
                }
            },
            Err(failure) => self.fail(failure.clone()),
        }
    }
}

/// Pages of at least this many events are applied on two threads.
const PARALLEL_PAGE: usize = 256;

/// What to do after handling a message.
pub(super) enum Flow {
    Continue,
    Stop(Option<Reply<()>>),
}

/// The runner's task.
pub(crate) struct Pipeline {
    pub store: Arc<dyn EventStore>,
    pub config: RunnerConfig,
    pub entries: Vec<Entry>,
    pub control: mpsc::UnboundedReceiver<Control>,
    pub control_tx: mpsc::WeakUnboundedSender<Control>,
    pub reached: watch::Sender<u64>,
    /// The last position the task has seen (applied to someone, or needed by no one).
    pub read_position: u64,
    pub last_tick: Instant,
}

impl Pipeline {
    /// Runs until shut down, then writes every checkpoint.
    pub async fn run(mut self) {
        let reply = self.follow().await;
        for entry in &mut self.entries {
            if let Some(rebuild) = entry.rebuild.take() {
                rebuild.abort();
            }
        }
        let result = self.checkpoint_all(false).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "final projection checkpoints failed");
        }
        if let Some(reply) = reply {
            let _ = reply.send(result);
        }
    }

    /// Catches up, then follows the log live; on store errors waits and starts again from
    /// the checkpoints in memory. Returns when asked to stop.
    async fn follow(&mut self) -> Option<Reply<()>> {
        loop {
            match self.catch_up().await {
                Ok(Flow::Stop(reply)) => return reply,
                Ok(Flow::Continue) => {}
                Err(e) => match self.after_store_error(e).await {
                    Flow::Stop(reply) => return reply,
                    Flow::Continue => continue,
                },
            }
            self.set_live(true);
            let mut live = self.store.subscribe_all(self.read_position, Filter::all());
            let mut tick = tokio::time::interval(self.config.progress_interval);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let error = loop {
                tokio::select! {
                    biased;
                    msg = self.control.recv() => {
                        if let Flow::Stop(reply) = self.handle(msg).await {
                            return reply;
                        }
                    }
                    event = live.next_event() => match event {
                        Some(Ok(event)) => {
                            self.apply(&event);
                            self.publish();
                            self.checkpoint_due(false).await;
                        }
                        Some(Err(e)) => break e,
                        None => break StoreError::Closed { reason: "the subscription ended".to_owned() },
                    },
                    _ = tick.tick() => self.tick().await,
                }
            };
            self.set_live(false);
            if let Flow::Stop(reply) = self.after_store_error(error).await {
                return reply;
            }
        }
    }

    /// Logs a store error and waits a moment (still answering messages) before retrying; a
    /// closed store stops the runner.
    async fn after_store_error(&mut self, error: StoreError) -> Flow {
        if matches!(error, StoreError::Closed { .. }) {
            tracing::warn!(%error, "the event store closed; the projection runner stops");
            return Flow::Stop(None);
        }
        tracing::warn!(%error, "reading the event log failed; retrying in a second");
        let pause = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(pause);
        loop {
            tokio::select! {
                msg = self.control.recv() => {
                    if let Flow::Stop(reply) = self.handle(msg).await {
                        return Flow::Stop(reply);
                    }
                }
                _ = &mut pause => return Flow::Continue,
            }
        }
    }

    /// Reads recorded events in pages from the lowest position any read model needs until
    /// the end of the log.
    async fn catch_up(&mut self) -> Result<Flow, StoreError> {
        let from = self
            .entries
            .iter()
            .filter(|e| !e.failed)
            .map(|e| e.position)
            .min()
            .unwrap_or(self.read_position);
        self.read_position = from;
        let (mut pages, reader) = read_ahead(self.store.clone(), from + 1, self.config.page_size);
        while let Some(page) = pages.recv().await {
            let page = page?;
            if page.len() < self.config.page_size.max(1) {
                // The end of the log: live from here on, before anyone is told the position.
                self.set_live(true);
            }
            {
                let first = page.first().map_or(0, |e| e.envelope.global_position);
                let span =
                    tracing::debug_span!("projection_batch", from = first, events = page.len());
                let _enter = span.enter();
                self.apply_page(&page);
            }
            self.publish();
            self.checkpoint_due(false).await;
            while let Ok(msg) = self.control.try_recv() {
                if let Flow::Stop(reply) = self.handle(Some(msg)).await {
                    reader.abort();
                    return Ok(Flow::Stop(reply));
                }
            }
            if self.last_tick.elapsed() >= self.config.progress_interval {
                self.tick().await;
            }
        }
        Ok(Flow::Continue)
    }

    fn set_live(&self, live: bool) {
        for entry in &self.entries {
            entry.status.inner.lock().live = live;
        }
    }

    /// Decodes `event` once and applies it to every read model that has not seen it.
    fn apply(&mut self, event: &RecordedEvent) {
        let position = event.global_position;
        self.read_position = self.read_position.max(position);
        if !self.entries.iter().any(|e| e.wants(position)) {
            return;
        }
        let decoding = fold::decode(event);
        for entry in &mut self.entries {
            entry.fold(event, &decoding);
        }
    }

    /// Applies a page of the log, decoded ahead. A big page with several read models is
    /// folded on two threads (see [`parallel::fold_page`]): each read model still sees every
    /// event it needs exactly once and in position order, and read models never share state,
    /// so the outcome (positions, failures, states) is the one event by event gives. Small
    /// pages (live) stay on one thread, where starting a thread would cost more than it saves.
    fn apply_page(&mut self, page: &[PageEvent]) {
        let Some(last) = page.last() else {
            return;
        };
        self.read_position = self.read_position.max(last.envelope.global_position);
        if page.len() < PARALLEL_PAGE || self.entries.len() < 2 {
            for event in page {
                for entry in &mut self.entries {
                    entry.fold(&event.envelope, &event.decoding);
                }
            }
            return;
        }
        parallel::fold_page(&mut self.entries, page);
    }

    /// Publishes the position every working read model has reached, for `wait_for`.
    fn publish(&self) {
        let reached = self
            .entries
            .iter()
            .filter(|e| !e.failed)
            .map(|e| e.position)
            .min()
            .unwrap_or(self.read_position);
        self.reached.send_if_modified(|v| {
            let changed = *v != reached;
            *v = reached;
            changed
        });
    }

    /// Samples events/s and writes the checkpoints that are due by time.
    async fn tick(&mut self) {
        self.last_tick = Instant::now();
        for entry in &self.entries {
            entry.status.sample();
        }
        self.checkpoint_due(true).await;
    }
}
