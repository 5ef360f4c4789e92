//! The JSON body of one webhook request: a batch of events in log order.
//!
//! ```json
//! {"delivery": "0192…", "endpoint": "0192…", "events": [
//!   {"global_position": 41, "stream_id": "ticket-SD-1042", "stream_version": 3,
//!    "event_id": "…", "event_type": "TicketCommented", "schema_version": 1,
//!    "occurred_at": "2026-03-02T09:00:00Z", "recorded_at": "2026-03-02T09:00:00.012Z",
//!    "actor": "customer:ann@acme.example", "correlation_id": "…", "causation_id": null,
//!    "data": {"at": "2026-03-02T09:00:00Z", "author": "ann@acme.example", …}}]}
//! ```
//!
//! `data` is the payload decoded by the codec (upcast to the current schema version) and
//! passed through the redactor. An event this build cannot decode (written by a newer
//! Ticketflow) is sent with `data: null` and a `decode_error` sentence rather than held
//! back, so one odd event never blocks an endpoint.

use serde::Serialize;
use serde_json::Value;
use ticketflow_events::{AnyEvent, RecordedEvent, Timestamp};
use uuid::Uuid;

use crate::endpoint::{Endpoint, EndpointId};

/// Decides, per endpoint and event, what of a payload may leave the system: answer the
/// (possibly reduced) JSON payload, or `None` to leave the event out of the delivery (it
/// then still counts as delivered). The server uses it to strip the free text of
/// confidential tickets for endpoints whose `confidential_text` is false.
pub type Redactor = std::sync::Arc<
    dyn Fn(&Endpoint, &RecordedEvent, Value) -> Option<Value> + Send + Sync + 'static,
>;

/// One event in a webhook body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookEvent {
    /// Position in the whole log: receivers dedupe and order by it.
    pub global_position: u64,
    /// The stream, e.g. `ticket-SD-1042`.
    pub stream_id: String,
    /// Version within the stream.
    pub stream_version: u64,
    /// The event's unique id.
    pub event_id: Uuid,
    /// Stable type name.
    pub event_type: String,
    /// Schema version as recorded.
    pub schema_version: u16,
    /// Business time.
    pub occurred_at: Timestamp,
    /// Store time.
    pub recorded_at: Timestamp,
    /// Who caused it, `role:id`.
    pub actor: String,
    /// Groups the events of one request or process.
    pub correlation_id: Uuid,
    /// What caused it, if known.
    pub causation_id: Option<Uuid>,
    /// The decoded (and redacted) payload; `null` if it could not be decoded.
    pub data: Value,
    /// Why the payload could not be decoded, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decode_error: Option<String>,
}

/// A webhook request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookBody {
    /// The delivery id (also in `Ticketflow-Delivery`).
    pub delivery: Uuid,
    /// The endpoint it is addressed to.
    pub endpoint: EndpointId,
    /// The events, in global-position order.
    pub events: Vec<WebhookEvent>,
}

/// The decoded payload of an event as JSON: the `data` part of the codec's
/// `{"type", "data"}` form.
pub fn payload_json(event: &RecordedEvent) -> Result<Value, String> {
    let decoded = AnyEvent::from_recorded(event).map_err(|e| e.to_string())?;
    let tagged = match &decoded {
        AnyEvent::Ticket(e) => serde_json::to_value(e),
        AnyEvent::Order(e) => serde_json::to_value(e),
        AnyEvent::Delivery(e) => serde_json::to_value(e),
    }
    .map_err(|e| e.to_string())?;
    match tagged {
        Value::Object(mut map) => Ok(map.remove("data").unwrap_or(Value::Null)),
        other => Ok(other),
    }
}

/// The body's entry for `event`, or `None` when the redactor leaves it out.
pub(crate) fn webhook_event(
    endpoint: &Endpoint,
    event: &RecordedEvent,
    redactor: Option<&Redactor>,
) -> Option<WebhookEvent> {
    let (data, decode_error) = match payload_json(event) {
        Ok(data) => match redactor {
            Some(redact) => (redact(endpoint, event, data)?, None),
            None => (data, None),
        },
        Err(reason) => (Value::Null, Some(reason)),
    };
    Some(WebhookEvent {
        global_position: event.global_position,
        stream_id: event.stream_id.as_str().to_owned(),
        stream_version: event.stream_version,
        event_id: event.event_id,
        event_type: event.event_type.clone(),
        schema_version: event.schema_version,
        occurred_at: event.occurred_at,
        recorded_at: event.recorded_at,
        actor: event.actor.clone(),
        correlation_id: event.correlation_id,
        causation_id: event.causation_id,
        data,
        decode_error,
    })
}
