//! Setting up and operating the runner: register read models, start, observe, rebuild, stop.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use parking_lot::Mutex;
use ticketflow_projections::ReadModel;
use ticketflow_store::EventStore;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::config::RunnerConfig;
use super::error::ProjectionError;
use super::fold::panic_message;
use super::handle::{ProjectionHandle, Slot, slot};
use super::pipeline::{Control, Entry, Pipeline};
use super::progress::{Progress, RebuildReason, StartOutcome, Status};
use super::rebuild::RebuildHandle;
use super::snapshot::{self, Found};

/// Collects the read models before the runner starts.
pub struct ProjectionRunnerBuilder {
    store: Arc<dyn EventStore>,
    config: RunnerConfig,
    slots: Vec<Box<dyn Slot>>,
}

impl std::fmt::Debug for ProjectionRunnerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectionRunnerBuilder")
            .field("config", &self.config)
            .field(
                "read_models",
                &self
                    .slots
                    .iter()
                    .map(|s| s.status().name)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ProjectionRunnerBuilder {
    /// A runner over `store`, keeping snapshots where `config` says.
    pub fn new(store: Arc<dyn EventStore>, config: RunnerConfig) -> Self {
        ProjectionRunnerBuilder {
            store,
            config,
            slots: Vec::new(),
        }
    }

    /// Registers a read model by its factory, which builds an empty instance: once now, and
    /// again for every online rebuild. The handle answers queries with the concrete type.
    pub fn register<T: ReadModel>(
        &mut self,
        factory: impl Fn() -> T + Send + Sync + 'static,
    ) -> Result<ProjectionHandle<T>, ProjectionError> {
        let (slot, handle) = slot::<T>(Box::new(move || Some(Arc::new(factory()))), |model| {
            model as Arc<dyn ReadModel>
        })?;
        self.add(slot)?;
        Ok(handle)
    }

    /// Registers a read model known only as `dyn ReadModel` (e.g. from a registry of all
    /// read models); the factory must build a fresh, empty instance on every call.
    pub fn register_dyn(
        &mut self,
        factory: impl Fn() -> Arc<dyn ReadModel> + Send + Sync + 'static,
    ) -> Result<ProjectionHandle<dyn ReadModel>, ProjectionError> {
        let (slot, handle) =
            slot::<dyn ReadModel>(Box::new(move || Some(factory())), |model| model)?;
        self.add(slot)?;
        Ok(handle)
    }

    /// Registers every read model of a registry that builds them all at once (such as the
    /// product's list of read models). The registry is called once now and, for each online
    /// rebuild, again to build the one read model being rebuilt; handles come back in the
    /// registry's order.
    pub fn register_all(
        &mut self,
        registry: impl Fn() -> Vec<Arc<dyn ReadModel>> + Send + Sync + 'static,
    ) -> Result<Vec<ProjectionHandle<dyn ReadModel>>, ProjectionError> {
        let registry = Arc::new(registry);
        let mut handles = Vec::new();
        for first in registry() {
            let name = first.name();
            let registry = registry.clone();
            // The first instance is the one just built; later calls build fresh ones.
            let first = Mutex::new(Some(first));
            let factory = move || {
                first
                    .lock()
                    .take()
                    .or_else(|| registry().into_iter().find(|m| m.name() == name))
            };
            let (slot, handle) = slot::<dyn ReadModel>(Box::new(factory), |model| model)?;
            self.add(slot)?;
            handles.push(handle);
        }
        Ok(handles)
    }

    fn add(&mut self, slot: Box<dyn Slot>) -> Result<(), ProjectionError> {
        let name = slot.status().name;
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(ProjectionError::InvalidName {
                name: name.to_owned(),
            });
        }
        if self.slots.iter().any(|s| s.status().name == name) {
            return Err(ProjectionError::DuplicateName { name });
        }
        self.slots.push(slot);
        Ok(())
    }

    /// Restores every read model from its snapshot (or decides to rebuild it, with a
    /// warning saying why) and starts following the log in a background task.
    ///
    /// Must be called inside a Tokio runtime.
    pub async fn start(self) -> Result<ProjectionRunner, ProjectionError> {
        let ProjectionRunnerBuilder {
            store,
            config,
            slots,
        } = self;
        let log_position = store.last_position().await?;
        let dir = config.snapshot_dir.clone();
        let slots = tokio::task::spawn_blocking(move || -> Result<_, ProjectionError> {
            std::fs::create_dir_all(&dir)
                .map_err(|e| ProjectionError::io("create the snapshot directory", &dir, e))?;
            for slot in &slots {
                restore(slot.as_ref(), &dir, log_position)?;
            }
            Ok(slots)
        })
        .await
        .map_err(|e| ProjectionError::Stopped {
            reason: format!("restoring snapshots stopped: {e}"),
        })??;

        let statuses: Vec<Arc<Status>> = slots.iter().map(|s| s.status().clone()).collect();
        let entries: Vec<Entry> = slots.into_iter().map(Entry::new).collect();
        let start = entries.iter().map(|e| e.position).min().unwrap_or(0);
        let (control_tx, control) = mpsc::unbounded_channel();
        let (reached_tx, reached) = watch::channel(start);
        let pipeline = Pipeline {
            store: store.clone(),
            config,
            entries,
            control,
            control_tx: control_tx.downgrade(),
            reached: reached_tx,
            read_position: start,
            last_tick: Instant::now(),
        };
        let task = tokio::spawn(pipeline.run());
        Ok(ProjectionRunner {
            inner: Arc::new(Shared {
                control: control_tx,
                store,
                statuses,
                reached,
                task: Mutex::new(Some(task)),
            }),
        })
    }
}

/// Restores one read model from its snapshot, or resets it for a rebuild from position 0.
fn restore(slot: &dyn Slot, dir: &Path, log_position: u64) -> Result<(), ProjectionError> {
    let status = slot.status();
    let rebuild = |reason: RebuildReason| {
        tracing::warn!(
            read_model = status.name,
            %reason,
            "rebuilding the read model from position 0"
        );
        StartOutcome::Rebuilt { reason }
    };
    let started = match snapshot::load(dir, status.name, status.version) {
        Found::Missing => StartOutcome::Fresh,
        Found::OtherVersion { found } => rebuild(RebuildReason::VersionChanged {
            snapshot: found,
            current: status.version,
        }),
        Found::Unusable(reason) => rebuild(RebuildReason::Unusable { reason }),
        Found::Snapshot { position, .. } if position > log_position => {
            rebuild(RebuildReason::AheadOfLog {
                snapshot: position,
                log: log_position,
            })
        }
        Found::Snapshot { position, state } => {
            let model = slot.current();
            let restored =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model.restore(&state)));
            let refused = match restored {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(panic) => Some(format!(
                    "restoring panicked: {}",
                    panic_message(panic.as_ref())
                )),
            };
            match refused {
                None => StartOutcome::Resumed { position },
                Some(reason) => {
                    // The instance may hold part of the snapshot: start over with a new one.
                    slot.fresh()?.install();
                    rebuild(RebuildReason::RestoreFailed { reason })
                }
            }
        }
    };
    let position = match started {
        StartOutcome::Resumed { position } => position,
        _ => 0,
    };
    status.position.store(position, Ordering::Release);
    status.checkpoint.store(position, Ordering::Release);
    status.inner.lock().started = started;
    Ok(())
}

/// The running projection runner. Cloning is cheap; every clone controls the same runner.
///
/// Dropping every clone stops the runner after writing its checkpoints, but prefer
/// [`ProjectionRunner::shutdown`], which reports whether they were written.
#[derive(Clone)]
pub struct ProjectionRunner {
    inner: Arc<Shared>,
}

struct Shared {
    control: mpsc::UnboundedSender<Control>,
    store: Arc<dyn EventStore>,
    statuses: Vec<Arc<Status>>,
    reached: watch::Receiver<u64>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for ProjectionRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectionRunner")
            .field(
                "read_models",
                &self
                    .inner
                    .statuses
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ProjectionRunner {
    /// Every read model's position, lag, events/s and state, against the log's current end.
    pub async fn progress(&self) -> Result<Vec<Progress>, ProjectionError> {
        let log_position = self.inner.store.last_position().await?;
        Ok(self
            .inner
            .statuses
            .iter()
            .map(|s| s.progress(log_position))
            .collect())
    }

    /// Starts an online rebuild of the named read model: a fresh copy folds the log from
    /// position 0 in the background and is swapped in once it has caught up, while queries
    /// keep being answered from the current copy.
    pub async fn rebuild(&self, name: &str) -> Result<RebuildHandle, ProjectionError> {
        self.ask(|reply| Control::Rebuild {
            name: name.to_owned(),
            reply,
        })
        .await
    }

    /// Writes every checkpoint that is behind now (e.g. before a backup).
    pub async fn checkpoint(&self) -> Result<(), ProjectionError> {
        self.ask(|reply| Control::Checkpoint { reply }).await
    }

    /// Waits until every working (not failed) read model reflects the event at `position`,
    /// e.g. to read one's own write. Answers at once when they already do.
    pub async fn wait_for(&self, position: u64) -> Result<(), ProjectionError> {
        let mut reached = self.inner.reached.clone();
        reached
            .wait_for(|p| *p >= position)
            .await
            .map(|_| ())
            .map_err(|_| ProjectionError::stopped())
    }

    /// Stops following the log and writes every checkpoint; answers whether they were
    /// written. Later calls (and calls on other clones) answer that the runner stopped.
    pub async fn shutdown(&self) -> Result<(), ProjectionError> {
        let result = self.ask(|reply| Control::Shutdown { reply }).await;
        let task = self.inner.task.lock().take();
        if let Some(task) = task {
            let _ = task.await;
        }
        result
    }

    async fn ask<T>(
        &self,
        message: impl FnOnce(oneshot::Sender<Result<T, ProjectionError>>) -> Control,
    ) -> Result<T, ProjectionError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .control
            .send(message(reply))
            .map_err(|_| ProjectionError::stopped())?;
        answer
            .await
            .unwrap_or_else(|_| Err(ProjectionError::stopped()))
    }
}
