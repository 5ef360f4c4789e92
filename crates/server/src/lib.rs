//! # The Ticketflow HTTP server
//!
//! A thin adapter over the engine: [`router`] maps HTTP onto commands and read-model
//! queries, [`serve`] runs the live runtime (store, engine, scheduler, projection runner) and
//! the listener until a shutdown signal, then writes checkpoints and closes the store.
//!
//! * Auth: every endpoint except `/healthz`, `/readyz` and `/openapi.json` takes a bearer
//!   token ([`auth::Caller`]); the access policy (`ticketflow_access::policy`) decides.
//! * Errors: RFC 9457 problem details ([`problem::Problem`]); a client's mistake is always a
//!   4xx, including the framework's own rejections (unknown route, wrong method, oversized
//!   body), which a middleware rewrites into problem details.
//! * Commands, queries, streams and operations live in [`commands`], [`queries`],
//!   [`streams`] and [`operations`]; the OpenAPI document in [`openapi`].
//!
//! Other crates add routes by merging their own `Router<AppState>` into [`router`]'s result
//! and reuse [`auth::Caller`] for authentication.

pub mod aggregates;
pub mod auth;
pub mod body;
pub mod commands;
pub mod demo;
pub mod email_intake;
pub mod error;
pub mod keys;
pub mod lock;
pub mod metrics;
pub mod openapi;
pub mod operations;
pub mod problem;
pub mod queries;
pub mod state;
pub mod streams;
pub mod webhook_endpoints;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

pub use error::ServerError;
pub use problem::Problem;
pub use state::{AppState, ClockMode, ServerConfig};

/// Every route of the API over `state`, with the body limit, metrics and problem-details
/// middleware applied.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// Like [`router`], with `extra` routes (e.g. webhooks, email intake) merged in before the
/// middleware is applied, so they are counted in the metrics, share the body limit and have
/// their plain-text rejections turned into problem details too. Handlers in `extra` take
/// `State<AppState>` and authenticate with [`auth::Caller`].
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let limit = state.config.body_limit;
    let intake_limit = state.config.intake_body_limit;
    routes()
        .route(
            "/intake/email",
            post(email_intake::take_in).layer(DefaultBodyLimit::max(intake_limit)),
        )
        .merge(extra)
        .fallback(|| async {
            Problem::not_found("there is no such endpoint; GET /openapi.json lists them")
        })
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// The API's routes without middleware or state (see [`router_with`] to add more).
/// `POST /intake/email` is added by [`router_with`], because its body limit is its own
/// setting ([`ServerConfig::intake_body_limit`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(operations::healthz))
        .route("/readyz", get(operations::readyz))
        .route("/metrics", get(operations::metrics))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(openapi::document()) }),
        )
        .route(
            "/tickets",
            post(commands::open_ticket).get(queries::list_tickets),
        )
        .route("/tickets/{key}", get(queries::get_ticket))
        .route("/tickets/{key}/commands", post(commands::ticket_command))
        .route("/tickets/{key}/history", get(queries::ticket_history))
        .route("/tickets/{key}/sla", get(queries::ticket_sla))
        .route("/sla/report", get(queries::sla_report))
        .route("/sla/what-if", post(queries::sla_what_if))
        .route(
            "/orders",
            post(commands::place_order).get(queries::order_board),
        )
        .route("/orders/{key}", get(queries::get_order))
        .route("/orders/{key}/commands", post(commands::order_command))
        .route("/orders/{key}/history", get(queries::order_history))
        .route(
            "/deliveries",
            post(commands::plan_delivery).get(queries::list_deliveries),
        )
        .route("/deliveries/{key}", get(queries::get_delivery))
        .route(
            "/deliveries/{key}/commands",
            post(commands::delivery_command),
        )
        .route("/deliveries/{key}/history", get(queries::delivery_history))
        .route("/billing/{customer}/{month}", get(queries::billing))
        .route("/escalations", get(queries::escalations))
        .route("/streams/all", get(streams::all))
        .route("/streams/category/{category}", get(streams::category))
        .route("/streams/stream/{stream_id}", get(streams::stream))
        .route("/projections", get(operations::projections))
        .route("/projections/{name}", get(operations::projection))
        .route("/projections/{name}/rebuild", post(operations::rebuild))
        .route("/backup", post(operations::backup))
        .route("/clock/advance", post(operations::advance_clock))
        .route(
            "/webhooks",
            post(webhook_endpoints::register).get(webhook_endpoints::list),
        )
        .route(
            "/webhooks/{id}",
            get(webhook_endpoints::get).delete(webhook_endpoints::remove),
        )
        .route(
            "/webhooks/{id}/rotate-secret",
            post(webhook_endpoints::rotate_secret),
        )
        .route(
            "/webhooks/{id}/deliveries",
            get(webhook_endpoints::deliveries),
        )
}

/// Counts every request by route and status, and turns any error the framework answered in
/// plain text (wrong method, unreadable path or query) into problem details.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(problem::PROBLEM_JSON.as_bytes()));
    if status.is_client_error() && !is_problem {
        let body = std::mem::take(response.body_mut());
        let text = axum::body::to_bytes(body, 64 * 1024)
            .await
            .unwrap_or_default();
        let detail = String::from_utf8_lossy(&text).into_owned();
        let detail = if detail.is_empty() {
            status
                .canonical_reason()
                .unwrap_or("request refused")
                .to_owned()
        } else {
            detail
        };
        let kind = match status {
            StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
            StatusCode::NOT_FOUND => "not-found",
            _ => "bad-request",
        };
        let headers = response.headers().clone();
        response = Problem::new(status, kind, detail).into_response();
        if let Some(allow) = headers.get(header::ALLOW) {
            response.headers_mut().insert(header::ALLOW, allow.clone());
        }
    }
    state.metrics.request(&method, &route, status.as_u16());
    tracing::debug!(%method, %route, status = status.as_u16(), took = ?started.elapsed(), "request");
    response
}

/// Runs the server: takes the data directory's lock (`server.lock`; refused while another
/// server, an import or a restore holds it), opens the runtime (loading the demo first when
/// `demo` is set and the store is empty), starts the webhook dispatcher, binds `bind` (port 0
/// picks a free one), prints `listening on http://ADDRESS` on stdout, and serves until
/// `shutdown` completes; then stops the scheduler and the dispatcher, writes projection
/// checkpoints, closes the store and releases the lock.
pub async fn serve(
    config: ServerConfig,
    bind: SocketAddr,
    demo: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let lock = lock::DataDirLock::acquire(&config.data_dir, "server")?;
    let demo_just_loaded = if demo {
        let loaded = demo::load_if_empty(&config).await?;
        demo::write_contacts_if_missing(&config)?;
        loaded
    } else {
        false
    };
    let (state, scheduler) = AppState::open(config).await?;
    let mut dispatcher_config = state.config.webhooks.clone();
    dispatcher_config.redactor = Some(webhook_endpoints::redactor(
        state.views.ticket_overview.clone(),
    ));
    let store: Arc<dyn ticketflow_store::EventStore> = state.store.clone();
    // Webhook redaction asks the ticket overview: let the read models catch up with the log
    // first (in the background; the API answers meanwhile), then start the dispatcher.
    let catching_up = state.clone();
    let dispatcher = tokio::spawn(async move {
        if let Ok(head) =
            ticketflow_store::EventStore::last_position(catching_up.store.as_ref()).await
        {
            let _ = catching_up.runner.wait_for(head).await;
        }
        ticketflow_webhooks::Dispatcher::start(
            store,
            catching_up.webhooks.clone(),
            dispatcher_config,
        )
    });
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| ServerError::Bind {
            address: bind.to_string(),
            source,
        })?;
    let address = listener.local_addr().map_err(|source| ServerError::Bind {
        address: bind.to_string(),
        source,
    })?;
    if demo {
        demo::print_welcome(&state, address, demo_just_loaded)?;
    }
    println!("listening on http://{address}");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let scheduler_task = scheduler.map(|mut scheduler| {
        let poll = state.config.scheduler_poll;
        let mut rx = stop_rx.clone();
        tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            if let Err(e) = scheduler.run_until(poll, stop).await {
                tracing::error!("the scheduler stopped: {e}");
            }
        })
    });
    let app = router(state.clone());
    let ending = state.clone();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
            ending.shutdown.send_replace(true);
        })
        .await;
    if let Some(task) = scheduler_task {
        let _ = task.await;
    }
    // Still waiting for the read models: stop waiting. Started: stop it gracefully.
    dispatcher.abort();
    if let Ok(handle) = dispatcher.await {
        handle.shutdown().await;
    }
    state.close().await;
    drop(lock);
    result.map_err(|source| ServerError::Io {
        path: std::path::PathBuf::from(address.to_string()),
        source,
    })
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
