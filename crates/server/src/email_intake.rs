//! `POST /intake/email`: a raw RFC 5322 message (`Content-Type: message/rfc822`) becomes a
//! new Request or a comment (see `ticketflow_intake`).
//!
//! * Who: operator tokens only — the mail gateway (fetchmail, an MTA pipe, the
//!   `ticketflow intake` command) runs with an operator token. The *sender* of the mail is
//!   authenticated by the contact directory, not by the token: a customer token could
//!   otherwise write in another contact's name.
//! * The contact directory is `DIR/contacts.toml`, re-read when the file's modification time
//!   or size changes (checked on every request), so an operator's edit applies without a
//!   restart.
//! * The body limit is its own setting (`serve --intake-body-limit`, default 10 MiB): mails
//!   carry attachments, which are only measured and hashed, never kept.
//! * Answer: `{"ticket": "SD-1042", "outcome": "opened" | "commented", "replayed": bool}`;
//!   the same mail (same Message-ID) again answers the same ticket and outcome with
//!   `replayed: true` and records nothing (200 both times).

use std::path::PathBuf;
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use parking_lot::Mutex;
use serde_json::{Value, json};
use ticketflow_access::{Action, may};
use ticketflow_intake::{CONTACTS_FILE, ContactDirectory, IntakeError};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// The media type `POST /intake/email` takes.
pub const RFC822: &str = "message/rfc822";

/// The contact directory, re-read when its file changes.
#[derive(Debug)]
pub struct ContactsCache {
    path: PathBuf,
    loaded: Mutex<Option<(Option<SystemTime>, u64, ContactDirectory)>>,
}

impl ContactsCache {
    /// The cache of `dir/contacts.toml` (read on first use).
    pub fn new(dir: &std::path::Path) -> Self {
        ContactsCache {
            path: dir.join(CONTACTS_FILE),
            loaded: Mutex::new(None),
        }
    }

    /// The current directory: the cached one while the file is unchanged.
    pub fn current(&self) -> Result<ContactDirectory, IntakeError> {
        let meta = std::fs::metadata(&self.path).map_err(|e| IntakeError::Directory {
            path: self.path.display().to_string(),
            reason: format!("{e}; write the contact directory first (see docs/email-intake.md)"),
        })?;
        let stamp = (meta.modified().ok(), meta.len());
        let mut loaded = self.loaded.lock();
        if let Some((modified, len, directory)) = loaded.as_ref()
            && (*modified, *len) == stamp
            && modified.is_some()
        {
            return Ok(directory.clone());
        }
        let directory = ContactDirectory::load_file(&self.path)?;
        *loaded = Some((stamp.0, stamp.1, directory.clone()));
        Ok(directory)
    }
}

fn intake_problem(e: IntakeError) -> Problem {
    let detail = e.to_string();
    match &e {
        IntakeError::TooLarge { .. } => {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "body-too-large", detail)
        }
        IntakeError::UnknownSender { .. } | IntakeError::NoSender => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-sender", detail)
        }
        IntakeError::UnknownTicket { .. } => Problem::not_found(detail),
        IntakeError::Command(c) if !c.is_caller_error() => Problem::internal(detail),
        IntakeError::Command(_) => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "mail-refused", detail)
        }
        _ if e.is_caller_error() => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "malformed-mail", detail)
        }
        IntakeError::Directory { .. } => Problem::unavailable(detail),
        _ => Problem::internal(detail),
    }
}

/// `POST /intake/email` — takes in one raw message (operator token).
pub async fn take_in(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    if !may(caller.role(), &caller.name, Action::Operate) {
        return Err(Problem::forbidden(format!(
            "a {} may not post mail; email intake takes the mail gateway's operator token",
            caller.role().name()
        )));
    }
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media.as_deref() != Some(RFC822) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the raw message with `Content-Type: message/rfc822`",
        ));
    }
    let raw = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "the message is larger than the server accepts (see `serve --intake-body-limit`)",
            )
        } else {
            Problem::bad_request(r.body_text())
        }
    })?;
    let directory = state.contacts.current().map_err(intake_problem)?;
    let mail = ticketflow_intake::parse_with_limit(&raw, state.config.intake_body_limit)
        .map_err(intake_problem)?;
    let command = ticketflow_intake::route(&mail, &directory).map_err(intake_problem)?;
    let delivered = ticketflow_intake::deliver(&state.engine, &command)
        .await
        .map_err(intake_problem)?;
    state.keys.observe(&delivered.ticket.stream_id());
    Ok((
        StatusCode::OK,
        Json(json!({
            "ticket": delivered.ticket.to_string(),
            "outcome": if delivered.opened { "opened" } else { "commented" },
            "replayed": delivered.outcome.replayed,
        })),
    ))
}
