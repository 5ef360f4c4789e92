//! `ticketflow restore --from FILE --data-dir DIR [--force]` — puts a backup back as the data
//! directory's event log, after verifying both hash chains of the backup.
//!
//! A data directory that holds anything is left alone unless `--force`; with it, the event
//! log is replaced — only after a flushed copy of the backup beside it verified intact, so a
//! failed restore leaves the old log untouched — and the projection runner's snapshots are
//! dropped (they describe the old log; the read models are rebuilt from the restored one on
//! the next start). Tokens (`access.sqlite`) and webhook endpoints (`webhooks.sqlite`) are
//! not part of an event-log backup and are kept. Stop the server (and any other writer of the
//! log) before restoring; restore refuses while one runs.

use std::path::Path;

use anyhow::Context as _;

use crate::backup::import_log_beside;
use crate::data_dir::{DataDir, PROJECTIONS_DIR, STORE_FILE};
use crate::error::CliError;
use crate::import_log::ImportLog;

/// Runs `restore`.
pub async fn run(from: &Path, data_dir: &DataDir, force: bool) -> anyhow::Result<()> {
    if let Err(source) = std::fs::metadata(from) {
        return Err(CliError::ReadFile {
            path: from.to_owned(),
            source,
        }
        .into());
    }
    let report = ticketflow_store::verify_file(from)
        .await
        .with_context(|| format!("checking the backup {}", from.display()))?;
    if let Some(b) = &report.first_break {
        return Err(CliError::BrokenBackup {
            path: from.to_owned(),
            detail: format!("{b:?}"),
        }
        .into());
    }
    let root = data_dir.root();
    let _lock =
        ticketflow_server::lock::DataDirLock::acquire(root, "restore").map_err(CliError::from)?;
    let occupied = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .any(|e| e.file_name() != ticketflow_server::lock::LOCK_FILE),
        Err(_) => false,
    };
    if occupied && !force {
        return Err(CliError::NotEmpty {
            dir: root.to_owned(),
        }
        .into());
    }
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    let store = data_dir.store_file();
    // No writer may hold the log being replaced (a `demo` or library user beside us).
    let _store_lock = ticketflow_store::StoreLock::acquire(&store)?;

    // Nothing of the existing data directory is touched until a complete, flushed and
    // verified copy of the backup lies beside it: a failing copy (full disk, unreadable
    // source) or a backup that changed since it was checked leaves the old log as it was.
    let partial = root.join(format!("{STORE_FILE}.restoring"));
    remove_if_present(&partial)?;
    let copied = copy_and_verify(from, &partial).await;
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&root.join(format!("{STORE_FILE}.restoring{suffix}")))?;
    }
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }

    // Only now replace the log: first the old log's WAL and shared memory (SQLite would
    // otherwise replay the old log's frames onto the restored file), then the file itself by
    // an atomic rename, made durable by flushing the directory.
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&root.join(format!("{STORE_FILE}{suffix}")))?;
    }
    std::fs::rename(&partial, &store)
        .with_context(|| format!("renaming {} to {}", partial.display(), store.display()))?;
    std::fs::File::open(root)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("flushing {}", root.display()))?;
    // The read-model snapshots describe the old log; they are rebuilt from the restored one.
    let projections = root.join(PROJECTIONS_DIR);
    if projections.exists() {
        std::fs::remove_dir_all(&projections)
            .with_context(|| format!("removing {}", projections.display()))?;
    }
    // The import log describes the log it was written beside: take the backup's, and drop
    // the replaced log's when the backup has none, so `history` never credits restored events
    // to an import that belonged to the old log.
    let imports = import_log_beside(from);
    let target = ImportLog::path(root);
    if imports.is_file() {
        std::fs::copy(&imports, &target)
            .with_context(|| format!("copying {} to {}", imports.display(), target.display()))?;
    } else if target.exists() {
        std::fs::remove_file(&target)
            .with_context(|| format!("removing the replaced log's {}", target.display()))?;
    }
    let restored = ticketflow_store::verify_file(&store).await?;
    crate::out!(
        "restored {} into {}: {} events in {} streams, head position {}, head hash {}; every hash link intact",
        from.display(),
        root.display(),
        restored.events_checked,
        restored.streams,
        restored.head_position,
        restored.head_hash
    );
    Ok(())
}

/// Copies the backup to `partial`, flushes it, and checks both hash chains of the copy — the
/// file that will become the log, not the one checked before.
async fn copy_and_verify(from: &Path, partial: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, partial)
        .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
    std::fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {}", partial.display()))?;
    let report = ticketflow_store::verify_file(partial)
        .await
        .with_context(|| format!("checking the copy {}", partial.display()))?;
    if let Some(b) = &report.first_break {
        return Err(CliError::BrokenBackup {
            path: from.to_owned(),
            detail: format!("{b:?}"),
        }
        .into());
    }
    Ok(())
}

/// Removes a file that may not exist.
fn remove_if_present(file: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing {}", file.display())),
    }
}
