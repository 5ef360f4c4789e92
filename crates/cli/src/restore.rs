//! `ticketflow restore --from FILE --data-dir DIR [--force]` — puts a backup back as the data
//! directory's event log, after verifying both hash chains of the backup.
//!
//! A data directory that holds anything is left alone unless `--force`; with it, the event
//! log is replaced and the projection runner's snapshots are dropped (they describe the old
//! log; the read models are rebuilt from the restored one on the next start). Tokens
//! (`access.sqlite`) and webhook endpoints (`webhooks.sqlite`) are not part of an event-log
//! backup and are kept. Stop the server before restoring.

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
    if force {
        for suffix in ["", "-wal", "-shm"] {
            let file = root.join(format!("{STORE_FILE}{suffix}"));
            if file.exists() {
                std::fs::remove_file(&file)
                    .with_context(|| format!("removing {}", file.display()))?;
            }
        }
        let projections = root.join(PROJECTIONS_DIR);
        if projections.exists() {
            std::fs::remove_dir_all(&projections)
                .with_context(|| format!("removing {}", projections.display()))?;
        }
    }
    // Copy beside the target, flush, then rename: a crash leaves no half-restored log.
    let partial = root.join(format!("{STORE_FILE}.restoring"));
    std::fs::copy(from, &partial)
        .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {}", partial.display()))?;
    std::fs::rename(&partial, &store)
        .with_context(|| format!("renaming {} to {}", partial.display(), store.display()))?;
    std::fs::File::open(root)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("flushing {}", root.display()))?;
    let imports = import_log_beside(from);
    if imports.is_file() {
        let target = ImportLog::path(root);
        std::fs::copy(&imports, &target)
            .with_context(|| format!("copying {} to {}", imports.display(), target.display()))?;
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
