//! Workload 5 — HTTP command throughput on loopback.
//!
//! `clients` concurrent clients, each with its own keep-alive connection, send the command
//! mix of [`crate::desk::ticket_life`] through the API with valid bearer tokens: the
//! customer opens a ticket with `POST /tickets` (the server assigns the key), then the
//! agent and the customer send the rest of the ticket's life to
//! `POST /tickets/{key}/commands`, one request at a time per client. Every answer must be a
//! success; the server answers only after the command is durable and the read models
//! reflect it (read your writes). The figure is commands answered per second, with the
//! latency of each request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use ticketflow_events::TicketKey;

use crate::desk::{Desk, ticket_life};
use crate::error::BenchError;
use crate::stats::Repetition;

fn http(detail: impl std::fmt::Display) -> BenchError {
    BenchError::Http {
        workload: "http-commands",
        detail: detail.to_string(),
    }
}

/// Runs `clients` concurrent clients for `duration`; answers commands per second and the
/// latency of each request.
pub async fn run(
    desk: &Desk,
    clients: usize,
    duration: Duration,
) -> Result<Repetition, BenchError> {
    let target = Arc::new(Target {
        base: desk.base.clone(),
        customer: desk.customer_token.clone(),
        agent: desk.agent_token.clone(),
    });
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move { client(&target, deadline).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(http)??);
    }
    Ok(Repetition::from_latencies(latencies, started.elapsed()))
}

struct Target {
    base: String,
    customer: String,
    agent: String,
}

/// One client: ticket lives one after another until the deadline.
async fn client(target: &Target, deadline: Instant) -> Result<Vec<Duration>, BenchError> {
    let http_client = reqwest::Client::new();
    let placeholder = TicketKey::new("SD", 1).map_err(http)?;
    let mut latencies = Vec::new();
    'lives: while Instant::now() < deadline {
        let mut key: Option<String> = None;
        for (actor, command) in ticket_life(&placeholder) {
            if Instant::now() >= deadline {
                break 'lives;
            }
            let name = command.name();
            let mut body = serde_json::to_value(&command).map_err(http)?;
            let url = match &key {
                None => {
                    // Let the server assign the key, as a portal would.
                    if let Value::Object(map) = &mut body {
                        map.remove("key");
                    }
                    format!("{}/tickets", target.base)
                }
                Some(k) => format!("{}/tickets/{k}/commands", target.base),
            };
            let token = match actor.role {
                ticketflow_events::Role::Customer { .. } => &target.customer,
                _ => &target.agent,
            };
            let t = Instant::now();
            let response = http_client
                .post(&url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .map_err(http)?;
            let status = response.status();
            let answer: Value = response.json().await.map_err(http)?;
            latencies.push(t.elapsed());
            if !status.is_success() {
                return Err(http(format!(
                    "`{name}` to {url} answered {status}: {answer}"
                )));
            }
            if key.is_none() {
                key = Some(
                    answer
                        .get("key")
                        .and_then(Value::as_str)
                        .ok_or_else(|| http(format!("POST /tickets answered no key: {answer}")))?
                        .to_owned(),
                );
            }
        }
    }
    Ok(latencies)
}
