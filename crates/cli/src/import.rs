//! `ticketflow import FILE` — loads a script of past activity into the data directory's
//! store, keeping the original times and marking the events as imported.
//!
//! Each line runs on a simulated clock set to the line's time (so `occurred_at` is the line's
//! time and timers fire in between at their own times) with an idempotency key derived from
//! the line's content ([`line_keys`]): running the same file again records nothing twice and
//! resumes an interrupted import; timers and process steps have their own derived keys. How the events are marked as imported is described in
//! [`crate::import_log`]. Stop the server before importing: the store has one writer.
//!
//! Timers due after the last line fire when the clock passes them. With `--until T` the
//! import keeps the simulated clock running to T, so they fire at their own times and are
//! part of the import; without it, a server started later fires the overdue ones at its own
//! (real) time.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Utc;
use sha2::{Digest, Sha256};
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::ScriptLine;
use ticketflow_engine::{Clock, CommandError, CommandOptions, Simulation, SimulationReport};
use ticketflow_events::Timestamp;
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore};

use crate::data_dir::DataDir;
use crate::error::{CliError, RefusedLines};
use crate::import_log::{ImportLog, ImportRun};
use crate::progress::{Progress, Unwatched};
use crate::script::{Script, parse_script};

/// How far a run got.
#[derive(Debug, Default)]
struct Tally {
    recorded: usize,
    replayed: usize,
    refused: Vec<(usize, String)>,
}

/// The idempotency keys of a script's lines: each line's content, and for identical lines
/// which repetition it is — not the line's position, so inserting a missing line or fixing a
/// refused one and importing again records only what is new.
fn line_keys(lines: &[ScriptLine]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    lines
        .iter()
        .map(|line| {
            let content = line
                .to_json()
                .unwrap_or_else(|_| format!("{}:{}", line.at, line.command.name()));
            let repetition = seen.entry(content.clone()).or_default();
            *repetition += 1;
            format!("import-line:{repetition}:{content}")
        })
        .collect()
}

/// Runs `import`.
pub async fn run(path: &Path, data_dir: &DataDir, until: Option<Timestamp>) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).map_err(|source| CliError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| {
        CliError::Usage(format!(
            "{} is not UTF-8 text; a script is JSON lines",
            path.display()
        ))
    })?;
    let script = parse_script(path, &text)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let import_id = ImportRun::id_for(&sha256);

    let root = data_dir.root();
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    // The server writes to the log too: refuse while one runs (and keep one from starting).
    let _lock =
        ticketflow_server::lock::DataDirLock::acquire(root, "import").map_err(CliError::from)?;
    let store = Arc::new(
        SqliteStore::open(data_dir.store_file(), SqliteOptions::default())
            .with_context(|| format!("opening {}", data_dir.store_file().display()))?,
    );
    let head_before = store.last_position().await?;
    let started_at = Utc::now();
    let mut tally = Tally::default();
    let result = import_lines(store.clone(), &script, import_id, until, &mut tally).await;
    let head_after = store.last_position().await?;
    store.close().await;

    let appended = head_after > head_before;
    let run = ImportRun {
        import_id,
        file: path.display().to_string(),
        sha256,
        lines: script.lines.len(),
        started_at,
        finished_at: Utc::now(),
        first_position: appended.then_some(head_before + 1),
        last_position: appended.then_some(head_after),
        recorded_lines: tally.recorded,
        replayed_lines: tally.replayed,
        refused_lines: tally.refused.len(),
        outcome: match &result {
            Ok(()) => "complete".to_owned(),
            Err(e) => format!("stopped: {e:#}"),
        },
    };
    ImportLog::append(root, &run)?;
    result?;

    crate::out!(
        "imported {}: {} lines — {} recorded now, {} already recorded, {} refused",
        path.display(),
        run.lines,
        run.recorded_lines,
        run.replayed_lines,
        run.refused_lines
    );
    match (run.first_position, run.last_position) {
        (Some(first), Some(last)) => crate::out!(
            "events at positions {first}–{last}, marked with import id {import_id} (see {})",
            ImportLog::path(root).display()
        ),
        _ => crate::out!("nothing new recorded (import id {import_id})"),
    }
    for (line, reason) in &tally.refused {
        crate::out!("  line {line} refused: {reason}");
    }
    match tally.refused.first() {
        Some((first_line, _)) => Err(RefusedLines {
            count: tally.refused.len(),
            file: path.to_owned(),
            first_line: *first_line,
        }
        .into()),
        None => Ok(()),
    }
}

async fn import_lines(
    store: Arc<SqliteStore>,
    script: &Script,
    import_id: uuid::Uuid,
    until: Option<Timestamp>,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let Some(first) = script.lines.first() else {
        return Ok(());
    };
    let mut simulation = Simulation::new(store, DeskConfig::default(), first.at).await?;
    let mut fired = SimulationReport::default();
    let mut progress = Progress::new("importing", script.lines.len() as u64, Unwatched::Lines);
    let keys = line_keys(&script.lines);
    for (index, (line, key)) in script.lines.iter().zip(keys).enumerate() {
        let number = index + 1;
        simulation.advance_to(line.at, &mut fired).await?;
        let options = CommandOptions {
            idempotency_key: Some(key),
            correlation_id: Some(import_id),
            ..CommandOptions::default()
        };
        match simulation
            .engine()
            .execute(&line.command, &line.actor, &options)
            .await
        {
            Ok(outcome) if outcome.replayed => tally.replayed += 1,
            Ok(_) => tally.recorded += 1,
            Err(e @ CommandError::Refused { .. }) => {
                tally
                    .refused
                    .push((script.file_line(number), e.to_string()));
            }
            Err(e) => {
                progress.finish();
                return Err(e).with_context(|| format!("line {}", script.file_line(number)));
            }
        }
        progress.inc();
    }
    progress.finish();
    // Work the last line made due at once (process managers) is part of the import.
    let now = simulation.clock().now();
    simulation
        .advance_to(now.max(until.unwrap_or(now)), &mut fired)
        .await?;
    Ok(())
}
