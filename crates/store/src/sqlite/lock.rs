//! The one-writer rule across processes: `<store file>.lock`.
//!
//! A store file has exactly one writer, which hands out positions and stream versions from
//! memory; a second process writing the same file would hand out the same ones. Opening a
//! store therefore takes an exclusive lock on a file beside it and holds it for as long as
//! the writer runs. The kernel releases the lock when the process ends, however it ends, so
//! a crash never leaves a stale lock behind; the lock file itself stays and is harmless.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{StoreError, StoreResult};

/// The lock file beside a store file.
fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The exclusive lock of one store file, held until dropped (or the process ends).
///
/// [`SqliteStore::open`](super::SqliteStore::open) holds it for the writer's lifetime; tools
/// that replace a store file (restore) take it too, so they never pull a log away from under
/// a running writer.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the lock of the store file at `store`, or answers [`StoreError::Locked`] when
    /// another writer holds it.
    pub fn acquire(store: impl AsRef<Path>) -> StoreResult<Self> {
        acquire(store.as_ref()).map(|file| StoreLock { _file: file })
    }
}

/// Takes the exclusive lock of the store at `store`; released when the returned file is
/// dropped (or the process ends).
fn acquire(store: &Path) -> StoreResult<File> {
    let path = lock_path(store);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| StoreError::Storage {
            path: store.to_owned(),
            action: "creating the store's lock file",
            detail: format!("{}: {e}", path.display()),
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked {
            path: store.to_owned(),
            lock: path,
        }),
        Err(TryLockError::Error(e)) => Err(StoreError::Storage {
            path: store.to_owned(),
            action: "locking the store",
            detail: format!("{}: {e}", path.display()),
        }),
    }
}
