//! `ticketflow projections status | rebuild NAME|--all`: the operators' view of the read
//! models of a running server, and online rebuilds followed to the swap.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use serde_json::Value;

use crate::error::CliError;
use crate::server_client::{ServerArgs, ServerClient};

/// How often a rebuild's progress is polled.
const POLL: Duration = Duration::from_millis(250);
/// How often a line is printed when nobody watches a terminal.
const LINE_EVERY: Duration = Duration::from_secs(2);

/// The `projections` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ProjectionsCommand {
    /// A table of the read models: name, version, position, lag, events/s, state.
    Status {
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Rebuild read models from the log while the server keeps answering from the old ones;
    /// waits until each is swapped in.
    Rebuild {
        /// The read model (see `projections status`).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Rebuild every read model.
        #[arg(long)]
        all: bool,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// Runs a `projections` subcommand.
pub async fn run(command: ProjectionsCommand) -> anyhow::Result<()> {
    match command {
        ProjectionsCommand::Status { server } => status(&ServerClient::new(&server)?).await,
        ProjectionsCommand::Rebuild { name, all, server } => {
            let target = if all {
                "all".to_owned()
            } else {
                name.unwrap_or_default()
            };
            rebuild(&ServerClient::new(&server)?, &target).await
        }
    }
}

fn rows(progress: &Value) -> &[Value] {
    progress.as_array().map_or(&[], Vec::as_slice)
}

async fn status(client: &ServerClient) -> anyhow::Result<()> {
    let progress = client.get("/projections").await?;
    crate::out!(
        "{:<22} {:>7} {:>10} {:>8} {:>10}  state",
        "name",
        "version",
        "position",
        "lag",
        "events/s"
    );
    for p in rows(&progress) {
        crate::out!(
            "{:<22} {:>7} {:>10} {:>8} {:>10.1}  {}",
            p["name"].as_str().unwrap_or("?"),
            p["version"],
            p["position"],
            p["lag"],
            p["events_per_second"].as_f64().unwrap_or(0.0),
            p["state"].as_str().unwrap_or("?")
        );
    }
    Ok(())
}

async fn rebuild(client: &ServerClient, target: &str) -> anyhow::Result<()> {
    let before = client.get("/projections").await?;
    let earlier_errors: Vec<(String, Value)> = rows(&before)
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or("").to_owned(),
                p["last_rebuild_error"].clone(),
            )
        })
        .collect();
    let started = client
        .send(client.request(Method::POST, &format!("/projections/{target}/rebuild")))
        .await?;
    let names: Vec<String> = started["rebuilding"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let watched = std::io::stderr().is_terminal();
    let bar = watched.then(|| {
        let bar = ProgressBar::new(1);
        if let Ok(style) = ProgressStyle::with_template("rebuilding [{bar:40}] {pos}/{len} {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    let mut last_line = std::time::Instant::now();
    if !watched {
        eprintln!("rebuilding {}", names.join(", "));
    }
    loop {
        let progress = client.get("/projections").await?;
        let ours: Vec<&Value> = rows(&progress)
            .iter()
            .filter(|p| names.iter().any(|n| p["name"].as_str() == Some(n)))
            .collect();
        let busy: Vec<&Value> = ours
            .iter()
            .copied()
            .filter(|p| p["state"] == "rebuilding")
            .collect();
        let log = ours
            .iter()
            .filter_map(|p| p["log_position"].as_u64())
            .max()
            .unwrap_or(0);
        let done_position = busy
            .iter()
            .filter_map(|p| p["detail"]["shadow_position"].as_u64())
            .min()
            .unwrap_or(log);
        let message = format!("{} of {} read models left", busy.len(), names.len());
        if let Some(bar) = &bar {
            bar.set_length(log.max(1));
            bar.set_position(done_position.min(log));
            bar.set_message(message.clone());
        } else if last_line.elapsed() >= LINE_EVERY {
            eprintln!("rebuilding: position {done_position} of {log}; {message}");
            last_line = std::time::Instant::now();
        }
        if busy.is_empty() {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let failed: Vec<String> = ours
                .iter()
                .filter(|p| {
                    let name = p["name"].as_str().unwrap_or("");
                    !p["last_rebuild_error"].is_null()
                        && earlier_errors
                            .iter()
                            .find(|(n, _)| n == name)
                            .is_none_or(|(_, e)| *e != p["last_rebuild_error"])
                })
                .map(|p| {
                    format!(
                        "{}: {}",
                        p["name"].as_str().unwrap_or("?"),
                        p["last_rebuild_error"]
                    )
                })
                .collect();
            if !failed.is_empty() {
                return Err(CliError::RebuildFailed(failed.join("; ")).into());
            }
            crate::out!("rebuilt and swapped in: {}", names.join(", "));
            return Ok(());
        }
        tokio::time::sleep(POLL).await;
    }
}
