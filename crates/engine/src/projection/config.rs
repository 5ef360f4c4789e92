//! How a runner is set up: where snapshots live, how often checkpoints are written and how
//! the log is read.

use std::path::PathBuf;
use std::time::Duration;

/// When a read model's checkpoint (its snapshot and the position it reflects) is written.
///
/// Writing a snapshot serialises the whole read model and fsyncs a file, so it is done in
/// batches: after `every_events` applied events or after `every` has passed with at least one
/// event applied, whichever comes first, and always on shutdown. A restart re-applies at most
/// the events since the last checkpoint, which bounds the work a crash costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Write a checkpoint once this many events were applied since the last one (default 50,000).
    pub every_events: u64,
    /// Write a checkpoint once this much time has passed since the last one and at least one
    /// event was applied (default 10 seconds).
    pub every: Duration,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        CheckpointPolicy {
            every_events: 50_000,
            every: Duration::from_secs(10),
        }
    }
}

/// Everything a [`super::ProjectionRunnerBuilder`] needs besides the store and the read models.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// The directory holding one snapshot file per read model (`<name>.snapshot`). Created if
    /// missing. Give every runner its own directory.
    pub snapshot_dir: PathBuf,
    /// When checkpoints are written.
    pub checkpoint: CheckpointPolicy,
    /// How many events are read from the store per page while catching up or rebuilding
    /// (default 4096). Bigger pages mean fewer round trips and more memory.
    pub page_size: usize,
    /// How often events/s figures are sampled and time-based checkpoints are considered
    /// (default 1 second).
    pub progress_interval: Duration,
}

impl RunnerConfig {
    /// The defaults, with snapshots in `snapshot_dir`.
    pub fn new(snapshot_dir: impl Into<PathBuf>) -> Self {
        RunnerConfig {
            snapshot_dir: snapshot_dir.into(),
            checkpoint: CheckpointPolicy::default(),
            page_size: 4096,
            progress_interval: Duration::from_secs(1),
        }
    }

    /// The same configuration with another checkpoint policy.
    pub fn with_checkpoint(mut self, checkpoint: CheckpointPolicy) -> Self {
        self.checkpoint = checkpoint;
        self
    }
}
