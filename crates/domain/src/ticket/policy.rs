//! Ticket timer lengths and intake limits: configuration with documented defaults.

use serde::{Deserialize, Serialize};

/// Timer lengths (domain.md §2.5, calendar days) and intake limits of tickets.
///
/// `TicketPolicy::default()` is the documented default:
///
/// | setting | default |
/// |---|---|
/// | `resolved_auto_close_days` | 50 |
/// | `clarification_reminder_days` | 10, 20, 30 |
/// | `clarification_auto_close_days` | 40 |
/// | `estimate_valid_weeks` | 16 |
/// | `max_summary_chars` | 255 |
/// | `max_text_chars` | 32 000 |
/// | `max_attachments` | 50 per command |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketPolicy {
    /// A `Resolved` ticket the customer does not answer is closed this many days after it
    /// became `Resolved`.
    pub resolved_auto_close_days: u32,
    /// Days after entering `Clarification required / On hold` (or after the customer's last
    /// comment in it) at which the customer is reminded, in order.
    pub clarification_reminder_days: Vec<u32>,
    /// Days after entering `Clarification required / On hold` (or after the customer's last
    /// comment in it) at which the ticket is closed automatically.
    pub clarification_auto_close_days: u32,
    /// Weeks a customisation estimate stays valid; an unordered ticket is closed after that.
    pub estimate_valid_weeks: u32,
    /// Longest summary accepted, in characters (longer email subjects are cut).
    pub max_summary_chars: usize,
    /// Longest description, comment or note accepted, in characters.
    pub max_text_chars: usize,
    /// Most attachments accepted in one command.
    pub max_attachments: usize,
}

impl Default for TicketPolicy {
    fn default() -> Self {
        Self {
            resolved_auto_close_days: 50,
            clarification_reminder_days: vec![10, 20, 30],
            clarification_auto_close_days: 40,
            estimate_valid_weeks: 16,
            max_summary_chars: 255,
            max_text_chars: 32_000,
            max_attachments: 50,
        }
    }
}
