//! The dispatcher: one tokio task per active endpoint, each following the log from the
//! endpoint's checkpoint, plus a supervisor that starts and stops them as endpoints are
//! registered, removed or changed.
//!
//! Each worker has its own subscription ([`EventStore::subscribe_all`]), its own HTTP
//! requests and its own backoff, so a slow or dead endpoint only delays itself: writers never
//! wait for a subscription, and other endpoints never wait for a worker.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ticketflow_store::EventStore;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::batch::Redactor;
use crate::endpoint::{Endpoint, EndpointId};
use crate::registry::WebhookRegistry;
use crate::worker::{Worker, WorkerContext};

/// How the dispatcher sends and retries.
#[derive(Clone)]
pub struct DispatcherConfig {
    /// At most this many events per request (default 100). A batch holds the events that are
    /// already available when it is formed; a live event is sent at once, alone.
    pub batch_size: usize,
    /// A request that has not answered in this time counts as failed (default 10 s).
    pub request_timeout: Duration,
    /// The first retry waits about this long (default 1 s) …
    pub backoff_base: Duration,
    /// … doubling per failed attempt up to this cap (default 10 min). Each wait is jittered:
    /// between half and all of the computed delay, so endpoints that failed together do not
    /// retry together.
    pub backoff_cap: Duration,
    /// A batch failing for longer than this marks the endpoint `failing` (default 24 h). The
    /// dispatcher keeps retrying at the cap; the next accepted batch marks it healthy again.
    /// Nothing is ever skipped, so no event is lost while a receiver is down.
    pub failing_after: Duration,
    /// Shapes or drops each event's payload per endpoint (default: none, send everything).
    pub redactor: Option<Redactor>,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        DispatcherConfig {
            batch_size: 100,
            request_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(600),
            failing_after: Duration::from_secs(24 * 3600),
            redactor: None,
        }
    }
}

impl std::fmt::Debug for DispatcherConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DispatcherConfig")
            .field("batch_size", &self.batch_size)
            .field("request_timeout", &self.request_timeout)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_cap", &self.backoff_cap)
            .field("failing_after", &self.failing_after)
            .field("redactor", &self.redactor.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Starts the dispatcher.
#[derive(Debug)]
pub struct Dispatcher;

impl Dispatcher {
    /// Starts one worker per active endpoint of `registry`, following `store`, and a
    /// supervisor that reloads whenever the registry changes. Must be called inside a tokio
    /// runtime.
    pub fn start(
        store: Arc<dyn EventStore>,
        registry: WebhookRegistry,
        config: DispatcherConfig,
    ) -> DispatcherHandle {
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let reload = Arc::new(Notify::new());
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ticketflow-webhooks/", env!("CARGO_PKG_VERSION")))
            .build();
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "cannot build the webhook HTTP client; using the default one");
                reqwest::Client::new()
            }
        };
        let context = Arc::new(WorkerContext {
            store,
            registry,
            config,
            client,
        });
        let supervisor = tokio::spawn(supervise(context, shutdown_rx, reload.clone()));
        DispatcherHandle {
            shutdown: shutdown_tx,
            reload,
            supervisor,
        }
    }
}

/// The running dispatcher: reload it, or shut it down.
#[derive(Debug)]
pub struct DispatcherHandle {
    shutdown: watch::Sender<bool>,
    reload: Arc<Notify>,
    supervisor: JoinHandle<()>,
}

impl DispatcherHandle {
    /// Re-reads the registry now. Not needed after changes made through a clone of the same
    /// [`WebhookRegistry`] (those reload by themselves); useful after another process
    /// changed the file.
    pub fn reload(&self) {
        self.reload.notify_one();
    }

    /// Stops every worker (an in-flight request is abandoned; its batch is sent again on
    /// the next start, as delivery is at least once) and waits for them to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        if let Err(e) = self.supervisor.await {
            tracing::warn!(error = %e, "the webhook supervisor ended abnormally");
        }
    }
}

struct Running {
    endpoint: Endpoint,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

async fn supervise(
    context: Arc<WorkerContext>,
    mut shutdown: watch::Receiver<bool>,
    reload: Arc<Notify>,
) {
    let mut changes = context.registry.changes();
    let mut running: HashMap<EndpointId, Running> = HashMap::new();
    loop {
        changes.borrow_and_update();
        match context.registry.list() {
            Ok(endpoints) => reconcile(&context, &mut running, endpoints).await,
            Err(e) => tracing::error!(error = %e, "cannot read the webhook registry; retrying"),
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = reload.notified() => {}
            _ = shutdown.changed() => break,
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
    for (_, worker) in running.drain() {
        stop(worker).await;
    }
}

async fn reconcile(
    context: &Arc<WorkerContext>,
    running: &mut HashMap<EndpointId, Running>,
    endpoints: Vec<Endpoint>,
) {
    let wanted: HashMap<EndpointId, Endpoint> = endpoints
        .into_iter()
        .filter(|e| e.active)
        .map(|e| (e.id, e))
        .collect();
    let stale: Vec<EndpointId> = running
        .iter()
        .filter(|(id, r)| {
            r.task.is_finished()
                || wanted
                    .get(id)
                    .is_none_or(|e| !e.same_delivery_settings(&r.endpoint))
        })
        .map(|(id, _)| *id)
        .collect();
    for id in stale {
        if let Some(worker) = running.remove(&id) {
            stop(worker).await;
        }
    }
    for (id, endpoint) in wanted {
        if running.contains_key(&id) {
            continue;
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = Worker::new(context.clone(), endpoint.clone(), stop_rx);
        let task = tokio::spawn(worker.run());
        running.insert(
            id,
            Running {
                endpoint,
                stop: stop_tx,
                task,
            },
        );
    }
}

async fn stop(worker: Running) {
    let _ = worker.stop.send(true);
    if let Err(e) = worker.task.await {
        tracing::warn!(endpoint = %worker.endpoint.id, error = %e, "a webhook worker ended abnormally");
    }
}
