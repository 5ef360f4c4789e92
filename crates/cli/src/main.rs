//! `ticketflow` — the Ticketflow command.
//!
//! Until the server exists, the main job is `ticketflow demo`: it runs a built-in service-desk
//! script through the engine on the embedded store and prints the history, the SLA figures
//! and the integrity check.

mod bench;
mod demo;
mod serve;
mod tokens;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Issue, list and revoke bearer tokens for the HTTP API.
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Walk the whole log and check every hash link; exit code 0 when intact, 1 when not.
    Verify {
        /// The store's data directory.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => bench::run(args).await,
        Command::Demo {
            data_dir,
            script,
            print_script,
        } => {
            if print_script {
                print!("{}", demo::BUILT_IN_SCRIPT);
                Ok(ExitCode::SUCCESS)
            } else {
                demo::run(data_dir, script)
                    .await
                    .map(|()| ExitCode::SUCCESS)
            }
        }
        Command::Verify { data_dir } => demo::verify(&data_dir).await,
        Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Tokens(command) => tokens::run(command).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ticketflow: {e:#}");
            ExitCode::from(2)
        }
    }
}
