//! Why the server could not start or stopped.

use std::path::PathBuf;

/// Everything that keeps the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A file or directory of the data directory could not be used.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}; pick another --port or --bind")]
    Bind {
        /// The address.
        address: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The event store failed.
    #[error("the event store failed: {0}")]
    Store(#[from] ticketflow_store::StoreError),
    /// The token store failed.
    #[error(transparent)]
    Access(#[from] ticketflow_access::AccessError),
    /// The projection runner failed.
    #[error("the projection runner failed: {0}")]
    Projection(#[from] ticketflow_engine::projection::ProjectionError),
    /// The scheduler failed.
    #[error("the scheduler failed: {0}")]
    Scheduler(#[from] ticketflow_engine::SchedulerError),
    /// The webhook registry could not be opened.
    #[error(transparent)]
    Webhooks(#[from] ticketflow_webhooks::WebhookError),
    /// Another process holds the data directory.
    #[error(transparent)]
    Locked(#[from] crate::lock::LockError),
    /// Loading the demo scenario failed.
    #[error("loading the demo scenario failed: {0}")]
    Demo(String),
}
