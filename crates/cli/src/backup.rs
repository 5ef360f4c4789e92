//! `ticketflow backup --data-dir DIR --to FILE` — an online, consistent copy of the event log
//! (a server may keep writing), checked after writing: both hash chains of the copy are
//! verified and its head and SHA-256 printed, so the copy can serve as evidence.

use std::path::Path;

use anyhow::Context as _;
use sha2::{Digest, Sha256};

use crate::data_dir::DataDir;
use crate::error::CliError;
use crate::import_log::ImportLog;
use crate::progress::Progress;

/// Where a backup keeps the data directory's import log: beside the backup file, so the
/// imported marker survives a restore (the event log itself carries the import ids).
pub fn import_log_beside(backup: &Path) -> std::path::PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".imports.jsonl");
    name.into()
}

/// SHA-256 of a file, hex.
pub fn file_sha256(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Runs `backup`.
pub async fn run(data_dir: &DataDir, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        return Err(CliError::Usage(format!(
            "{} already exists; a backup never overwrites a file, choose a new name",
            to.display()
        ))
        .into());
    }
    let store = data_dir.open_read_only()?;
    let progress = Progress::spinner("backing up");
    let dest = to.to_owned();
    let copied = tokio::task::spawn_blocking(move || store.backup(&dest))
        .await
        .context("the backup task stopped")??;
    progress.finish();
    let report = ticketflow_store::verify_file(to)
        .await
        .with_context(|| format!("checking the backup {}", to.display()))?;
    if let Some(b) = &report.first_break {
        return Err(CliError::BrokenBackup {
            path: to.to_owned(),
            detail: format!("{b:?}; the live log is broken too — run `ticketflow verify`"),
        }
        .into());
    }
    crate::out!(
        "backup {}: {} events in {} streams up to position {copied}, head hash {}; every hash link intact",
        to.display(),
        report.events_checked,
        report.streams,
        report.head_hash
    );
    crate::out!("sha256 {}", file_sha256(to)?);
    let imports = ImportLog::path(data_dir.root());
    if imports.is_file() {
        let beside = import_log_beside(to);
        std::fs::copy(&imports, &beside)
            .with_context(|| format!("copying {} to {}", imports.display(), beside.display()))?;
        crate::out!("import log copied to {}", beside.display());
    }
    Ok(())
}
