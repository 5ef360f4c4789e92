//! `ticketflow subscribe`: the integrators' event feed on the terminal — one JSON line per
//! event (the SSE `data`), from a position, for as long as it runs.
//!
//! The command keeps the position of the last event it printed. When the connection drops
//! (the server restarts, the network fails) it reconnects with `Last-Event-ID` set to that
//! position, waiting 0.5 s, then twice as long after each failed attempt up to 10 s; an event
//! at or before that position is never printed again. When the server says `lagged`, it
//! resumes after the position the server names. Ctrl-C stops it cleanly (exit 0).

use std::time::Duration;

use futures::StreamExt as _;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::error::CliError;
use crate::server_client::{ServerArgs, ServerClient, refusal};

/// The first reconnect delay.
const BACKOFF_START: Duration = Duration::from_millis(500);
/// The longest reconnect delay.
const BACKOFF_CAP: Duration = Duration::from_secs(10);

/// The `subscribe` flags.
#[derive(clap::Args, Debug)]
pub struct SubscribeArgs {
    /// Only events of this category (ticket, order, delivery).
    #[arg(long, conflicts_with = "stream")]
    pub category: Option<String>,
    /// Only events of this stream, e.g. ticket-SD-1042.
    #[arg(long)]
    pub stream: Option<String>,
    /// Only these event types (comma-separated), e.g. TicketOpened,TicketClosed.
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
    /// Start at this global position (inclusive). Default: the beginning of the log.
    #[arg(long)]
    pub from: Option<u64>,
    /// The server.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// How one connection ended.
enum Ended {
    /// The stream closed or broke: reconnect.
    Dropped(String),
    /// The server said `lagged`: resume after this position.
    Lagged(u64),
}

/// Runs until Ctrl-C (or an error a retry cannot fix: a refused token, a bad filter).
pub async fn run(args: SubscribeArgs) -> anyhow::Result<()> {
    let client = ServerClient::new(&args.server)?;
    let path = match (&args.category, &args.stream) {
        (Some(c), _) => format!("/streams/category/{c}"),
        (None, Some(s)) => format!("/streams/stream/{s}"),
        (None, None) => "/streams/all".to_owned(),
    };
    let types = args.types.join(",");
    let mut last: Option<u64> = args.from.map(|f| f.saturating_sub(1));
    let mut backoff = BACKOFF_START;
    let feed = async {
        loop {
            match connect(&client, &path, &types, last).await {
                Ok(response) => {
                    backoff = BACKOFF_START;
                    match follow(response, &mut last).await {
                        Ended::Lagged(position) => {
                            eprintln!(
                                "ticketflow: the server says this subscriber lagged; resuming after {position}"
                            );
                            last = Some(position.max(last.unwrap_or(0)));
                            continue;
                        }
                        Ended::Dropped(reason) => {
                            eprintln!("ticketflow: the stream ended ({reason}); reconnecting");
                        }
                    }
                }
                Err(Retry::Fatal(e)) => return Err(e),
                Err(Retry::Later(reason)) => {
                    eprintln!(
                        "ticketflow: cannot subscribe ({reason}); retrying in {:.1} s",
                        backoff.as_secs_f64()
                    );
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_CAP);
        }
    };
    tokio::select! {
        result = feed => result.map_err(anyhow::Error::from),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

enum Retry {
    Fatal(CliError),
    Later(String),
}

async fn connect(
    client: &ServerClient,
    path: &str,
    types: &str,
    last: Option<u64>,
) -> Result<reqwest::Response, Retry> {
    let mut request = client
        .request(Method::GET, path)
        .header("accept", "text/event-stream");
    if !types.is_empty() {
        request = request.query(&[("types", types)]);
    }
    match last {
        Some(position) => request = request.header("last-event-id", position.to_string()),
        None => request = request.query(&[("from", "1")]),
    }
    let response = request.send().await.map_err(|e| {
        Retry::Later(match client.unreachable(&e) {
            CliError::Unreachable { reason, .. } => reason,
            other => other.to_string(),
        })
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(Retry::Later(format!("HTTP {status}")));
    }
    Err(Retry::Fatal(refusal(status, &body)))
}

/// Prints events until the connection ends; `last` follows the last printed position.
async fn follow(response: reqwest::Response, last: &mut Option<u64>) -> Ended {
    let mut chunks = response.bytes_stream();
    let mut buffer: Vec<u8> = Vec::new();
    let mut event = SseFields::default();
    loop {
        while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                let complete = std::mem::take(&mut event);
                if let Some(ended) = dispatch(complete, last) {
                    return ended;
                }
            } else {
                event.field(line);
            }
        }
        match chunks.next().await {
            Some(Ok(bytes)) => buffer.extend_from_slice(&bytes),
            Some(Err(e)) => return Ended::Dropped(e.to_string()),
            None => return Ended::Dropped("the server closed it".to_owned()),
        }
    }
}

/// The fields of one SSE event as they arrive.
#[derive(Debug, Default)]
struct SseFields {
    id: Option<String>,
    event: Option<String>,
    data: Option<String>,
}

impl SseFields {
    fn field(&mut self, line: &str) {
        if line.starts_with(':') {
            return;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match name {
            "id" => self.id = Some(value.to_owned()),
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
}

fn dispatch(event: SseFields, last: &mut Option<u64>) -> Option<Ended> {
    let data = event.data?;
    if event.event.as_deref() == Some("lagged") {
        let position = serde_json::from_str::<Value>(&data)
            .ok()
            .and_then(|v| v["resume_after"].as_u64())
            .unwrap_or(last.unwrap_or(0));
        return Some(Ended::Lagged(position));
    }
    let position = event
        .id
        .as_deref()
        .and_then(|i| i.trim().parse::<u64>().ok())?;
    if last.is_some_and(|l| position <= l) {
        return None;
    }
    crate::out!("{data}");
    *last = Some(position);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(lines: &[&str]) -> SseFields {
        let mut fields = SseFields::default();
        for line in lines {
            fields.field(line);
        }
        fields
    }

    #[test]
    fn an_event_at_or_before_the_last_printed_position_is_never_printed_again() {
        let mut last = Some(5);
        assert!(
            dispatch(
                event(&["id: 5", "event: TicketOpened", "data: {}"]),
                &mut last
            )
            .is_none()
        );
        assert_eq!(last, Some(5));
        assert!(dispatch(event(&["id: 6", "data: {}"]), &mut last).is_none());
        assert_eq!(last, Some(6));
        assert!(dispatch(event(&[": heartbeat"]), &mut last).is_none());
        assert_eq!(last, Some(6));
    }

    #[test]
    fn lagged_names_the_position_to_resume_after() {
        let mut last = Some(9);
        let ended = dispatch(
            event(&[
                "event: lagged",
                r#"data: {"resume_after": 7, "detail": "x"}"#,
            ]),
            &mut last,
        );
        assert!(matches!(ended, Some(Ended::Lagged(7))));
    }
}
