//! Scripts: timestamped commands addressed to aggregates, one JSON object a line.
//!
//! The same format feeds a simulation (`simulate`), an import of past activity (`import`),
//! the scenario generator and the demo:
//!
//! ```json
//! {"at":"2026-03-02T08:00:00Z","actor":{"id":"anna","role":"support-agent","region":"dach"},
//!  "target":"ticket-SD-1001","command":{"command":"accept"}}
//! ```
//!
//! `target` is the stream id of the aggregate; its category (`ticket`, `order`, `delivery`)
//! decides which command vocabulary `command` is read with.

use serde::{Deserialize, Serialize};
use ticketflow_events::{Actor, DeliveryKey, OrderKey, StreamId, TicketKey, Timestamp};

use crate::delivery::DeliveryCommand;
use crate::order::OrderCommand;
use crate::ticket::TicketCommand;

/// A command for any aggregate, with the key of the aggregate it is addressed to.
#[derive(Debug, Clone, PartialEq)]
pub enum AddressedCommand {
    /// A command to a ticket.
    Ticket(TicketKey, TicketCommand),
    /// A command to a customisation order.
    Order(OrderKey, OrderCommand),
    /// A command to a delivery.
    Delivery(DeliveryKey, DeliveryCommand),
}

impl AddressedCommand {
    /// The stream the command's events go to.
    pub fn stream_id(&self) -> StreamId {
        match self {
            AddressedCommand::Ticket(k, _) => k.stream_id(),
            AddressedCommand::Order(k, _) => k.stream_id(),
            AddressedCommand::Delivery(k, _) => k.stream_id(),
        }
    }

    /// The command's snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            AddressedCommand::Ticket(_, c) => c.name(),
            AddressedCommand::Order(_, c) => c.name(),
            AddressedCommand::Delivery(_, c) => c.name(),
        }
    }
}

/// One line of a script: when, who, and what to which aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptLine {
    /// Business time at which the command is issued.
    pub at: Timestamp,
    /// Who issues it.
    pub actor: Actor,
    /// What, addressed to which aggregate.
    pub command: AddressedCommand,
}

/// Why a script line could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// Not a JSON object with `at`, `actor`, `target` and `command`.
    #[error(
        "line {line}: {reason}; expected {{\"at\": RFC 3339 time, \"actor\": {{\"id\", \"role\", ...}}, \"target\": stream id, \"command\": {{\"command\": name, ...}}}}"
    )]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What the JSON reader said.
        reason: String,
    },
    /// The target's category has no commands.
    #[error("line {line}: target `{target}` is not a ticket-, order- or delivery- stream")]
    UnknownTarget {
        /// 1-based line number.
        line: usize,
        /// The target given.
        target: String,
    },
    /// The command is not one of the target's commands, or its fields are wrong.
    #[error("line {line}: not a valid {category} command: {reason}")]
    BadCommand {
        /// 1-based line number.
        line: usize,
        /// The target's category.
        category: &'static str,
        /// What the JSON reader said.
        reason: String,
    },
    /// The lines are not in time order.
    #[error(
        "line {line}: time {at} is before the previous line's {previous}; scripts run in time order"
    )]
    OutOfOrder {
        /// 1-based line number.
        line: usize,
        /// This line's time.
        at: Timestamp,
        /// The previous line's time.
        previous: Timestamp,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    at: Timestamp,
    actor: Actor,
    target: String,
    command: serde_json::Value,
}

impl ScriptLine {
    /// Reads one line; `line` is its 1-based number, used in errors.
    pub fn parse(text: &str, line: usize) -> Result<ScriptLine, ScriptError> {
        let raw: RawLine = serde_json::from_str(text).map_err(|e| ScriptError::Malformed {
            line,
            reason: e.to_string(),
        })?;
        let unknown = || ScriptError::UnknownTarget {
            line,
            target: raw.target.chars().take(64).collect(),
        };
        let stream: StreamId = raw.target.parse().map_err(|_| unknown())?;
        let entity = stream.entity().unwrap_or_default();
        let bad = |category: &'static str, e: String| ScriptError::BadCommand {
            line,
            category,
            reason: e,
        };
        let command = match stream.category() {
            TicketKey::CATEGORY => AddressedCommand::Ticket(
                entity.parse().map_err(|_| unknown())?,
                serde_json::from_value(raw.command).map_err(|e| bad("ticket", e.to_string()))?,
            ),
            OrderKey::CATEGORY => AddressedCommand::Order(
                entity.parse().map_err(|_| unknown())?,
                serde_json::from_value(raw.command).map_err(|e| bad("order", e.to_string()))?,
            ),
            DeliveryKey::CATEGORY => AddressedCommand::Delivery(
                entity.parse().map_err(|_| unknown())?,
                serde_json::from_value(raw.command).map_err(|e| bad("delivery", e.to_string()))?,
            ),
            _ => return Err(unknown()),
        };
        Ok(ScriptLine {
            at: raw.at,
            actor: raw.actor,
            command,
        })
    }

    /// Reads a whole script: one line per non-blank line, `#` starts a comment line; lines must
    /// be in time order.
    pub fn parse_all(text: &str) -> Result<Vec<ScriptLine>, ScriptError> {
        let mut out: Vec<ScriptLine> = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let trimmed = l.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let parsed = ScriptLine::parse(trimmed, i + 1)?;
            if let Some(prev) = out.last()
                && parsed.at < prev.at
            {
                return Err(ScriptError::OutOfOrder {
                    line: i + 1,
                    at: parsed.at,
                    previous: prev.at,
                });
            }
            out.push(parsed);
        }
        Ok(out)
    }

    /// Writes the line as one JSON object (the inverse of [`ScriptLine::parse`]).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let command = match &self.command {
            AddressedCommand::Ticket(_, c) => serde_json::to_value(c)?,
            AddressedCommand::Order(_, c) => serde_json::to_value(c)?,
            AddressedCommand::Delivery(_, c) => serde_json::to_value(c)?,
        };
        serde_json::to_string(&RawLine {
            at: self.at,
            actor: self.actor.clone(),
            target: self.command.stream_id().to_string(),
            command,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCEPT: &str = r#"{"at":"2026-03-02T08:00:00Z","actor":{"id":"anna","role":"support-agent","region":"dach"},"target":"ticket-SD-1001","command":{"command":"accept"}}"#;

    #[test]
    fn a_line_round_trips() {
        let line = ScriptLine::parse(ACCEPT, 1).unwrap();
        assert_eq!(line.command.name(), "accept");
        assert_eq!(line.command.stream_id().as_str(), "ticket-SD-1001");
        let again = ScriptLine::parse(&line.to_json().unwrap(), 1).unwrap();
        assert_eq!(again, line);
    }

    #[test]
    fn bad_lines_name_the_line_and_the_problem() {
        let cases = [
            ("{", "line 3"),
            (
                &ACCEPT.replace("ticket-SD-1001", "invoice-X-1"),
                "not a ticket-, order- or delivery- stream",
            ),
            (
                &ACCEPT.replace("ticket-SD-1001", "ticket-../x"),
                "not a ticket-",
            ),
            (
                &ACCEPT.replace("\"accept\"", "\"fly\""),
                "not a valid ticket command",
            ),
        ];
        for (text, expected) in cases {
            let err = ScriptLine::parse(text, 3).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn scripts_must_run_in_time_order() {
        let later = ACCEPT.replace("08:00", "09:00");
        let text = format!("# a comment\n{later}\n\n{ACCEPT}\n");
        let err = ScriptLine::parse_all(&text).unwrap_err().to_string();
        assert!(err.contains("line 4"), "{err}");
    }
}
