//! The ticket aggregate. (Placeholder, to be completed.)

use serde::{Deserialize, Serialize};

/// Ticket timers and rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TicketPolicy {}
