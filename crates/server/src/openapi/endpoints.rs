//! The table of every endpoint the router serves, with who may call it: the source of the
//! OpenAPI paths and of the test that checks every documented endpoint is routed.

/// Who may call an endpoint, as documented.
#[derive(Debug, Clone, Copy)]
pub enum Audience {
    /// No token needed.
    Public,
    /// Any valid token; the policy decides per resource.
    Token,
    /// Operators only.
    Operator,
    /// Integrators and operators (webhook management).
    IntegratorOrOperator,
}

/// One endpoint: method, path, summary, audience and request body schema (if any).
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// HTTP method, lower case.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Who may call it.
    pub audience: Audience,
    /// The request body's schema name in `components/schemas`.
    pub body: Option<&'static str>,
}

const fn ep(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    audience: Audience,
    body: Option<&'static str>,
) -> Endpoint {
    Endpoint {
        method,
        path,
        summary,
        audience,
        body,
    }
}

use Audience::{IntegratorOrOperator, Operator, Public, Token};

/// Every endpoint of the API (the router and this list are kept in step by a test).
pub const ENDPOINTS: &[Endpoint] = &[
    ep("get", "/healthz", "The process is up.", Public, None),
    ep(
        "get",
        "/readyz",
        "The store answers and every read model is caught up.",
        Public,
        None,
    ),
    ep("get", "/openapi.json", "This document.", Public, None),
    ep("get", "/metrics", "Prometheus metrics.", Operator, None),
    ep(
        "post",
        "/tickets",
        "Open a ticket (open_from_portal or open_from_email; the key may be left out).",
        Token,
        Some("TicketCommand"),
    ),
    ep(
        "get",
        "/tickets",
        "The portal list: scope, organisation, status, type, text, offset, limit.",
        Token,
        None,
    ),
    ep(
        "get",
        "/tickets/{key}",
        "A ticket's state (ETag: stream version); ?as_of=T for its state then.",
        Token,
        None,
    ),
    ep(
        "post",
        "/tickets/{key}/commands",
        "Send a ticket command (If-Match, Idempotency-Key).",
        Token,
        Some("TicketCommand"),
    ),
    ep(
        "get",
        "/tickets/{key}/history",
        "Every change of the ticket; ?as_of=T cuts it there.",
        Token,
        None,
    ),
    ep(
        "get",
        "/tickets/{key}/sla",
        "The ticket's SLA clocks; ?at=T.",
        Token,
        None,
    ),
    ep(
        "get",
        "/sla/report",
        "SLA statistics: customer, priority, from, to (months), group, at.",
        Token,
        None,
    ),
    ep(
        "post",
        "/sla/what-if",
        "SLA statistics under another policy book.",
        Token,
        Some("WhatIf"),
    ),
    ep(
        "post",
        "/orders",
        "Place a customisation order (the key may be left out).",
        Token,
        Some("OrderCommand"),
    ),
    ep(
        "get",
        "/orders",
        "The order board: customer, phase, consultant, include_closed, at_risk_only, day.",
        Token,
        None,
    ),
    ep(
        "get",
        "/orders/{key}",
        "An order's state (ETag); ?as_of=T.",
        Token,
        None,
    ),
    ep(
        "post",
        "/orders/{key}/commands",
        "Send an order command.",
        Token,
        Some("OrderCommand"),
    ),
    ep(
        "get",
        "/orders/{key}/history",
        "Every change of the order; ?as_of=T.",
        Token,
        None,
    ),
    ep(
        "post",
        "/deliveries",
        "Plan a delivery (the key may be left out).",
        Token,
        Some("DeliveryCommand"),
    ),
    ep(
        "get",
        "/deliveries",
        "Delivery manifests; ?organisation=O.",
        Token,
        None,
    ),
    ep(
        "get",
        "/deliveries/{key}",
        "A delivery's state and manifest (ETag); ?as_of=T.",
        Token,
        None,
    ),
    ep(
        "post",
        "/deliveries/{key}/commands",
        "Send a delivery command.",
        Token,
        Some("DeliveryCommand"),
    ),
    ep(
        "get",
        "/deliveries/{key}/history",
        "Every change of the delivery; ?as_of=T.",
        Token,
        None,
    ),
    ep(
        "get",
        "/billing/{customer}/{month}",
        "Efforts to bill for a customer in a month (YYYY-MM).",
        Token,
        None,
    ),
    ep(
        "get",
        "/escalations",
        "Open escalations: region, organisation, min_level.",
        Token,
        None,
    ),
    ep(
        "get",
        "/streams/all",
        "SSE: every event; ?types=A,B&from=P; Last-Event-ID resumes.",
        Token,
        None,
    ),
    ep(
        "get",
        "/streams/category/{category}",
        "SSE: one category (ticket, order, delivery).",
        Token,
        None,
    ),
    ep(
        "get",
        "/streams/stream/{stream_id}",
        "SSE: one stream, e.g. ticket-SD-1001.",
        Token,
        None,
    ),
    ep(
        "get",
        "/projections",
        "Every read model's progress.",
        Operator,
        None,
    ),
    ep(
        "get",
        "/projections/{name}",
        "One read model's progress.",
        Operator,
        None,
    ),
    ep(
        "post",
        "/projections/{name}/rebuild",
        "Rebuild one read model online (or `all`).",
        Operator,
        None,
    ),
    ep(
        "post",
        "/backup",
        "Write a consistent copy of the log under DATA_DIR/backups/.",
        Operator,
        Some("BackupRequest"),
    ),
    ep(
        "post",
        "/clock/advance",
        "Simulated-clock servers only: move business time forwards, firing due timers.",
        Operator,
        Some("AdvanceRequest"),
    ),
    ep(
        "post",
        "/webhooks",
        "Register a webhook endpoint; answers 201 with its signing secret, shown once.",
        IntegratorOrOperator,
        Some("NewEndpoint"),
    ),
    ep(
        "get",
        "/webhooks",
        "The caller's webhook endpoints, every one for an operator (without secrets); another integrator's endpoint answers 404 everywhere.",
        IntegratorOrOperator,
        None,
    ),
    ep(
        "get",
        "/webhooks/{id}",
        "One webhook endpoint with its checkpoint and health.",
        IntegratorOrOperator,
        None,
    ),
    ep(
        "delete",
        "/webhooks/{id}",
        "Remove a webhook endpoint and its delivery log (204).",
        IntegratorOrOperator,
        None,
    ),
    ep(
        "post",
        "/webhooks/{id}/rotate-secret",
        "Replace an endpoint's signing secret; the new one is shown once.",
        IntegratorOrOperator,
        None,
    ),
    ep(
        "get",
        "/webhooks/{id}/deliveries",
        "The most recent delivery attempts, newest first (`?limit=1..1000`, default 50).",
        IntegratorOrOperator,
        None,
    ),
    ep(
        "post",
        "/intake/email",
        "Take in a raw RFC 5322 mail (`Content-Type: message/rfc822`): opens a Request or comments on the ticket named in the subject; answers {ticket, outcome, replayed}.",
        Operator,
        Some("RawMail"),
    ),
];
