//! The per-endpoint delivery log: one row per HTTP attempt, so an operator or integrator can
//! see what was sent, what the receiver answered and when the next retry is due.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;
use uuid::Uuid;

use crate::endpoint::EndpointId;
use crate::error::WebhookError;
use crate::registry::{WebhookRegistry, corrupt, parse_time, time_text};

/// How many attempts the log keeps per endpoint; older ones are dropped.
pub const KEPT_ATTEMPTS_PER_ENDPOINT: i64 = 1000;

/// What one attempt got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status (2xx = delivered).
    Status {
        /// The status code.
        code: u16,
    },
    /// No answer: connection refused, timeout, TLS failure, ….
    Error {
        /// What went wrong.
        message: String,
    },
}

impl AttemptOutcome {
    /// True when the batch was delivered (a 2xx status).
    pub fn is_success(&self) -> bool {
        matches!(self, AttemptOutcome::Status { code } if (200..300).contains(code))
    }
}

/// One HTTP attempt to deliver a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The batch's delivery id (`Ticketflow-Delivery`), the same for every retry of a batch.
    pub delivery_id: Uuid,
    /// 1 for the first try of a batch, then 2, 3, ….
    pub attempt: u32,
    /// When the request was sent.
    pub attempted_at: Timestamp,
    /// Global position of the batch's first event.
    pub first_position: u64,
    /// Global position of the batch's last event.
    pub last_position: u64,
    /// What came back.
    pub outcome: AttemptOutcome,
    /// How long the request took, in milliseconds.
    pub duration_ms: u64,
    /// When the next try is due, if this one failed.
    pub next_retry_at: Option<Timestamp>,
}

impl WebhookRegistry {
    /// The most recent `limit` delivery attempts to an endpoint, newest first.
    pub fn deliveries(
        &self,
        id: EndpointId,
        limit: usize,
    ) -> Result<Vec<DeliveryAttempt>, WebhookError> {
        self.get(id)?;
        let rows = {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT delivery_id, attempt, attempted_at, first_position, last_position, \
                 status, error, duration_ms, next_retry_at FROM deliveries \
                 WHERE endpoint = ?1 ORDER BY seq DESC LIMIT ?2",
            )?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            stmt.query_map(params![id.to_string(), limit], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        rows.into_iter()
            .map(
                |(delivery, attempt, at, first, last, status, error, ms, next)| {
                    let outcome = match status {
                        Some(code) => AttemptOutcome::Status {
                            code: u16::try_from(code).map_err(|e| corrupt("HTTP status", e))?,
                        },
                        None => AttemptOutcome::Error {
                            message: error.unwrap_or_default(),
                        },
                    };
                    Ok(DeliveryAttempt {
                        endpoint: id,
                        delivery_id: Uuid::parse_str(&delivery)
                            .map_err(|e| corrupt("delivery id", e))?,
                        attempt: u32::try_from(attempt).map_err(|e| corrupt("attempt", e))?,
                        attempted_at: parse_time("attempt time", &at)?,
                        first_position: u64::try_from(first).map_err(|e| corrupt("position", e))?,
                        last_position: u64::try_from(last).map_err(|e| corrupt("position", e))?,
                        outcome,
                        duration_ms: u64::try_from(ms).map_err(|e| corrupt("duration", e))?,
                        next_retry_at: next.map(|t| parse_time("retry time", &t)).transpose()?,
                    })
                },
            )
            .collect()
    }

    /// Appends one attempt to the log, dropping the oldest beyond the kept number.
    pub(crate) fn record_attempt(&self, a: &DeliveryAttempt) -> Result<(), WebhookError> {
        let (status, error) = match &a.outcome {
            AttemptOutcome::Status { code } => (Some(i64::from(*code)), None),
            AttemptOutcome::Error { message } => (None, Some(message.clone())),
        };
        let conn = self.conn();
        conn.execute(
            "INSERT INTO deliveries (endpoint, delivery_id, attempt, attempted_at, \
             first_position, last_position, status, error, duration_ms, next_retry_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                a.endpoint.to_string(),
                a.delivery_id.to_string(),
                a.attempt,
                time_text(a.attempted_at),
                i64::try_from(a.first_position).unwrap_or(i64::MAX),
                i64::try_from(a.last_position).unwrap_or(i64::MAX),
                status,
                error,
                i64::try_from(a.duration_ms).unwrap_or(i64::MAX),
                a.next_retry_at.map(time_text),
            ],
        )?;
        conn.execute(
            "DELETE FROM deliveries WHERE endpoint = ?1 AND seq <= (SELECT seq FROM deliveries \
             WHERE endpoint = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
            params![a.endpoint.to_string(), KEPT_ATTEMPTS_PER_ENDPOINT],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::endpoint::NewEndpoint;

    #[test]
    fn the_delivery_log_keeps_the_newest_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        let id = registry
            .register(NewEndpoint::new("http://127.0.0.1:9/x"))
            .unwrap()
            .endpoint
            .id;
        for attempt in 1..=3 {
            registry
                .record_attempt(&DeliveryAttempt {
                    endpoint: id,
                    delivery_id: Uuid::nil(),
                    attempt,
                    attempted_at: Utc::now(),
                    first_position: 1,
                    last_position: 2,
                    outcome: AttemptOutcome::Status { code: 500 },
                    duration_ms: 3,
                    next_retry_at: None,
                })
                .unwrap();
        }
        let log = registry.deliveries(id, 2).unwrap();
        assert_eq!(
            log.iter().map(|a| a.attempt).collect::<Vec<_>>(),
            vec![3, 2]
        );
    }
}
