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

use std::path::PathBuf;
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
use super::fold::{self, read_ahead};
use super::handle::{Shadow, Slot};
use super::progress::{ProjectionFailure, Status};
use super::rebuild::{self, Done, RebuildHandle, ShadowBuild};
use super::snapshot;

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
}

/// What to do after handling a message.
enum Flow {
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
                let first = page.first().map_or(0, |e| e.global_position);
                let span =
                    tracing::debug_span!("projection_batch", from = first, events = page.len());
                let _enter = span.enter();
                for event in &page {
                    self.apply(event);
                }
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
        match fold::decode(event) {
            Ok(decoded) => {
                for entry in self.entries.iter_mut().filter(|e| e.wants(position)) {
                    match fold::apply(entry.model.as_ref(), event, &decoded) {
                        Ok(()) => entry.advance(position),
                        Err(failure) => {
                            entry.tainted = true;
                            entry.fail(failure);
                        }
                    }
                }
            }
            Err(failure) => {
                for entry in self.entries.iter_mut().filter(|e| e.wants(position)) {
                    entry.fail(failure.clone());
                }
            }
        }
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

    /// Writes the checkpoints that are due by count (and by time when `timed`); a read model
    /// that just failed on an undecodable event gets its checkpoint before that event.
    async fn checkpoint_due(&mut self, timed: bool) {
        let policy = self.config.checkpoint;
        for index in 0..self.entries.len() {
            let e = &self.entries[index];
            let due = e.since_checkpoint > 0
                && !e.tainted
                && (e.failed
                    || e.since_checkpoint >= policy.every_events
                    || (timed && e.checkpointed_at.elapsed() >= policy.every));
            if due && let Err(error) = self.checkpoint(index, false).await {
                tracing::warn!(%error, "writing a projection checkpoint failed; retrying later");
            }
        }
    }

    /// Writes every checkpoint that is behind.
    async fn checkpoint_all(&mut self, force: bool) -> Result<(), ProjectionError> {
        let mut first_error = None;
        for index in 0..self.entries.len() {
            if let Err(e) = self.checkpoint(index, force).await {
                tracing::warn!(error = %e, "writing a projection checkpoint failed");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Writes one read model's snapshot with its position, unless nothing changed since the
    /// last one (or `force`), or its state is tainted.
    async fn checkpoint(&mut self, index: usize, force: bool) -> Result<(), ProjectionError> {
        let Some(entry) = self.entries.get_mut(index) else {
            return Ok(());
        };
        if entry.tainted || (entry.since_checkpoint == 0 && !force) {
            return Ok(());
        }
        let name = entry.status.name;
        let version = entry.status.version;
        let position = entry.position;
        let state = entry
            .model
            .snapshot()
            .map_err(|e| ProjectionError::Snapshot {
                name: name.to_owned(),
                reason: e.to_string(),
            })?;
        let dir: PathBuf = self.config.snapshot_dir.clone();
        tokio::task::spawn_blocking(move || snapshot::save(&dir, name, version, position, &state))
            .await
            .map_err(|e| ProjectionError::Stopped {
                reason: format!("the snapshot writer stopped: {e}"),
            })??;
        entry.since_checkpoint = 0;
        entry.checkpointed_at = Instant::now();
        entry.status.checkpoint.store(position, Ordering::Release);
        tracing::debug!(read_model = name, position, "projection checkpoint written");
        Ok(())
    }

    /// Handles one message; `None` means every runner handle was dropped.
    async fn handle(&mut self, msg: Option<Control>) -> Flow {
        match msg {
            None => Flow::Stop(None),
            Some(Control::Shutdown { reply }) => Flow::Stop(Some(reply)),
            Some(Control::Checkpoint { reply }) => {
                let _ = reply.send(self.checkpoint_all(false).await);
                Flow::Continue
            }
            Some(Control::Rebuild { name, reply }) => {
                let _ = reply.send(self.start_rebuild(&name));
                Flow::Continue
            }
            Some(Control::Adopt {
                index,
                shadow,
                position,
                done,
            }) => {
                let result = self.adopt(index, shadow, position).await;
                if let Err(e) = &result {
                    self.rebuild_ended(index, Some(e.to_string()));
                }
                let _ = done.send(result);
                Flow::Continue
            }
            Some(Control::ShadowFailed { index, error, done }) => {
                tracing::warn!(%error, "online rebuild stopped");
                self.rebuild_ended(index, Some(error.to_string()));
                let _ = done.send(Err(error));
                Flow::Continue
            }
        }
    }

    fn start_rebuild(&mut self, name: &str) -> Result<RebuildHandle, ProjectionError> {
        let known = || {
            self.entries
                .iter()
                .map(|e| e.status.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(index) = self.entries.iter().position(|e| e.status.name == name) else {
            return Err(ProjectionError::UnknownReadModel {
                name: name.to_owned(),
                known: known(),
            });
        };
        let control = self
            .control_tx
            .upgrade()
            .ok_or_else(ProjectionError::stopped)?;
        let entry = &mut self.entries[index];
        let status = entry.status.clone();
        if let Some(failure) = status.inner.lock().failure.clone() {
            return Err(ProjectionError::Failed {
                name: status.name,
                failure,
            });
        }
        if entry.rebuild.is_some() {
            return Err(ProjectionError::AlreadyRebuilding {
                name: status.name,
                shadow_position: status.shadow_position.load(Ordering::Acquire),
            });
        }
        let shadow = entry.slot.fresh()?;
        status.shadow_position.store(0, Ordering::Release);
        {
            let mut inner = status.inner.lock();
            inner.rebuilding = true;
            inner.shadow_rate.reset(0);
        }
        let (done, finished) = oneshot::channel();
        let build = ShadowBuild {
            store: self.store.clone(),
            shadow,
            page_size: self.config.page_size,
            status: status.clone(),
            index,
            control,
            done,
        };
        entry.rebuild = Some(tokio::spawn(rebuild::run(build)).abort_handle());
        tracing::info!(read_model = status.name, "online rebuild started");
        Ok(RebuildHandle::new(status.name, finished))
    }

    /// Brings a shadow that reached `position` up to the current copy's position and swaps
    /// it in, between two live events.
    async fn adopt(
        &mut self,
        index: usize,
        shadow: Shadow,
        mut position: u64,
    ) -> Result<u64, ProjectionError> {
        let page_size = self.config.page_size.max(1);
        let Some(entry) = self.entries.get(index) else {
            return Err(ProjectionError::stopped());
        };
        let name = entry.status.name;
        if let Some(failure) = entry.status.inner.lock().failure.clone() {
            return Err(ProjectionError::Failed { name, failure });
        }
        let target = entry.position;
        while position < target {
            let page = self
                .store
                .read_all(position + 1, &Filter::all(), page_size)
                .await?;
            if page.is_empty() {
                break;
            }
            for event in page.iter().take_while(|e| e.global_position <= target) {
                fold::fold_one(shadow.model.as_ref(), event)
                    .map_err(|failure| ProjectionError::RebuildFailed { name, failure })?;
                position = event.global_position;
            }
        }
        let entry = &mut self.entries[index];
        entry.model = shadow.model.clone();
        shadow.install();
        entry.position = entry.position.max(position);
        entry.tainted = false;
        entry.rebuild = None;
        entry
            .status
            .position
            .store(entry.position, Ordering::Release);
        self.rebuild_ended(index, None);
        self.checkpoint(index, true).await?;
        tracing::info!(read_model = name, position, "online rebuild swapped in");
        let entry = &self.entries[index];
        Ok(entry.position)
    }

    fn rebuild_ended(&mut self, index: usize, error: Option<String>) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.rebuild = None;
            let mut inner = entry.status.inner.lock();
            inner.rebuilding = false;
            inner.rate.reset(entry.position);
            if error.is_some() {
                inner.last_rebuild_error = error;
            }
        }
    }
}
