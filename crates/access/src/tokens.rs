//! Bearer tokens, stored hashed.
//!
//! A token is `tf_` followed by 32 random bytes in lower-case hex. It is shown once, when it
//! is issued; the store keeps only its SHA-256. A fast, unsalted hash is the right tool here
//! (unlike for passwords): the secret has 256 bits of entropy, so there is nothing to guess
//! and no dictionary to defend against, and a lookup per request must stay cheap.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use rand::RngCore;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use ticketflow_events::{Actor, OrganisationId, Region, Role};

/// Every token starts with this, so a leaked one is recognisable in logs and by scanners.
pub const TOKEN_PREFIX: &str = "tf_";

/// The file name of the token store inside a data directory.
pub const ACCESS_FILE: &str = "access.sqlite";

/// Why a token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The SQLite file could not be opened or queried.
    #[error(
        "the token store at {path} failed: {source}; check that the data directory is writable and not damaged"
    )]
    Store {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A token with this name exists already.
    #[error("a token named `{0}` exists already; pick another name or revoke that one first")]
    DuplicateName(String),
    /// No token has this name.
    #[error("no token is named `{0}`; `ticketflow tokens list` shows the names")]
    UnknownName(String),
    /// The name is empty or has characters other than letters, digits, `-`, `_`, `.`, `@`.
    #[error("token name `{0}` is not allowed: use 1 to 64 letters, digits, `-`, `_`, `.` or `@`")]
    InvalidName(String),
    /// The role name is not one of the roles, or its data is missing.
    #[error("{0}")]
    InvalidRole(String),
}

/// Who is calling: the token's name (also the actor id the engine records) and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's name.
    pub name: String,
    /// The actor commands are issued as (id = token name).
    pub actor: Actor,
}

impl Principal {
    /// The principal's role.
    pub fn role(&self) -> &Role {
        &self.actor.role
    }
}

/// A stored token as `tokens list` shows it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// Its name.
    pub name: String,
    /// Its role, with the role's data.
    pub role: Role,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Builds a role from the CLI's flags: `customer` needs an organisation, `support-agent` a
/// region, `integrator` may have `confidential_text`.
pub fn role_from_parts(
    role: &str,
    organisation: Option<&str>,
    region: Option<&str>,
    confidential_text: bool,
) -> Result<Role, AccessError> {
    let invalid = |m: &str| Err(AccessError::InvalidRole(m.to_owned()));
    Ok(match role {
        "customer" => match organisation {
            Some(o) if !o.trim().is_empty() => Role::Customer {
                organisation: OrganisationId(o.to_owned()),
            },
            _ => return invalid("role `customer` needs --organisation ORGANISATION"),
        },
        "support-agent" => match region {
            Some("dach") => Role::SupportAgent {
                region: Region::Dach,
            },
            Some("international") => Role::SupportAgent {
                region: Region::International,
            },
            _ => return invalid("role `support-agent` needs --region dach|international"),
        },
        "business-consultant" => Role::BusinessConsultant,
        "technical-services" => Role::TechnicalServices,
        "product-management" => Role::ProductManagement,
        "managed-services" => Role::ManagedServices,
        "sales" => Role::Sales,
        "auditor" => Role::Auditor,
        "operator" => Role::Operator,
        "integrator" => Role::Integrator { confidential_text },
        other => {
            return Err(AccessError::InvalidRole(format!(
                "unknown role `{other}`; one of customer, support-agent, business-consultant, technical-services, product-management, managed-services, sales, auditor, operator, integrator"
            )));
        }
    })
}

/// The SHA-256 of a token, hex-encoded: what the store keeps.
fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

/// The token store: one SQLite file, one connection behind a mutex (lookups are a single
/// indexed read, so contention is not a concern at a service desk's request rates).
#[derive(Debug)]
pub struct TokenStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl TokenStore {
    /// Opens (creating if needed) `DATA_DIR/access.sqlite`.
    pub fn open_in(data_dir: &Path) -> Result<Self, AccessError> {
        Self::open(&data_dir.join(ACCESS_FILE))
    }

    /// Opens (creating if needed) the token store at `path`.
    pub fn open(path: &Path) -> Result<Self, AccessError> {
        let err = |source| AccessError::Store {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        // Cached statements keep their plans: without this SQLite recompiles the cached
        // lookup at each reuse (see the store's `schema::fix_plans`).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS tokens (
                 name TEXT PRIMARY KEY,
                 hash TEXT NOT NULL UNIQUE,
                 role TEXT NOT NULL,
                 created_at TEXT NOT NULL,
                 revoked_at TEXT
             );",
        )
        .map_err(err)?;
        Ok(TokenStore {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    fn err(&self, source: rusqlite::Error) -> AccessError {
        AccessError::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// Issues a new token and answers its secret — the only time it is ever visible.
    pub fn issue(
        &self,
        name: &str,
        role: &Role,
        now: DateTime<Utc>,
    ) -> Result<String, AccessError> {
        if !valid_name(name) {
            return Err(AccessError::InvalidName(name.chars().take(80).collect()));
        }
        let conn = self.conn.lock();
        self.insert(&conn, name, role, now)
    }

    /// Inserts a new token named `name` on `conn`; a name taken meanwhile (even by another
    /// process, between any check and the insert) is [`AccessError::DuplicateName`].
    fn insert(
        &self,
        conn: &Connection,
        name: &str,
        role: &Role,
        now: DateTime<Utc>,
    ) -> Result<String, AccessError> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
        let role_json = serde_json::to_string(role)
            .map_err(|e| AccessError::InvalidRole(format!("the role cannot be stored: {e}")))?;
        conn.execute(
            "INSERT INTO tokens (name, hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, digest(&secret), role_json, now.to_rfc3339()],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                AccessError::DuplicateName(name.to_owned())
            }
            e => self.err(e),
        })?;
        Ok(secret)
    }

    /// Issues a new secret for `name`, replacing its old one (and lifting a revocation), or
    /// issues a new token if there is none by that name. For the demo, which prints fresh
    /// tokens on every start because secrets are never kept.
    pub fn reissue(
        &self,
        name: &str,
        role: &Role,
        now: DateTime<Utc>,
    ) -> Result<String, AccessError> {
        if !valid_name(name) {
            return Err(AccessError::InvalidName(name.chars().take(80).collect()));
        }
        // Delete and insert in one transaction under one lock, so a concurrent `issue` of
        // the same name sees either the old token or the new one, never a gap.
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        tx.execute("DELETE FROM tokens WHERE name = ?1", [name])
            .map_err(|e| self.err(e))?;
        let secret = self.insert(&tx, name, role, now)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(secret)
    }

    /// The principal a presented token belongs to, or `None` if it is unknown or revoked.
    /// Read from the file on every call, so a revocation by another process counts at once.
    pub fn authenticate(&self, secret: &str) -> Result<Option<Principal>, AccessError> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 128 {
            return Ok(None);
        }
        let conn = self.conn.lock();
        // Every request authenticates: the statement comes from the connection's cache (it
        // keeps its plan, see `open`) instead of being parsed and planned each time.
        let row: Option<(String, String)> = conn
            .prepare_cached("SELECT name, role FROM tokens WHERE hash = ?1 AND revoked_at IS NULL")
            .and_then(|mut stmt| {
                stmt.query_row([digest(secret)], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|(name, role)| {
            let role: Role = serde_json::from_str(&role).ok()?;
            Some(Principal {
                actor: Actor {
                    id: name.clone(),
                    role,
                },
                name,
            })
        }))
    }

    /// Every token, revoked ones included, by name.
    pub fn list(&self) -> Result<Vec<TokenInfo>, AccessError> {
        let conn = self.conn.lock();
        let mut stmt = conn
            .prepare("SELECT name, role, created_at, revoked_at FROM tokens ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, role, created, revoked) = row.map_err(|e| self.err(e))?;
            let Ok(role) = serde_json::from_str::<Role>(&role) else {
                continue;
            };
            let parse = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|t| t.to_utc());
            out.push(TokenInfo {
                name,
                role,
                created_at: parse(&created).unwrap_or_default(),
                revoked_at: revoked.as_deref().and_then(parse),
            });
        }
        Ok(out)
    }

    /// Revokes the token named `name`; it stops working with the next request.
    pub fn revoke(&self, name: &str, now: DateTime<Utc>) -> Result<(), AccessError> {
        let conn = self.conn.lock();
        let changed = conn
            .execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                params![name, now.to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(AccessError::UnknownName(name.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_authenticates_and_only_its_hash_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::open_in(dir.path()).unwrap();
        let role = Role::Auditor;
        let secret = store.issue("audrey", &role, Utc::now()).unwrap();
        assert!(secret.starts_with(TOKEN_PREFIX));
        let p = store.authenticate(&secret).unwrap().unwrap();
        assert_eq!(p.actor.id, "audrey");
        assert_eq!(p.actor.role, Role::Auditor);
        let raw = std::fs::read(dir.path().join(ACCESS_FILE)).unwrap();
        let hay = String::from_utf8_lossy(&raw);
        assert!(!hay.contains(&secret[3..]));
        assert!(store.authenticate("tf_nope").unwrap().is_none());
        assert!(store.authenticate("").unwrap().is_none());
    }

    #[test]
    fn a_revoked_token_stops_working_even_when_another_handle_revoked_it() {
        let dir = tempfile::tempdir().unwrap();
        let server = TokenStore::open_in(dir.path()).unwrap();
        let cli = TokenStore::open_in(dir.path()).unwrap();
        let secret = server.issue("ops", &Role::Operator, Utc::now()).unwrap();
        assert!(server.authenticate(&secret).unwrap().is_some());
        cli.revoke("ops", Utc::now()).unwrap();
        assert!(server.authenticate(&secret).unwrap().is_none());
        assert!(matches!(
            cli.revoke("ops", Utc::now()),
            Err(AccessError::UnknownName(_))
        ));
        let listed = server.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].revoked_at.is_some());
    }

    #[test]
    fn a_name_taken_through_another_handle_is_a_duplicate_not_a_storage_problem() {
        let dir = tempfile::tempdir().unwrap();
        let server = TokenStore::open_in(dir.path()).unwrap();
        let cli = TokenStore::open_in(dir.path()).unwrap();
        let old = server.reissue("demo", &Role::Sales, Utc::now()).unwrap();
        assert!(matches!(
            cli.issue("demo", &Role::Sales, Utc::now()),
            Err(AccessError::DuplicateName(_))
        ));
        let new = server.reissue("demo", &Role::Sales, Utc::now()).unwrap();
        assert!(server.authenticate(&old).unwrap().is_none());
        assert!(cli.authenticate(&new).unwrap().is_some());
    }

    #[test]
    fn names_are_unique_and_restricted() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::open_in(dir.path()).unwrap();
        store.issue("a", &Role::Sales, Utc::now()).unwrap();
        assert!(matches!(
            store.issue("a", &Role::Sales, Utc::now()),
            Err(AccessError::DuplicateName(_))
        ));
        assert!(matches!(
            store.issue("a b", &Role::Sales, Utc::now()),
            Err(AccessError::InvalidName(_))
        ));
    }

    #[test]
    fn roles_are_built_from_flags_and_missing_data_is_named() {
        assert_eq!(
            role_from_parts("customer", Some("acme"), None, false).unwrap(),
            Role::Customer {
                organisation: OrganisationId("acme".into())
            }
        );
        let e = role_from_parts("customer", None, None, false).unwrap_err();
        assert!(e.to_string().contains("--organisation"));
        let e = role_from_parts("support-agent", None, Some("mars"), false).unwrap_err();
        assert!(e.to_string().contains("dach|international"));
        assert!(role_from_parts("wizard", None, None, false).is_err());
        assert_eq!(
            role_from_parts("integrator", None, None, true).unwrap(),
            Role::Integrator {
                confidential_text: true
            }
        );
    }
}
