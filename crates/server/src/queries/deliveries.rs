//! Deliveries: state (with the manifest) and history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use ticketflow_domain::delivery::Delivery;
use ticketflow_events::{DeliveryKey, TicketKey};

use crate::aggregates::{delivery_customer, load};
use crate::auth::Caller;
use crate::commands::parse_key;
use crate::problem::Problem;
use crate::state::AppState;

use super::reports::visible_manifest;
use super::{Params, history, instant, sees_ticket, to_json, with_etag};

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
    let stream = key.stream_id();
    let as_of = instant(&params, "as_of")?;
    let mut entries = json!(history(
        state.views.audit_trail.current().history(&stream),
        as_of
    ));
    let sees = |text: &str| {
        text.parse::<TicketKey>()
            .is_ok_and(|t| sees_ticket(&state, &caller, &t))
    };
    for entry in entries.as_array_mut().into_iter().flatten() {
        hide_unseen_tickets(entry, &sees);
    }
    Ok(with_etag(
        json!({ "stream": stream.as_str(), "as_of": as_of, "entries": entries }),
        version,
    ))
}

/// What stands in a delivery's history for a ticket the caller may not see.
const HIDDEN_TICKET: &str = "[hidden ticket]";

/// Removes from one history entry the keys of included tickets the caller may not see: a
/// delivery of a customer may carry fixes whose tickets belong to other customers, and the
/// portal list, the manifest and `GET /deliveries/{key}` already leave those out. A `ticket`
/// field becomes `"[hidden ticket]"`, a `tickets` list loses the key, and the summary
/// sentence names no hidden key either.
fn hide_unseen_tickets(entry: &mut Value, sees: &impl Fn(&str) -> bool) {
    fn walk(value: &mut Value, sees: &impl Fn(&str) -> bool, hidden: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    match (name.as_str(), field) {
                        ("ticket", Value::String(key)) if !sees(key) => {
                            hidden.push(std::mem::replace(key, HIDDEN_TICKET.to_owned()));
                        }
                        ("tickets", Value::Array(keys)) => keys.retain(|k| match k.as_str() {
                            Some(key) if !sees(key) => {
                                hidden.push(key.to_owned());
                                false
                            }
                            _ => true,
                        }),
                        (_, other) => walk(other, sees, hidden),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, sees, hidden)),
            _ => {}
        }
    }
    let mut hidden = Vec::new();
    if let Some(event) = entry.get_mut("event") {
        walk(event, sees, &mut hidden);
    }
    if let Some(Value::String(summary)) = entry.get_mut("summary") {
        for key in &hidden {
            *summary = replace_key(summary, key);
        }
    }
}

/// `text` with every whole occurrence of the ticket key `key` replaced (`SD-10` does not
/// touch `SD-104`).
fn replace_key(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + key.len()..].chars().next();
        let whole = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if whole { HIDDEN_TICKET } else { key });
        rest = &rest[at + key.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_keys_are_replaced() {
        assert_eq!(
            replace_key("SD-10 and SD-104 and XSD-10 and SD-10.", "SD-10"),
            "[hidden ticket] and SD-104 and XSD-10 and [hidden ticket]."
        );
    }

    #[test]
    fn hidden_included_tickets_leave_no_key_in_an_entry() {
        let mut entry = json!({
            "summary": "Tickets SD-1 and SD-2 planned; SD-2 first",
            "event": {"Delivery": {"DeliveryPlanned": {"key": "SD-9", "tickets": ["SD-1", "SD-2"]},
                      "other": {"ticket": "SD-2"}}},
        });
        hide_unseen_tickets(&mut entry, &|k: &str| k != "SD-2");
        let text = entry.to_string();
        assert!(!text.contains("SD-2\""), "{text}");
        assert_eq!(
            entry["summary"],
            "Tickets SD-1 and [hidden ticket] planned; [hidden ticket] first"
        );
        assert_eq!(
            entry["event"]["Delivery"]["DeliveryPlanned"]["tickets"],
            json!(["SD-1"])
        );
        assert_eq!(entry["event"]["Delivery"]["other"]["ticket"], HIDDEN_TICKET);
        assert_eq!(entry["event"]["Delivery"]["DeliveryPlanned"]["key"], "SD-9");
    }
}
