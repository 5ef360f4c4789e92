//! End to end: `ticketflow subscribe` prints every event exactly once, in order, across a
//! server restart — the server is stopped, started again on the same directory and port, and
//! the command resumes with `Last-Event-ID` by itself. Ctrl-C then stops it cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;

use e2e_support::{HANG_GUARD, Server, bin};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn open(server: &Server, summary: &str) -> String {
    let (status, body) = server
        .post(
            "/tickets",
            "kim",
            &json!({"command": "open_from_portal", "region": "dach", "form": {
                "ticket_type": "request", "summary": summary, "description": "described",
                "share_with": "organisation"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["key"].as_str().unwrap().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Reads printed positions until `target` is reached.
fn read_until(lines: &mpsc::Receiver<String>, seen: &mut Vec<u64>, target: u64) {
    while seen.last().copied().unwrap_or(0) < target {
        let line = lines
            .recv_timeout(HANG_GUARD)
            .expect("subscribe stopped printing");
        let event: Value = serde_json::from_str(&line).unwrap();
        seen.push(event["global_position"].as_u64().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_prints_every_event_exactly_once_across_a_server_restart() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let tokens: std::collections::HashMap<String, String> = [
        ("kim", vec!["--role", "customer", "--organisation", "acme"]),
        ("feed", vec!["--role", "integrator"]),
        ("ops", vec!["--role", "operator"]),
    ]
    .into_iter()
    .map(|(name, args)| (name.to_owned(), e2e_support::issue(dir.path(), name, &args)))
    .collect();
    let server = Server::start_in_on(dir, port, &[], tokens.clone());
    open(&server, "First").await;
    open(&server, "Second").await;
    let before = server.log_position().await;

    let mut child = Command::new(bin())
        .args([
            "subscribe",
            "--url",
            &server.base,
            "--token",
            &tokens["feed"],
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    read_until(&lines, &mut seen, before);

    let dir = server.stop();
    let server = Server::start_in_on(dir, port, &[], tokens);
    open(&server, "Third, after the restart").await;
    let after = server.log_position().await;
    assert!(after > before);
    read_until(&lines, &mut seen, after);

    let expected: Vec<u64> = (1..=after).collect();
    assert_eq!(seen, expected, "every event exactly once, in order");

    // Ctrl-C stops it cleanly.
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    drop(server);
}
