//! A real HTTP receiver on a loopback port, and a real engine on a SQLite store, shared by
//! the dispatcher tests.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use parking_lot::Mutex;
use serde_json::Value;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{EmailMessage, TicketCommand};
use ticketflow_engine::{CommandOptions, Engine, SystemClock};
use ticketflow_events::{Actor, OrganisationId, Region, TicketKey};
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore};
use tokio::sync::Notify;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn positions(&self) -> Vec<u64> {
        self.json()["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["global_position"].as_u64().unwrap())
            .collect()
    }
}

#[derive(Default)]
pub struct ReceiverState {
    pub requests: Mutex<Vec<Request>>,
    /// Answer 500 to this many requests first.
    pub failures_left: AtomicUsize,
    /// Never answer.
    pub hang: bool,
    pub arrived: Notify,
}

impl ReceiverState {
    /// Positions of every accepted (2xx) request, in arrival order.
    pub fn accepted_positions(&self) -> Vec<u64> {
        self.requests
            .lock()
            .iter()
            .filter(|r| r.status == 200)
            .flat_map(Request::positions)
            .collect()
    }

    /// Waits until `count` events were accepted (no deadline of its own: the test harness'
    /// timeout catches a hang, and the tests assert facts, not durations).
    pub async fn wait_for_accepted(&self, count: usize) {
        loop {
            let notified = self.arrived.notified();
            if self.accepted_positions().len() >= count {
                return;
            }
            let _ = tokio::time::timeout(Duration::from_millis(200), notified).await;
        }
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if state.hang {
        std::future::pending::<()>().await;
    }
    let failing = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if failing { 500 } else { 200 };
    state.requests.lock().push(Request {
        headers,
        body,
        status,
    });
    state.arrived.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

/// Starts a receiver; answers its URL and state.
pub async fn start_receiver(failures: usize, hang: bool) -> (String, Arc<ReceiverState>) {
    start_receiver_on(0, failures, hang).await
}

/// Starts a receiver on a given loopback port (0 = any free one).
pub async fn start_receiver_on(
    port: u16,
    failures: usize,
    hang: bool,
) -> (String, Arc<ReceiverState>) {
    let state = Arc::new(ReceiverState {
        failures_left: AtomicUsize::new(failures),
        hang,
        ..ReceiverState::default()
    });
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/hook"), state)
}

/// A desk: an engine on a SQLite store in `dir`.
pub struct Desk {
    pub store: Arc<SqliteStore>,
    pub engine: Engine,
}

impl Desk {
    pub fn open(dir: &std::path::Path) -> Desk {
        let store = Arc::new(
            SqliteStore::open(dir.join("events.sqlite"), SqliteOptions::default()).unwrap(),
        );
        let engine = Engine::new(store.clone(), DeskConfig::default(), Arc::new(SystemClock));
        Desk { store, engine }
    }

    pub fn dyn_store(&self) -> Arc<dyn EventStore> {
        self.store.clone()
    }

    /// Opens ticket SD-`n` from an email; one event.
    pub async fn open_ticket(&self, n: u64) {
        let key = TicketKey::new("SD", n).unwrap();
        let command = AddressedCommand::Ticket(
            key,
            TicketCommand::OpenFromEmail {
                key: TicketKey::new("SD", n).unwrap(),
                organisation: OrganisationId("acme".into()),
                region: Region::Dach,
                extended_support_budget: false,
                email: EmailMessage {
                    sender: "ann@acme.example".into(),
                    subject: format!("Printer {n} jammed"),
                    body: "It makes a noise.".into(),
                    attachments: vec![],
                },
            },
        );
        self.engine
            .execute(
                &command,
                &Actor::system("email-intake"),
                &CommandOptions::default(),
            )
            .await
            .unwrap();
    }

    /// Every position of the log, in order.
    pub async fn positions(&self) -> Vec<u64> {
        self.store
            .read_all(0, &ticketflow_store::Filter::all(), 10_000)
            .await
            .unwrap()
            .iter()
            .map(|e| e.global_position)
            .collect()
    }
}
