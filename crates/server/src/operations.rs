//! Health, readiness, metrics and the operators' endpoints: projections, backups and (in
//! simulated-clock mode only) moving the clock.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use ticketflow_access::Action;
use ticketflow_engine::projection::{Progress, ProjectionError, ProjectionState};
use ticketflow_events::Timestamp;
use ticketflow_store::EventStore;

use crate::auth::Caller;
use crate::body::{json_body, strict};
use crate::problem::Problem;
use crate::state::AppState;

fn operator(caller: &ticketflow_access::Principal) -> Result<(), Problem> {
    if ticketflow_access::may(caller.role(), &caller.name, Action::Operate) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "a {} may not use operator endpoints; this needs an operator token",
            caller.role().name()
        )))
    }
}

/// `GET /healthz` — the process is up (no token needed).
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz` — the store answers and every read model has caught up with the log and
/// follows it live (a rebuild in the background still answers queries, so it counts as
/// ready; a small lag under live writes is normal). No token needed; 503 with the read
/// models still catching up or failed otherwise.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let position = state
        .store
        .last_position()
        .await
        .map_err(|e| Problem::unavailable(format!("the store does not answer: {e}")))?;
    let progress =
        state.runner.progress().await.map_err(|e| {
            Problem::unavailable(format!("the projection runner does not answer: {e}"))
        })?;
    let behind: Vec<&str> = progress
        .iter()
        .filter(|p| {
            matches!(
                p.state,
                ProjectionState::CatchingUp | ProjectionState::Failed(_)
            )
        })
        .map(|p| p.name)
        .collect();
    if !behind.is_empty() {
        return Err(Problem::unavailable(format!(
            "read models not caught up yet or failed: {}",
            behind.join(", ")
        ))
        .with("behind", behind));
    }
    Ok(Json(json!({ "status": "ready", "log_position": position })))
}

/// `GET /metrics` — Prometheus text format (operator token).
pub async fn metrics(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Response, Problem> {
    operator(&caller)?;
    let position = state.store.last_position().await.unwrap_or(0);
    let progress = state.runner.progress().await.unwrap_or_default();
    let figures: Vec<(String, u64, u64)> = progress
        .iter()
        .map(|p| (p.name.to_owned(), p.position, p.lag))
        .collect();
    let mut response = state.metrics.render(position, &figures).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    Ok(response)
}

fn progress_json(p: &Progress) -> Value {
    let (state, detail) = match &p.state {
        ProjectionState::CatchingUp => ("catching-up", Value::Null),
        ProjectionState::Live => ("live", Value::Null),
        ProjectionState::Rebuilding {
            shadow_position,
            shadow_events_per_second,
        } => (
            "rebuilding",
            json!({ "shadow_position": shadow_position, "shadow_events_per_second": shadow_events_per_second }),
        ),
        ProjectionState::Failed(f) => (
            "failed",
            json!({ "position": f.position(), "reason": format!("{f:?}") }),
        ),
    };
    json!({
        "name": p.name,
        "version": p.version,
        "position": p.position,
        "checkpoint": p.checkpoint,
        "log_position": p.log_position,
        "lag": p.lag,
        "events_per_second": p.events_per_second,
        "state": state,
        "detail": detail,
        "started": format!("{:?}", p.started),
        "last_rebuild_error": p.last_rebuild_error,
    })
}

fn projection_problem(e: ProjectionError) -> Problem {
    match e {
        ProjectionError::UnknownReadModel { .. } => Problem::not_found(e.to_string()),
        ProjectionError::AlreadyRebuilding { .. } => {
            Problem::new(StatusCode::CONFLICT, "already-rebuilding", e.to_string())
        }
        other => Problem::internal(other.to_string()),
    }
}

/// `GET /projections` — every read model's progress.
pub async fn projections(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Value>, Problem> {
    operator(&caller)?;
    let progress = state.runner.progress().await.map_err(projection_problem)?;
    Ok(Json(Value::Array(
        progress.iter().map(progress_json).collect(),
    )))
}

/// `GET /projections/{name}` — one read model's progress.
pub async fn projection(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Caller(caller): Caller,
) -> Result<Json<Value>, Problem> {
    operator(&caller)?;
    let progress = state.runner.progress().await.map_err(projection_problem)?;
    progress
        .iter()
        .find(|p| p.name == name)
        .map(|p| Json(progress_json(p)))
        .ok_or_else(|| {
            Problem::not_found(format!(
                "there is no read model `{}`; GET /projections lists them",
                name.chars().take(64).collect::<String>()
            ))
        })
}

/// `POST /projections/{name}/rebuild` (or `all`) — starts online rebuilds; answers 202 at
/// once. Follow them with `GET /projections/{name}`.
pub async fn rebuild(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Caller(caller): Caller,
) -> Result<Response, Problem> {
    operator(&caller)?;
    let names: Vec<String> = if name == "all" {
        state
            .runner
            .progress()
            .await
            .map_err(projection_problem)?
            .iter()
            .map(|p| p.name.to_owned())
            .collect()
    } else {
        vec![name]
    };
    let mut started = Vec::new();
    for n in &names {
        let handle = state.runner.rebuild(n).await.map_err(projection_problem)?;
        started.push(handle.name());
        tokio::spawn(async move {
            if let Err(e) = handle.finished().await {
                tracing::warn!("an online rebuild stopped: {e}");
            }
        });
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "rebuilding": started }))).into_response())
}

/// The body of `POST /backup`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    /// A file name inside `DATA_DIR/backups/` (letters, digits, `-`, `_`, `.`); default
    /// `events-<time>.sqlite`.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /backup` — writes a consistent copy of the log to `DATA_DIR/backups/NAME` and writes
/// every projection checkpoint.
pub async fn backup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    operator(&caller)?;
    let request: BackupRequest = match &body {
        Ok(b) if b.is_empty() => BackupRequest { name: None },
        _ => strict(json_body(body)?, "backup request")?,
    };
    let name = request.name.unwrap_or_else(|| {
        format!(
            "events-{}.sqlite",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        )
    });
    let valid = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(Problem::bad_request(
            "`name` must be a plain file name (letters, digits, `-`, `_`, `.`; no path, not starting with `.`)",
        ));
    }
    let dir = state.config.data_dir.join("backups");
    let dest = dir.join(&name);
    let exists = || {
        Problem::new(
            StatusCode::CONFLICT,
            "backup-exists",
            format!(
                "a backup named `{name}` exists already (or is being written); pick another name"
            ),
        )
    };
    // One backup per name at a time: a second request for the same name while the first is
    // still writing is the same conflict as a finished one.
    let _writing = BackupInProgress::claim(&dest).ok_or_else(exists)?;
    let (made, checked) = (dir.clone(), dest.clone());
    let already = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&made).map(|()| checked.exists())
    })
    .await
    .map_err(|e| Problem::internal(format!("preparing the backup did not finish: {e}")))?
    .map_err(|e| Problem::internal(format!("cannot create {}: {e}", dir.display())))?;
    if already {
        return Err(exists());
    }
    if let Err(e) = state.runner.checkpoint().await {
        tracing::warn!("checkpoints before the backup were not all written: {e}");
    }
    // The store copies on its blocking pool.
    state
        .store
        .backup(&dest)
        .await
        .map_err(|e| Problem::internal(format!("the backup failed: {e}")))?;
    let position = state.store.last_position().await.unwrap_or(0);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "path": dest, "log_position_at_least": position })),
    )
        .into_response())
}

/// The backup files being written now, so two requests for one name cannot race.
static BACKUPS_IN_PROGRESS: parking_lot::Mutex<std::collections::BTreeSet<std::path::PathBuf>> =
    parking_lot::Mutex::new(std::collections::BTreeSet::new());

/// A claim on one backup file name, released when dropped.
struct BackupInProgress(std::path::PathBuf);

impl BackupInProgress {
    /// Claims `dest`, or `None` when another request is writing it.
    fn claim(dest: &std::path::Path) -> Option<Self> {
        BACKUPS_IN_PROGRESS
            .lock()
            .insert(dest.to_owned())
            .then(|| BackupInProgress(dest.to_owned()))
    }
}

impl Drop for BackupInProgress {
    fn drop(&mut self) {
        BACKUPS_IN_PROGRESS.lock().remove(&self.0);
    }
}

/// The body of `POST /clock/advance`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceRequest {
    /// Move the clock to this instant…
    #[serde(default)]
    pub to: Option<Timestamp>,
    /// …or forwards by this many seconds.
    #[serde(default)]
    pub seconds: Option<i64>,
}

/// `POST /clock/advance` — only with `serve --clock simulated`: moves business time forwards,
/// firing every timer and process-manager step due on the way, in time order. A test and
/// what-if facility; it does not exist on a server running on the system clock.
pub async fn advance_clock(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    operator(&caller)?;
    let Some(clock) = state.simulated.clone() else {
        return Err(Problem::not_found(
            "the clock can only be moved on a server started with `--clock simulated`",
        ));
    };
    let request: AdvanceRequest = strict(json_body(body)?, "clock request")?;
    let now = ticketflow_engine::Clock::now(&clock);
    let until = match (request.to, request.seconds) {
        (Some(to), None) => to,
        (None, Some(s)) if s >= 0 => chrono::TimeDelta::try_seconds(s)
            .and_then(|d| now.checked_add_signed(d))
            .ok_or_else(|| Problem::bad_request("`seconds` moves the clock out of range"))?,
        _ => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-request",
                "send either `to` (an RFC 3339 time) or `seconds` (0 or more)",
            ));
        }
    };
    if until < now {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "clock-backwards",
            format!("the clock stands at {now}; it only moves forwards"),
        ));
    }
    let mut guard = state.scheduler.lock().await;
    let scheduler = guard
        .as_mut()
        .ok_or_else(|| Problem::internal("the scheduler is not available"))?;
    scheduler
        .catch_up()
        .await
        .map_err(|e| Problem::internal(e.to_string()))?;
    let fired = scheduler
        .advance_to(&clock, until)
        .await
        .map_err(|e| Problem::internal(e.to_string()))?;
    drop(guard);
    let position = state.store.last_position().await.unwrap_or(0);
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        state.runner.wait_for(position),
    )
    .await;
    Ok(Json(json!({
        "now": ticketflow_engine::Clock::now(&clock),
        "fired": fired.iter().map(|f| json!({
            "at": f.at,
            "work": format!("{:?}", f.work.kind),
            "stream": f.work.command.stream_id().as_str(),
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[cfg(test)]
mod backup_claims {
    use super::BackupInProgress;

    #[test]
    fn a_backup_name_being_written_cannot_be_claimed_twice() {
        let dest = std::path::Path::new("/nonexistent/backups/claim-test.sqlite");
        let first = BackupInProgress::claim(dest);
        assert!(first.is_some());
        assert!(BackupInProgress::claim(dest).is_none());
        drop(first);
        assert!(BackupInProgress::claim(dest).is_some());
    }
}
