//! Workload 4 — end-to-end subscription latency: an append, and an SSE client of the HTTP
//! server receiving it over a real loopback connection.
//!
//! An auditor's client follows `GET /streams/all` from the log's end. The benchmark then
//! appends through the desk's engine — the command mix of [`crate::desk::ticket_life`] on
//! fresh tickets, one command at a time, each decided and appended durably — and waits
//! until the client has parsed the SSE frame of the command's last event. Two latencies per
//! command: from the start of the append to the client's receipt (the figure), and from
//! the append's acknowledgement to the receipt (what the subscription path itself adds).

use std::time::{Duration, Instant};

use futures::StreamExt;
use ticketflow_engine::CommandOptions;
use ticketflow_events::TicketKey;
use ticketflow_store::EventStore;
use tokio::sync::mpsc;

use crate::desk::{Desk, addressed_life};
use crate::error::BenchError;
use crate::stats::Repetition;

/// The first ticket number of this workload's tickets (far above the scenario's).
const FIRST_TICKET: u64 = 5_000_000;

fn sse(detail: impl std::fmt::Display) -> BenchError {
    BenchError::Http {
        workload: "sse-latency",
        detail: detail.to_string(),
    }
}

/// What one repetition measured.
#[derive(Debug, Clone)]
pub struct SubscriptionLatency {
    /// Append start → SSE client has the event.
    pub end_to_end: Repetition,
    /// Append acknowledged → SSE client has the event.
    pub after_ack: Repetition,
}

/// Sends `commands` commands one after another and times each one's arrival at an SSE
/// client.
pub async fn run(desk: &Desk, commands: usize) -> Result<SubscriptionLatency, BenchError> {
    let last = desk
        .state
        .store
        .last_position()
        .await
        .map_err(BenchError::store("sse-latency"))?;
    let response = reqwest::Client::new()
        .get(format!("{}/streams/all?from={}", desk.base, last + 1))
        .bearer_auth(&desk.auditor_token)
        .send()
        .await
        .map_err(sse)?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(sse(format!("GET /streams/all answered {status}: {body}")));
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<(u64, Instant)>();
    let reader = tokio::spawn(async move {
        let mut body = response.bytes_stream();
        let mut buf: Vec<u8> = Vec::new();
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else { break };
            buf.extend_from_slice(&chunk);
            while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
                let frame: Vec<u8> = buf.drain(..end + 2).collect();
                let id = String::from_utf8_lossy(&frame)
                    .lines()
                    .find_map(|l| l.strip_prefix("id:").map(|v| v.trim().parse::<u64>()));
                if let Some(Ok(id)) = id
                    && tx.send((id, Instant::now())).is_err()
                {
                    return;
                }
            }
        }
    });

    let engine = &desk.state.engine;
    let mut end_to_end = Vec::with_capacity(commands);
    let mut after_ack = Vec::with_capacity(commands);
    let mut mix = Vec::new();
    let mut ticket = next_ticket_number();
    let started = Instant::now();
    while end_to_end.len() < commands {
        if mix.is_empty() {
            let key = TicketKey::new("SD", ticket).map_err(sse)?;
            ticket = next_ticket_number();
            mix = addressed_life(&key);
            mix.reverse();
        }
        let Some((actor, command)) = mix.pop() else {
            continue;
        };
        let t0 = Instant::now();
        let outcome = engine
            .execute(&command, &actor, &CommandOptions::default())
            .await
            .map_err(|e| sse(format!("`{}` was not accepted: {e}", command.name())))?;
        let acked = Instant::now();
        let Some(target) = outcome.events.last().map(|e| e.global_position) else {
            continue;
        };
        loop {
            let received = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .map_err(|_| sse(format!("no SSE frame for position {target} within 10 s")))?
                .ok_or_else(|| sse("the SSE connection ended"))?;
            if received.0 >= target {
                end_to_end.push(received.1.saturating_duration_since(t0));
                after_ack.push(received.1.saturating_duration_since(acked));
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    reader.abort();
    Ok(SubscriptionLatency {
        end_to_end: Repetition::from_latencies(end_to_end, elapsed),
        after_ack: Repetition::from_latencies(after_ack, elapsed),
    })
}

/// Ticket numbers for this workload, unique within the process.
fn next_ticket_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(FIRST_TICKET);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
