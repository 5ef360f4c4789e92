//! Checkpoints: when the runner's task writes a read model's snapshot with its position.
//!
//! The task snapshots a read model between two events, so the state and the position match
//! exactly; the file is then written on the blocking pool and the task waits for it, so two
//! writes of one read model never race.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::error::ProjectionError;
use super::pipeline::Pipeline;
use super::snapshot;

impl Pipeline {
    /// Writes the checkpoints that are due by count (and by time when `timed`); a read model
    /// that just failed on an undecodable event gets its checkpoint before that event.
    pub(super) async fn checkpoint_due(&mut self, timed: bool) {
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
    pub(super) async fn checkpoint_all(&mut self, force: bool) -> Result<(), ProjectionError> {
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
    pub(super) async fn checkpoint(
        &mut self,
        index: usize,
        force: bool,
    ) -> Result<(), ProjectionError> {
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
}
