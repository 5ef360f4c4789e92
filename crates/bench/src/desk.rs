//! The scenario's desk served over loopback HTTP for the SSE and command workloads: the
//! real router of `ticketflow-server` on a real TCP listener in this process, bearer tokens
//! issued into the desk's `access.sqlite`, and the command mix the clients send.
//!
//! The scheduler is not run: the scenario's timers lie in the past of the system clock, and
//! firing months of reminders during a measurement would measure the scheduler instead.

use std::net::SocketAddr;
use std::path::Path;

use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{PortalForm, TicketCommand};
use ticketflow_events::ticket::{
    AffectedSystem, CommentVisibility, Priority, ResolutionOutcome, SharedWith, TicketType,
};
use ticketflow_events::{Actor, OrganisationId, Region, Role, TicketKey};
use ticketflow_server::{AppState, ServerConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::BenchError;

/// Token names, which are also the actors' ids.
const CUSTOMER: &str = "jane@bench";
const AGENT: &str = "anna@bench";
const AUDITOR: &str = "audrey@bench";

/// A running server on the desk's data directory.
pub struct Desk {
    /// The server's runtime (store, engine, read models), shared with the handlers.
    pub state: AppState,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Bearer secret of the customer contact (opens tickets, comments).
    pub customer_token: String,
    /// Bearer secret of the support agent (works on tickets).
    pub agent_token: String,
    /// Bearer secret of the auditor (subscribes to the event log).
    pub auditor_token: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

fn http(detail: impl std::fmt::Display) -> BenchError {
    BenchError::Http {
        workload: "server",
        detail: detail.to_string(),
    }
}

impl Desk {
    /// Opens the desk in `dir` (its `events.sqlite` as the store), issues the tokens and
    /// serves the API on a free loopback port.
    pub async fn start(dir: &Path) -> Result<Desk, BenchError> {
        let (state, _scheduler) = AppState::open(ServerConfig::new(dir)).await.map_err(http)?;
        let now = chrono::Utc::now();
        let issue = |name: &str, role: Role| state.tokens.reissue(name, &role, now).map_err(http);
        let customer_token = issue(CUSTOMER, customer().role)?;
        let agent_token = issue(AGENT, agent().role)?;
        let auditor_token = issue(AUDITOR, Role::Auditor)?;
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(http)?;
        let address = listener.local_addr().map_err(http)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = ticketflow_server::router(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Desk {
            state,
            base: format!("http://{address}"),
            customer_token,
            agent_token,
            auditor_token,
            stop,
            task,
        })
    }

    /// Stops the listener (open connections end), writes checkpoints and closes the store.
    pub async fn stop(self) -> Result<(), BenchError> {
        let _ = self.stop.send(());
        let served = self.task.await.map_err(http)?;
        self.state.close().await;
        served.map_err(http)
    }
}

/// The customer contact of the benchmark's own organisation.
pub fn customer() -> Actor {
    Actor {
        id: CUSTOMER.into(),
        role: Role::Customer {
            organisation: OrganisationId("bench".into()),
        },
    }
}

/// A support agent of the region the benchmark's tickets are in.
pub fn agent() -> Actor {
    Actor {
        id: AGENT.into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

/// The life of one ticket as a command mix (the same as the engine's latency benchmark):
/// opened in the portal, accepted, classified as a software defect with a priority, a
/// clarification round trip, comments from both sides, a workaround and the resolution —
/// half status changes, a third comments, as in the scenario. Each step is
/// `(actor, command)`.
pub fn ticket_life(key: &TicketKey) -> Vec<(Actor, TicketCommand)> {
    let comment = |text: &str, visibility| TicketCommand::AddComment {
        text: text.into(),
        visibility,
        attachments: vec![],
    };
    vec![
        (
            customer(),
            TicketCommand::OpenFromPortal {
                key: key.clone(),
                region: Region::Dach,
                extended_support_budget: false,
                form: PortalForm {
                    ticket_type: TicketType::Incident,
                    summary: "Grades lost after import".into(),
                    description: "Since the last import the grades of course 7 are empty.".into(),
                    share_with: Some(SharedWith::Organisation),
                    affected_system: Some(AffectedSystem::Production),
                    system_reachable: Some(true),
                    url: Some("https://lms.bench.example/grades".into()),
                    customer_reference: None,
                    attachments: vec![],
                    confidential: false,
                },
            },
        ),
        (agent(), TicketCommand::Accept),
        (
            agent(),
            TicketCommand::Classify {
                ticket_type: TicketType::SoftwareDefect,
            },
        ),
        (
            agent(),
            TicketCommand::SetPriority {
                priority: Priority::P3,
            },
        ),
        (
            customer(),
            comment("Any news? The teachers ask.", CommentVisibility::Public),
        ),
        (
            agent(),
            TicketCommand::RequestClarification {
                question: "Which import file did you use?".into(),
            },
        ),
        (
            customer(),
            comment("The CSV from Monday, attached.", CommentVisibility::Public),
        ),
        (agent(), TicketCommand::ResumeWork),
        (
            agent(),
            comment("Reproduced on staging.", CommentVisibility::Internal),
        ),
        (
            agent(),
            TicketCommand::ProvideWorkaround {
                description: "Re-import with the semicolon separator.".into(),
            },
        ),
        (
            customer(),
            comment("The workaround helps, thanks.", CommentVisibility::Public),
        ),
        (
            agent(),
            TicketCommand::Resolve {
                outcome: ResolutionOutcome::Misconfiguration,
                note: "Separator setting fixed.".into(),
                reclassify_as: None,
            },
        ),
    ]
}

/// The command mix addressed to a ticket: [`ticket_life`] as engine commands.
pub fn addressed_life(key: &TicketKey) -> Vec<(Actor, AddressedCommand)> {
    ticket_life(key)
        .into_iter()
        .map(|(actor, command)| (actor, AddressedCommand::Ticket(key.clone(), command)))
        .collect()
}
