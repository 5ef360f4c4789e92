//! RFC 9457 problem details: every error the API answers, as `application/problem+json`.
//!
//! Anything the client got wrong is a 4xx with a `detail` sentence saying what to change;
//! 5xx is kept for faults inside the server (a failing disk, a closed store).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use ticketflow_domain::delivery::DeliveryError;
use ticketflow_domain::order::OrderError;
use ticketflow_domain::ticket::TicketError;
use ticketflow_engine::{CommandError, Refusal};

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem: status, a stable type URI, a title, a detail sentence and extra members.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short, stable slug; the `type` member is `https://ticketflow.invalid/problems/<slug>`.
    pub kind: &'static str,
    /// What went wrong and what to do about it.
    pub detail: String,
    /// Extension members, e.g. `allowed` commands or `expected`/`actual` versions.
    pub extra: Map<String, Value>,
}

impl Problem {
    /// A problem with no extension members.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            status,
            kind,
            detail: detail.into(),
            extra: Map::new(),
        }
    }

    /// Adds an extension member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// 400: the request could not be read.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401: no or an unknown bearer token.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403: the principal may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404: nothing (visible to the principal) is there.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// 500: a fault inside the server; the detail names it for the operator.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    /// 503: the server cannot answer now (e.g. projections still catching up).
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    /// The body as JSON.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "type": format!("https://ticketflow.invalid/problems/{}", self.kind),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Value::Object(map) = &mut body {
            for (k, v) in &self.extra {
                map.insert(k.clone(), v.clone());
            }
        }
        body
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl From<CommandError> for Problem {
    fn from(e: CommandError) -> Self {
        let detail = e.to_string();
        match &e {
            CommandError::Refused { refusal, .. } => refusal_problem(refusal, detail),
            CommandError::Conflict {
                expected, actual, ..
            } => Problem::new(StatusCode::PRECONDITION_FAILED, "version-mismatch", detail)
                .with("expected", *expected)
                .with("actual", actual.unwrap_or(0)),
            CommandError::TooManyConflicts { .. } => {
                Problem::new(StatusCode::CONFLICT, "too-many-conflicts", detail)
            }
            _ if e.is_caller_error() => Problem::bad_request(detail),
            _ => Problem::internal(detail),
        }
    }
}

fn refusal_problem(refusal: &Refusal, detail: String) -> Problem {
    let (status, kind, allowed): (StatusCode, &'static str, Option<&Vec<&'static str>>) =
        match refusal {
            Refusal::Ticket(TicketError::NotAllowed { allowed, .. })
            | Refusal::Order(OrderError::NotAllowed { allowed, .. })
            | Refusal::Delivery(DeliveryError::NotAllowed { allowed, .. }) => {
                (StatusCode::CONFLICT, "command-not-allowed", Some(allowed))
            }
            Refusal::Ticket(TicketError::DoesNotExist { .. }) => {
                (StatusCode::NOT_FOUND, "not-found", None)
            }
            Refusal::Ticket(
                TicketError::Forbidden { .. }
                | TicketError::NotVisible { .. }
                | TicketError::Confidential { .. },
            )
            | Refusal::Order(
                OrderError::RoleNotPermitted { .. } | OrderError::WrongCustomer { .. },
            )
            | Refusal::Delivery(DeliveryError::Forbidden { .. }) => {
                (StatusCode::FORBIDDEN, "forbidden", None)
            }
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "command-refused", None),
        };
    let mut p = Problem::new(status, kind, detail);
    if let Some(allowed) = allowed {
        p = p.with("allowed", allowed.clone());
    }
    p
}
