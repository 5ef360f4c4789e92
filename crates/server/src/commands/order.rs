//! `POST /orders` and `POST /orders/{key}/commands`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use ticketflow_access::{Action, may};
use ticketflow_domain::order::{CustomisationOrder, OrderCommand};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_events::OrderKey;

use crate::aggregates::{load, order_customer};
use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

use super::{authorise_order_or_delivery, execute, parse_key, same_key, with_key};

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
    execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Order(key.clone(), command),
        true,
    )
    .await
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
    authorise_order_or_delivery(&caller, order_customer(&order), &format!("order {key}"))?;
    let command: OrderCommand = strict(json_body(body)?, "order command")?;
    if let OrderCommand::Place { order: named, .. } = &command {
        same_key(named.as_str(), key.as_str(), "order")?;
    }
    execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Order(key.clone(), command),
        false,
    )
    .await
}
