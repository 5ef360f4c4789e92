//! Tickets: state, history, SLA and the portal list.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use ticketflow_access::{Action, Visibility, may, may_see_ticket};
use ticketflow_domain::ticket::Ticket;
use ticketflow_events::{Actor, OrganisationId, TicketKey};
use ticketflow_projections::ticket_overview::{Scope, TicketQuery};

use crate::aggregates::{load, ticket_facts};
use crate::auth::Caller;
use crate::commands::parse_key;
use crate::problem::Problem;
use crate::state::AppState;

use super::{Params, enum_value, history, instant, require, stream_history, to_json, with_etag};

pub(super) fn ticket_view(
    key: &TicketKey,
    t: &Ticket,
    version: u64,
    summary: Option<String>,
) -> Value {
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
pub(super) async fn readable_ticket(
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
    stream_history(&state, &caller, &key.stream_id(), &params, version)
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
