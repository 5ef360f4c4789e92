//! End to end: the README's main job, `ticketflow serve --demo`. It loads generated activity
//! into an empty data directory, prints working tokens for each kind of user, and answers
//! at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::collections::HashMap;

use e2e_support::{Server, send};
use reqwest::{Method, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_loads_a_living_desk_and_prints_working_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(dir, &["--demo"], HashMap::new());
    for line in &server.banner {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let [name, _role, secret] = parts.as_slice()
            && name.starts_with("demo-")
            && secret.starts_with("tf_")
        {
            server
                .tokens
                .insert((*name).to_owned(), (*secret).to_owned());
        }
    }
    assert_eq!(server.tokens.len(), 5, "{:#?}", server.banner);

    let (status, _) = send(server.request(Method::GET, "/readyz", None)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, page) = server.get("/tickets", "demo-customer").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page["total"].as_u64().unwrap() > 0,
        "the demo customer sees tickets: {page}"
    );
    assert!(
        page["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["organisation"] == "northwind-01"),
        "and only its organisation's: {page}"
    );
    let (_, all) = server.get("/tickets", "demo-agent").await;
    assert!(all["total"].as_u64().unwrap() > page["total"].as_u64().unwrap());
    let (status, report) = server
        .get("/sla/report?group=priority", "demo-auditor")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!report["groups"].as_array().unwrap().is_empty(), "{report}");
    let (status, board) = server
        .get("/orders?include_closed=true", "demo-agent")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!board["orders"].as_array().unwrap().is_empty(), "{board}");
    let (status, projections) = server.get("/projections", "demo-operator").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(projections.as_array().unwrap().len(), 8);
    let mut feed =
        e2e_support::SseReader::open(&server, "/streams/all", "demo-integrator", None).await;
    assert_eq!(feed.next().await.unwrap().id.as_deref(), Some("1"));

    // The demo writes a contact directory, so email intake works out of the box.
    let raw = "From: kim@northwind-01.example\r\nSubject: Scanner jams\r\nMessage-ID: <demo-1@northwind-01.example>\r\n\r\nIt jams on A3.\r\n";
    let (status, taken) = e2e_support::send(
        server
            .request(
                reqwest::Method::POST,
                "/intake/email",
                Some("demo-operator"),
            )
            .header("content-type", "message/rfc822")
            .body(raw),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["outcome"], "opened");
    drop(feed);

    // A revoked demo token stays revoked over a restart, and no secret is printed again.
    let out = std::process::Command::new(e2e_support::bin())
        .args(["tokens", "revoke", "demo-agent", "--data-dir"])
        .arg(server.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens = server.tokens.clone();
    let dir = server.stop();
    let again = Server::start_in(dir, &["--demo"], tokens);
    assert!(
        again.banner.iter().all(|line| !line.contains("tf_")),
        "no secrets on a later start: {:#?}",
        again.banner
    );
    assert!(
        again
            .banner
            .iter()
            .any(|line| line.contains("tokens issue")),
        "{:#?}",
        again.banner
    );
    let (status, _) = again.get("/tickets", "demo-agent").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the revoked token stays revoked"
    );
    let (status, _) = again.get("/tickets", "demo-customer").await;
    assert_eq!(status, StatusCode::OK, "the others keep working");
}
