//! `POST /tickets` and `POST /tickets/{key}/commands`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ticketflow_access::{Action, may, may_see_ticket};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{Ticket, TicketCommand};
use ticketflow_events::TicketKey;

use crate::aggregates::{load, ticket_facts};
use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

use super::{execute, hidden_or_forbidden, parse_key, same_key, with_key};

/// `POST /tickets`.
pub async fn open_ticket(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    if !may(caller.role(), &caller.name, Action::OpenTicket) {
        return Err(Problem::forbidden(format!(
            "a {} may not open tickets",
            caller.role().name()
        )));
    }
    let body = with_key(json_body(body)?, "key", || {
        state.keys.next_ticket().map(|k| k.as_str().to_owned())
    })?;
    let command: TicketCommand = strict(body, "ticket command")?;
    let key = match &command {
        TicketCommand::OpenFromPortal { key, .. } | TicketCommand::OpenFromEmail { key, .. } => {
            key.clone()
        }
        other => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-command",
                format!(
                    "POST /tickets opens a ticket (`open_from_portal` or `open_from_email`); send `{}` to /tickets/{{key}}/commands",
                    other.name()
                ),
            ));
        }
    };
    execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Ticket(key.clone(), command),
        true,
    )
    .await
}

/// `POST /tickets/{key}/commands`.
pub async fn ticket_command(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let key: TicketKey = parse_key(&raw, "ticket")?;
    let (ticket, _) = load::<Ticket>(state.store.as_ref(), &key.stream_id()).await?;
    if ticket.exists() {
        let facts = ticket_facts(&ticket);
        if !may(caller.role(), &caller.name, Action::WriteTicket(&facts)) {
            return Err(hidden_or_forbidden(
                may_see_ticket(caller.role(), &caller.name, &facts),
                &format!("ticket {key}"),
                caller.role().name(),
            ));
        }
    } else if !may(caller.role(), &caller.name, Action::OpenTicket) {
        return Err(Problem::not_found(format!("there is no ticket {key}")));
    }
    let command: TicketCommand = strict(json_body(body)?, "ticket command")?;
    if let TicketCommand::OpenFromPortal { key: named, .. }
    | TicketCommand::OpenFromEmail { key: named, .. } = &command
    {
        same_key(named.as_str(), key.as_str(), "key")?;
    }
    execute(
        &state,
        &caller,
        &headers,
        AddressedCommand::Ticket(key.clone(), command),
        false,
    )
    .await
}
