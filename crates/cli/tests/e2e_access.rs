//! End to end: the role matrix. Every role × every endpoint × a confidential ticket or not,
//! as one table; each cell is the HTTP status the role gets. 404 (not 403) where the ticket
//! must not even be known to exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

use e2e_support::{Server, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Token names, in the column order of every row below.
const ROLES: [&str; 9] = [
    "kim",    // customer of acme, creator of both tickets
    "lea",    // customer of acme, a colleague
    "omar",   // customer of globex
    "anna",   // support agent, DACH (the tickets' region)
    "ian",    // support agent, International
    "bruno",  // business consultant
    "audrey", // auditor
    "ops",    // operator
    "feed",   // integrator without confidential scope
];

fn tokens() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("kim", &["--role", "customer", "--organisation", "acme"]),
        ("lea", &["--role", "customer", "--organisation", "acme"]),
        ("omar", &["--role", "customer", "--organisation", "globex"]),
        ("anna", &["--role", "support-agent", "--region", "dach"]),
        (
            "ian",
            &["--role", "support-agent", "--region", "international"],
        ),
        ("bruno", &["--role", "business-consultant"]),
        ("audrey", &["--role", "auditor"]),
        ("ops", &["--role", "operator"]),
        ("feed", &["--role", "integrator"]),
        ("sam", &["--role", "sales"]),
    ]
}

async fn status_of(
    server: &Server,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> u16 {
    let mut r = server.request(method.clone(), path, token);
    if let Some(b) = body {
        r = r.json(b);
    }
    // Headers are enough (SSE bodies never end): status only, then drop the response.
    let response = r.send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_exactly_what_the_policy_allows_on_every_endpoint() {
    let server = Server::start(
        &["--clock", "simulated", "--start", "2026-03-02T09:00:00Z"],
        &tokens(),
    );
    let mut keys = Vec::new();
    for confidential in [false, true] {
        let (status, body) = server
            .post(
                "/tickets",
                "kim",
                &json!({"command": "open_from_portal", "region": "dach", "form": {
                "ticket_type": "request", "summary": "Matrix", "description": "role matrix",
                "share_with": "organisation", "confidential": confidential}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        keys.push(body["key"].as_str().unwrap().to_owned());
    }
    let comment = json!({"command": "add_comment", "text": "matrix"});

    // Ticket endpoints: (method, path template, body, [public ticket row], [confidential row]).
    type Row = [u16; 9];
    let ticket_rows: Vec<(Method, &str, Option<&Value>, Row, Row)> = vec![
        (
            Method::GET,
            "/tickets/{key}",
            [200, 200, 404, 200, 200, 200, 200, 404, 403],
            [200, 404, 404, 200, 404, 404, 200, 404, 403],
        )
            .into_row(None),
        (
            Method::GET,
            "/tickets/{key}/history",
            [200, 200, 404, 200, 200, 200, 200, 404, 403],
            [200, 404, 404, 200, 404, 404, 200, 404, 403],
        )
            .into_row(None),
        (
            Method::GET,
            "/tickets/{key}/sla",
            [200, 200, 404, 200, 200, 200, 200, 404, 403],
            [200, 404, 404, 200, 404, 404, 200, 404, 403],
        )
            .into_row(None),
        (
            Method::POST,
            "/tickets/{key}/commands",
            [200, 200, 404, 200, 200, 200, 403, 404, 403],
            [200, 404, 404, 200, 404, 404, 403, 404, 403],
        )
            .into_row(Some(&comment)),
    ];
    let mut failures = Vec::new();
    for (method, template, body, public, confidential) in &ticket_rows {
        for (key, row, label) in [
            (&keys[0], public, "public"),
            (&keys[1], confidential, "confidential"),
        ] {
            let path = template.replace("{key}", key);
            for (role, want) in ROLES.iter().zip(row.iter()) {
                let got = status_of(&server, method, &path, Some(role), *body).await;
                if got != *want {
                    failures.push(format!(
                        "{method} {template} ({label}) as {role}: got {got}, want {want}"
                    ));
                }
            }
        }
    }

    // The portal list: who may list, and whose list shows which ticket.
    let sees: [(&str, [bool; 9]); 2] = [
        (
            "public",
            [true, true, false, true, true, true, true, false, false],
        ),
        (
            "confidential",
            [true, false, false, true, false, false, true, false, false],
        ),
    ];
    let list_status: Row = [200, 200, 200, 200, 200, 200, 200, 403, 403];
    for (i, role) in ROLES.iter().enumerate() {
        let (status, page) = server.get("/tickets", role).await;
        if status.as_u16() != list_status[i] {
            failures.push(format!(
                "GET /tickets as {role}: got {status}, want {}",
                list_status[i]
            ));
            continue;
        }
        for (k, (label, row)) in keys.iter().zip(&sees) {
            let listed = page["tickets"]
                .as_array()
                .is_some_and(|t| t.iter().any(|s| s["key"] == k.as_str()));
            if listed != row[i] {
                failures.push(format!(
                    "GET /tickets as {role}: {label} ticket listed {listed}, want {}",
                    row[i]
                ));
            }
        }
    }

    // A delivery of acme: its customer's contacts and vendor staff see it; `release` in
    // status Planned is refused by the domain: 409 for support (it may release, just not
    // now), 403 for roles the domain never lets release (customers, consultants).
    let (status, body) = server
        .post(
            "/deliveries",
            "anna",
            &json!({"command": "plan_delivery", "version": "14.21.3.1",
            "cloud_environment": "customer-hosted", "organisation": "acme", "tickets": [keys[0]]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let delivery = body["key"].as_str().unwrap().to_owned();
    let release = json!({"command": "release"});
    let delivery_rows: Vec<(Method, String, Option<&Value>, Row)> = vec![
        (
            Method::GET,
            format!("/deliveries/{delivery}"),
            None,
            [200, 200, 404, 200, 200, 200, 200, 404, 404],
        ),
        (
            Method::GET,
            format!("/deliveries/{delivery}/history"),
            None,
            [200, 200, 404, 200, 200, 200, 200, 404, 404],
        ),
        (
            Method::POST,
            format!("/deliveries/{delivery}/commands"),
            Some(&release),
            [403, 403, 404, 409, 409, 403, 403, 404, 404],
        ),
        (
            Method::POST,
            "/deliveries".to_owned(),
            Some(&release),
            [403, 403, 403, 422, 422, 422, 403, 403, 403],
        ),
    ];
    for (method, path, body, row) in &delivery_rows {
        for (role, want) in ROLES.iter().zip(row.iter()) {
            let got = status_of(&server, method, path, Some(role), *body).await;
            if got != *want {
                failures.push(format!("{method} {path} as {role}: got {got}, want {want}"));
            }
        }
    }

    // An order of acme, placed by the consultant: its customer's contacts and vendor staff
    // see it; `approve_concept` before any concept is refused by the domain for everyone
    // who may address the order.
    let (status, body) = server
        .post(
            "/orders",
            "bruno",
            &json!({"command": "place", "ticket": keys[0], "customer": "acme",
            "region": "dach", "kind": "customer-specific", "summary": "Matrix order",
            "own_codeline": true, "test_environment": true, "custom_code_allowed": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let order = body["key"].as_str().unwrap().to_owned();
    let approve = json!({"command": "approve_concept"});
    let order_rows: Vec<(Method, String, Option<&Value>, Row)> = vec![
        (
            Method::GET,
            format!("/orders/{order}"),
            None,
            [200, 200, 404, 200, 200, 200, 200, 404, 404],
        ),
        (
            Method::GET,
            format!("/orders/{order}/history"),
            None,
            [200, 200, 404, 200, 200, 200, 200, 404, 404],
        ),
        (
            Method::POST,
            format!("/orders/{order}/commands"),
            Some(&approve),
            [409, 409, 404, 409, 409, 409, 403, 404, 404],
        ),
    ];
    for (method, path, body, row) in &order_rows {
        for (role, want) in ROLES.iter().zip(row.iter()) {
            let got = status_of(&server, method, path, Some(role), *body).await;
            if got != *want {
                failures.push(format!("{method} {path} as {role}: got {got}, want {want}"));
            }
        }
    }

    // Endpoints that do not depend on one ticket.
    let backup = json!({});
    let hook = json!({"url": "http://127.0.0.1:9/hook", "description": "matrix"});
    let hook_scoped = json!({"url": "http://127.0.0.1:9/hook", "confidential_text": true});
    let general: Vec<(Method, &str, Option<&Value>, Row)> = vec![
        (
            Method::GET,
            "/sla/report",
            None,
            [403, 403, 403, 200, 200, 200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/orders",
            None,
            [403, 403, 403, 200, 200, 200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/deliveries",
            None,
            [403, 403, 403, 200, 200, 200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/escalations",
            None,
            [403, 403, 403, 200, 200, 200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/billing/acme/2026-03",
            None,
            [403, 403, 403, 200, 200, 200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/streams/all",
            None,
            [403, 403, 403, 403, 403, 403, 200, 403, 200],
        ),
        (
            Method::GET,
            "/streams/category/ticket",
            None,
            [403, 403, 403, 403, 403, 403, 200, 403, 200],
        ),
        (
            Method::GET,
            "/projections",
            None,
            [403, 403, 403, 403, 403, 403, 403, 200, 403],
        ),
        (
            Method::GET,
            "/projections/sla",
            None,
            [403, 403, 403, 403, 403, 403, 403, 200, 403],
        ),
        (
            Method::GET,
            "/metrics",
            None,
            [403, 403, 403, 403, 403, 403, 403, 200, 403],
        ),
        (
            Method::POST,
            "/backup",
            Some(&backup),
            [403, 403, 403, 403, 403, 403, 403, 201, 403],
        ),
        (
            Method::GET,
            "/webhooks",
            None,
            [403, 403, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            Method::POST,
            "/webhooks",
            Some(&hook),
            [403, 403, 403, 403, 403, 403, 403, 201, 201],
        ),
        (
            Method::POST,
            "/webhooks",
            Some(&hook_scoped),
            [403, 403, 403, 403, 403, 403, 403, 201, 403],
        ),
        (
            Method::GET,
            "/webhooks/0192f5e0-7c1a-7d3e-8f00-1234567890ab",
            None,
            [403, 403, 403, 403, 403, 403, 403, 404, 404],
        ),
        (
            Method::GET,
            "/webhooks/0192f5e0-7c1a-7d3e-8f00-1234567890ab/deliveries",
            None,
            [403, 403, 403, 403, 403, 403, 403, 404, 404],
        ),
        (
            Method::DELETE,
            "/webhooks/0192f5e0-7c1a-7d3e-8f00-1234567890ab",
            None,
            [403, 403, 403, 403, 403, 403, 403, 404, 404],
        ),
        (
            Method::POST,
            "/webhooks/0192f5e0-7c1a-7d3e-8f00-1234567890ab/rotate-secret",
            None,
            [403, 403, 403, 403, 403, 403, 403, 404, 404],
        ),
        // Intake takes the mail gateway's operator token; a JSON body is the wrong media type.
        (
            Method::POST,
            "/intake/email",
            Some(&hook),
            [403, 403, 403, 403, 403, 403, 403, 415, 403],
        ),
        (Method::GET, "/healthz", None, [200; 9]),
        (Method::GET, "/readyz", None, [200; 9]),
        (Method::GET, "/openapi.json", None, [200; 9]),
    ];
    for (method, path, body, row) in &general {
        for (role, want) in ROLES.iter().zip(row.iter()) {
            let got = status_of(&server, method, path, Some(role), *body).await;
            if got != *want {
                failures.push(format!("{method} {path} as {role}: got {got}, want {want}"));
            }
        }
        // Without a token: public endpoints answer, everything else is 401.
        let anonymous = status_of(&server, method, path, None, *body).await;
        let want = if row[0] == 200 && row[8] == 200 {
            200
        } else {
            401
        };
        if anonymous != want {
            failures.push(format!(
                "{method} {path} without a token: got {anonymous}, want {want}"
            ));
        }
    }
    for (method, template, body, _, _) in &ticket_rows {
        let path = template.replace("{key}", &keys[0]);
        let got = status_of(&server, method, &path, None, *body).await;
        if got != 401 {
            failures.push(format!(
                "{method} {template} without a token: got {got}, want 401"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The operator's backup is a real, verifiable copy.
    let (status, body) = server
        .post("/backup", "ops", &json!({"name": "matrix.sqlite"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = send(server.request(Method::GET, "/healthz", None)).await;
    assert_eq!(status, StatusCode::OK);

    reports_leave_out_tickets_the_caller_may_not_see(&server, &keys[0], &keys[1]).await;
}

/// Escalations, the SLA report and delivery manifests name a ticket only to those who may
/// see it: the confidential DACH ticket is missing for the International agent, the
/// consultant, sales and the creator's colleague, and present for its region's agent, the
/// auditor and its creator.
async fn reports_leave_out_tickets_the_caller_may_not_see(
    server: &Server,
    public: &str,
    confidential: &str,
) {
    let (status, body) = server
        .post(
            &format!("/tickets/{confidential}/commands"),
            "kim",
            &json!({"command": "escalate", "level": "team-lead", "reason": "handling"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = server
        .post(
            &format!("/tickets/{public}/commands"),
            "kim",
            &json!({"command": "escalate", "level": "team-lead", "reason": "handling"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = server
        .post(
            "/deliveries",
            "anna",
            &json!({"command": "plan_delivery", "version": "14.21.3.2",
            "cloud_environment": "customer-hosted", "organisation": "acme",
            "tickets": [public, confidential]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let delivery = body["key"].as_str().unwrap().to_owned();

    // Requests have no SLA: the SLA report is checked with two incidents.
    let mut incidents = Vec::new();
    for confidential in [false, true] {
        let (status, body) = server
            .post(
                "/tickets",
                "kim",
                &json!({"command": "open_from_portal", "region": "dach", "form": {
                "ticket_type": "incident", "summary": "Matrix incident",
                "description": "role matrix", "share_with": "organisation",
                "affected_system": "production", "system_reachable": true,
                "url": "https://lms.example/grades",
                "confidential": confidential}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        incidents.push(body["key"].as_str().unwrap().to_owned());
    }

    let names = |v: &Value| v.to_string();
    let mut failures = Vec::new();
    for (role, sees) in [
        ("ian", false),
        ("bruno", false),
        ("sam", false),
        ("anna", true),
        ("audrey", true),
    ] {
        for (path, public, confidential) in [
            ("/escalations", public, confidential),
            ("/sla/report", incidents[0].as_str(), incidents[1].as_str()),
            ("/deliveries", public, confidential),
        ] {
            let (status, body) = server.get(path, role).await;
            assert_eq!(status, StatusCode::OK, "{path} as {role}: {body}");
            let text = names(&body);
            if text.contains(&format!("\"{confidential}\"")) != sees {
                failures.push(format!(
                    "{path} as {role}: confidential ticket shown {}",
                    !sees
                ));
            }
            if !text.contains(&format!("\"{public}\"")) {
                failures.push(format!("{path} as {role}: the public ticket is missing"));
            }
        }
    }
    for (role, sees) in [
        ("lea", false),
        ("kim", true),
        ("ian", false),
        ("anna", true),
    ] {
        for path in [
            format!("/deliveries/{delivery}"),
            format!("/deliveries/{delivery}/history"),
        ] {
            let (status, body) = server.get(&path, role).await;
            assert_eq!(status, StatusCode::OK, "{path} as {role}: {body}");
            let text = names(&body);
            if names_key(&text, confidential) != sees {
                failures.push(format!(
                    "{path} as {role}: confidential ticket shown {}",
                    !sees
                ));
            }
            if !names_key(&text, public) {
                failures.push(format!("{path} as {role}: public ticket missing"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether `text` names the ticket `key` as a whole word (`SD-1` is not named by `SD-10`).
fn names_key(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(at, _)| {
        let before = text[..at].chars().last();
        let after = text[at + key.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

trait IntoRow<'a> {
    fn into_row(
        self,
        body: Option<&'a Value>,
    ) -> (Method, &'static str, Option<&'a Value>, [u16; 9], [u16; 9]);
}

impl<'a> IntoRow<'a> for (Method, &'static str, [u16; 9], [u16; 9]) {
    fn into_row(
        self,
        body: Option<&'a Value>,
    ) -> (Method, &'static str, Option<&'a Value>, [u16; 9], [u16; 9]) {
        (self.0, self.1, body, self.2, self.3)
    }
}
