//! What an operator sees of each read model: position, lag, events/s and state.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use parking_lot::Mutex;

/// Why a read model (or its shadow copy) stopped folding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionFailure {
    /// The payload of an event could not be decoded (unknown type, newer schema, damage).
    #[error(
        "the event at global position {position} (type `{event_type}`) cannot be decoded: {reason}"
    )]
    Undecodable {
        /// The event's global position.
        position: u64,
        /// The event's type name as recorded.
        event_type: String,
        /// What the codec said.
        reason: String,
    },
    /// The read model panicked while applying an event (a bug in the read model).
    #[error(
        "applying the event at global position {position} (type `{event_type}`) panicked: {message}"
    )]
    Panicked {
        /// The event's global position.
        position: u64,
        /// The event's type name.
        event_type: String,
        /// The panic message.
        message: String,
    },
}

impl ProjectionFailure {
    /// The global position of the event that could not be folded.
    pub fn position(&self) -> u64 {
        match self {
            ProjectionFailure::Undecodable { position, .. }
            | ProjectionFailure::Panicked { position, .. } => *position,
        }
    }
}

/// Why a read model was rebuilt from position 0 when the runner started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildReason {
    /// The snapshot was written by another version of the read model.
    VersionChanged {
        /// The version in the snapshot.
        snapshot: u32,
        /// The read model's version now.
        current: u32,
    },
    /// The snapshot file is damaged or cannot be read.
    Unusable {
        /// What is wrong with it.
        reason: String,
    },
    /// The snapshot reflects events the log does not have (e.g. the store was restored from
    /// an older backup than the snapshots).
    AheadOfLog {
        /// The snapshot's checkpoint.
        snapshot: u64,
        /// The last position in the log.
        log: u64,
    },
    /// The read model refused its own snapshot.
    RestoreFailed {
        /// What the read model said.
        reason: String,
    },
}

impl std::fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RebuildReason::VersionChanged { snapshot, current } => write!(
                f,
                "the snapshot was written by version {snapshot}, the read model is now version {current}"
            ),
            RebuildReason::Unusable { reason } => write!(f, "the snapshot is unusable: {reason}"),
            RebuildReason::AheadOfLog { snapshot, log } => write!(
                f,
                "the snapshot reflects position {snapshot} but the log ends at {log}"
            ),
            RebuildReason::RestoreFailed { reason } => {
                write!(f, "the read model refused its snapshot: {reason}")
            }
        }
    }
}

/// How a read model started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    /// There was no snapshot: it is built from position 0.
    Fresh,
    /// It was restored from its snapshot and resumes after this position.
    Resumed {
        /// The checkpoint it resumed from.
        position: u64,
    },
    /// Its snapshot could not be used: it is rebuilt from position 0.
    Rebuilt {
        /// Why.
        reason: RebuildReason,
    },
}

/// What a read model is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectionState {
    /// Reading recorded events to reach the end of the log.
    CatchingUp,
    /// At the end of the log, applying events as they are committed.
    Live,
    /// A shadow copy is being built from position 0 while the current copy keeps serving.
    Rebuilding {
        /// How far the shadow copy got.
        shadow_position: u64,
        /// How fast the shadow copy is built.
        shadow_events_per_second: f64,
    },
    /// It stopped on an event it cannot fold; it keeps answering from the state before it.
    Failed(ProjectionFailure),
}

/// One read model's progress, as reported by [`super::ProjectionRunner::progress`].
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The read model's name.
    pub name: &'static str,
    /// Its version.
    pub version: u32,
    /// The global position of the last event it reflects.
    pub position: u64,
    /// The position of its last persisted checkpoint.
    pub checkpoint: u64,
    /// The last position in the log when the figures were taken.
    pub log_position: u64,
    /// How many events it is behind the log (`log_position − position`).
    pub lag: u64,
    /// Events applied per second over the last sampling interval.
    pub events_per_second: f64,
    /// What it is doing.
    pub state: ProjectionState,
    /// How it started.
    pub started: StartOutcome,
    /// Why the last online rebuild failed, if it did.
    pub last_rebuild_error: Option<String>,
}

/// What the runner's task records about one read model for others to read.
#[derive(Debug)]
pub(crate) struct Status {
    pub name: &'static str,
    pub version: u32,
    pub position: AtomicU64,
    pub checkpoint: AtomicU64,
    pub shadow_position: AtomicU64,
    pub inner: Mutex<StatusInner>,
}

#[derive(Debug)]
pub(crate) struct StatusInner {
    pub live: bool,
    pub failure: Option<ProjectionFailure>,
    pub rebuilding: bool,
    pub started: StartOutcome,
    pub last_rebuild_error: Option<String>,
    pub rate: Rate,
    pub shadow_rate: Rate,
}

/// Events/s over the last sampling interval.
#[derive(Debug)]
pub(crate) struct Rate {
    at: Instant,
    position: u64,
    per_second: f64,
}

impl Rate {
    fn new(position: u64) -> Self {
        Rate {
            at: Instant::now(),
            position,
            per_second: 0.0,
        }
    }

    /// Takes a sample: the rate since the previous one.
    pub fn sample(&mut self, position: u64) {
        let now = Instant::now();
        let secs = now.duration_since(self.at).as_secs_f64();
        if secs > 0.0 {
            self.per_second = position.saturating_sub(self.position) as f64 / secs;
        }
        self.at = now;
        self.position = position;
    }

    /// Starts over at `position` (after a swap or when a rebuild starts).
    pub fn reset(&mut self, position: u64) {
        *self = Rate::new(position);
    }
}

impl Status {
    pub fn new(name: &'static str, version: u32) -> Self {
        Status {
            name,
            version,
            position: AtomicU64::new(0),
            checkpoint: AtomicU64::new(0),
            shadow_position: AtomicU64::new(0),
            inner: Mutex::new(StatusInner {
                live: false,
                failure: None,
                rebuilding: false,
                started: StartOutcome::Fresh,
                last_rebuild_error: None,
                rate: Rate::new(0),
                shadow_rate: Rate::new(0),
            }),
        }
    }

    pub fn position(&self) -> u64 {
        self.position.load(Ordering::Acquire)
    }

    /// Samples events/s of the read model and of its shadow copy.
    pub fn sample(&self) {
        let position = self.position();
        let shadow = self.shadow_position.load(Ordering::Acquire);
        let mut inner = self.inner.lock();
        inner.rate.sample(position);
        if inner.rebuilding {
            inner.shadow_rate.sample(shadow);
        }
    }

    pub fn progress(&self, log_position: u64) -> Progress {
        let position = self.position();
        let inner = self.inner.lock();
        let state = if let Some(failure) = &inner.failure {
            ProjectionState::Failed(failure.clone())
        } else if inner.rebuilding {
            ProjectionState::Rebuilding {
                shadow_position: self.shadow_position.load(Ordering::Acquire),
                shadow_events_per_second: inner.shadow_rate.per_second,
            }
        } else if inner.live {
            ProjectionState::Live
        } else {
            ProjectionState::CatchingUp
        };
        let log_position = log_position.max(position);
        Progress {
            name: self.name,
            version: self.version,
            position,
            checkpoint: self.checkpoint.load(Ordering::Acquire),
            log_position,
            lag: log_position - position,
            events_per_second: inner.rate.per_second,
            state,
            started: inner.started.clone(),
            last_rebuild_error: inner.last_rebuild_error.clone(),
        }
    }
}
