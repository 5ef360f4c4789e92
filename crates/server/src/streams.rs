//! Server-Sent Events for integrators: the whole log, one category, or one stream, optionally
//! only some event types, from a position.
//!
//! * Each SSE `id` is the event's global position, `event` its type, `data` the JSON envelope
//!   with the decoded payload under `data`. Resuming with `Last-Event-ID: P` (any standard SSE
//!   client does this) continues right after `P`; the store's `subscribe_all` switches from
//!   catch-up to live without gap or duplicate.
//! * `?from=P` starts at position `P` (inclusive) when no `Last-Event-ID` is sent.
//! * Heartbeat comments (`: heartbeat`) keep idle connections open.
//! * Each subscriber has its own bounded buffer. Catching up is paced by the subscriber;
//!   once live, an event that does not fit ends the subscription: the subscriber receives
//!   what was buffered, then `event: lagged` with the position to resume after, and is
//!   disconnected. Writers and other subscribers never wait for it.
//! * Free text of confidential tickets is replaced by `[redacted]` unless the principal's
//!   scope allows it (see `ticketflow_access::policy`). A ticket event the ticket overview
//!   has not reached yet (it lags more than a few seconds, or failed) counts as confidential.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde_json::{Value, json};
use ticketflow_access::{Action, Principal, may, redact_free_text, redacts_free_text};
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::TicketEvent;
use ticketflow_events::{Actor, AnyEvent, RecordedEvent, StreamId, TicketKey};
use ticketflow_store::{EventStore, Filter};
use tokio::sync::mpsc;

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// The JSON envelope of a recorded event with its payload decoded under `data` (the payload
/// bytes and hashes are left out; `ticketflow verify` checks those).
pub fn envelope_json(e: &RecordedEvent) -> Value {
    let data = match AnyEvent::from_recorded(e) {
        Ok(AnyEvent::Ticket(t)) => payload_of::<TicketEvent>(&t),
        Ok(AnyEvent::Order(o)) => payload_of::<OrderEvent>(&o),
        Ok(AnyEvent::Delivery(d)) => payload_of::<DeliveryEvent>(&d),
        Err(err) => json!({ "undecodable": err.to_string() }),
    };
    json!({
        "global_position": e.global_position,
        "stream_id": e.stream_id.as_str(),
        "stream_version": e.stream_version,
        "event_id": e.event_id,
        "event_type": e.event_type,
        "schema_version": e.schema_version,
        "occurred_at": e.occurred_at,
        "recorded_at": e.recorded_at,
        "actor": e.actor,
        "correlation_id": e.correlation_id,
        "causation_id": e.causation_id,
        "data": data,
    })
}

fn payload_of<T: serde::Serialize>(event: &T) -> Value {
    match serde_json::to_value(event) {
        Ok(Value::Object(mut map)) => map.remove("data").unwrap_or(Value::Null),
        Ok(other) => other,
        Err(e) => json!({ "undecodable": e.to_string() }),
    }
}

/// `GET /streams/all`.
pub async fn all(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    subscribe(state, caller, headers, params, Filter::all()).await
}

/// `GET /streams/category/{category}`.
pub async fn category(
    State(state): State<AppState>,
    Path(category): Path<String>,
    Caller(caller): Caller,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    if !matches!(category.as_str(), "ticket" | "order" | "delivery") {
        return Err(Problem::not_found(format!(
            "there is no category `{}`; the categories are ticket, order, delivery",
            category.chars().take(64).collect::<String>()
        )));
    }
    subscribe(state, caller, headers, params, Filter::category(category)).await
}

/// `GET /streams/stream/{stream_id}`.
pub async fn stream(
    State(state): State<AppState>,
    Path(stream): Path<String>,
    Caller(caller): Caller,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let id: StreamId = stream.parse().map_err(|_| {
        Problem::bad_request(format!(
            "`{}` is not a stream id (e.g. ticket-SD-1001, order-CO-1)",
            stream.chars().take(64).collect::<String>()
        ))
    })?;
    subscribe(state, caller, headers, params, Filter::stream(id)).await
}

async fn subscribe(
    state: AppState,
    caller: Principal,
    headers: HeaderMap,
    params: HashMap<String, String>,
    mut filter: Filter,
) -> Result<Response, Problem> {
    if !may(caller.role(), &caller.name, Action::Subscribe) {
        return Err(Problem::forbidden(format!(
            "a {} may not subscribe to event streams (integrators and auditors may)",
            caller.role().name()
        )));
    }
    if let Some(types) = params.get("types") {
        filter.event_types = types
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let known: Vec<&str> = AnyEvent::event_types().map(|(t, _)| t).collect();
        if let Some(bad) = filter
            .event_types
            .iter()
            .find(|t| !known.contains(&t.as_str()))
        {
            return Err(Problem::bad_request(format!(
                "unknown event type `{}` in `types`; /openapi.json lists them",
                bad.chars().take(64).collect::<String>()
            )));
        }
    }
    let after = match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                Problem::bad_request("Last-Event-ID must be a global position (a whole number)")
            })?,
        None => match params.get("from") {
            Some(f) => f
                .parse::<u64>()
                .map_err(|_| {
                    Problem::bad_request("`from` must be a global position (a whole number)")
                })?
                .saturating_sub(1),
            None => 0,
        },
    };
    // Events up to the head at subscription time are catch-up (paced by the subscriber);
    // the head is taken before the answer starts, so nothing written later counts as such.
    let head = state
        .store
        .last_position()
        .await
        .map_err(|e| Problem::internal(format!("the store does not answer: {e}")))?;
    let events = spawn_feed(state.clone(), caller, after, head, filter);
    let heartbeat = state.config.heartbeat;
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat"))
        .into_response())
}

/// How long an SSE feed waits for the read models to reflect a ticket event before deciding
/// on its redaction without them.
const PROJECTION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What the feed task hands the response.
enum Item {
    Event(Box<Event>),
    Lagged(u64),
}

struct SubscriberGuard(AppState);

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        self.0
            .metrics
            .sse_subscribers
            .fetch_sub(1, Ordering::Relaxed);
    }
}

fn spawn_feed(
    state: AppState,
    caller: Principal,
    after: u64,
    head: u64,
    filter: Filter,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let (tx, rx) = mpsc::channel::<Item>(state.config.sse_buffer.max(1));
    state
        .metrics
        .sse_subscribers
        .fetch_add(1, Ordering::Relaxed);
    let guard = SubscriberGuard(state.clone());
    let feed_state = state.clone();
    let task = tokio::spawn(async move {
        let state = feed_state;
        let mut subscription = state.store.subscribe_all(after, filter);
        let mut last_sent = after;
        while let Some(next) = subscription.next_event().await {
            let Ok(recorded) = next else { break };
            let mut overview_current = true;
            if recorded.stream_id.category() == TicketKey::CATEGORY {
                // Redaction asks the ticket overview whether the ticket is confidential; let
                // it see this event first (it usually has: this answers at once). If it has
                // not caught up in time (or the runner failed), its answer may be stale, so
                // the event counts as confidential.
                overview_current = matches!(
                    tokio::time::timeout(
                        PROJECTION_WAIT,
                        state.runner.wait_for(recorded.global_position),
                    )
                    .await,
                    Ok(Ok(()))
                );
            }
            let event = sse_event(&state, &caller, &recorded, !overview_current);
            let position = recorded.global_position;
            if position <= head {
                if tx.send(Item::Event(Box::new(event))).await.is_err() {
                    return;
                }
            } else {
                match tx.try_send(Item::Event(Box::new(event))) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        state.metrics.sse_lagged.fetch_add(1, Ordering::Relaxed);
                        // The buffer drains first; the marker goes last, on its own channel
                        // slot once the reader has made room.
                        let _ = tx.send(Item::Lagged(last_sent)).await;
                        return;
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => return,
                }
            }
            last_sent = position;
        }
    });
    let ending = state.shutdown.subscribe();
    let state = (rx, guard, AbortOnDrop(task), ending);
    futures::stream::unfold(state, |(mut rx, guard, task, mut ending)| async move {
        let item = tokio::select! {
            item = rx.recv() => item?,
            _ = ending.wait_for(|stop| *stop) => return None,
        };
        let event = match item {
            Item::Event(e) => *e,
            Item::Lagged(position) => Event::default().event("lagged").data(
                json!({
                    "resume_after": position,
                    "detail": "this subscriber fell too far behind and is disconnected; reconnect with Last-Event-ID set to resume_after"
                })
                .to_string(),
            ),
        };
        Some((Ok(event), (rx, guard, task, ending)))
    })
}

/// Stops the feed task when the response (and with it the subscriber) goes away.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The SSE frame for `e`; `stale` says the ticket overview may not have seen `e` yet, in
/// which case its free text counts as confidential.
fn sse_event(state: &AppState, caller: &Principal, e: &RecordedEvent, stale: bool) -> Event {
    let mut body = envelope_json(e);
    if e.stream_id.category() == TicketKey::CATEGORY {
        // Read the position before the copy: the copy reflects at least that position.
        let stale = stale || state.views.ticket_overview.position() < e.global_position;
        let confidential = stale
            || e.stream_id
                .entity()
                .and_then(|k| k.parse::<TicketKey>().ok())
                .and_then(|k| {
                    state
                        .views
                        .ticket_overview
                        .current()
                        .get(&Actor::system("server"), &k)
                })
                // A ticket the overview does not know (yet) counts as confidential: redacting too
                // much is the safe side.
                .is_none_or(|s| s.confidential)
            || body["data"]["confidential"] == Value::Bool(true);
        if redacts_free_text(caller.role(), confidential) {
            redact_free_text(&mut body["data"]);
        }
    }
    Event::default()
        .id(e.global_position.to_string())
        .event(e.event_type.clone())
        .data(body.to_string())
}
