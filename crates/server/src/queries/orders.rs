//! Customisation orders: state (with the board card) and history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_events::OrderKey;

use crate::aggregates::{load, order_customer};
use crate::auth::Caller;
use crate::commands::parse_key;
use crate::problem::Problem;
use crate::state::AppState;

use super::hidden_tickets::{caller_specific, hide_unseen_tickets};
use super::{Params, history, instant, stream_history, to_json, today};

/// `GET /orders/{key}[?as_of=T]`.
pub async fn get_order(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let key: OrderKey = parse_key(&raw, "order")?;
    let (order, version) =
        load::<CustomisationOrder>(state.store.as_ref(), &key.stream_id()).await?;
    let customer = order_customer(&order).cloned();
    super::readable_order_or_delivery(&caller, customer.as_ref(), &format!("order {key}"))?;
    let (order, version, as_of) = match instant(&params, "as_of")? {
        None => (order, version, None),
        Some(at) => {
            let trail = state.views.audit_trail.current();
            let o = trail
                .order_as_of(&key, at)
                .ok_or_else(|| Problem::not_found(format!("order {key} did not exist at {at}")))?;
            let v = history(trail.history(&key.stream_id()), Some(at)).len() as u64;
            (o, v, Some(at))
        }
    };
    let card = state
        .views
        .order_board
        .current()
        .order(&key, today(&state, &params)?);
    let placement = order.placement.as_ref();
    let body = json!({
        "key": key.as_str(),
        "version": version,
        "as_of": as_of,
        "phase": to_json(&order.phase),
        "customer": customer,
        "ticket": placement.map(|p| p.ticket.as_str().to_owned()),
        "summary": placement.map(|p| p.summary.clone()),
        "consultant": order.consultant,
        "planned_end": order.planned_end,
        "earliest_delivery": order.earliest_delivery,
        "allowed_commands": order.allowed_commands(),
        "board": card.map(|c| to_json(&c)),
    });
    let mut bodies = [body];
    let hid = hide_unseen_tickets(&state, &caller, &mut bodies);
    let [body] = bodies;
    Ok(if as_of.is_none() {
        caller_specific(body, hid, version)
    } else {
        Json(body).into_response()
    })
}

/// `GET /orders/{key}/history[?as_of=T]`.
pub async fn order_history(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let key: OrderKey = parse_key(&raw, "order")?;
    let (order, version) =
        load::<CustomisationOrder>(state.store.as_ref(), &key.stream_id()).await?;
    let customer = order_customer(&order);
    super::readable_order_or_delivery(&caller, customer, &format!("order {key}"))?;
    stream_history(&state, &caller, &key.stream_id(), &params, version)
}
