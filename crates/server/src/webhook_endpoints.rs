//! Managing outgoing webhooks over HTTP, and the redaction rule the dispatcher applies.
//!
//! Who may manage endpoints (recorded in `docs/integrators.md`):
//!
//! * **operators** — every endpoint, with or without the confidential-text scope; an
//!   operator may register an endpoint for an integrator by naming its token as `owner`;
//! * **integrators** — register, list, inspect, remove, rotate and read delivery logs of
//!   *their own* endpoints (the ones whose `owner` is their token's name, which the server
//!   records at registration); an endpoint may only carry `confidential_text: true` if the
//!   integrator's own token has that scope (an integrator cannot grant itself more than it
//!   has). Another integrator's endpoint answers 404, exactly like one that does not exist,
//!   so endpoints, their URLs and their delivery logs never leak between partners;
//! * everyone else — 403.
//!
//! The dispatcher never sends the free text of a confidential ticket to an endpoint without
//! the confidential-text scope ([`redactor`]): the same rule as SSE for an integrator token
//! with the same scope.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use ticketflow_access::{Principal, redact_free_text, redacts_free_text};
use ticketflow_engine::projection::ProjectionHandle;
use ticketflow_events::{Actor, Role, TicketKey};
use ticketflow_projections::TicketOverview;
use ticketflow_webhooks::{
    Endpoint, EndpointId, NewEndpoint, Redactor, WebhookError, WebhookRegistry,
};

use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

/// How many delivery attempts `GET /webhooks/{id}/deliveries` answers by default.
pub const DEFAULT_DELIVERIES: usize = 50;

/// The redactor the server's dispatcher runs: events of a confidential ticket lose their
/// free text (see `ticketflow_access::policy::FREE_TEXT_FIELDS`) unless the endpoint has the
/// confidential-text scope. A ticket the overview does not know yet counts as confidential
/// (unless the event is its opening, which says so itself), as on SSE: redacting too much is
/// the safe side. So does every ticket whose overview has not reached the event yet (it may
/// not know yet that the ticket was made confidential). The server starts the dispatcher only once the read models have caught up
/// with the log, so this fallback is rare.
pub fn redactor(overview: ProjectionHandle<TicketOverview>) -> Redactor {
    std::sync::Arc::new(move |endpoint, event, mut data: Value| {
        if event.stream_id.category() != TicketKey::CATEGORY {
            return Some(data);
        }
        // Read the position before the copy: the copy reflects at least that position. An
        // overview that has not seen this event yet may not know the ticket was made
        // confidential, so its answer is not trusted then.
        let caught_up = overview.position() >= event.global_position;
        let known = event
            .stream_id
            .entity()
            .and_then(|k| k.parse::<TicketKey>().ok())
            .and_then(|k| overview.current().get(&Actor::system("webhooks"), &k))
            .map(|s| s.confidential)
            .filter(|_| caught_up);
        let confidential = match known {
            Some(c) => c || data["confidential"] == Value::Bool(true),
            // The opening event says itself whether the ticket is confidential.
            None if event.event_type == "TicketOpened" => {
                data["confidential"] != Value::Bool(false)
            }
            None => true,
        };
        let role = Role::Integrator {
            confidential_text: endpoint.confidential_text,
        };
        if redacts_free_text(&role, confidential) {
            redact_free_text(&mut data);
        }
        Some(data)
    })
}

fn may_manage(caller: &Principal, wants_confidential_text: bool) -> Result<(), Problem> {
    match caller.role() {
        Role::Operator => Ok(()),
        Role::Integrator { confidential_text } => {
            if wants_confidential_text && !confidential_text {
                Err(Problem::forbidden(
                    "this integrator token lacks the confidential-text scope, so it cannot register an endpoint that receives confidential free text; leave out `confidential_text` or ask an operator",
                ))
            } else {
                Ok(())
            }
        }
        other => Err(Problem::forbidden(format!(
            "a {} may not manage webhooks; this needs an integrator or operator token",
            other.name()
        ))),
    }
}

/// The owner an endpoint registered by `caller` gets: an integrator always owns what it
/// registers (naming another owner is refused); an operator's choice stands.
fn owner_for(caller: &Principal, asked: Option<String>) -> Result<Option<String>, Problem> {
    match caller.role() {
        Role::Integrator { .. } => match asked {
            Some(other) if other != caller.name => Err(Problem::forbidden(format!(
                "an integrator registers endpoints for itself only; leave out `owner` or set it to `{}` (an operator may register an endpoint for `{other}`)",
                caller.name
            ))),
            _ => Ok(Some(caller.name.clone())),
        },
        _ => Ok(asked),
    }
}

/// True when `caller` may see and manage `endpoint`: operators every one, integrators their
/// own.
fn manages(caller: &Principal, endpoint: &Endpoint) -> bool {
    match caller.role() {
        Role::Operator => true,
        _ => endpoint.owner.as_deref() == Some(caller.name.as_str()),
    }
}

/// The endpoint `id` if `caller` manages it; otherwise the same 404 as for an unknown id.
async fn managed(
    registry: &WebhookRegistry,
    caller: &Principal,
    id: EndpointId,
) -> Result<Endpoint, Problem> {
    let endpoint = blocking(registry, move |r| r.get(id)).await?;
    if manages(caller, &endpoint) {
        Ok(endpoint)
    } else {
        Err(webhook_problem(WebhookError::UnknownEndpoint {
            id: id.to_string(),
        }))
    }
}

fn webhook_problem(e: WebhookError) -> Problem {
    match &e {
        WebhookError::UnknownEndpoint { .. } | WebhookError::MalformedId { .. } => {
            Problem::not_found(e.to_string())
        }
        _ if e.is_caller_error() => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-webhook",
            e.to_string(),
        ),
        _ => Problem::internal(e.to_string()),
    }
}

fn endpoint_id(text: &str) -> Result<EndpointId, Problem> {
    text.parse().map_err(webhook_problem)
}

async fn blocking<T: Send + 'static>(
    registry: &WebhookRegistry,
    work: impl FnOnce(&WebhookRegistry) -> Result<T, WebhookError> + Send + 'static,
) -> Result<T, Problem> {
    let registry = registry.clone();
    tokio::task::spawn_blocking(move || work(&registry))
        .await
        .map_err(|e| Problem::internal(format!("the webhook registry did not answer: {e}")))?
        .map_err(webhook_problem)
}

/// `POST /webhooks` — registers an endpoint; answers 201 with the endpoint and its signing
/// secret, shown this once.
pub async fn register(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    may_manage(&caller, false)?;
    let mut new: NewEndpoint = strict(json_body(body)?, "webhook endpoint")?;
    may_manage(&caller, new.confidential_text)?;
    new.owner = owner_for(&caller, new.owner.take())?;
    let registered = blocking(&state.webhooks, move |r| r.register(new)).await?;
    Ok((StatusCode::CREATED, Json(registered)).into_response())
}

/// `GET /webhooks` — the caller's endpoints (every one for an operator), without secrets.
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Value>, Problem> {
    may_manage(&caller, false)?;
    let mut endpoints = blocking(&state.webhooks, WebhookRegistry::list).await?;
    endpoints.retain(|e| manages(&caller, e));
    Ok(Json(json!(endpoints)))
}

/// `GET /webhooks/{id}` — one endpoint with its checkpoint and health.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
) -> Result<Json<Value>, Problem> {
    may_manage(&caller, false)?;
    let id = endpoint_id(&id)?;
    let endpoint = managed(&state.webhooks, &caller, id).await?;
    Ok(Json(json!(endpoint)))
}

/// `DELETE /webhooks/{id}` — removes an endpoint and its delivery log; 204.
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
) -> Result<StatusCode, Problem> {
    may_manage(&caller, false)?;
    let id = endpoint_id(&id)?;
    managed(&state.webhooks, &caller, id).await?;
    blocking(&state.webhooks, move |r| r.remove(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /webhooks/{id}/rotate-secret` — a new signing secret, shown this once; the old one
/// stops signing at once.
pub async fn rotate_secret(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
) -> Result<Json<Value>, Problem> {
    may_manage(&caller, false)?;
    let id = endpoint_id(&id)?;
    let endpoint = managed(&state.webhooks, &caller, id).await?;
    may_manage(&caller, endpoint.confidential_text)?;
    let registered = blocking(&state.webhooks, move |r| r.rotate_secret(id)).await?;
    Ok(Json(json!(registered)))
}

/// The query of `GET /webhooks/{id}/deliveries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// At most this many attempts, newest first (1–1000, default 50).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// `GET /webhooks/{id}/deliveries` — the most recent delivery attempts, newest first.
pub async fn deliveries(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
    Query(query): Query<DeliveriesQuery>,
) -> Result<Json<Value>, Problem> {
    may_manage(&caller, false)?;
    let id = endpoint_id(&id)?;
    let limit = query.limit.unwrap_or(DEFAULT_DELIVERIES);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::bad_request("`limit` must be between 1 and 1000"));
    }
    managed(&state.webhooks, &caller, id).await?;
    let attempts = blocking(&state.webhooks, move |r| r.deliveries(id, limit)).await?;
    Ok(Json(json!(attempts)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use ticketflow_domain::config::DeskConfig;
    use ticketflow_domain::script::AddressedCommand;
    use ticketflow_domain::ticket::TicketCommand;
    use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
    use ticketflow_engine::{CommandOptions, Engine, SimulatedClock};
    use ticketflow_events::{OrganisationId, RecordedEvent};
    use ticketflow_store::{EventStore, SqliteOptions, SqliteStore, StreamRead};
    use ticketflow_webhooks::NewEndpoint;

    use super::*;

    /// The webhook redactor trusts the ticket overview only up to the overview's position:
    /// a public ticket's comment the overview has not reached yet is redacted (the comment
    /// might be the one that follows making the ticket confidential); the same comment at a
    /// position the overview has seen is sent as it is.
    #[tokio::test]
    async fn an_overview_behind_the_event_makes_its_free_text_count_as_confidential() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(
            SqliteStore::open(dir.path().join("events.sqlite"), SqliteOptions::default()).unwrap(),
        );
        let start = "2026-03-02T09:00:00Z".parse().unwrap();
        let engine = Engine::new(
            store.clone(),
            DeskConfig::default(),
            Arc::new(SimulatedClock::new(start)),
        );
        let open: TicketCommand = serde_json::from_value(json!({
            "command": "open_from_portal", "key": "SD-1001", "region": "dach", "form": {
            "ticket_type": "request", "summary": "Public", "description": "nothing secret",
            "share_with": "organisation", "confidential": false}}))
        .unwrap();
        let key: TicketKey = "SD-1001".parse().unwrap();
        let customer = Actor {
            id: "kim".to_owned(),
            role: Role::Customer {
                organisation: OrganisationId("acme".to_owned()),
            },
        };
        engine
            .execute(
                &AddressedCommand::Ticket(key.clone(), open),
                &customer,
                &CommandOptions::default(),
            )
            .await
            .unwrap();
        let mut builder = ProjectionRunnerBuilder::new(
            store.clone(),
            RunnerConfig::new(dir.path().join("projections")),
        );
        let overview = builder.register(TicketOverview::new).unwrap();
        let runner = builder.start().await.unwrap();
        let opened: Vec<RecordedEvent> = store
            .read_stream(&key.stream_id(), StreamRead::forwards(10))
            .await
            .unwrap();
        let at = opened.last().unwrap().global_position;
        runner.wait_for(at).await.unwrap();
        assert_eq!(overview.position(), at);

        // A comment on the public ticket, as the dispatcher would see it.
        let comment = |position: u64| {
            let mut e = opened[0].clone();
            e.stream_id = key.stream_id();
            e.event_type = "TicketCommented".to_owned();
            e.global_position = position;
            e
        };
        let data = json!({"text": "the grades of Ms Miller", "at": "2026-03-02T09:05:00Z"});
        let endpoint = ticketflow_webhooks::Endpoint {
            id: "0192f5e0-7c1a-7d3e-8f00-1234567890ab".parse().unwrap(),
            url: "http://127.0.0.1:9/".to_owned(),
            filter: NewEndpoint::new("http://127.0.0.1:9/").filter,
            description: String::new(),
            confidential_text: false,
            active: true,
            created_at: start,
            checkpoint: 0,
            health: ticketflow_webhooks::EndpointHealth::Healthy,
            owner: None,
        };
        let redact = redactor(overview);
        let seen = redact(&endpoint, &comment(at), data.clone()).unwrap();
        assert_eq!(
            seen, data,
            "a public ticket's comment the overview has seen is sent"
        );
        let ahead = redact(&endpoint, &comment(at + 1), data.clone()).unwrap();
        assert_ne!(ahead["text"], data["text"], "{ahead}");
        assert!(ahead.to_string().contains("[redacted]"), "{ahead}");
        runner.shutdown().await.unwrap();
    }
}
