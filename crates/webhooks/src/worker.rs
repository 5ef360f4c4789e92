//! One endpoint's worker: follow the log from the checkpoint, form a batch, POST it until a
//! 2xx, persist the checkpoint, repeat.
//!
//! The checkpoint is written after the receiver accepted a batch and before the next batch is
//! formed, so a crash between the two re-sends that batch: delivery is **at least once**, and
//! receivers dedupe by `global_position`. Batches are retried unchanged (same delivery id,
//! same events), re-signed with a fresh timestamp each time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::FutureExt;
use rand::Rng;
use ticketflow_events::RecordedEvent;
use ticketflow_store::{EventStore, Subscription};
use tokio::sync::watch;
use uuid::Uuid;

use crate::batch::{WebhookBody, webhook_event};
use crate::delivery_log::{AttemptOutcome, DeliveryAttempt};
use crate::dispatcher::DispatcherConfig;
use crate::endpoint::{Endpoint, EndpointHealth};
use crate::registry::WebhookRegistry;
use crate::signature::{DELIVERY_HEADER, POSITIONS_HEADER, SIGNATURE_HEADER, sign};

/// What every worker shares.
pub(crate) struct WorkerContext {
    pub store: Arc<dyn EventStore>,
    pub registry: WebhookRegistry,
    pub config: DispatcherConfig,
    pub client: reqwest::Client,
}

/// How long a worker waits before subscribing again after the store failed.
const RESUBSCRIBE_DELAY: Duration = Duration::from_secs(1);

pub(crate) struct Worker {
    context: Arc<WorkerContext>,
    endpoint: Endpoint,
    stop: watch::Receiver<bool>,
    /// Whether the registry records the endpoint as failing (so a success must clear it).
    failing: bool,
}

/// Whether the worker should go on.
enum Flow {
    Continue,
    Stop,
}

impl Worker {
    pub(crate) fn new(
        context: Arc<WorkerContext>,
        endpoint: Endpoint,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let failing = !matches!(endpoint.health, EndpointHealth::Healthy);
        Worker {
            context,
            endpoint,
            stop,
            failing,
        }
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Waits for `duration` unless asked to stop first.
    async fn pause(&mut self, duration: Duration) -> Flow {
        tokio::select! {
            () = tokio::time::sleep(duration) => Flow::Continue,
            _ = self.stop.changed() => Flow::Stop,
        }
    }

    pub(crate) async fn run(mut self) {
        let id = self.endpoint.id;
        let filter = match self.endpoint.filter.to_store_filter() {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(endpoint = %id, error = %e, "webhook endpoint has an unusable filter; not delivering");
                return;
            }
        };
        let mut delivered = match self.context.registry.get(id) {
            Ok(e) => e.checkpoint,
            Err(e) => {
                tracing::error!(endpoint = %id, error = %e, "cannot read the webhook checkpoint; not delivering");
                return;
            }
        };
        tracing::info!(endpoint = %id, after = delivered, "webhook worker started");
        while !self.stopped() {
            let mut subscription = self.context.store.subscribe_all(delivered, filter.clone());
            loop {
                let Some(batch) = self.next_batch(&mut subscription).await else {
                    break; // stop requested, or the subscription ended: resubscribe
                };
                let Some(last) = batch.last().map(|e| e.global_position) else {
                    continue;
                };
                if let Flow::Stop = self.deliver(&batch).await {
                    return;
                }
                if let Err(e) = self.context.registry.save_checkpoint(id, last) {
                    tracing::error!(endpoint = %id, error = %e, "cannot save the webhook checkpoint; the batch may be sent again after a restart");
                }
                delivered = last;
            }
            if self.stopped() || matches!(self.pause(RESUBSCRIBE_DELAY).await, Flow::Stop) {
                return;
            }
        }
    }

    /// Waits for the next event, then takes every further event that is ready at once, up to
    /// the batch size. `None` when asked to stop or when the subscription ended.
    async fn next_batch(&mut self, subscription: &mut Subscription) -> Option<Vec<RecordedEvent>> {
        let first = tokio::select! {
            next = subscription.next_event() => next,
            _ = self.stop.changed() => return None,
        };
        let mut batch = match first? {
            Ok(e) => vec![e],
            Err(e) => {
                tracing::warn!(endpoint = %self.endpoint.id, error = %e, "webhook subscription failed; subscribing again");
                return None;
            }
        };
        while batch.len() < self.context.config.batch_size.max(1) {
            match subscription.next_event().now_or_never() {
                Some(Some(Ok(e))) => batch.push(e),
                // An error ends the subscription; deliver what we have, the next call resubscribes.
                _ => break,
            }
        }
        Some(batch)
    }

    /// POSTs the batch until it is accepted. Answers `Stop` if asked to stop meanwhile.
    async fn deliver(&mut self, batch: &[RecordedEvent]) -> Flow {
        let id = self.endpoint.id;
        let redactor = self.context.config.redactor.clone();
        let events: Vec<_> = batch
            .iter()
            .filter_map(|e| webhook_event(&self.endpoint, e, redactor.as_ref()))
            .collect();
        if events.is_empty() {
            return Flow::Continue; // everything was left out by the redactor
        }
        let (first, last) = match (batch.first(), batch.last()) {
            (Some(f), Some(l)) => (f.global_position, l.global_position),
            _ => return Flow::Continue,
        };
        let delivery_id = Uuid::now_v7();
        let body = WebhookBody {
            delivery: delivery_id,
            endpoint: id,
            events,
        };
        let body = match serde_json::to_vec(&body) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(endpoint = %id, error = %e, "cannot serialise a webhook body; skipping the batch");
                return Flow::Continue;
            }
        };
        let failing_since = Utc::now();
        let started = Instant::now();
        for attempt in 1u32.. {
            if self.stopped() {
                return Flow::Stop;
            }
            let attempted_at = Utc::now();
            let clock = Instant::now();
            let mut stop = self.stop.clone();
            let outcome = tokio::select! {
                outcome = self.post(&body, delivery_id, first, last) => outcome,
                _ = stop.changed() => return Flow::Stop,
            };
            let duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
            let success = outcome.is_success();
            let delay = (!success).then(|| self.backoff(attempt));
            let next_retry_at = delay
                .and_then(|d| chrono::TimeDelta::from_std(d).ok())
                .map(|d| Utc::now() + d);
            let record = DeliveryAttempt {
                endpoint: id,
                delivery_id,
                attempt,
                attempted_at,
                first_position: first,
                last_position: last,
                outcome: outcome.clone(),
                duration_ms,
                next_retry_at,
            };
            if let Err(e) = self.context.registry.record_attempt(&record) {
                tracing::warn!(endpoint = %id, error = %e, "cannot write the webhook delivery log");
            }
            if success {
                if self.failing {
                    self.set_health(&EndpointHealth::Healthy);
                    self.failing = false;
                }
                return Flow::Continue;
            }
            tracing::debug!(endpoint = %id, attempt, ?outcome, "webhook delivery failed; retrying");
            if !self.failing && started.elapsed() >= self.context.config.failing_after {
                let last_error = match &outcome {
                    AttemptOutcome::Status { code } => format!("HTTP status {code}"),
                    AttemptOutcome::Error { message } => message.clone(),
                };
                tracing::warn!(endpoint = %id, %last_error, "webhook endpoint is failing");
                self.set_health(&EndpointHealth::Failing {
                    since: failing_since,
                    last_error,
                });
                self.failing = true;
            }
            if let Flow::Stop = self.pause(delay.unwrap_or_default()).await {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    fn set_health(&self, health: &EndpointHealth) {
        if let Err(e) = self.context.registry.set_health(self.endpoint.id, health) {
            tracing::warn!(endpoint = %self.endpoint.id, error = %e, "cannot record the webhook endpoint's health");
        }
    }

    /// One signed POST.
    async fn post(&self, body: &[u8], delivery_id: Uuid, first: u64, last: u64) -> AttemptOutcome {
        let secret = match self.context.registry.secret(self.endpoint.id) {
            Ok(s) => s,
            Err(e) => {
                return AttemptOutcome::Error {
                    message: format!("cannot read the endpoint's secret: {e}"),
                };
            }
        };
        let signature = sign(&secret, Utc::now().timestamp(), body);
        let request = self
            .context
            .client
            .post(&self.endpoint.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(DELIVERY_HEADER, delivery_id.to_string())
            .header(POSITIONS_HEADER, format!("{first}-{last}"))
            .body(body.to_vec());
        match request.send().await {
            Ok(response) => AttemptOutcome::Status {
                code: response.status().as_u16(),
            },
            Err(e) => AttemptOutcome::Error {
                message: describe(&e),
            },
        }
    }

    /// Exponential backoff with jitter: base · 2^(attempt-1), capped, then a random point
    /// between half and all of it.
    fn backoff(&self, attempt: u32) -> Duration {
        let config = &self.context.config;
        let exponent = attempt.saturating_sub(1).min(30);
        let delay = config
            .backoff_base
            .saturating_mul(1u32 << exponent)
            .min(config.backoff_cap);
        let half = delay / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::rng().random_range(0..=jitter_ms))
    }
}

/// A readable sentence for a transport error, including its causes.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
