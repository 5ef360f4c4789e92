//! Reports: SLA figures and what-if, the order board, delivery manifests, billing and
//! escalations.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use ticketflow_access::Action;
use ticketflow_domain::order::OrderPhase;
use ticketflow_domain::sla::SlaPolicyBook;
use ticketflow_events::OrganisationId;
use ticketflow_projections::delivery_manifest::DeliveryManifest;
use ticketflow_projections::escalations::EscalationQuery;
use ticketflow_projections::order_board::OrderBoardQuery;
use ticketflow_projections::sla::{SlaFilter, SlaGrouping};

use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

use super::{Params, enum_value, instant, month, require, sees_ticket, to_json, today};

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
    // The groups are aggregate counts, which every role allowed to read reports may see;
    // the per-ticket lines only name tickets the caller may see.
    let tickets: Vec<_> = sla
        .tickets(&filter, at)
        .into_iter()
        .filter(|t| sees_ticket(&state, &caller, &t.ticket))
        .collect();
    Ok(Json(json!({
        "at": at,
        "groups": to_json(&sla.statistics(&filter, grouping, at)),
        "tickets": to_json(&tickets),
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
    let manifests: Vec<_> = state
        .views
        .delivery_manifests
        .current()
        .manifests(organisation.as_ref())
        .into_iter()
        .map(|m| visible_manifest(&state, &caller, m))
        .collect();
    Ok(Json(to_json(&manifests)).into_response())
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
    let open: Vec<_> = state
        .views
        .escalations
        .current()
        .matching(&query)
        .into_iter()
        .filter(|e| sees_ticket(&state, &caller, &e.ticket))
        .collect();
    Ok(Json(to_json(&open)).into_response())
}

/// The manifest with every ticket line the caller may not see left out (its summary is the
/// ticket's free text, and even its key would reveal that it exists).
pub(super) fn visible_manifest(
    state: &AppState,
    caller: &ticketflow_access::Principal,
    mut manifest: DeliveryManifest,
) -> DeliveryManifest {
    manifest
        .tickets
        .retain(|t| sees_ticket(state, caller, &t.ticket));
    manifest
        .custom_items
        .retain(|t| sees_ticket(state, caller, &t.ticket));
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_what_if_with_empty_targets_is_accepted() {
        let body = json!({
            "policy": {"contracts": {"acme": {"targets": {}}}},
            "filter": {}
        });
        let parsed = strict::<WhatIf>(body, "what-if request");
        assert!(parsed.is_ok(), "{parsed:?}");
    }
}
