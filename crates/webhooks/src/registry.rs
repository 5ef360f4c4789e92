//! The endpoint registry: `DIR/webhooks.sqlite` holds every endpoint with its secret, its
//! checkpoint (last delivered global position) and its delivery log.
//!
//! The file is small and written rarely (registrations, one row per attempt, one checkpoint
//! update per delivered batch), so one connection behind a mutex serves the API and every
//! dispatcher worker. It runs in WAL mode with `synchronous = NORMAL`: a power cut may lose
//! the last checkpoint updates, which only means those batches are delivered again —
//! delivery is at least once anyway. On Unix the file is made readable by its owner only,
//! because it holds the signing secrets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use parking_lot::Mutex;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Row, params};
use ticketflow_events::Timestamp;
use tokio::sync::watch;
use uuid::Uuid;

use crate::endpoint::{
    Endpoint, EndpointFilter, EndpointHealth, EndpointId, NewEndpoint, Registered, validate_url,
};
use crate::error::WebhookError;

/// The registry's file name inside the data directory.
pub const REGISTRY_FILE: &str = "webhooks.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    filter TEXT NOT NULL,
    description TEXT NOT NULL,
    confidential_text INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    checkpoint INTEGER NOT NULL,
    failing_since TEXT,
    last_error TEXT,
    owner TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    first_position INTEGER NOT NULL,
    last_position INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    next_retry_at TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_by_endpoint ON deliveries (endpoint, seq);
";

const ENDPOINT_COLUMNS: &str = "id, url, filter, description, confidential_text, active, \
     created_at, checkpoint, failing_since, last_error, owner";

/// Adds the `owner` column to a registry written before endpoints had owners; those endpoints
/// keep no owner, so only operators see them until one re-registers them.
fn add_owner_column(conn: &Connection) -> rusqlite::Result<()> {
    let has_owner: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('endpoints') WHERE name = 'owner'",
        [],
        |r| r.get(0),
    )?;
    if !has_owner {
        conn.execute_batch("ALTER TABLE endpoints ADD COLUMN owner TEXT")?;
    }
    Ok(())
}

struct Shared {
    conn: Mutex<Connection>,
    changes: watch::Sender<u64>,
    path: PathBuf,
}

/// The registered endpoints, their secrets, checkpoints and delivery logs. Cloning is cheap
/// and shares the file; the dispatcher follows [`WebhookRegistry::changes`] to start and stop
/// workers when endpoints are registered, removed or changed.
#[derive(Clone)]
pub struct WebhookRegistry {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for WebhookRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRegistry")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

pub(crate) fn corrupt(what: &'static str, reason: impl ToString) -> WebhookError {
    WebhookError::Corrupt {
        what,
        reason: reason.to_string(),
    }
}

pub(crate) fn parse_time(what: &'static str, text: &str) -> Result<Timestamp, WebhookError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(what, e))
}

pub(crate) fn time_text(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The raw columns of an endpoint row, converted outside the SQLite closure so conversion
/// errors are ours.
struct EndpointRow {
    id: String,
    url: String,
    filter: String,
    description: String,
    confidential_text: bool,
    active: bool,
    created_at: String,
    checkpoint: i64,
    failing_since: Option<String>,
    last_error: Option<String>,
    owner: Option<String>,
}

impl EndpointRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(EndpointRow {
            id: row.get(0)?,
            url: row.get(1)?,
            filter: row.get(2)?,
            description: row.get(3)?,
            confidential_text: row.get(4)?,
            active: row.get(5)?,
            created_at: row.get(6)?,
            checkpoint: row.get(7)?,
            failing_since: row.get(8)?,
            last_error: row.get(9)?,
            owner: row.get(10)?,
        })
    }

    fn into_endpoint(self) -> Result<Endpoint, WebhookError> {
        let filter: EndpointFilter =
            serde_json::from_str(&self.filter).map_err(|e| corrupt("endpoint filter", e))?;
        let health = match self.failing_since {
            Some(since) => EndpointHealth::Failing {
                since: parse_time("failing time", &since)?,
                last_error: self.last_error.unwrap_or_default(),
            },
            None => EndpointHealth::Healthy,
        };
        Ok(Endpoint {
            id: self.id.parse().map_err(|e| corrupt("endpoint id", e))?,
            url: self.url,
            filter,
            description: self.description,
            confidential_text: self.confidential_text,
            active: self.active,
            created_at: parse_time("registration time", &self.created_at)?,
            checkpoint: u64::try_from(self.checkpoint).map_err(|e| corrupt("checkpoint", e))?,
            health,
            owner: self.owner,
        })
    }
}

impl WebhookRegistry {
    /// Opens (creating if needed) `dir/webhooks.sqlite`; `dir` is the data directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, WebhookError> {
        let path = dir.as_ref().join(REGISTRY_FILE);
        let open_error = |source| WebhookError::Open {
            path: path.display().to_string(),
            source,
        };
        // The file holds signing secrets: create it owner-only before SQLite touches it, so
        // it is never readable by others, not even for a moment; SQLite gives its -wal and
        // -shm files the main file's mode.
        create_owner_only(&path).map_err(|source| WebhookError::Create {
            path: path.display().to_string(),
            source,
        })?;
        let conn = Connection::open(&path).map_err(open_error)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_error)?;
        conn.execute_batch(SCHEMA).map_err(open_error)?;
        add_owner_column(&conn).map_err(open_error)?;
        restrict_permissions(&path);
        let (changes, _) = watch::channel(0);
        Ok(WebhookRegistry {
            shared: Arc::new(Shared {
                conn: Mutex::new(conn),
                changes,
                path,
            }),
        })
    }

    /// A receiver that changes whenever an endpoint is registered, removed, (de)activated or
    /// gets a new secret. The dispatcher reloads on it.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.shared.changes.subscribe()
    }

    /// The registry's connection, held for one short statement or transaction.
    pub(crate) fn conn(&self) -> parking_lot::MutexGuard<'_, Connection> {
        self.shared.conn.lock()
    }

    fn changed(&self) {
        self.shared.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Registers an endpoint and answers it with its new secret (shown this once).
    pub fn register(&self, new: NewEndpoint) -> Result<Registered, WebhookError> {
        let url = validate_url(&new.url)?;
        new.filter.validate()?;
        let id = EndpointId(Uuid::now_v7());
        let secret = new_secret();
        let filter = serde_json::to_string(&new.filter).map_err(|e| corrupt("filter", e))?;
        let created_at = Utc::now();
        let checkpoint = i64::try_from(new.start_after).unwrap_or(i64::MAX);
        self.shared.conn.lock().execute(
            "INSERT INTO endpoints (id, url, secret, filter, description, confidential_text, \
             active, created_at, checkpoint, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?9)",
            params![
                id.to_string(),
                url,
                secret,
                filter,
                new.description,
                new.confidential_text,
                time_text(created_at),
                checkpoint,
                new.owner
            ],
        )?;
        self.changed();
        Ok(Registered {
            endpoint: self.get(id)?,
            secret,
        })
    }

    /// Every registered endpoint, oldest first, without secrets.
    pub fn list(&self) -> Result<Vec<Endpoint>, WebhookError> {
        let rows = {
            let conn = self.shared.conn.lock();
            let mut stmt = conn.prepare(&format!(
                "SELECT {ENDPOINT_COLUMNS} FROM endpoints ORDER BY created_at, id"
            ))?;
            stmt.query_map([], EndpointRow::read)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        rows.into_iter().map(EndpointRow::into_endpoint).collect()
    }

    /// One endpoint.
    pub fn get(&self, id: EndpointId) -> Result<Endpoint, WebhookError> {
        let row = self
            .shared
            .conn
            .lock()
            .query_row(
                &format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE id = ?1"),
                [id.to_string()],
                EndpointRow::read,
            )
            .optional()?;
        row.ok_or_else(|| unknown(id))?.into_endpoint()
    }

    /// Removes an endpoint with its checkpoint and delivery log; its worker stops.
    pub fn remove(&self, id: EndpointId) -> Result<(), WebhookError> {
        let removed = {
            let mut conn = self.shared.conn.lock();
            let tx = conn.transaction()?;
            let n = tx.execute("DELETE FROM endpoints WHERE id = ?1", [id.to_string()])?;
            tx.execute(
                "DELETE FROM deliveries WHERE endpoint = ?1",
                [id.to_string()],
            )?;
            tx.commit()?;
            n
        };
        if removed == 0 {
            return Err(unknown(id));
        }
        self.changed();
        Ok(())
    }

    /// Switches delivery to an endpoint on or off; an inactive endpoint keeps its checkpoint
    /// and continues from there when switched on again.
    pub fn set_active(&self, id: EndpointId, active: bool) -> Result<Endpoint, WebhookError> {
        let n = self.shared.conn.lock().execute(
            "UPDATE endpoints SET active = ?2 WHERE id = ?1",
            params![id.to_string(), active],
        )?;
        if n == 0 {
            return Err(unknown(id));
        }
        self.changed();
        self.get(id)
    }

    /// Replaces an endpoint's secret and answers the new one (shown this once). Requests
    /// from then on are signed with the new secret only.
    pub fn rotate_secret(&self, id: EndpointId) -> Result<Registered, WebhookError> {
        let secret = new_secret();
        let n = self.shared.conn.lock().execute(
            "UPDATE endpoints SET secret = ?2 WHERE id = ?1",
            params![id.to_string(), secret],
        )?;
        if n == 0 {
            return Err(unknown(id));
        }
        self.changed();
        Ok(Registered {
            endpoint: self.get(id)?,
            secret,
        })
    }

    /// The endpoint's secret, for signing.
    pub(crate) fn secret(&self, id: EndpointId) -> Result<String, WebhookError> {
        self.shared
            .conn
            .lock()
            .query_row(
                "SELECT secret FROM endpoints WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| unknown(id))
    }

    /// Moves the checkpoint forwards (never backwards) after a delivered batch.
    pub(crate) fn save_checkpoint(
        &self,
        id: EndpointId,
        position: u64,
    ) -> Result<(), WebhookError> {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        self.shared.conn.lock().execute(
            "UPDATE endpoints SET checkpoint = MAX(checkpoint, ?2) WHERE id = ?1",
            params![id.to_string(), position],
        )?;
        Ok(())
    }

    /// Records the endpoint's health (failing since when and why, or healthy again).
    pub(crate) fn set_health(
        &self,
        id: EndpointId,
        health: &EndpointHealth,
    ) -> Result<(), WebhookError> {
        let (since, error) = match health {
            EndpointHealth::Healthy => (None, None),
            EndpointHealth::Failing { since, last_error } => {
                (Some(time_text(*since)), Some(last_error.clone()))
            }
        };
        self.shared.conn.lock().execute(
            "UPDATE endpoints SET failing_since = ?2, last_error = ?3 WHERE id = ?1",
            params![id.to_string(), since, error],
        )?;
        Ok(())
    }
}

pub(crate) fn unknown(id: EndpointId) -> WebhookError {
    WebhookError::UnknownEndpoint { id: id.to_string() }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(path = %path.display(), error = %e, "cannot restrict the webhook registry to its owner");
    }
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

/// Creates `path` with mode 0600 when it does not exist yet (an existing file is left as it
/// is here and restricted by [`restrict_permissions`] once open).
#[cfg(unix)]
fn create_owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_owner_only(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_endpoint_is_listed_without_its_secret_and_can_be_removed() {
        let dir = tempfile::tempdir().unwrap();
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        let registered = registry
            .register(NewEndpoint::new("https://hooks.example.com/a"))
            .unwrap();
        assert!(registered.secret.starts_with("whsec_"));
        assert_eq!(registered.secret.len(), 6 + 64);
        let listed = registry.list().unwrap();
        assert_eq!(listed, vec![registered.endpoint.clone()]);
        assert_eq!(listed[0].health, EndpointHealth::Healthy);
        let rotated = registry.rotate_secret(registered.endpoint.id).unwrap();
        assert_ne!(rotated.secret, registered.secret);
        registry.remove(registered.endpoint.id).unwrap();
        assert!(registry.list().unwrap().is_empty());
        assert!(matches!(
            registry.remove(registered.endpoint.id),
            Err(WebhookError::UnknownEndpoint { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn the_registry_and_its_write_ahead_log_are_readable_by_the_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        registry
            .register(NewEndpoint::new("https://hooks.example.com/a"))
            .unwrap();
        for name in [REGISTRY_FILE.to_owned(), format!("{REGISTRY_FILE}-wal")] {
            let mode = std::fs::metadata(dir.path().join(&name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name} has mode {mode:o}");
        }
    }

    #[test]
    fn the_registry_survives_reopening_and_keeps_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let registry = WebhookRegistry::open(dir.path()).unwrap();
            let e = registry
                .register(NewEndpoint::new("http://127.0.0.1:9/x"))
                .unwrap()
                .endpoint;
            registry.save_checkpoint(e.id, 42).unwrap();
            registry.save_checkpoint(e.id, 7).unwrap();
            e.id
        };
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        assert_eq!(registry.get(id).unwrap().checkpoint, 42);
    }

    #[test]
    fn a_registry_from_before_owners_gains_the_column_and_its_endpoints_have_no_owner() {
        let dir = tempfile::tempdir().unwrap();
        {
            // The schema as it was before endpoints had owners, with one endpoint.
            let conn = Connection::open(dir.path().join(REGISTRY_FILE)).unwrap();
            conn.execute_batch(&SCHEMA.replace(",\n    owner TEXT", ""))
                .unwrap();
            conn.execute(
                "INSERT INTO endpoints (id, url, secret, filter, description, confidential_text, \
                 active, created_at, checkpoint) VALUES (?1, 'http://127.0.0.1:9/old', 'whsec_x', \
                 '{}', '', 0, 1, '2026-11-01T00:00:00.000000Z', 5)",
                [EndpointId(Uuid::now_v7()).to_string()],
            )
            .unwrap();
            let columns: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('endpoints') WHERE name = 'owner'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(columns, 0, "the old schema has no owner column");
        }
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        let old = registry.list().unwrap();
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].owner, None);
        assert_eq!(old[0].checkpoint, 5);
        let mut new = NewEndpoint::new("http://127.0.0.1:9/new");
        new.owner = Some("acme-sync".to_owned());
        let registered = registry.register(new).unwrap().endpoint;
        assert_eq!(registered.owner.as_deref(), Some("acme-sync"));
        // Opening again leaves the column as it is.
        drop(registry);
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        assert_eq!(registry.list().unwrap().len(), 2);
    }
}
