//! `ticketflow verify` — for auditors: walks the whole log and checks every hash link of both
//! chains; the exit code is the answer (0 intact, 1 broken).

use std::process::ExitCode;

use crate::data_dir::DataDir;
use crate::error::CliError;

/// Verifies a store's hash chains; exit code 0 when intact, 1 when broken.
pub async fn run(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let path = data_dir.store_file();
    if !path.exists() {
        return Err(CliError::NoStore {
            dir: data_dir.root().to_owned(),
            file: crate::data_dir::STORE_FILE,
        }
        .into());
    }
    // Read-only, and works even on a file the store itself would refuse to open because its
    // recorded head no longer matches — the case an auditor most needs to see.
    let report = ticketflow_store::verify_file(&path).await?;
    match &report.first_break {
        None => {
            crate::out!(
                "intact: {} events in {} streams, head position {}, head hash {}",
                report.events_checked,
                report.streams,
                report.head_position,
                report.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            crate::out!("BROKEN: {b:?}");
            Ok(ExitCode::from(1))
        }
    }
}
