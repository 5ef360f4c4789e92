//! The built-in demo: a script of timestamped commands run by the engine's simulation on the
//! embedded store — a simulated clock, with ticket timers, SLA notices and the delivery
//! process manager firing in between, in time order. It shares its machinery with
//! `ticketflow simulate` ([`crate::simulate`]); only the store differs (a data directory that
//! is kept, so `verify` and `history` can be tried on it afterwards).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use chrono::Duration;
use ticketflow_domain::DeskConfig;
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore};

use crate::data_dir::STORE_FILE;
use crate::script::{parse_script, read_script};
use crate::simulate::{fold_store, print_sla, print_step, run_script};

/// The demo script, also printed by `ticketflow demo --print-script`.
pub const BUILT_IN_SCRIPT: &str = include_str!("../scripts/demo.jsonl");

/// How long after the script's last line the clock keeps running, so waiting timers fire.
const EPILOGUE: Duration = Duration::days(60);

/// Runs a script on a fresh store and prints the history, the SLA figures and the integrity
/// check.
pub async fn run(data_dir: Option<PathBuf>, script: Option<PathBuf>) -> anyhow::Result<()> {
    let script = match &script {
        Some(path) => read_script(path)?,
        None => parse_script(
            std::path::Path::new("(built-in demo script)"),
            BUILT_IN_SCRIPT,
        )?,
    };
    let dir = match data_dir {
        Some(dir) => dir,
        None => {
            std::env::temp_dir().join(format!("ticketflow-demo-{}", uuid::Uuid::new_v4().simple()))
        }
    };
    let path = dir.join(STORE_FILE);
    if path.exists() {
        bail!(
            "{} already holds a store; the demo needs an empty data directory (pass another --data-dir)",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let store = Arc::new(SqliteStore::open(&path, SqliteOptions::default())?);
    let config = DeskConfig::default();
    crate::out!("Ticketflow demo — store at {}\n", path.display());

    let until = script.lines.last().map(|l| l.at + EPILOGUE);
    let (report, end) = run_script(store.clone(), &config, &script.lines, until).await?;
    for step in &report.steps {
        print_step(step);
    }
    let (_, models) = fold_store(store.as_ref(), &config).await?;
    print_sla(&models, end);
    let integrity = store.verify().await?;
    crate::out!(
        "\nIntegrity: {} events in {} streams, head position {}, {}",
        integrity.events_checked,
        integrity.streams,
        integrity.head_position,
        if integrity.is_intact() {
            "every hash link intact"
        } else {
            "BROKEN"
        }
    );
    crate::out!(
        "Verify again any time: ticketflow verify --data-dir {}",
        dir.display()
    );
    let refused = report.refused_lines();
    if !refused.is_empty() {
        bail!(
            "{} script line(s) were refused, the first: line {} — {}",
            refused.len(),
            script.file_line(refused[0].0),
            refused[0].1
        );
    }
    Ok(())
}
