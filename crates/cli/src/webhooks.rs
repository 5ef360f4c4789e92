//! `ticketflow webhooks add | list | remove | deliveries`: managing outgoing webhooks on a
//! running server (integrator or operator token).

use reqwest::Method;
use serde_json::{Value, json};

use crate::server_client::{ServerArgs, ServerClient};

/// The `webhooks` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum WebhooksCommand {
    /// Register an endpoint; prints its id and its signing secret (shown this once).
    Add {
        /// Where to POST events: an absolute http:// or https:// URL.
        url: String,
        /// Only events of these categories (comma-separated: ticket, order, delivery).
        #[arg(long, value_delimiter = ',')]
        category: Vec<String>,
        /// Only these event types (comma-separated), e.g. TicketOpened,TicketClosed.
        #[arg(long, value_delimiter = ',')]
        types: Vec<String>,
        /// Only these streams (comma-separated), e.g. ticket-SD-1042.
        #[arg(long, value_delimiter = ',')]
        stream: Vec<String>,
        /// Send the free text of confidential tickets too (needs an operator token or an
        /// integrator token with that scope).
        #[arg(long)]
        confidential_text: bool,
        /// A note for operators: whose endpoint, what for.
        #[arg(long, default_value = "")]
        description: String,
        /// Send only events recorded from now on (default: the whole log).
        #[arg(long)]
        from_now: bool,
        /// The integrator token (by name) that manages the endpoint. Operators only; an
        /// integrator's endpoints are always its own.
        #[arg(long)]
        owner: Option<String>,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The registered endpoints (an integrator's own; every one for an operator).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Remove an endpoint and its delivery log.
    Remove {
        /// The endpoint id.
        id: String,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The most recent delivery attempts to an endpoint, newest first.
    Deliveries {
        /// The endpoint id.
        id: String,
        /// At most this many attempts (1–1000).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// Runs a `webhooks` subcommand.
pub async fn run(command: WebhooksCommand) -> anyhow::Result<()> {
    match command {
        WebhooksCommand::Add {
            url,
            category,
            types,
            stream,
            confidential_text,
            description,
            from_now,
            owner,
            server,
        } => {
            let client = ServerClient::new(&server)?;
            let start_after = if from_now {
                // The latest position the caller can see without operator rights: none is
                // exposed to integrators, so ask readiness (no token needed).
                client.get("/readyz").await?["log_position"]
                    .as_u64()
                    .unwrap_or(0)
            } else {
                0
            };
            let body = json!({
                "url": url,
                "filter": {"categories": category, "event_types": types, "streams": stream},
                "description": description,
                "confidential_text": confidential_text,
                "start_after": start_after,
                "owner": owner,
            });
            let registered = client
                .send(client.request(Method::POST, "/webhooks").json(&body))
                .await?;
            crate::out!("id      {}", text(&registered["endpoint"]["id"]));
            crate::out!("url     {}", text(&registered["endpoint"]["url"]));
            crate::out!("secret  {}", text(&registered["secret"]));
            eprintln!(
                "keep the secret now: it is not shown again (verify each request's Ticketflow-Signature with it)"
            );
            Ok(())
        }
        WebhooksCommand::List { json, server } => {
            let client = ServerClient::new(&server)?;
            let endpoints = client.get("/webhooks").await?;
            if json {
                crate::out!("{endpoints}");
                return Ok(());
            }
            crate::out!(
                "{:<36}  {:<6}  {:<8}  {:>10}  {:<5}  {:<16}  url",
                "id",
                "active",
                "health",
                "checkpoint",
                "conf.",
                "owner"
            );
            for e in endpoints.as_array().map_or(&[][..], Vec::as_slice) {
                let owner = e["owner"].as_str().unwrap_or("(operators)");
                crate::out!(
                    "{:<36}  {:<6}  {:<8}  {:>10}  {:<5}  {:<16}  {}",
                    text(&e["id"]),
                    e["active"],
                    text(&e["health"]["state"]),
                    e["checkpoint"],
                    e["confidential_text"],
                    owner,
                    text(&e["url"])
                );
            }
            Ok(())
        }
        WebhooksCommand::Remove { id, server } => {
            let client = ServerClient::new(&server)?;
            client
                .send(client.request(Method::DELETE, &format!("/webhooks/{}", id.trim())))
                .await?;
            crate::out!("removed {}", id.trim());
            Ok(())
        }
        WebhooksCommand::Deliveries {
            id,
            limit,
            json,
            server,
        } => {
            let client = ServerClient::new(&server)?;
            let attempts = client
                .get(&format!("/webhooks/{}/deliveries?limit={limit}", id.trim()))
                .await?;
            if json {
                crate::out!("{attempts}");
                return Ok(());
            }
            crate::out!(
                "{:<30}  {:>7}  {:>15}  {:<14}  {:>7}  next retry",
                "attempted at",
                "attempt",
                "positions",
                "outcome",
                "ms"
            );
            for a in attempts.as_array().map_or(&[][..], Vec::as_slice) {
                let outcome = match text(&a["outcome"]["kind"]).as_str() {
                    "status" => format!("HTTP {}", a["outcome"]["code"]),
                    _ => text(&a["outcome"]["message"]),
                };
                crate::out!(
                    "{:<30}  {:>7}  {:>15}  {:<14}  {:>7}  {}",
                    text(&a["attempted_at"]),
                    a["attempt"],
                    format!("{}–{}", a["first_position"], a["last_position"]),
                    outcome,
                    a["duration_ms"],
                    a["next_retry_at"].as_str().unwrap_or("-")
                );
            }
            Ok(())
        }
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}
