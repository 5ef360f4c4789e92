//! `ticketflow serve`: the HTTP API over the engine on the embedded store.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use ticketflow_server::{ClockMode, ServerConfig};

use crate::error::CliError;

/// The `serve` subcommand's flags.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The data directory (events.sqlite, projections/, access.sqlite).
    #[arg(long, default_value = "./ticketflow-data")]
    pub data_dir: PathBuf,
    /// The TCP port; 0 picks a free one (the bound address is printed on stdout).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Load generated demo data into an empty store and print demo tokens.
    #[arg(long)]
    pub demo: bool,
    /// `system` (default) or `simulated`: a clock that moves only through the operator-only
    /// `POST /clock/advance` — for tests and what-if runs.
    #[arg(long, default_value = "system")]
    pub clock: String,
    /// With `--clock simulated`: where the clock starts (RFC 3339). Default: now.
    #[arg(long)]
    pub start: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// The largest raw mail `POST /intake/email` accepts, in bytes.
    #[arg(long, default_value_t = ticketflow_intake_limit())]
    pub intake_body_limit: usize,
    /// Seconds between SSE heartbeat comments.
    #[arg(long, default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Events an SSE subscriber may have buffered before it is told `lagged`.
    #[arg(long, default_value_t = 1024)]
    pub sse_buffer: usize,
}

/// The default mail size limit (10 MiB, the intake library's own limit).
const fn ticketflow_intake_limit() -> usize {
    10 * 1024 * 1024
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let clock = match args.clock.as_str() {
        "system" => {
            if args.start.is_some() {
                anyhow::bail!("--start only applies with --clock simulated");
            }
            ClockMode::System
        }
        "simulated" => {
            let start = match &args.start {
                Some(s) => chrono::DateTime::parse_from_rfc3339(s)
                    .with_context(|| {
                        format!("--start `{s}` is not an RFC 3339 time, e.g. 2026-03-02T09:00:00Z")
                    })?
                    .to_utc(),
                None => chrono::Utc::now(),
            };
            ClockMode::Simulated(start)
        }
        other => anyhow::bail!("--clock `{other}` is not known; use `system` or `simulated`"),
    };
    if args.demo && clock != ClockMode::System {
        anyhow::bail!("--demo runs on the system clock; leave out --clock simulated");
    }
    let config = ServerConfig {
        clock,
        body_limit: args.body_limit,
        heartbeat: Duration::from_secs(args.heartbeat_secs.max(1)),
        sse_buffer: args.sse_buffer.max(1),
        intake_body_limit: args.intake_body_limit,
        ..ServerConfig::new(args.data_dir)
    };
    let bind = SocketAddr::new(args.bind, args.port);
    match ticketflow_server::serve(
        config,
        bind,
        args.demo,
        ticketflow_server::shutdown_signal(),
    )
    .await
    {
        // Another server (or an import) holds the directory: the answer is no (exit 1).
        Err(ticketflow_server::ServerError::Locked(e)) => Err(CliError::Locked(e).into()),
        other => other.map_err(Into::into),
    }
}
