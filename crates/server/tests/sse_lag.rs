//! A subscriber that stops reading while the desk keeps writing is told `lagged` with the
//! position to resume after, and is disconnected; the writer never waited for it, and a
//! resume from that position loses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use futures::StreamExt;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{PortalForm, TicketCommand};
use ticketflow_engine::CommandOptions;
use ticketflow_events::ticket::{SharedWith, TicketType};
use ticketflow_events::{Actor, OrganisationId, Region, Role};
use ticketflow_server::{AppState, ClockMode, ServerConfig, router};
use tower::ServiceExt;

fn customer() -> Actor {
    Actor {
        id: "kim".into(),
        role: Role::Customer {
            organisation: OrganisationId("acme".into()),
        },
    }
}

fn open(n: u64) -> AddressedCommand {
    let key = ticketflow_events::TicketKey::new("SD", 1000 + n).unwrap();
    AddressedCommand::Ticket(
        key.clone(),
        TicketCommand::OpenFromPortal {
            key,
            region: Region::Dach,
            extended_support_budget: false,
            form: PortalForm {
                ticket_type: TicketType::Request,
                summary: format!("ticket {n}"),
                description: "lag test".into(),
                share_with: Some(SharedWith::Organisation),
                affected_system: None,
                system_reachable: None,
                url: None,
                customer_reference: None,
                attachments: Vec::new(),
                confidential: false,
            },
        },
    )
}

/// Splits SSE text into (event, id, data) triples.
fn parse(text: &str) -> Vec<(String, String, String)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut event = "message".to_owned();
            let (mut id, mut data) = (String::new(), String::new());
            let mut any = false;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    event = v.to_owned();
                    any = true;
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = v.to_owned();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = v.to_owned();
                    any = true;
                }
            }
            any.then_some((event, id, data))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_falls_behind_is_told_where_to_resume_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        clock: ClockMode::Simulated("2026-03-02T09:00:00Z".parse().unwrap()),
        sse_buffer: 2,
        ..ServerConfig::new(dir.path())
    };
    let (state, _) = AppState::open(config).await.unwrap();
    let token = state
        .tokens
        .issue(
            "feed",
            &Role::Integrator {
                confidential_text: false,
            },
            chrono::Utc::now(),
        )
        .unwrap();
    let app = router(state.clone());
    let request = |after: Option<u64>| {
        let mut r = Request::get("/streams/all").header("authorization", format!("Bearer {token}"));
        if let Some(a) = after {
            r = r.header("last-event-id", a.to_string());
        }
        r.body(Body::empty()).unwrap()
    };
    // Subscribe on an empty log: everything that follows is live.
    let response = app.clone().oneshot(request(None)).await.unwrap();
    assert_eq!(response.status(), 200);
    // Write ten tickets while the subscriber reads nothing: none of these waits for it.
    for n in 1..=10 {
        state
            .engine
            .execute(&open(n), &customer(), &CommandOptions::default())
            .await
            .unwrap();
    }
    let head = 10;
    // Now read: what fit in the buffer, then `lagged`, then the end of the stream.
    let mut text = String::new();
    let mut body = response.into_body().into_data_stream();
    while let Some(chunk) = body.next().await {
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    let events = parse(&text);
    let (last_kind, _, last_data) = events.last().unwrap().clone();
    assert_eq!(last_kind, "lagged", "{text}");
    let lagged: serde_json::Value = serde_json::from_str(&last_data).unwrap();
    let resume_after = lagged["resume_after"].as_u64().unwrap();
    let delivered: Vec<u64> = events[..events.len() - 1]
        .iter()
        .map(|(_, id, _)| id.parse().unwrap())
        .collect();
    assert!(resume_after < head, "it fell behind before the end");
    assert_eq!(delivered, (1..=resume_after).collect::<Vec<_>>(), "{text}");

    // Resuming from there delivers the rest, each once (catch-up is paced by the reader).
    let response = app
        .clone()
        .oneshot(request(Some(resume_after)))
        .await
        .unwrap();
    let mut body = response.into_body().into_data_stream();
    let mut rest = Vec::new();
    let mut buffer = String::new();
    while rest.len() < (head - resume_after) as usize {
        let chunk = body.next().await.unwrap().unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(end) = buffer.rfind("\n\n") {
            let complete: String = buffer.drain(..end + 2).collect();
            rest.extend(
                parse(&complete)
                    .into_iter()
                    .map(|(_, id, _)| id.parse::<u64>().unwrap()),
            );
        }
    }
    assert_eq!(rest, ((resume_after + 1)..=head).collect::<Vec<_>>());
    state.close().await;
}
