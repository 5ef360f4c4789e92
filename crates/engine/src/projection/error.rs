//! What can go wrong when running projections, as sentences an operator can act on.

use std::path::PathBuf;

use ticketflow_store::StoreError;

use super::progress::ProjectionFailure;

/// Every error the projection runner answers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    /// Two read models were registered under one name.
    #[error(
        "a read model named `{name}` is already registered; every read model needs its own name"
    )]
    DuplicateName {
        /// The name registered twice.
        name: &'static str,
    },

    /// The name cannot be used as a snapshot file name.
    #[error(
        "read model name `{name}` cannot name a snapshot file; use 1 to 64 lower-case letters, digits, `-` and `_`"
    )]
    InvalidName {
        /// The refused name.
        name: String,
    },

    /// A factory did not build the read model it was registered for.
    #[error(
        "the factory registered for read model `{name}` did not build it ({detail}); a factory must build a fresh, empty instance of the same read model on every call"
    )]
    Factory {
        /// The read model.
        name: String,
        /// What it built instead.
        detail: String,
    },

    /// An operator named a read model that is not registered.
    #[error("no read model named `{name}` is registered; registered are: {known}")]
    UnknownReadModel {
        /// The name asked for.
        name: String,
        /// The registered names, comma-separated.
        known: String,
    },

    /// A rebuild was asked for while one is running.
    #[error(
        "read model `{name}` is already being rebuilt (its shadow copy is at position {shadow_position}); wait for that rebuild to finish"
    )]
    AlreadyRebuilding {
        /// The read model.
        name: &'static str,
        /// How far the running rebuild got.
        shadow_position: u64,
    },

    /// The read model stopped on an event it could not fold.
    #[error(
        "read model `{name}` has failed: {failure}; fix the cause (e.g. upgrade Ticketflow) and restart the runner, which resumes from the checkpoint before that event"
    )]
    Failed {
        /// The read model.
        name: &'static str,
        /// Where and why it stopped.
        failure: ProjectionFailure,
    },

    /// A rebuild stopped on an event it could not fold; the current copy keeps serving.
    #[error(
        "rebuilding read model `{name}` stopped: {failure}; the current copy keeps answering queries"
    )]
    RebuildFailed {
        /// The read model.
        name: &'static str,
        /// Where and why the shadow copy stopped.
        failure: ProjectionFailure,
    },

    /// The event log could not be read.
    #[error("the projection runner could not read the event log: {0}")]
    Store(#[from] StoreError),

    /// A read model could not serialise its state.
    #[error("could not take a snapshot of read model `{name}`: {reason}")]
    Snapshot {
        /// The read model.
        name: String,
        /// What the read model said.
        reason: String,
    },

    /// A snapshot file or its directory could not be written.
    #[error(
        "could not {action} {path}: {detail}; check that the snapshot directory exists, is writable and has free space"
    )]
    Io {
        /// What the runner was doing.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        detail: String,
    },

    /// The runner is no longer running.
    #[error("the projection runner has stopped: {reason}")]
    Stopped {
        /// Why.
        reason: String,
    },
}

impl ProjectionError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, e: std::io::Error) -> Self {
        ProjectionError::Io {
            action,
            path: path.into(),
            detail: e.to_string(),
        }
    }

    pub(crate) fn stopped() -> Self {
        ProjectionError::Stopped {
            reason: "it was shut down or its task ended".to_owned(),
        }
    }
}
