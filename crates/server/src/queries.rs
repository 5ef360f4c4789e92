//! The read side: state and history of tickets, orders and deliveries (also as of an
//! instant), the portal list, SLA figures and what-if, manifests, billing, the order board
//! and escalations.
//!
//! Current state is folded from the aggregate's stream (so it is exact and carries
//! `ETag: "<stream version>"`); lists and figures come from the read models.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use ticketflow_access::{Action, Visibility, may, may_see_ticket};
use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::{CustomisationOrder, OrderPhase};
use ticketflow_domain::sla::SlaPolicyBook;
use ticketflow_domain::ticket::Ticket;
use ticketflow_events::{
    Actor, DeliveryKey, OrderKey, OrganisationId, StreamId, TicketKey, Timestamp,
};
use ticketflow_projections::Month;
use ticketflow_projections::audit_trail::AuditEntry;
use ticketflow_projections::escalations::EscalationQuery;
use ticketflow_projections::order_board::OrderBoardQuery;
use ticketflow_projections::sla::{SlaFilter, SlaGrouping};
use ticketflow_projections::ticket_overview::{Scope, TicketQuery};

use crate::aggregates::{delivery_customer, load, order_customer, ticket_facts};
use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::commands::parse_key;
use crate::problem::Problem;
use crate::state::AppState;

type Params = Query<HashMap<String, String>>;

fn instant(params: &HashMap<String, String>, name: &str) -> Result<Option<Timestamp>, Problem> {
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

fn enum_value<T: DeserializeOwned>(raw: &str, name: &str) -> Result<T, Problem> {
    serde_json::from_value(Value::String(raw.to_owned()))
        .map_err(|e| Problem::bad_request(format!("`{name}={raw}` is not accepted: {e}")))
}

fn month(raw: &str, name: &str) -> Result<Month, Problem> {
    let bad = || Problem::bad_request(format!("`{name}` must be a month like 2026-03"));
    let (y, m) = raw.split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(Month { year, month })
}

fn with_etag(body: Value, version: u64) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn require(
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

fn history(entries: Vec<AuditEntry>, as_of: Option<Timestamp>) -> Vec<AuditEntry> {
    entries
        .into_iter()
        .filter(|e| as_of.is_none_or(|t| e.occurred_at <= t))
        .collect()
}

fn ticket_view(key: &TicketKey, t: &Ticket, version: u64, summary: Option<String>) -> Value {
    json!({
        "key": key.as_str(),
        "version": version,
        "status": to_json(&t.status()),
        "ticket_type": to_json(&t.ticket_type()),
        "summary": summary,
        "organisation": t.organisation(),
        "region": t.region(),
        "creator": t.creator(),
        "shared_with": to_json(&t.shared_with()),
        "confidential": t.is_confidential(),
        "priority": t.priority().map(|p| to_json(&p)),
        "escalation": t.escalation().map(|e| to_json(&e)),
        "accepted_by": t.accepted_by(),
        "order": t.order().map(|o| o.as_str().to_owned()),
        "delivery_version": t.delivery_version().map(to_json),
        "comments": t.comment_count(),
        "attachments": to_json(&t.attachments()),
        "allowed_commands": t.allowed_commands(),
    })
}

/// Loads a ticket the caller may read, or answers 404 (never revealing hidden ones).
async fn readable_ticket(
    state: &AppState,
    caller: &ticketflow_access::Principal,
    raw: &str,
) -> Result<(TicketKey, Ticket, u64), Problem> {
    let key: TicketKey = parse_key(raw, "ticket")?;
    let (ticket, version) = load::<Ticket>(state.store.as_ref(), &key.stream_id()).await?;
    let missing = || {
        Problem::not_found(format!(
            "there is no ticket {key} (or it is not visible to you)"
        ))
    };
    if !ticket.exists() {
        return Err(missing());
    }
    let facts = ticket_facts(&ticket);
    if !may(caller.role(), &caller.name, Action::ReadTicket(&facts)) {
        return Err(match may_see_ticket(caller.role(), &caller.name, &facts) {
            Visibility::Hidden => missing(),
            _ => Problem::forbidden(format!(
                "a {} may not read tickets over this API",
                caller.role().name()
            )),
        });
    }
    Ok((key, ticket, version))
}

/// `GET /tickets/{key}[?as_of=T]`.
pub async fn get_ticket(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let (key, ticket, version) = readable_ticket(&state, &caller, &raw).await?;
    let summary = state
        .views
        .ticket_overview
        .current()
        .get(&Actor::system("server"), &key)
        .map(|s| s.summary);
    match instant(&params, "as_of")? {
        None => Ok(with_etag(
            ticket_view(&key, &ticket, version, summary),
            version,
        )),
        Some(at) => {
            let trail = state.views.audit_trail.current();
            let as_of = trail
                .ticket_as_of(&key, at)
                .ok_or_else(|| Problem::not_found(format!("ticket {key} did not exist at {at}")))?;
            let v = history(trail.history(&key.stream_id()), Some(at)).len() as u64;
            let mut view = ticket_view(&key, &as_of, v, summary);
            view["as_of"] = json!(at);
            Ok(Json(view).into_response())
        }
    }
}

/// `GET /tickets/{key}/history[?as_of=T]`.
pub async fn ticket_history(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let (key, _, version) = readable_ticket(&state, &caller, &raw).await?;
    stream_history(&state, &key.stream_id(), &params, version)
}

fn stream_history(
    state: &AppState,
    stream: &StreamId,
    params: &HashMap<String, String>,
    version: u64,
) -> Result<Response, Problem> {
    let as_of = instant(params, "as_of")?;
    let entries = history(state.views.audit_trail.current().history(stream), as_of);
    Ok(with_etag(
        json!({ "stream": stream.as_str(), "as_of": as_of, "entries": entries }),
        version,
    ))
}

/// `GET /tickets/{key}/sla[?at=T]`.
pub async fn ticket_sla(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    let (key, _, _) = readable_ticket(&state, &caller, &raw).await?;
    let at = instant(&params, "at")?.unwrap_or_else(|| state.engine.now());
    let sla = state.views.sla.current().ticket(&key, at);
    Ok(Json(json!({ "ticket": key.as_str(), "at": at, "sla": sla })).into_response())
}

/// `GET /tickets` — the portal list: `scope`, `organisation`, `status`, `type` (comma
/// lists), `text`, `offset`, `limit`.
pub async fn list_tickets(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    require(&caller, Action::ListTickets, "the ticket list")?;
    let mut query = TicketQuery::default();
    if let Some(s) = params.get("scope") {
        query.scope = enum_value::<Scope>(s, "scope")?;
    }
    query.organisation = params
        .get("organisation")
        .map(|o| OrganisationId(o.clone()));
    if let Some(s) = params.get("status") {
        query.statuses = s
            .split(',')
            .map(|v| enum_value(v, "status"))
            .collect::<Result<_, _>>()?;
    }
    if let Some(s) = params.get("type") {
        query.types = s
            .split(',')
            .map(|v| enum_value(v, "type"))
            .collect::<Result<_, _>>()?;
    }
    query.text = params.get("text").cloned();
    let number = |name: &str| -> Result<usize, Problem> {
        params
            .get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Problem::bad_request(format!("`{name}` must be a whole number")))
            })
            .transpose()
            .map(Option::unwrap_or_default)
    };
    query.offset = number("offset")?;
    query.limit = number("limit")?;
    let page = state
        .views
        .ticket_overview
        .current()
        .list(&caller.actor, &query);
    Ok(Json(to_json(&page)).into_response())
}

fn sla_filter(params: &HashMap<String, String>) -> Result<(SlaFilter, SlaGrouping), Problem> {
    let filter = SlaFilter {
        customer: params.get("customer").map(|c| OrganisationId(c.clone())),
        priority: params
            .get("priority")
            .map(|p| enum_value(p, "priority"))
            .transpose()?,
        from: params.get("from").map(|m| month(m, "from")).transpose()?,
        to: params.get("to").map(|m| month(m, "to")).transpose()?,
    };
    let grouping = match params.get("group") {
        None => SlaGrouping::default(),
        Some(g) => {
            let parts: Vec<&str> = g.split(',').filter(|p| !p.is_empty()).collect();
            if let Some(bad) = parts
                .iter()
                .find(|p| !matches!(**p, "customer" | "priority" | "period"))
            {
                return Err(Problem::bad_request(format!(
                    "`group` takes customer, priority, period; not `{bad}`"
                )));
            }
            SlaGrouping {
                customer: parts.contains(&"customer"),
                priority: parts.contains(&"priority"),
                period: parts.contains(&"period"),
            }
        }
    };
    Ok((filter, grouping))
}

/// `GET /sla/report` — `customer`, `priority`, `from`, `to` (months), `group`, `at`.
pub async fn sla_report(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    require(&caller, Action::Reports, "SLA reports")?;
    let (filter, grouping) = sla_filter(&params)?;
    let at = instant(&params, "at")?.unwrap_or_else(|| state.engine.now());
    let sla = state.views.sla.current();
    Ok(Json(json!({
        "at": at,
        "groups": to_json(&sla.statistics(&filter, grouping, at)),
        "tickets": to_json(&sla.tickets(&filter, at)),
    }))
    .into_response())
}

/// The body of `POST /sla/what-if`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// The policy book to score under.
    pub policy: SlaPolicyBook,
    /// The same query parameters as `GET /sla/report`, as strings.
    #[serde(default)]
    pub filter: HashMap<String, String>,
}

/// `POST /sla/what-if` — the report under another policy book.
pub async fn sla_what_if(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    require(&caller, Action::Reports, "SLA reports")?;
    let request: WhatIf = strict(json_body(body)?, "what-if request")?;
    request.policy.validate().map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-policy",
            e.to_string(),
        )
    })?;
    let (filter, grouping) = sla_filter(&request.filter)?;
    let at = instant(&request.filter, "at")?.unwrap_or_else(|| state.engine.now());
    let sla = state.views.sla.current();
    let what_if = sla.what_if(&request.policy);
    Ok(Json(json!({
        "at": at,
        "groups": to_json(&what_if.statistics(&filter, grouping, at)),
        "current": to_json(&sla.statistics(&filter, grouping, at)),
    }))
    .into_response())
}

fn today(state: &AppState, params: &HashMap<String, String>) -> Result<NaiveDate, Problem> {
    params
        .get("day")
        .map(|d| {
            d.parse()
                .map_err(|_| Problem::bad_request("`day` must be a date like 2026-03-02"))
        })
        .transpose()
        .map(|d| d.unwrap_or_else(|| state.engine.now().date_naive()))
}

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
    if customer.is_none()
        || !may(
            caller.role(),
            &caller.name,
            Action::ReadOrderOrDelivery(customer.as_ref()),
        )
    {
        return Err(Problem::not_found(format!(
            "there is no order {key} (or it is not visible to you)"
        )));
    }
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
    Ok(if as_of.is_none() {
        with_etag(body, version)
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
    if customer.is_none()
        || !may(
            caller.role(),
            &caller.name,
            Action::ReadOrderOrDelivery(customer),
        )
    {
        return Err(Problem::not_found(format!(
            "there is no order {key} (or it is not visible to you)"
        )));
    }
    stream_history(&state, &key.stream_id(), &params, version)
}

/// `GET /orders` — the order board: `customer`, `phase`, `consultant`, `include_closed`,
/// `at_risk_only`, `day`.
pub async fn order_board(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    require(&caller, Action::Reports, "the order board")?;
    let flag = |name: &str| params.get(name).is_some_and(|v| v == "true" || v == "1");
    let query = OrderBoardQuery {
        customer: params.get("customer").map(|c| OrganisationId(c.clone())),
        phase: params
            .get("phase")
            .map(|p| enum_value::<OrderPhase>(p, "phase"))
            .transpose()?,
        consultant: params.get("consultant").cloned(),
        include_closed: flag("include_closed"),
        at_risk_only: flag("at_risk_only"),
    };
    let day = today(&state, &params)?;
    Ok(Json(json!({ "day": day, "orders": to_json(&state.views.order_board.current().board(&query, day)) })).into_response())
}

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
    if customer.is_none()
        || !may(
            caller.role(),
            &caller.name,
            Action::ReadOrderOrDelivery(customer.as_ref()),
        )
    {
        return Err(Problem::not_found(format!(
            "there is no delivery {key} (or it is not visible to you)"
        )));
    }
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
    let manifest = state.views.delivery_manifests.current().manifest(&key);
    let body = json!({
        "key": key.as_str(),
        "version": version,
        "as_of": as_of,
        "status": delivery.status().map(|s| s.to_string()),
        "step": delivery.step.to_string(),
        "organisation": customer,
        "tickets": delivery.tickets.iter().map(|t| t.as_str().to_owned()).collect::<Vec<_>>(),
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
    if customer.is_none()
        || !may(
            caller.role(),
            &caller.name,
            Action::ReadOrderOrDelivery(customer),
        )
    {
        return Err(Problem::not_found(format!(
            "there is no delivery {key} (or it is not visible to you)"
        )));
    }
    stream_history(&state, &key.stream_id(), &params, version)
}

/// `GET /deliveries[?organisation=O]` — delivery manifests.
pub async fn list_deliveries(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    require(&caller, Action::Reports, "delivery manifests")?;
    let organisation = params
        .get("organisation")
        .map(|o| OrganisationId(o.clone()));
    Ok(Json(to_json(
        &state
            .views
            .delivery_manifests
            .current()
            .manifests(organisation.as_ref()),
    ))
    .into_response())
}

/// `GET /billing/{customer}/{month}`.
pub async fn billing(
    State(state): State<AppState>,
    Path((customer, raw_month)): Path<(String, String)>,
    Caller(caller): Caller,
) -> Result<Response, Problem> {
    require(&caller, Action::Reports, "billing")?;
    let m = month(&raw_month, "month")?;
    let statement = state
        .views
        .billing
        .current()
        .statement(&OrganisationId(customer), m);
    Ok(Json(to_json(&statement)).into_response())
}

/// `GET /escalations` — `region`, `organisation`, `min_level`.
pub async fn escalations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Params,
) -> Result<Response, Problem> {
    require(&caller, Action::Reports, "escalations")?;
    let query = EscalationQuery {
        region: params
            .get("region")
            .map(|r| enum_value(r, "region"))
            .transpose()?,
        organisation: params
            .get("organisation")
            .map(|o| OrganisationId(o.clone())),
        min_level: params
            .get("min_level")
            .map(|l| enum_value(l, "min_level"))
            .transpose()?,
    };
    Ok(Json(to_json(&state.views.escalations.current().matching(&query))).into_response())
}
