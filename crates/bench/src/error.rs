//! Why a benchmark run could not finish.

use std::path::PathBuf;

/// Everything that can stop `ticketflow bench` before it has a figure for every workload.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The data directory (or a file in it) could not be created, written or read.
    #[error("cannot use `{path}` for the benchmark's files: {source}; pass a writable --data-dir")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The event store refused or failed an operation.
    #[error("the event store failed during the `{workload}` workload: {source}")]
    Store {
        /// The workload that was running.
        workload: &'static str,
        /// The store's error.
        source: ticketflow_store::StoreError,
    },
    /// The scenario could not be run through the engine to produce the benchmark's events.
    #[error("running the scenario to produce the benchmark's events failed: {0}")]
    Scenario(#[from] ticketflow_engine::SimulationError),
    /// The projection runner failed during the rebuild workload.
    #[error("the projection runner failed during the rebuild: {0}")]
    Projection(#[from] ticketflow_engine::projection::ProjectionError),
    /// A workload saw something that means its figure would be wrong (e.g. a stream read back
    /// shorter than written); the message says what.
    #[error("the `{workload}` workload is not measuring what it should: {detail}")]
    Invalid {
        /// The workload concerned.
        workload: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// The HTTP server or a client failed during an HTTP workload.
    #[error("the `{workload}` workload failed over HTTP: {detail}")]
    Http {
        /// The workload concerned.
        workload: &'static str,
        /// What failed.
        detail: String,
    },
}

impl BenchError {
    /// A store error during `workload`.
    pub fn store(workload: &'static str) -> impl FnOnce(ticketflow_store::StoreError) -> Self {
        move |source| BenchError::Store { workload, source }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| BenchError::Io { path, source }
    }
}
