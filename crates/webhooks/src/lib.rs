//! # Ticketflow webhooks
//!
//! Signed outgoing webhooks: integrators register an HTTP endpoint with a filter, and the
//! dispatcher POSTs the matching events of the log to it, in log order, retrying until the
//! receiver accepts them.
//!
//! * [`WebhookRegistry`] — endpoints, secrets, checkpoints and the delivery log in
//!   `DIR/webhooks.sqlite` (`register`, `list`, `get`, `remove`, `set_active`,
//!   `rotate_secret`, `deliveries`).
//! * [`Dispatcher::start`] → [`DispatcherHandle`] — one worker per active endpoint, reloaded
//!   when the registry changes; [`DispatcherConfig`] sets batch size, timeout, backoff and
//!   when an endpoint counts as failing; a [`Redactor`] shapes payloads per endpoint.
//! * [`verify_signature`] — what a receiver runs on every request.
//!
//! ## Guarantees
//!
//! * **Order.** Each endpoint receives its events in global-position order; a batch is
//!   retried until accepted before the next one is formed.
//! * **At least once.** The checkpoint is persisted after a 2xx and before the next batch; a
//!   crash in between re-sends that batch. Receivers dedupe by `global_position`.
//! * **Nothing skipped.** A failing endpoint is retried forever (capped backoff) and marked
//!   `failing` after [`DispatcherConfig::failing_after`]; removing or deactivating it is an
//!   operator's decision.
//! * **Isolation.** A slow or dead endpoint delays only itself: each worker has its own
//!   subscription, and subscriptions never slow writers.
//!
//! ## Example
//!
//! ```no_run
//! # async fn demo(store: std::sync::Arc<dyn ticketflow_store::EventStore>) -> Result<(), ticketflow_webhooks::WebhookError> {
//! use ticketflow_webhooks::{Dispatcher, DispatcherConfig, EndpointFilter, NewEndpoint, WebhookRegistry};
//!
//! let registry = WebhookRegistry::open("ticketflow-data")?;
//! let mut endpoint = NewEndpoint::new("https://hooks.example.com/ticketflow");
//! endpoint.filter = EndpointFilter::category("ticket");
//! let registered = registry.register(endpoint)?;
//! println!("secret (shown once): {}", registered.secret);
//!
//! let dispatcher = Dispatcher::start(store, registry.clone(), DispatcherConfig::default());
//! // … later
//! dispatcher.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod batch;
pub mod delivery_log;
pub mod dispatcher;
pub mod endpoint;
pub mod error;
pub mod registry;
pub mod signature;
mod worker;

pub use batch::{Redactor, WebhookBody, WebhookEvent, payload_json};
pub use delivery_log::{AttemptOutcome, DeliveryAttempt};
pub use dispatcher::{Dispatcher, DispatcherConfig, DispatcherHandle};
pub use endpoint::{Endpoint, EndpointFilter, EndpointHealth, EndpointId, NewEndpoint, Registered};
pub use error::{SignatureError, WebhookError};
pub use registry::WebhookRegistry;
pub use signature::{
    DELIVERY_HEADER, POSITIONS_HEADER, SIGNATURE_HEADER, sign, verify_signature,
    verify_signature_at,
};
