//! `ticketflow bench`: drives the scenario generator's desk through every workload of
//! `ticketflow-bench` and prints the figures with their spread and the machine they were
//! taken on (see docs/performance-bench.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use ticketflow_bench::Plan;

/// The `bench` subcommand's flags.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Smoke run: the small scenario, one short repetition per workload (well under a
    /// minute). Without it: the default scenario, five repetitions (a few minutes).
    #[arg(long)]
    quick: bool,
    /// Where the benchmark's stores go; must be empty or not exist yet, and is kept after the
    /// run. Default: a temporary directory in the current directory (so on the same disk),
    /// removed afterwards.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// `table` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An aligned plain-text table with the machine and scenario above it.
    Table,
    /// The whole report as one JSON document.
    Json,
}

/// Runs the benchmark and prints (or writes) the report.
pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let plan = if args.quick {
        Plan::quick()
    } else {
        Plan::full()
    };
    let (_temp, dir) = match &args.data_dir {
        Some(dir) => {
            ensure_empty(dir)?;
            (None, dir.clone())
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix(".ticketflow-bench-")
                .tempdir_in(".")
                .context(
                    "cannot create a temporary directory in the current directory; pass --data-dir DIR",
                )?;
            let dir = temp.path().to_owned();
            (Some(temp), dir)
        }
    };
    let mut progress = |step: &str| eprintln!("bench: {step}");
    let report = ticketflow_bench::run(&plan, &dir, &mut progress).await?;
    let text = match args.format {
        Format::Table => report.to_table(),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&report)?;
            json.push('\n');
            json
        }
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// A data directory given by the user must not hold anything yet: the workloads create
/// their own stores and would otherwise measure (or refuse) someone else's.
fn ensure_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                anyhow::bail!(
                    "--data-dir {} is not empty; give an empty or new directory",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot read --data-dir {}", dir.display())),
    }
}
