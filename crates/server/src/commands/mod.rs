//! The write side: open tickets, orders and deliveries, and send any command of the domain.
//!
//! * `POST /tickets` — body: an `open_from_portal` or `open_from_email` command; the `key`
//!   may be left out and the server assigns the next `SD-n`. Likewise `POST /orders`
//!   (`place`, field `order`) and `POST /deliveries` (`plan_delivery`, field `delivery`).
//! * `POST /tickets/{key}/commands` (and `/orders/…`, `/deliveries/…`) — body: the domain's
//!   command as in the script format, `{"command": "accept", …}`.
//!
//! `If-Match: "<version>"` fixes the expected stream version (412 on mismatch);
//! `Idempotency-Key` makes a retry answer the first outcome. The answer carries the new
//! stream version as `ETag`.

mod delivery;
mod order;
mod ticket;

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use ticketflow_access::Visibility;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_engine::CommandOptions;

use crate::body::{idempotency_key, if_match};
use crate::problem::Problem;
use crate::state::AppState;

pub use delivery::{delivery_command, plan_delivery};
pub use order::{order_command, place_order};
pub use ticket::{open_ticket, ticket_command};

/// How long a command's answer waits for the read models to reflect it (read your writes).
pub(crate) const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

/// Parses a key from the path; anything else (`..`, slashes, other prefixes) is a 400.
pub fn parse_key<K: std::str::FromStr>(raw: &str, what: &str) -> Result<K, Problem> {
    raw.parse().map_err(|_| {
        Problem::bad_request(format!(
            "`{}` is not a {what} key (expected e.g. {})",
            raw.chars().take(64).collect::<String>(),
            match what {
                "order" => "CO-1",
                _ => "SD-1001",
            }
        ))
    })
}

/// Puts `key` into the command object's `field` unless the client named one.
pub(crate) fn with_key(
    mut body: Value,
    field: &str,
    key: impl FnOnce() -> Option<String>,
) -> Result<Value, Problem> {
    let Value::Object(map) = &mut body else {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-command",
            "the body must be a JSON object: a command like {\"command\": \"open_from_portal\", …}",
        ));
    };
    if !map.contains_key(field) {
        let key = key().ok_or_else(|| {
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "no-key-left",
                format!(
                    "every number for a new `{field}` is taken, so the server cannot assign one; name a free key in `{field}` yourself"
                ),
            )
        })?;
        map.insert(field.to_owned(), Value::String(key));
    }
    Ok(body)
}

/// A command sent to `/…/{key}/commands` that names its aggregate itself must name the one
/// in the path; otherwise its events would claim another key than the stream they are in.
pub(crate) fn same_key(named: &str, path: &str, field: &str) -> Result<(), Problem> {
    if named == path {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "key-mismatch",
            format!(
                "the command's `{field}` is {named} but the path addresses {path}; send it to the path of {named} or leave them equal"
            ),
        ))
    }
}

/// Orders and deliveries: the caller must be allowed to write for the customer; 404 when it
/// may not even read the thing (so keys cannot be probed), 403 when it reads but may not write.
pub(crate) fn authorise_order_or_delivery(
    caller: &ticketflow_access::Principal,
    customer: Option<&ticketflow_events::OrganisationId>,
    what: &str,
) -> Result<(), Problem> {
    let role = caller.role();
    if ticketflow_access::may(
        role,
        &caller.name,
        ticketflow_access::Action::WriteOrderOrDelivery(customer),
    ) {
        return Ok(());
    }
    let visible = ticketflow_access::may(
        role,
        &caller.name,
        ticketflow_access::Action::ReadOrderOrDelivery(customer),
    );
    Err(if visible {
        Problem::forbidden(format!("a {} may not send commands to {what}", role.name()))
    } else {
        Problem::not_found(format!("there is no {what} (or it is not visible to you)"))
    })
}

/// 404 when the principal may not even see the thing, 403 when it sees it but may not act.
pub fn hidden_or_forbidden(visibility: Visibility, what: &str, role: &str) -> Problem {
    if visibility == Visibility::Hidden {
        Problem::not_found(format!("there is no {what} (or it is not visible to you)"))
    } else {
        Problem::forbidden(format!("a {role} may not send commands to {what}"))
    }
}

/// Runs the command through the engine and answers the outcome. A key is noted as taken only
/// once its command succeeded, so a refused or failed request never moves key assignment.
pub(crate) async fn execute(
    state: &AppState,
    caller: &ticketflow_access::Principal,
    headers: &HeaderMap,
    command: AddressedCommand,
    created: bool,
) -> Result<Response, Problem> {
    let options = CommandOptions {
        expected_version: if_match(headers)?,
        // Scoped to the caller, so one principal's key can never answer another's command.
        idempotency_key: idempotency_key(headers)?.map(|k| format!("{}:{k}", caller.name)),
        ..CommandOptions::default()
    };
    let started = Instant::now();
    let outcome = state
        .engine
        .execute(&command, &caller.actor, &options)
        .await
        .map_err(Problem::from)?;
    state.keys.observe(&command.stream_id());
    state
        .metrics
        .command(started.elapsed(), outcome.events.len());
    if let Some(last) = outcome.events.last() {
        let _ = tokio::time::timeout(
            READ_YOUR_WRITES,
            state.runner.wait_for(last.global_position),
        )
        .await;
    }
    let body = json!({
        "stream": outcome.stream.as_str(),
        "key": outcome.stream.entity(),
        "command": outcome.command,
        "stream_version": outcome.stream_version,
        "replayed": outcome.replayed,
        "events": outcome.events.iter().map(|e| json!({
            "event_id": e.event_id,
            "event_type": e.event_type,
            "stream_version": e.stream_version,
            "global_position": e.global_position,
            "occurred_at": e.occurred_at,
        })).collect::<Vec<_>>(),
    });
    let status = if created && !outcome.replayed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", outcome.stream_version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if created {
        let category = outcome.stream.category();
        let path = match category {
            "ticket" => "tickets",
            "order" => "orders",
            _ => "deliveries",
        };
        if let Ok(location) = HeaderValue::from_str(&format!(
            "/{path}/{}",
            outcome.stream.entity().unwrap_or_default()
        )) {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    Ok(response)
}
