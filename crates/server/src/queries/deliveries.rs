//! Deliveries: state (with the manifest) and history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use ticketflow_domain::delivery::Delivery;
use ticketflow_events::DeliveryKey;

use crate::aggregates::{delivery_customer, load};
use crate::auth::Caller;
use crate::commands::parse_key;
use crate::problem::Problem;
use crate::state::AppState;

use super::reports::visible_manifest;
use super::{Params, instant, sees_ticket, stream_history, to_json, with_etag};

/// `GET /deliveries/{key}[?as_of=T]` — state and manifest.
pub async fn get_delivery(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let key: DeliveryKey = parse_key(&raw, "delivery")?;
    let (delivery, version) = load::<Delivery>(state.store.as_ref(), &key.stream_id()).await?;
    let customer = delivery_customer(&delivery).cloned();
    super::readable_order_or_delivery(&caller, customer.as_ref(), &format!("delivery {key}"))?;
    let (delivery, as_of) = match instant(&params, "as_of")? {
        None => (delivery, None),
        Some(at) => (
            state
                .views
                .audit_trail
                .current()
                .delivery_as_of(&key, at)
                .ok_or_else(|| {
                    Problem::not_found(format!("delivery {key} did not exist at {at}"))
                })?,
            Some(at),
        ),
    };
    let manifest = state
        .views
        .delivery_manifests
        .current()
        .manifest(&key)
        .map(|m| visible_manifest(&state, &caller, m));
    let body = json!({
        "key": key.as_str(),
        "version": version,
        "as_of": as_of,
        "status": delivery.status().map(|s| s.to_string()),
        "step": delivery.step.to_string(),
        "organisation": customer,
        "tickets": delivery
            .tickets
            .iter()
            .filter(|t| sees_ticket(&state, &caller, t))
            .map(|t| t.as_str().to_owned())
            .collect::<Vec<_>>(),
        "merge_on": delivery.merge_on,
        "estimated_delivery_on": delivery.estimated_delivery_on,
        "delivered_at": delivery.delivered_at,
        "allowed_commands": delivery.allowed_commands(),
        "manifest": manifest.map(|m| to_json(&m)),
    });
    Ok(if as_of.is_none() {
        with_etag(body, version)
    } else {
        Json(body).into_response()
    })
}

/// `GET /deliveries/{key}/history[?as_of=T]`.
pub async fn delivery_history(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let key: DeliveryKey = parse_key(&raw, "delivery")?;
    let (delivery, version) = load::<Delivery>(state.store.as_ref(), &key.stream_id()).await?;
    let customer = delivery_customer(&delivery);
    super::readable_order_or_delivery(&caller, customer, &format!("delivery {key}"))?;
    stream_history(&state, &caller, &key.stream_id(), &params, version)
}
