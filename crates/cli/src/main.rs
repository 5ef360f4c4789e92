//! `ticketflow` — the Ticketflow command.
//!
//! Offline jobs on a data directory or a file, one module per subcommand: the demo, auditors'
//! `history` and `verify`, support leads' `sla report`, everyone's `simulate` and `import`,
//! operators' `backup` and `restore`; and the online commands that talk to a running server
//! (`subscribe`, `projections`, `webhooks`, `intake`). `docs/cli.md` is the reference.

mod backup;
mod bench;
mod data_dir;
mod demo;
mod error;
mod history;
mod import;
mod import_log;
mod instant;
mod intake;
mod output;
mod progress;
mod projections;
mod replay;
mod restore;
mod script;
mod serve;
mod server_client;
mod simulate;
mod sla_report;
mod subscribe;
mod tokens;
mod verify;
mod webhooks;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ticketflow_events::Timestamp;

use crate::data_dir::{DEFAULT_DATA_DIR, DataDir};
use crate::instant::{parse_instant, parse_month};

/// Ticketflow: an event-sourced service desk.
#[derive(Parser)]
#[command(name = "ticketflow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure appends, ticket loads, a full rebuild, SSE latency and HTTP throughput.
    Bench(bench::BenchArgs),
    /// Run the built-in demo on a fresh store and print what happened.
    Demo {
        /// Directory for the demo's store (must not hold a store yet). Default: a new
        /// directory under the system's temporary directory, kept after the run.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Run this script (JSON lines of timestamped commands) instead of the built-in one.
        #[arg(long)]
        script: Option<PathBuf>,
        /// Print the built-in script and exit.
        #[arg(long)]
        print_script: bool,
    },
    /// Run the HTTP API (and the scheduler and read models) on the data directory.
    Serve(serve::ServeArgs),
    /// Print the server's events as JSON lines from a position, resuming across
    /// disconnects without repeating an event (integrator or auditor token).
    Subscribe(subscribe::SubscribeArgs),
    /// The read models of a running server: status and online rebuilds (operator token).
    #[command(subcommand)]
    Projections(projections::ProjectionsCommand),
    /// Manage a running server's outgoing webhooks (integrator or operator token).
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),
    /// Post a raw email (RFC 5322 file, `-` for stdin) to a running server's intake
    /// (operator token, the mail gateway's).
    Intake {
        /// The message file.
        file: PathBuf,
        /// The server.
        #[command(flatten)]
        server: server_client::ServerArgs,
    },
    /// Issue, list and revoke bearer tokens for the HTTP API.
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Walk the whole log and check every hash link; exit code 0 when intact, 1 when not.
    Verify {
        /// The store's data directory.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
    },
    /// The timeline of a ticket (SD-n), order (CO-n) or delivery, and its state as of an
    /// instant. Read-only: works while a server runs.
    History {
        /// The key, e.g. SD-1001, CO-1, or a stream id such as delivery-SD-2001.
        key: String,
        /// Show the events that occurred until then and the state at that instant (RFC 3339
        /// or a date). Default: now.
        #[arg(long, value_parser = parse_instant)]
        as_of: Option<Timestamp>,
        /// The data directory.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = history::HistoryFormat::Text)]
        format: history::HistoryFormat,
    },
    /// SLA reports for support leads.
    Sla {
        #[command(subcommand)]
        command: SlaCommand,
    },
    /// Run a script of timestamped commands on a simulated clock (in memory) and print the
    /// events and the read models.
    Simulate {
        /// The script: one JSON object per line (`#` comments allowed).
        file: PathBuf,
        /// Keep the clock running until then after the last line, so waiting timers fire.
        #[arg(long, value_parser = parse_instant)]
        until: Option<Timestamp>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = simulate::SimulateFormat::Text)]
        format: simulate::SimulateFormat,
    },
    /// Load a script into the data directory's store, keeping the original times and marking
    /// the events as imported. Running it again resumes and records nothing twice.
    Import {
        /// The script: one JSON object per line.
        file: PathBuf,
        /// The data directory (created if missing). Stop the server first.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        /// Keep the simulated clock running until then (an instant or `now`), so timers due
        /// after the last line fire at their own times as part of the import.
        #[arg(long, value_parser = parse_instant)]
        until: Option<Timestamp>,
    },
    /// Write a consistent copy of the event log while the server keeps running.
    Backup {
        /// The data directory.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a verified backup back as a data directory's event log.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The data directory (must be empty or missing unless --force).
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        /// Replace the event log of a data directory that holds one, dropping its read-model
        /// snapshots.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum SlaCommand {
    /// Counts, breach rate and reaction/restoration p50/p90 per customer, priority and month.
    Report {
        /// Only this customer organisation.
        #[arg(long)]
        customer: Option<String>,
        /// Only this priority (P1–P4).
        #[arg(long)]
        priority: Option<String>,
        /// Only tickets received at or after this instant.
        #[arg(long, value_parser = parse_instant, conflicts_with = "month")]
        from: Option<Timestamp>,
        /// Only tickets received before this instant.
        #[arg(long, value_parser = parse_instant, conflicts_with = "month")]
        to: Option<Timestamp>,
        /// Only tickets received in this month (YYYY-MM).
        #[arg(long, value_parser = parse_month)]
        month: Option<(Timestamp, Timestamp)>,
        /// Evaluate the clocks at this instant. Default: now.
        #[arg(long, value_parser = parse_instant)]
        at: Option<Timestamp>,
        /// Group by these dimensions (comma-separated). Default: customer,priority,period.
        #[arg(long, value_enum, value_delimiter = ',')]
        group_by: Vec<sla_report::Dimension>,
        /// Also score the same tickets under this policy book (JSON, or TOML if *.toml).
        #[arg(long)]
        what_if: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = sla_report::ReportFormat::Table)]
        format: sla_report::ReportFormat,
        /// The data directory.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
    },
}

async fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    let done = |()| ExitCode::SUCCESS;
    match command {
        Command::Bench(args) => bench::run(args).await,
        Command::Demo {
            data_dir,
            script,
            print_script,
        } => {
            if print_script {
                out!("{}", demo::BUILT_IN_SCRIPT.trim_end());
                Ok(ExitCode::SUCCESS)
            } else {
                demo::run(data_dir, script).await.map(done)
            }
        }
        Command::Verify { data_dir } => verify::run(&DataDir::new(data_dir)).await,
        Command::History {
            key,
            as_of,
            data_dir,
            format,
        } => history::run(&key, as_of, &DataDir::new(data_dir), format).map(done),
        Command::Sla {
            command:
                SlaCommand::Report {
                    customer,
                    priority,
                    from,
                    to,
                    month,
                    at,
                    group_by,
                    what_if,
                    format,
                    data_dir,
                },
        } => {
            let (from, to) = match month {
                Some((start, end)) => (Some(start), Some(end)),
                None => (from, to),
            };
            let request = sla_report::ReportRequest {
                customer,
                priority,
                from,
                to,
                at,
                group_by,
                what_if,
                format,
            };
            sla_report::run(&DataDir::new(data_dir), &request).map(done)
        }
        Command::Simulate {
            file,
            until,
            format,
        } => simulate::run(&file, until, format).await.map(done),
        Command::Import {
            file,
            data_dir,
            until,
        } => import::run(&file, &DataDir::new(data_dir), until)
            .await
            .map(done),
        Command::Backup { data_dir, to } => {
            backup::run(&DataDir::new(data_dir), &to).await.map(done)
        }
        Command::Restore {
            from,
            data_dir,
            force,
        } => restore::run(&from, &DataDir::new(data_dir), force)
            .await
            .map(done),
        Command::Serve(args) => serve::run(args).await.map(done),
        Command::Tokens(command) => tokens::run(command).map(done),
        Command::Subscribe(args) => subscribe::run(args).await.map(done),
        Command::Projections(command) => projections::run(command).await.map(done),
        Command::Webhooks(command) => webhooks::run(command).await.map(done),
        Command::Intake { file, server } => intake::run(&file, &server).await.map(done),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            let message = format!("{e:#}").replace('\n', " ");
            eprintln!("ticketflow: {message}");
            ExitCode::from(error::exit_code(&e))
        }
    }
}
