//! The live runtime behind the HTTP API: store, engine, scheduler, projection runner, token
//! store and metrics, shared by every request handler as [`AppState`].

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ticketflow_access::TokenStore;
use ticketflow_domain::DeskConfig;
use ticketflow_engine::projection::{
    ProjectionHandle, ProjectionRunner, ProjectionRunnerBuilder, RunnerConfig,
};
use ticketflow_engine::{Clock, Engine, Scheduler, SimulatedClock, SystemClock};
use ticketflow_events::Timestamp;
use ticketflow_projections::{
    AuditTrail, Billing, DeliveryManifests, Escalations, NotificationOutbox, OrderPlanningBoard,
    SlaOverview, TicketOverview,
};
use ticketflow_store::{SqliteOptions, SqliteStore};

use crate::error::ServerError;
use crate::keys::KeyAllocator;
use crate::metrics::Metrics;

/// The file name of the event store inside a data directory.
pub const STORE_FILE: &str = "events.sqlite";

/// Where business time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// The operating system's clock; timers fire in real time. Production.
    System,
    /// A simulated clock standing at the given instant; it moves only through the
    /// operator-only `POST /clock/advance`. For tests and what-if runs.
    Simulated(Timestamp),
}

/// How the server is set up (the `serve` command's flags).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The data directory (`events.sqlite`, `projections/`, `access.sqlite`,
    /// `webhooks.sqlite`, `contacts.toml`, `server.lock`).
    pub data_dir: PathBuf,
    /// Where business time comes from.
    pub clock: ClockMode,
    /// The largest request body accepted, in bytes (larger: 413).
    pub body_limit: usize,
    /// How often an idle SSE connection gets a heartbeat comment.
    pub heartbeat: Duration,
    /// How many events an SSE subscriber may have waiting before it is told `lagged` and
    /// disconnected.
    pub sse_buffer: usize,
    /// How often the scheduler looks for new due work written by others (system clock).
    pub scheduler_poll: Duration,
    /// The largest raw mail `POST /intake/email` accepts, in bytes (its own setting: mails
    /// carry attachments).
    pub intake_body_limit: usize,
    /// How the webhook dispatcher batches and retries (its redactor is always the server's).
    pub webhooks: ticketflow_webhooks::DispatcherConfig,
}

impl ServerConfig {
    /// The defaults for a data directory: system clock, 1 MiB bodies (10 MiB mails), 15 s
    /// heartbeats, 1024 buffered SSE events, a 1 s scheduler poll, the webhook dispatcher's
    /// defaults.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ServerConfig {
            data_dir: data_dir.into(),
            clock: ClockMode::System,
            body_limit: 1024 * 1024,
            heartbeat: Duration::from_secs(15),
            sse_buffer: 1024,
            scheduler_poll: Duration::from_secs(1),
            intake_body_limit: ticketflow_intake::MAX_MESSAGE_BYTES,
            webhooks: ticketflow_webhooks::DispatcherConfig::default(),
        }
    }
}

/// Typed handles to every read model (each follows online rebuilds).
#[derive(Debug, Clone)]
pub struct Views {
    /// The portal list.
    pub ticket_overview: ProjectionHandle<TicketOverview>,
    /// SLA per ticket, statistics and what-if.
    pub sla: ProjectionHandle<SlaOverview>,
    /// Delivery manifests.
    pub delivery_manifests: ProjectionHandle<DeliveryManifests>,
    /// History and state as of an instant.
    pub audit_trail: ProjectionHandle<AuditTrail>,
    /// Billing per customer and month.
    pub billing: ProjectionHandle<Billing>,
    /// Notifications outbox (not exposed over HTTP yet; kept up to date for webhooks).
    pub notifications: ProjectionHandle<NotificationOutbox>,
    /// The order board.
    pub order_board: ProjectionHandle<OrderPlanningBoard>,
    /// Open escalations.
    pub escalations: ProjectionHandle<Escalations>,
}

/// Everything a request handler can reach. Cloning is cheap.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("data_dir", &self.config.data_dir)
            .finish_non_exhaustive()
    }
}

/// The shared runtime (see [`AppState`]).
pub struct Inner {
    /// How the server was set up.
    pub config: ServerConfig,
    /// The event store.
    pub store: Arc<SqliteStore>,
    /// The command side.
    pub engine: Engine,
    /// Bearer tokens.
    pub tokens: Arc<TokenStore>,
    /// The read models.
    pub views: Views,
    /// The projection runner (progress, rebuilds, checkpoints).
    pub runner: ProjectionRunner,
    /// Prometheus counters.
    pub metrics: Metrics,
    /// Hands out new ticket, delivery and order keys.
    pub keys: KeyAllocator,
    /// The simulated clock, in [`ClockMode::Simulated`].
    pub simulated: Option<SimulatedClock>,
    /// The scheduler, held here in simulated mode (advanced by `POST /clock/advance`).
    pub scheduler: tokio::sync::Mutex<Option<Scheduler>>,
    /// Webhook endpoints and their delivery log (`webhooks.sqlite`).
    pub webhooks: ticketflow_webhooks::WebhookRegistry,
    /// The email intake's contact directory (`contacts.toml`).
    pub contacts: crate::email_intake::ContactsCache,
    /// Turns `true` when the server shuts down: long-lived responses (SSE) end then, so the
    /// graceful shutdown does not wait for subscribers forever.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// Opens the store and the token store in the data directory, starts the projection
    /// runner (checkpoints in `projections/`) and builds the engine on the configured clock.
    /// The scheduler is returned separately in system mode so the caller runs it.
    pub async fn open(config: ServerConfig) -> Result<(AppState, Option<Scheduler>), ServerError> {
        let dir = &config.data_dir;
        std::fs::create_dir_all(dir).map_err(|source| ServerError::Io {
            path: dir.clone(),
            source,
        })?;
        let store = Arc::new(SqliteStore::open(
            dir.join(STORE_FILE),
            SqliteOptions::default(),
        )?);
        let tokens = Arc::new(TokenStore::open_in(dir)?);
        let webhooks = ticketflow_webhooks::WebhookRegistry::open(dir)?;
        let contacts = crate::email_intake::ContactsCache::new(dir);
        let desk = DeskConfig::default();
        let (clock, simulated): (Arc<dyn Clock>, _) = match config.clock {
            ClockMode::System => (Arc::new(SystemClock), None),
            ClockMode::Simulated(start) => {
                let clock = SimulatedClock::new(start);
                (Arc::new(clock.clone()), Some(clock))
            }
        };
        let engine = Engine::new(store.clone(), desk.clone(), clock);
        let mut builder =
            ProjectionRunnerBuilder::new(store.clone(), RunnerConfig::new(dir.join("projections")));
        let d1 = desk.clone();
        let d2 = desk.clone();
        let views = Views {
            ticket_overview: builder.register(TicketOverview::new)?,
            sla: builder.register(move || SlaOverview::new(&d1))?,
            delivery_manifests: builder.register(DeliveryManifests::new)?,
            audit_trail: builder.register(AuditTrail::new)?,
            billing: builder.register(Billing::new)?,
            notifications: builder.register(NotificationOutbox::new)?,
            order_board: builder.register(move || OrderPlanningBoard::new(&d2))?,
            escalations: builder.register(Escalations::new)?,
        };
        let runner = builder.start().await?;
        let keys = KeyAllocator::scan(store.as_ref()).await?;
        let scheduler = Scheduler::start(engine.clone()).await?;
        let (held, returned) = match config.clock {
            ClockMode::System => (None, Some(scheduler)),
            ClockMode::Simulated(_) => (Some(scheduler), None),
        };
        let state = AppState(Arc::new(Inner {
            config,
            store,
            engine,
            tokens,
            views,
            runner,
            metrics: Metrics::default(),
            keys,
            simulated,
            webhooks,
            contacts,
            scheduler: tokio::sync::Mutex::new(held),
            shutdown: tokio::sync::watch::channel(false).0,
        }));
        Ok((state, returned))
    }

    /// Writes every checkpoint and closes the store (graceful shutdown).
    pub async fn close(&self) {
        if let Err(e) = self.runner.shutdown().await {
            tracing::warn!("projection checkpoints were not all written at shutdown: {e}");
        }
        self.store.close().await;
    }
}
