//! End to end: malformed and hostile requests. Each is answered with a 4xx and an RFC 9457
//! problem (never a 5xx), and the log does not move.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use std::process::Command;

use e2e_support::Server;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    token: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    want: u16,
}

fn case(
    name: &'static str,
    method: Method,
    path: impl Into<String>,
    body: Option<&str>,
    want: u16,
) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        token: Some("anna"),
        headers: Vec::new(),
        body: body.map(|b| b.as_bytes().to_vec()),
        want,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_hostile_requests_get_a_4xx_problem_and_change_nothing() {
    let server = Server::start(
        // A simulated clock: nothing fires on its own, so the log moves only if a request
        // records something.
        &[
            "--body-limit",
            "4096",
            "--clock",
            "simulated",
            "--start",
            "2026-03-02T09:00:00Z",
        ],
        &[
            ("kim", &["--role", "customer", "--organisation", "acme"]),
            ("anna", &["--role", "support-agent", "--region", "dach"]),
            ("ops", &["--role", "operator"]),
            ("gone", &["--role", "support-agent", "--region", "dach"]),
        ],
    );
    let (status, body) = server
        .post(
            "/tickets",
            "kim",
            &json!({"command": "open_from_portal", "region": "dach", "form": {
            "ticket_type": "request", "summary": "Hostile", "description": "target",
            "share_with": "organisation"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = body["key"].as_str().unwrap().to_owned();
    let commands = format!("/tickets/{key}/commands");

    // A revoked token stops working at once, without a restart.
    let (status, _) = server.get(&format!("/tickets/{key}"), "gone").await;
    assert_eq!(status, StatusCode::OK);
    let out = Command::new(env!("CARGO_BIN_EXE_ticketflow"))
        .args(["tokens", "revoke", "gone", "--data-dir"])
        .arg(server.path())
        .output()
        .unwrap();
    assert!(out.status.success());

    let huge = format!(
        "{{\"command\":\"add_comment\",\"text\":\"{}\"}}",
        "x".repeat(10_000)
    );
    let mut cases = vec![
        case(
            "bad JSON",
            Method::POST,
            &commands,
            Some("{\"command\": "),
            400,
        ),
        case(
            "not an object",
            Method::POST,
            &commands,
            Some("[1,2,3]"),
            422,
        ),
        case("empty body", Method::POST, &commands, Some(""), 400),
        case("huge body", Method::POST, &commands, Some(&huge), 413),
        case(
            "a body key other than the path's",
            Method::POST,
            "/tickets/SD-5555/commands",
            Some(
                r#"{"command":"open_from_portal","key":"SD-7777","region":"dach","form":{"ticket_type":"request","summary":"s","description":"d","share_with":"organisation"}}"#,
            ),
            422,
        ),
        case(
            "a body key other than the path's, existing ticket",
            Method::POST,
            &commands,
            Some(
                r#"{"command":"open_from_portal","key":"SD-7777","region":"dach","form":{"ticket_type":"request","summary":"s","description":"d","share_with":"organisation"}}"#,
            ),
            422,
        ),
        case(
            "unknown field",
            Method::POST,
            &commands,
            Some(r#"{"command":"add_comment","text":"hi","admin":true}"#),
            422,
        ),
        case(
            "unknown nested field",
            Method::POST,
            "/tickets",
            Some(
                r#"{"command":"open_from_portal","region":"dach","form":{"ticket_type":"request","summary":"s","description":"d","share_with":"organisation","evil":1}}"#,
            ),
            422,
        ),
        case(
            "wrong type",
            Method::POST,
            &commands,
            Some(r#"{"command":"set_priority","priority":5}"#),
            422,
        ),
        case(
            "unknown command",
            Method::POST,
            &commands,
            Some(r#"{"command":"drop_table"}"#),
            422,
        ),
        case(
            "illegal transition",
            Method::POST,
            &commands,
            Some(r#"{"command":"close"}"#),
            409,
        ),
        case(
            "unknown ticket",
            Method::POST,
            "/tickets/SD-999999/commands",
            Some(r#"{"command":"accept"}"#),
            404,
        ),
        case(
            "unknown ticket read",
            Method::GET,
            "/tickets/SD-999999",
            None,
            404,
        ),
        case(
            "path traversal (encoded slashes)",
            Method::POST,
            "/tickets/..%2F..%2Fetc%2Fpasswd/commands",
            Some(r#"{"command":"accept"}"#),
            400,
        ),
        case(
            "path traversal (dots, normalised away by the client)",
            Method::GET,
            "/tickets/%2e%2e",
            None,
            404,
        ),
        case(
            "path traversal in a stream id",
            Method::GET,
            "/streams/stream/..%2F..%2Fevents.sqlite",
            None,
            400,
        ),
        case(
            "path traversal in a backup name",
            Method::POST,
            "/backup",
            Some(r#"{"name":"../../escape.sqlite"}"#),
            400,
        ),
        case(
            "a very long key",
            Method::GET,
            format!("/tickets/SD-{}", "9".repeat(2000)),
            None,
            400,
        ),
        case("a key of no order", Method::GET, "/orders/SD-1", None, 404),
        case("bad month", Method::GET, "/billing/acme/2026-13", None, 400),
        case(
            "bad instant",
            Method::GET,
            format!("/tickets/{key}?as_of=yesterday"),
            None,
            400,
        ),
        case("bad number", Method::GET, "/tickets?limit=lots", None, 400),
        case(
            "bad enum",
            Method::GET,
            "/tickets?status=exploded",
            None,
            400,
        ),
        case(
            "unknown projection",
            Method::POST,
            "/projections/nope/rebuild",
            None,
            404,
        ),
        case(
            "clock backwards",
            Method::POST,
            "/clock/advance",
            Some(r#"{"to":"2020-01-01T00:00:00Z"}"#),
            422,
        ),
        case(
            "clock out of range",
            Method::POST,
            "/clock/advance",
            Some(r#"{"seconds":9223372036854775807}"#),
            400,
        ),
        case(
            "clock with both fields",
            Method::POST,
            "/clock/advance",
            Some(r#"{"seconds":1,"to":"2027-01-01T00:00:00Z"}"#),
            422,
        ),
        case(
            "wrong method",
            Method::DELETE,
            format!("/tickets/{key}"),
            None,
            405,
        ),
        case(
            "unknown route",
            Method::GET,
            "/admin/../../etc/passwd",
            None,
            404,
        ),
    ];
    for c in cases.iter_mut() {
        if matches!(
            c.path.as_str(),
            "/backup" | "/projections/nope/rebuild" | "/clock/advance"
        ) {
            c.token = Some("ops");
        }
    }
    let mut more = vec![
        Case {
            token: None,
            ..case(
                "missing token",
                Method::POST,
                &commands,
                Some(r#"{"command":"accept"}"#),
                401,
            )
        },
        Case {
            token: Some("tf_0000"),
            ..case(
                "invalid token",
                Method::POST,
                &commands,
                Some(r#"{"command":"accept"}"#),
                401,
            )
        },
        Case {
            token: Some("gone"),
            ..case(
                "revoked token",
                Method::POST,
                &commands,
                Some(r#"{"command":"accept"}"#),
                401,
            )
        },
        Case {
            token: None,
            headers: vec![("authorization", "Basic YTpi".into())],
            ..case(
                "basic auth",
                Method::GET,
                format!("/tickets/{key}"),
                None,
                401,
            )
        },
        Case {
            headers: vec![("if-match", "\"banana\"".into())],
            ..case(
                "garbage If-Match",
                Method::POST,
                &commands,
                Some(r#"{"command":"accept"}"#),
                400,
            )
        },
        Case {
            headers: vec![("if-match", "\"7\"".into())],
            ..case(
                "stale If-Match",
                Method::POST,
                &commands,
                Some(r#"{"command":"accept"}"#),
                412,
            )
        },
        Case {
            headers: vec![("last-event-id", "abc".into())],
            token: Some("ops"),
            ..case(
                "garbage Last-Event-ID",
                Method::GET,
                "/streams/all",
                None,
                403,
            )
        },
    ];
    cases.append(&mut more);

    let before = server.log_position().await;
    let mut failures = Vec::new();
    for c in &cases {
        let mut r = server.request(c.method.clone(), &c.path, c.token);
        for (name, value) in &c.headers {
            r = r.header(*name, value);
        }
        if let Some(body) = &c.body {
            r = r
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let response = r.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != c.want
            || content_type != "application/problem+json"
            || problem["status"] != c.want
            || !problem["detail"].is_string()
            || !problem["type"].is_string()
        {
            failures.push(format!("{}: {status} {content_type} {text}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // A body naming another order or delivery than the path is refused as a mismatch (not as
    // a malformed command: these bodies are otherwise valid), for every aggregate.
    for (path, body) in [
        (
            "/orders/CO-55/commands",
            json!({"command": "place", "order": "CO-77", "ticket": "SD-1002", "customer": "acme",
                "region": "dach", "kind": "customer-specific", "summary": "s",
                "own_codeline": true, "test_environment": true, "custom_code_allowed": true}),
        ),
        (
            "/deliveries/SD-2055/commands",
            json!({"command": "plan_delivery", "delivery": "SD-2077", "version": "14.21.3.1",
                "cloud_environment": "customer-hosted", "organisation": "acme"}),
        ),
    ] {
        let (status, problem) = server.post(path, "anna", &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert!(
            problem["type"]
                .as_str()
                .unwrap_or_default()
                .ends_with("key-mismatch"),
            "{path}: {problem}"
        );
    }
    assert_eq!(
        server.log_position().await,
        before,
        "a refused request recorded something"
    );

    // The 412 names both versions; the 409 names the allowed commands.
    let (_, p) = send_with(&server, &commands, "\"7\"").await;
    assert_eq!(
        (p["expected"].as_u64(), p["actual"].as_u64()),
        (Some(7), Some(1)),
        "{p}"
    );
    let (_, p) = server
        .post(&commands, "anna", &json!({"command": "close"}))
        .await;
    assert!(
        p["allowed"].as_array().unwrap().contains(&json!("accept")),
        "{p}"
    );
    assert_eq!(server.log_position().await, before);

    // The same command with an Idempotency-Key twice records once.
    for _ in 0..2 {
        let r = server
            .request(Method::POST, &commands, Some("anna"))
            .header("Idempotency-Key", "accept-once")
            .json(&json!({"command": "accept"}));
        let (status, body) = e2e_support::send(r).await;
        assert!(status.is_success(), "{body}");
    }
    assert_eq!(server.log_position().await, before + 1);

    // A client-chosen key at the top of the range, even one whose command is refused, does
    // not use up the server's key sequence.
    let open = |key: Option<&str>| {
        let mut body = json!({"command": "open_from_portal", "region": "dach", "form": {
            "ticket_type": "request", "summary": "High", "description": "key",
            "share_with": "organisation"}});
        if let Some(k) = key {
            body["key"] = json!(k);
        }
        body
    };
    let (status, body) = server
        .post("/tickets", "ops", &open(Some("SD-999999998")))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = server
        .post("/tickets", "kim", &open(Some("SD-999999999")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = server.post("/tickets", "kim", &open(None)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let assigned = body["key"].as_str().unwrap();
    assert_ne!(assigned, "SD-999999999");
    assert!(assigned.len() < "SD-999999999".len(), "{assigned}");
}

async fn send_with(server: &Server, path: &str, if_match: &str) -> (StatusCode, Value) {
    e2e_support::send(
        server
            .request(Method::POST, path, Some("anna"))
            .header("if-match", if_match)
            .json(&json!({"command": "accept"})),
    )
    .await
}
