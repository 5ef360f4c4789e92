//! End to end: the integrations around the API on one server — webhooks registered over
//! HTTP deliver signed events to a real loopback receiver (confidential free text removed for
//! an unscoped endpoint) and log their deliveries; email intake over HTTP and through
//! `ticketflow intake`; the data-directory lock refusing `import` and a second `serve`; and
//! `ticketflow projections rebuild --all` followed to the swap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::process::Output;

use axum::body::Bytes;
use axum::http::HeaderMap;
use e2e_support::{HANG_GUARD, Server, bin, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

fn portal(summary: &str, confidential: bool) -> Value {
    json!({"command": "open_from_portal", "region": "dach", "form": {
        "ticket_type": "request", "summary": summary, "description": format!("{summary}, described"),
        "share_with": "organisation", "confidential": confidential}})
}

async fn open(server: &Server, summary: &str, confidential: bool) -> String {
    let (status, body) = server
        .post("/tickets", "kim", &portal(summary, confidential))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["key"].as_str().unwrap().to_owned()
}

/// Runs the CLI off the runtime's threads.
async fn cli(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin())
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn online(server: &Server, token: &str, args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.extend([
        "--url".to_owned(),
        server.base.clone(),
        "--token".to_owned(),
        server.tokens[token].clone(),
    ]);
    all
}

/// A webhook receiver on a loopback port: every request's headers and body.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, Bytes)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), rx)
}

fn mail(from: &str, subject: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: desk@vendor.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

async fn post_mail(server: &Server, token: &str, raw: &str) -> (StatusCode, Value) {
    e2e_support::send(
        server
            .request(Method::POST, "/intake/email", Some(token))
            .header("content-type", "message/rfc822")
            .body(raw.to_owned()),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_intake_lock_and_rebuilds_work_against_the_real_server() {
    let server = Server::start(
        &["--intake-body-limit", "65536"],
        &[
            ("kim", &["--role", "customer", "--organisation", "acme"]),
            ("lea", &["--role", "customer", "--organisation", "acme"]),
            ("hook", &["--role", "integrator"]),
            ("rival", &["--role", "integrator"]),
            ("ops", &["--role", "operator"]),
        ],
    );

    // --- Webhooks -------------------------------------------------------------------------
    let (url, mut received) = receiver().await;
    let (status, body) = server
        .post(
            "/webhooks",
            "kim",
            &json!({"url": url, "filter": {"categories": ["ticket"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = server
        .post(
            "/webhooks",
            "hook",
            &json!({"url": url, "confidential_text": true}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an unscoped integrator cannot grant itself confidential text: {body}"
    );
    let (status, body) = server
        .post("/webhooks", "hook", &json!({"url": "ftp://nowhere"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, registered) = server
        .post(
            "/webhooks",
            "hook",
            &json!({"url": url, "filter": {"categories": ["ticket"]}, "description": "e2e"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let id = registered["endpoint"]["id"].as_str().unwrap().to_owned();
    let secret = registered["secret"].as_str().unwrap().to_owned();
    let (status, listed) = server.get("/webhooks", "hook").await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed.to_string().contains(&id) && !listed.to_string().contains(&secret));
    assert_eq!(registered["endpoint"]["owner"], "hook");

    // Another integrator neither sees nor touches it: every way in answers as if it did not
    // exist. The operator sees it, and can register an endpoint on the rival's behalf.
    let (status, listed) = server.get("/webhooks", "rival").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!listed.to_string().contains(&id), "{listed}");
    for path in [
        format!("/webhooks/{id}"),
        format!("/webhooks/{id}/deliveries"),
    ] {
        let (status, body) = server.get(&path, "rival").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, body) = server
        .post(
            &format!("/webhooks/{id}/rotate-secret"),
            "rival",
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) =
        send(server.request(Method::DELETE, &format!("/webhooks/{id}"), Some("rival"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = server
        .post("/webhooks", "rival", &json!({"url": url, "owner": "hook"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, listed) = server.get("/webhooks", "ops").await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed.to_string().contains(&id), "{listed}");
    let (status, for_rival) = server
        .post(
            "/webhooks",
            "ops",
            &json!({"url": "http://127.0.0.1:9/rival", "owner": "rival", "filter": {"categories": ["order"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{for_rival}");
    let rival_id = for_rival["endpoint"]["id"].as_str().unwrap().to_owned();
    let (_, listed) = server.get("/webhooks", "rival").await;
    assert!(listed.to_string().contains(&rival_id), "{listed}");
    let (status, _) = send(server.request(
        Method::DELETE,
        &format!("/webhooks/{rival_id}"),
        Some("rival"),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let public = open(&server, "Printer queue stuck", false).await;
    let hidden = open(&server, "Ms Miller's grades", true).await;
    let target = server.log_position().await;

    let mut events: Vec<Value> = Vec::new();
    while events.last().and_then(|e| e["global_position"].as_u64()) < Some(target) {
        let (headers, body) = tokio::time::timeout(HANG_GUARD, received.recv())
            .await
            .expect("the webhook never arrived")
            .unwrap();
        let signature = headers["ticketflow-signature"].to_str().unwrap();
        ticketflow_webhooks::verify_signature(
            &secret,
            signature,
            &body,
            std::time::Duration::from_secs(300),
        )
        .expect("every request is signed with the endpoint's secret");
        let batch: Value = serde_json::from_slice(&body).unwrap();
        for e in batch["events"].as_array().unwrap() {
            if events
                .iter()
                .all(|seen| seen["global_position"] != e["global_position"])
            {
                events.push(e.clone());
            }
        }
    }
    let positions: Vec<u64> = events
        .iter()
        .map(|e| e["global_position"].as_u64().unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "in log order: {positions:?}"
    );
    let of = |key: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["stream_id"] == format!("ticket-{key}"))
            .collect()
    };
    let opened = of(&public)
        .into_iter()
        .find(|e| e["event_type"] == "TicketOpened")
        .expect("the public ticket's opening was delivered");
    assert!(
        opened["data"].to_string().contains("Printer queue stuck"),
        "a public ticket keeps its text: {opened}"
    );
    let confidential = of(&hidden);
    assert!(!confidential.is_empty());
    for e in confidential {
        let text = e["data"].to_string();
        assert!(!text.contains("Miller"), "confidential text leaked: {text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
    let (status, attempts) = server
        .get(&format!("/webhooks/{id}/deliveries"), "hook")
        .await;
    assert_eq!(status, StatusCode::OK, "{attempts}");
    let attempts = attempts.as_array().unwrap();
    assert!(!attempts.is_empty());
    assert!(
        attempts.iter().all(|a| a["outcome"]["code"] == 200),
        "{attempts:?}"
    );
    let out = cli(online(&server, "hook", &["webhooks", "deliveries", &id])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("HTTP 200"));
    let (status, _) = server.get("/webhooks/not-an-id", "hook").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // --- Email intake ---------------------------------------------------------------------
    std::fs::write(
        server.path().join("contacts.toml"),
        "[[organisation]]\nid = \"acme\"\nregion = \"dach\"\ndomains = [\"acme.example\"]\n",
    )
    .unwrap();
    let first = mail(
        "Kim <kim@acme.example>",
        "Scanner jams on A3",
        "m1@acme.example",
        "The scanner jams whenever we scan A3.",
    );
    let file = server.path().join("first.eml");
    std::fs::write(&file, &first).unwrap();
    let out = cli(online(&server, "ops", &["intake", file.to_str().unwrap()])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let key = printed.strip_prefix("opened ").expect(&printed).to_owned();
    // Shared with the organisation: a colleague of the sender sees it.
    let (status, ticket) = server.get(&format!("/tickets/{key}"), "lea").await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    // The same mail again records nothing and answers the same ticket.
    let (status, again) = post_mail(&server, "ops", &first).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["ticket"], key.as_str());
    assert_eq!(again["outcome"], "opened");
    assert_eq!(again["replayed"], true);
    let reply = mail(
        "kim@acme.example",
        &format!("Re: [{key}] Scanner jams on A3"),
        "m2@acme.example",
        "It also jams on A4 now.",
    );
    let (status, commented) = post_mail(&server, "ops", &reply).await;
    assert_eq!(status, StatusCode::OK, "{commented}");
    assert_eq!(commented["ticket"], key.as_str());
    assert_eq!(commented["outcome"], "commented");
    let (_, history) = server.get(&format!("/tickets/{key}/history"), "kim").await;
    assert!(history.to_string().contains("jams on A4"), "{history}");
    let stranger = mail("eve@evil.example", "Hello", "m3@evil.example", "Let me in.");
    let (status, body) = post_mail(&server, "ops", &stranger).await;
    assert!(status.is_client_error(), "{status} {body}");
    let (status, _) = post_mail(&server, "kim", &reply).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = e2e_support::send(
        server
            .request(Method::POST, "/intake/email", Some("ops"))
            .header("content-type", "text/plain")
            .body(reply.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Mails have their own size limit (`--intake-body-limit`, here 64 KiB).
    let huge = mail(
        "kim@acme.example",
        "A very long mail",
        "m4@acme.example",
        &"x".repeat(70_000),
    );
    let (status, body) = post_mail(&server, "ops", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(
        body["type"],
        "https://ticketflow.invalid/problems/body-too-large"
    );

    // --- The lock: no import, no second server ---------------------------------------------
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/outage.jsonl");
    let dir = server.path().to_str().unwrap().to_owned();
    let out = cli(vec![
        "import".into(),
        script.into(),
        "--data-dir".into(),
        dir.clone(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a server is running on") && stderr.contains("stop it first"),
        "{stderr}"
    );
    let out = cli(vec![
        "serve".into(),
        "--port".into(),
        "0".into(),
        "--data-dir".into(),
        dir,
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a server is running on"));

    // --- Projections: rebuild everything online, then all caught up -------------------------
    let out = cli(online(&server, "ops", &["projections", "rebuild", "--all"])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("rebuilt and swapped in"));
    let out = cli(online(&server, "ops", &["projections", "status"])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 8, "{table}");
    assert!(
        rows.iter().all(|r| r.trim_end().ends_with("live")),
        "{table}"
    );
    let out = cli(online(&server, "kim", &["projections", "status"])).await;
    assert_eq!(out.status.code(), Some(1), "a customer is refused");
}
