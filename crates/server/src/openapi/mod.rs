//! The OpenAPI 3.1 document served at `GET /openapi.json` and checked in as
//! `schemas/openapi.json` (a test in this crate fails when the two drift; regenerate with
//! `TICKETFLOW_WRITE_OPENAPI=1 cargo test -p ticketflow-server openapi`).
//!
//! Command and event schemas come from the Rust types via `schemars`, so they cannot describe
//! anything the code does not accept; the paths are assembled by hand from [`ENDPOINTS`].

use schemars::JsonSchema;
use serde_json::{Map, Value, json};
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::TicketEvent;

mod endpoints;

pub use endpoints::{Audience, ENDPOINTS, Endpoint};

/// Moves `$defs` of a schemars schema into `components` and points its `$ref`s there.
fn hoist(name: &str, mut schema: Value, components: &mut Map<String, Value>) {
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        if let Some(Value::Object(defs)) = map.remove("$defs") {
            for (k, v) in defs {
                let mut v = v;
                rewrite_refs(&mut v);
                components.insert(k, v);
            }
        }
    }
    rewrite_refs(&mut schema);
    components.insert(name.to_owned(), schema);
}

fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k == "$ref"
                    && let Value::String(s) = val
                    && let Some(rest) = s.strip_prefix("#/$defs/")
                {
                    *s = format!("#/components/schemas/{rest}");
                } else {
                    rewrite_refs(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn schema_of<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// The whole document, deterministic (sorted keys through `serde_json::Map`).
pub fn document() -> Value {
    let mut components = Map::new();
    hoist(
        "TicketCommand",
        schema_of::<TicketCommand>(),
        &mut components,
    );
    hoist("OrderCommand", schema_of::<OrderCommand>(), &mut components);
    hoist(
        "DeliveryCommand",
        schema_of::<DeliveryCommand>(),
        &mut components,
    );
    hoist("TicketEvent", schema_of::<TicketEvent>(), &mut components);
    hoist("OrderEvent", schema_of::<OrderEvent>(), &mut components);
    hoist(
        "DeliveryEvent",
        schema_of::<DeliveryEvent>(),
        &mut components,
    );
    components.insert(
        "WhatIf".into(),
        json!({"type": "object", "required": ["policy"], "additionalProperties": false, "properties": {
            "policy": {"description": "An SLA policy book (as `ticketflow sla what-if` reads it).", "type": "object"},
            "filter": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "customer, priority, from, to, group, at — as for GET /sla/report"}}}),
    );
    components.insert(
        "BackupRequest".into(),
        json!({"type": "object", "additionalProperties": false, "properties": {"name": {"type": "string"}}}),
    );
    components.insert(
        "AdvanceRequest".into(),
        json!({"type": "object", "additionalProperties": false, "properties": {
            "to": {"type": "string", "format": "date-time"}, "seconds": {"type": "integer", "minimum": 0}}}),
    );
    components.insert(
        "NewEndpoint".into(),
        json!({"type": "object", "required": ["url"], "additionalProperties": false, "properties": {
            "url": {"type": "string", "description": "An absolute http:// or https:// URL."},
            "filter": {"type": "object", "additionalProperties": false, "properties": {
                "categories": {"type": "array", "items": {"type": "string", "enum": ["ticket", "order", "delivery"]}},
                "event_types": {"type": "array", "items": {"type": "string"}},
                "streams": {"type": "array", "items": {"type": "string"}}}},
            "description": {"type": "string"},
            "confidential_text": {"type": "boolean", "description": "Send confidential tickets' free text (operator, or an integrator with that scope)."},
            "start_after": {"type": "integer", "minimum": 0, "description": "Deliver events after this global position (0: the whole log)."},
            "owner": {"type": "string", "description": "The integrator token that manages the endpoint: set to the caller's own token for integrators (another name is 403); operators may name one or leave it out (operators only)."}}}),
    );
    components.insert(
        "Problem".into(),
        json!({"type": "object", "description": "RFC 9457 problem details; extra members such as `allowed`, `expected`, `actual`, `field` depending on the problem.",
            "required": ["type", "title", "status", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
            "allowed": {"type": "array", "items": {"type": "string"}}, "expected": {"type": "integer"}, "actual": {"type": "integer"}}}),
    );
    let mut paths = Map::new();
    for e in ENDPOINTS {
        let mut op = json!({
            "summary": e.summary,
            "responses": {
                "default": {"description": "A problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        });
        let ok = if e.path.starts_with("/streams") {
            json!({"description": "An SSE stream: id = global position, event = type, data = envelope JSON", "content": {"text/event-stream": {}}})
        } else {
            json!({"description": "OK", "content": {"application/json": {}}})
        };
        op["responses"]["200"] = ok;
        match e.audience {
            Audience::Public => op["security"] = json!([]),
            Audience::Operator => op["description"] = json!("Operator token required."),
            Audience::IntegratorOrOperator => {
                op["description"] = json!("Integrator or operator token required.");
            }
            Audience::Token => {}
        }
        if e.body == Some("RawMail") {
            op["requestBody"] = json!({"required": true, "content": {"message/rfc822": {"schema": {"type": "string"}}}});
        } else if let Some(body) = e.body {
            op["requestBody"] = json!({"required": body != "BackupRequest", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        let params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        let entry = paths
            .entry(e.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[e.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Ticketflow",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of the Ticketflow service desk. Commands are the domain's command enums (the script format's `command` object). Errors are RFC 9457 problem details."
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from `ticketflow tokens issue`."}}
        }
    })
}

/// The document as checked in: pretty, with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_checked_in_openapi_document_matches_the_code() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/openapi.json");
        let fresh = super::document_text();
        if std::env::var_os("TICKETFLOW_WRITE_OPENAPI").is_some() {
            std::fs::write(&path, &fresh)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            stored == fresh,
            "schemas/openapi.json is stale; regenerate with `TICKETFLOW_WRITE_OPENAPI=1 cargo test -p ticketflow-server openapi`"
        );
    }
}
