//! Messages to the runner's task: rebuild, adopt a finished shadow copy, checkpoint, stop.

use std::sync::atomic::Ordering;

use ticketflow_store::Filter;
use tokio::sync::oneshot;

use super::error::ProjectionError;
use super::fold;
use super::handle::Shadow;
use super::pipeline::{Control, Flow, Pipeline};
use super::rebuild::{self, RebuildHandle, ShadowBuild};

impl Pipeline {
    /// Handles one message; `None` means every runner handle was dropped.
    pub(super) async fn handle(&mut self, msg: Option<Control>) -> Flow {
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
