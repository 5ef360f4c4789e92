//! End to end over HTTP on a simulated clock: the built-in demo script, sent line by line by
//! the people it names (each with their own token), with `POST /clock/advance` moving
//! business time to each line so timers and the delivery process manager fire in between.
//!
//! It covers (a) a Software Defect from portal intake to automatic close with its SLA
//! figures, (b) a Customisation from estimation to order, concept approval, implementation
//! and delivery, and (c) a delivery moving its included ticket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::collections::BTreeMap;

use e2e_support::Server;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SCRIPT: &str = include_str!("../scripts/demo.jsonl");

fn role_flags(actor: &Value) -> Vec<String> {
    let role = actor["role"].as_str().unwrap().to_owned();
    let mut flags = vec!["--role".to_owned(), role.clone()];
    match role.as_str() {
        "customer" => flags.extend([
            "--organisation".to_owned(),
            actor["organisation"].as_str().unwrap().to_owned(),
        ]),
        "support-agent" => flags.extend([
            "--region".to_owned(),
            actor["region"].as_str().unwrap().to_owned(),
        ]),
        _ => {}
    }
    flags
}

fn path_of(target: &str) -> String {
    let (category, key) = target.split_once('-').unwrap();
    let collection = match category {
        "ticket" => "tickets",
        "order" => "orders",
        _ => "deliveries",
    };
    format!("/{collection}/{key}/commands")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_desk_runs_over_http_from_intake_to_automatic_close() {
    let lines: Vec<Value> = SCRIPT
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut actors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in &lines {
        actors.insert(
            l["actor"]["id"].as_str().unwrap().to_owned(),
            role_flags(&l["actor"]),
        );
    }
    let mut tokens: Vec<(String, Vec<String>)> = actors.into_iter().collect();
    tokens.push(("ops".into(), vec!["--role".into(), "operator".into()]));
    tokens.push(("audrey".into(), vec!["--role".into(), "auditor".into()]));
    let borrowed: Vec<Vec<&str>> = tokens
        .iter()
        .map(|(_, f)| f.iter().map(String::as_str).collect())
        .collect();
    let specs: Vec<(&str, &[&str])> = tokens
        .iter()
        .zip(&borrowed)
        .map(|((n, _), f)| (n.as_str(), f.as_slice()))
        .collect();
    let start = lines[0]["at"].as_str().unwrap();
    let server = Server::start(&["--clock", "simulated", "--start", start], &specs);

    for (i, l) in lines.iter().enumerate() {
        server.advance_to(l["at"].as_str().unwrap()).await;
        let who = l["actor"]["id"].as_str().unwrap();
        let (status, body) = server
            .post(&path_of(l["target"].as_str().unwrap()), who, &l["command"])
            .await;
        assert!(
            status.is_success(),
            "line {}: {} → {status} {body}",
            i + 1,
            l["command"]["command"]
        );
    }
    // Let the waiting timers run out: the delivered defect closes itself after its
    // confirmation period.
    server.advance_to("2027-04-30T00:00:00Z").await;

    // (a) The Software Defect: portal intake … automatic close, with SLA figures.
    let (status, ticket) = server.get("/tickets/SD-1001", "anna").await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(ticket["ticket_type"], "software-defect");
    assert_eq!(ticket["status"], "closed", "{ticket}");
    let (_, history) = server.get("/tickets/SD-1001/history", "audrey").await;
    let entries = history["entries"].as_array().unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last["event_type"], "TicketStatusChanged", "{last}");
    assert_eq!(last["event"]["Ticket"]["data"]["to"], "closed", "{last}");
    let closed = entries
        .iter()
        .find(|e| e["event_type"] == "TicketClosed")
        .unwrap();
    assert_eq!(
        closed["event"]["Ticket"]["data"]["reason"],
        "no-answer-after-resolution"
    );
    assert!(
        last["actor"].as_str().unwrap().starts_with("system:"),
        "closed by the engine: {last}"
    );
    let (status, sla) = server.get("/tickets/SD-1001/sla", "anna").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sla["sla"]["report"]["applicable"], true, "{sla}");
    assert_eq!(sla["sla"]["report"]["priority"], "P3", "{sla}");
    // The customer who opened it sees it too; as of its first hour it was still open.
    let (status, early) = server
        .get("/tickets/SD-1001?as_of=2026-11-23T08:30:00Z", "jane@acme")
        .await;
    assert_eq!(status, StatusCode::OK, "{early}");
    assert_eq!(early["status"], "open");
    assert_eq!(early["ticket_type"], "incident");

    // (b) The Customisation: estimate, order, concept approval, implementation, delivery.
    let (status, order) = server.get("/orders/CO-1", "bruno").await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["phase"], "closed", "{order}");
    let (_, order_history) = server.get("/orders/CO-1/history", "audrey").await;
    let types: Vec<&str> = order_history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    for expected in ["OrderPlaced", "OrderConceptApproved", "OrderClosed"] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
    let (_, customisation) = server.get("/tickets/SD-1002", "anna").await;
    assert_eq!(customisation["ticket_type"], "customisation");
    assert_eq!(customisation["order"], "CO-1");

    // (c) The delivery moved its included ticket: the defect's history shows the delivery
    // recorded by the process manager.
    let (status, delivery) = server.get("/deliveries/SD-2001", "anna").await;
    assert_eq!(status, StatusCode::OK, "{delivery}");
    assert!(
        delivery["tickets"]
            .as_array()
            .unwrap()
            .contains(&json!("SD-1001")),
        "{delivery}"
    );
    assert!(delivery["delivered_at"].is_string(), "{delivery}");
    let delivered = entries
        .iter()
        .find(|e| e["event_type"] == "TicketDelivered")
        .unwrap_or_else(|| panic!("no TicketDelivered in {entries:?}"));
    assert_eq!(delivered["event"]["Ticket"]["data"]["delivery"], "SD-2001");
    assert!(
        delivered["actor"].as_str().unwrap().starts_with("system:"),
        "{delivered}"
    );

    // The portal list and the reports answer from the read models.
    let (_, list) = server.get("/tickets?status=closed", "jane@acme").await;
    assert!(list["total"].as_u64().unwrap() >= 2, "{list}");
    let (status, report) = server
        .get("/sla/report?customer=acme&group=priority", "anna")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(!report["groups"].as_array().unwrap().is_empty(), "{report}");

    // What if acme's contract gave P3 defects 300 hours to restore? SD-1001 (167 h 20 min
    // against 120 h) would have met it.
    let what_if = json!({
        "policy": {"contracts": {"acme": {"targets": {"P3": {"restoration": "300h"}}}}},
        "filter": {"customer": "acme", "priority": "P3", "group": "priority"}
    });
    let (status, answer) = server.post("/sla/what-if", "anna", &what_if).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["current"][0]["breached"], 1, "{answer}");
    assert_eq!(answer["groups"][0]["breached"], 0, "{answer}");
    let (status, refused) = server
        .post(
            "/sla/what-if",
            "anna",
            &json!({"policy": {"colour": "blue"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    // A graceful stop writes checkpoints; a restart resumes and answers the same.
    let tokens = server.tokens.clone();
    let dir = server.stop();
    let again = Server::start_in(
        dir,
        &["--clock", "simulated", "--start", "2027-04-30T00:00:00Z"],
        tokens,
    );
    let (_, after) = again.get("/tickets/SD-1001", "anna").await;
    assert_eq!(after["status"], "closed");
    let (status, _) = e2e_support::send(again.request(Method::GET, "/readyz", None)).await;
    assert_eq!(status, StatusCode::OK);
}
