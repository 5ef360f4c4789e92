//! The OpenAPI document and the router describe the same endpoints: every documented
//! endpoint is routed (an anonymous call gets 200 for public ones and 401 otherwise, never
//! 404 or 405).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Method, Request};
use ticketflow_engine::projection::ProjectionState;
use ticketflow_server::openapi::{Audience, ENDPOINTS};
use ticketflow_server::{AppState, ClockMode, ServerConfig, router};
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_endpoint_is_routed_and_guarded_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        clock: ClockMode::Simulated("2026-03-02T09:00:00Z".parse().unwrap()),
        ..ServerConfig::new(dir.path())
    };
    let (state, _) = AppState::open(config).await.unwrap();
    // `/readyz` answers 200 once the read models are live: wait for that first (on an empty
    // log it is a moment after start).
    loop {
        let progress = state.runner.progress().await.unwrap();
        if progress
            .iter()
            .all(|p| !matches!(p.state, ProjectionState::CatchingUp))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let app = router(state.clone());
    for e in ENDPOINTS {
        let path = e
            .path
            .replace("{key}", "SD-1001")
            .replace("{customer}", "acme")
            .replace("{month}", "2026-03")
            .replace("{category}", "ticket")
            .replace("{stream_id}", "ticket-SD-1001")
            .replace("{name}", "sla")
            .replace("{id}", "0192f5e0-7c1a-7d3e-8f00-1234567890ab");
        let method: Method = e.method.to_uppercase().parse().unwrap();
        let request = Request::builder()
            .method(method)
            .uri(&path)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let status = app
            .clone()
            .oneshot(request)
            .await
            .unwrap()
            .status()
            .as_u16();
        let want = match e.audience {
            Audience::Public => 200,
            Audience::Token | Audience::Operator | Audience::IntegratorOrOperator => 401,
        };
        assert_eq!(status, want, "{} {}", e.method, e.path);
    }
    let document = ticketflow_server::openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["components"]["schemas"]["TicketCommand"].is_object());
    state.close().await;
}
