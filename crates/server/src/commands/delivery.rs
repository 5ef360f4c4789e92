//! `POST /deliveries` and `POST /deliveries/{key}/commands`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ticketflow_access::{Action, may};
use ticketflow_domain::delivery::{Delivery, DeliveryCommand};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_events::DeliveryKey;

use crate::aggregates::{delivery_customer, load};
use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

use super::{authorise_order_or_delivery, execute, parse_key, same_key, with_key};

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
    execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Delivery(key.clone(), command),
        true,
    )
    .await
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
    authorise_order_or_delivery(
        &caller,
        delivery_customer(&delivery),
        &format!("delivery {key}"),
    )?;
    let command: DeliveryCommand = strict(json_body(body)?, "delivery command")?;
    if let DeliveryCommand::PlanDelivery {
        delivery: named, ..
    } = &command
    {
        same_key(named.as_str(), key.as_str(), "delivery")?;
    }
    execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Delivery(key.clone(), command),
        false,
    )
    .await
}
