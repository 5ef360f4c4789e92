//! Online backup: a consistent copy of the store while it keeps running.

use std::path::Path;

use super::schema::{self, storage_error};
use crate::error::{StoreError, StoreResult};

/// Copies the store to `dest` and answers the last position the copy holds.
pub fn backup_file(path: &Path, dest: &Path) -> StoreResult<u64> {
    let io = |action: &'static str| {
        move |e: std::io::Error| StoreError::Storage {
            path: dest.to_owned(),
            action,
            detail: e.to_string(),
        }
    };
    if dest.exists() {
        return Err(StoreError::Storage {
            path: dest.to_owned(),
            action: "starting a backup",
            detail: "the backup file already exists; choose a new name".to_owned(),
        });
    }
    let conn = schema::open_reader(path)?;
    conn.pragma_update(None, "query_only", false)
        .map_err(|e| storage_error(path, "preparing a backup", e))?;
    let target = dest.to_str().ok_or_else(|| StoreError::Storage {
        path: dest.to_owned(),
        action: "starting a backup",
        detail: "the backup path is not valid UTF-8".to_owned(),
    })?;
    conn.execute("VACUUM INTO ?1", [target])
        .map_err(|e| storage_error(dest, "writing the backup", e))?;
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(io("syncing the backup"))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(io("syncing the backup directory"))?;
    }
    let copy = schema::open_reader(dest)?;
    let copied: i64 = copy
        .query_row("SELECT position FROM head WHERE id = 1", [], |r| r.get(0))
        .map_err(|e| storage_error(dest, "reading the backup's head", e))?;
    Ok(copied.max(0) as u64)
}
