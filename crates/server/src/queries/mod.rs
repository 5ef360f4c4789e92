//! The read side: state and history of tickets, orders and deliveries (also as of an
//! instant), the portal list, SLA figures and what-if, manifests, billing, the order board
//! and escalations.
//!
//! Current state is folded from the aggregate's stream (so it is exact and carries
//! `ETag: "<stream version>"`); lists and figures come from the read models.

mod deliveries;
mod hidden_tickets;
mod orders;
mod reports;
mod tickets;

pub use deliveries::{delivery_history, get_delivery};
pub use orders::{get_order, order_history};
pub use reports::{
    WhatIf, billing, escalations, list_deliveries, order_board, sla_report, sla_what_if,
};
pub use tickets::{get_ticket, list_tickets, ticket_history, ticket_sla};

use std::collections::HashMap;

use axum::Json;
use axum::extract::Query;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use ticketflow_access::{Action, may};
use ticketflow_events::{StreamId, Timestamp};
use ticketflow_projections::Month;
use ticketflow_projections::audit_trail::AuditEntry;

use crate::problem::Problem;
use crate::state::AppState;

pub(super) type Params = Query<HashMap<String, String>>;

pub(super) fn instant(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<Timestamp>, Problem> {
    params
        .get(name)
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.to_utc())
                .map_err(|_| {
                    Problem::bad_request(format!(
                        "`{name}` must be an RFC 3339 time, e.g. 2026-03-02T09:00:00Z"
                    ))
                })
        })
        .transpose()
}

pub(super) fn enum_value<T: DeserializeOwned>(raw: &str, name: &str) -> Result<T, Problem> {
    serde_json::from_value(Value::String(raw.to_owned()))
        .map_err(|e| Problem::bad_request(format!("`{name}={raw}` is not accepted: {e}")))
}

pub(super) fn month(raw: &str, name: &str) -> Result<Month, Problem> {
    let bad = || Problem::bad_request(format!("`{name}` must be a month like 2026-03"));
    let (y, m) = raw.split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(Month { year, month })
}

pub(super) fn with_etag(body: Value, version: u64) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub(super) fn require(
    caller: &ticketflow_access::Principal,
    action: Action<'_>,
    what: &str,
) -> Result<(), Problem> {
    if may(caller.role(), &caller.name, action) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "a {} may not read {what}",
            caller.role().name()
        )))
    }
}

/// Whether the caller may see the ticket `key` at all — the rule of the portal list and
/// `GET /tickets/{key}` (the ticket overview's `may_see`). Reports, manifests and
/// escalations drop every line for which this is false, so a ticket hidden from a
/// principal never shows up anywhere, not even as a key. A ticket the overview does not
/// know (yet) counts as hidden: showing too little is the safe side.
pub(super) fn sees_ticket(
    state: &AppState,
    caller: &ticketflow_access::Principal,
    key: &ticketflow_events::TicketKey,
) -> bool {
    state
        .views
        .ticket_overview
        .current()
        .get(&caller.actor, key)
        .is_some()
}

pub(super) fn history(entries: Vec<AuditEntry>, as_of: Option<Timestamp>) -> Vec<AuditEntry> {
    entries
        .into_iter()
        .filter(|e| as_of.is_none_or(|t| e.occurred_at <= t))
        .collect()
}

/// A stream's history (cut at `?as_of=`), without the keys of tickets `caller` may not see
/// ([`hidden_tickets`]); it carries the stream's version as `ETag` unless something was
/// hidden.
pub(super) fn stream_history(
    state: &AppState,
    caller: &ticketflow_access::Principal,
    stream: &StreamId,
    params: &HashMap<String, String>,
    version: u64,
) -> Result<Response, Problem> {
    let as_of = instant(params, "as_of")?;
    let mut entries = json!(history(
        state.views.audit_trail.current().history(stream),
        as_of
    ));
    let hid = entries
        .as_array_mut()
        .is_some_and(|entries| hidden_tickets::hide_unseen_tickets(state, caller, entries));
    let body = json!({ "stream": stream.as_str(), "as_of": as_of, "entries": entries });
    Ok(hidden_tickets::caller_specific(body, hid, version))
}

pub(super) fn today(
    state: &AppState,
    params: &HashMap<String, String>,
) -> Result<NaiveDate, Problem> {
    params
        .get("day")
        .map(|d| {
            d.parse()
                .map_err(|_| Problem::bad_request("`day` must be a date like 2026-03-02"))
        })
        .transpose()
        .map(|d| d.unwrap_or_else(|| state.engine.now().date_naive()))
}

/// An order or delivery is readable when it exists and the caller may read its customer's;
/// otherwise the answer is 404, never 403, so a caller cannot probe which keys exist.
pub(crate) fn readable_order_or_delivery(
    caller: &ticketflow_access::Principal,
    customer: Option<&ticketflow_events::OrganisationId>,
    what: &str,
) -> Result<(), crate::problem::Problem> {
    let readable = customer.is_some()
        && ticketflow_access::may(
            caller.role(),
            &caller.name,
            ticketflow_access::Action::ReadOrderOrDelivery(customer),
        );
    if readable {
        Ok(())
    } else {
        Err(crate::problem::Problem::not_found(format!(
            "there is no {what} (or it is not visible to you)"
        )))
    }
}
