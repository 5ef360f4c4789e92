//! The data directory (`--data-dir DIR`, default `./ticketflow-data`): where the event log,
//! the projection runner's snapshots and the import log live.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use ticketflow_store::ReadOnlyStore;

use crate::error::CliError;

/// The file name of the event log inside a data directory.
pub const STORE_FILE: &str = "events.sqlite";

/// The directory of the projection runner's snapshots and checkpoints.
pub const PROJECTIONS_DIR: &str = "projections";

/// The default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "ticketflow-data";

/// A data directory given on the command line.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory at `root` (it need not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The event log's file.
    pub fn store_file(&self) -> PathBuf {
        self.root.join(STORE_FILE)
    }

    /// Opens the event log for reading only — safe while a server writes to it.
    pub fn open_read_only(&self) -> anyhow::Result<ReadOnlyStore> {
        let path = self.store_file();
        if !path.is_file() {
            return Err(CliError::NoStore {
                dir: self.root.clone(),
                file: STORE_FILE,
            }
            .into());
        }
        ReadOnlyStore::open(&path).with_context(|| format!("opening {}", path.display()))
    }
}
