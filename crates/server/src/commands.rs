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

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use ticketflow_access::{Action, Visibility, may, may_see_ticket};
use ticketflow_domain::delivery::{Delivery, DeliveryCommand};
use ticketflow_domain::order::{CustomisationOrder, OrderCommand};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{Ticket, TicketCommand};
use ticketflow_engine::CommandOptions;
use ticketflow_events::{DeliveryKey, OrderKey, TicketKey};

use crate::aggregates::{delivery_customer, load, order_customer, ticket_facts};
use crate::auth::Caller;
use crate::body::{idempotency_key, if_match, json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

/// How long a command's answer waits for the read models to reflect it (read your writes).
const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

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
fn with_key(
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

/// `POST /tickets`.
pub async fn open_ticket(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    if !may(caller.role(), &caller.name, Action::OpenTicket) {
        return Err(Problem::forbidden(format!(
            "a {} may not open tickets",
            caller.role().name()
        )));
    }
    let body = with_key(json_body(body)?, "key", || {
        state.keys.next_ticket().map(|k| k.as_str().to_owned())
    })?;
    let command: TicketCommand = strict(body, "ticket command")?;
    let key = match &command {
        TicketCommand::OpenFromPortal { key, .. } | TicketCommand::OpenFromEmail { key, .. } => {
            key.clone()
        }
        other => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-command",
                format!(
                    "POST /tickets opens a ticket (`open_from_portal` or `open_from_email`); send `{}` to /tickets/{{key}}/commands",
                    other.name()
                ),
            ));
        }
    };
    let outcome = execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Ticket(key.clone(), command),
        true,
    )
    .await;
    if outcome.is_ok() {
        state.keys.observe(&key.stream_id());
    }
    outcome
}

/// `POST /tickets/{key}/commands`.
pub async fn ticket_command(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let key: TicketKey = parse_key(&raw, "ticket")?;
    let (ticket, _) = load::<Ticket>(state.store.as_ref(), &key.stream_id()).await?;
    if ticket.exists() {
        let facts = ticket_facts(&ticket);
        if !may(caller.role(), &caller.name, Action::WriteTicket(&facts)) {
            return Err(hidden_or_forbidden(
                may_see_ticket(caller.role(), &caller.name, &facts),
                &format!("ticket {key}"),
                caller.role().name(),
            ));
        }
    } else if !may(caller.role(), &caller.name, Action::OpenTicket) {
        return Err(Problem::not_found(format!("there is no ticket {key}")));
    }
    let command: TicketCommand = strict(json_body(body)?, "ticket command")?;
    if let TicketCommand::OpenFromPortal { key: named, .. }
    | TicketCommand::OpenFromEmail { key: named, .. } = &command
    {
        same_key(named.as_str(), key.as_str(), "key")?;
    }
    let outcome = execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Ticket(key.clone(), command),
        false,
    )
    .await;
    if outcome.is_ok() {
        state.keys.observe(&key.stream_id());
    }
    outcome
}

/// A command sent to `/…/{key}/commands` that names its aggregate itself must name the one
/// in the path; otherwise its events would claim another key than the stream they are in.
fn same_key(named: &str, path: &str, field: &str) -> Result<(), Problem> {
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

/// 404 when the principal may not even see the thing, 403 when it sees it but may not act.
pub fn hidden_or_forbidden(visibility: Visibility, what: &str, role: &str) -> Problem {
    if visibility == Visibility::Hidden {
        Problem::not_found(format!("there is no {what} (or it is not visible to you)"))
    } else {
        Problem::forbidden(format!("a {role} may not send commands to {what}"))
    }
}

/// `POST /orders`.
pub async fn place_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body = json_body(body)?;
    // Check what can be checked before a number is taken, so a forbidden caller burns none.
    let named_customer = body
        .get("customer")
        .and_then(Value::as_str)
        .map(|c| ticketflow_events::OrganisationId(c.to_owned()));
    if !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(None),
    ) && !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(named_customer.as_ref()),
    ) {
        return Err(Problem::forbidden(format!(
            "a {} may not place orders",
            caller.role().name()
        )));
    }
    let body = with_key(body, "order", || {
        state.keys.next_order().map(|k| k.as_str().to_owned())
    })?;
    let command: OrderCommand = strict(body, "order command")?;
    let OrderCommand::Place {
        order, customer, ..
    } = &command
    else {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-command",
            format!(
                "POST /orders places an order (`place`); send `{}` to /orders/{{key}}/commands",
                command.name()
            ),
        ));
    };
    if !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(None),
    ) && !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(Some(customer)),
    ) {
        return Err(Problem::forbidden(format!(
            "a {} may not place orders",
            caller.role().name()
        )));
    }
    let key = order.clone();
    let outcome = execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Order(key.clone(), command),
        true,
    )
    .await;
    if outcome.is_ok() {
        state.keys.observe(&key.stream_id());
    }
    outcome
}

/// `POST /orders/{key}/commands`.
pub async fn order_command(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let key: OrderKey = parse_key(&raw, "order")?;
    let (order, _) = load::<CustomisationOrder>(state.store.as_ref(), &key.stream_id()).await?;
    let customer = order_customer(&order);
    if !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(customer),
    ) {
        let visible = may(
            caller.role(),
            &caller.name,
            Action::ReadOrderOrDelivery(customer),
        );
        return Err(if visible {
            Problem::forbidden(format!(
                "a {} may not send commands to order {key}",
                caller.role().name()
            ))
        } else {
            Problem::not_found(format!(
                "there is no order {key} (or it is not visible to you)"
            ))
        });
    }
    let command: OrderCommand = strict(json_body(body)?, "order command")?;
    if let OrderCommand::Place { order: named, .. } = &command {
        same_key(named.as_str(), key.as_str(), "order")?;
    }
    let outcome = execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Order(key.clone(), command),
        false,
    )
    .await;
    if outcome.is_ok() {
        state.keys.observe(&key.stream_id());
    }
    outcome
}

/// `POST /deliveries`.
pub async fn plan_delivery(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    if !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(None),
    ) {
        return Err(Problem::forbidden(format!(
            "a {} may not plan deliveries",
            caller.role().name()
        )));
    }
    let body = with_key(json_body(body)?, "delivery", || {
        state.keys.next_delivery().map(|k| k.as_str().to_owned())
    })?;
    let command: DeliveryCommand = strict(body, "delivery command")?;
    let DeliveryCommand::PlanDelivery { delivery, .. } = &command else {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-command",
            format!(
                "POST /deliveries plans a delivery (`plan_delivery`); send `{}` to /deliveries/{{key}}/commands",
                command.name()
            ),
        ));
    };
    let key = delivery.clone();
    let outcome = execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Delivery(key.clone(), command),
        true,
    )
    .await;
    if outcome.is_ok() {
        state.keys.observe(&key.stream_id());
    }
    outcome
}

/// `POST /deliveries/{key}/commands`.
pub async fn delivery_command(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let key: DeliveryKey = parse_key(&raw, "delivery")?;
    let (delivery, _) = load::<Delivery>(state.store.as_ref(), &key.stream_id()).await?;
    let customer = delivery_customer(&delivery);
    if !may(
        caller.role(),
        &caller.name,
        Action::WriteOrderOrDelivery(customer),
    ) {
        let visible = may(
            caller.role(),
            &caller.name,
            Action::ReadOrderOrDelivery(customer),
        );
        return Err(if visible {
            Problem::forbidden(format!(
                "a {} may not send commands to delivery {key}",
                caller.role().name()
            ))
        } else {
            Problem::not_found(format!(
                "there is no delivery {key} (or it is not visible to you)"
            ))
        });
    }
    let command: DeliveryCommand = strict(json_body(body)?, "delivery command")?;
    if let DeliveryCommand::PlanDelivery {
        delivery: named, ..
    } = &command
    {
        same_key(named.as_str(), key.as_str(), "delivery")?;
    }
    let outcome = execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Delivery(key.clone(), command),
        false,
    )
    .await;
    if outcome.is_ok() {
        state.keys.observe(&key.stream_id());
    }
    outcome
}

/// Runs the command through the engine and answers the outcome.
async fn execute(
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
