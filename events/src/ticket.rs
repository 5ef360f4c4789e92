//! Events of the ticket aggregate. (Placeholder vocabulary, to be completed.)

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// A ticket was opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketOpened {
    /// When.
    pub at: Timestamp,
}

crate::payload!(TicketOpened = 1);

crate::event_set! {
    /// Every event of a ticket stream.
    pub enum TicketEvent in "ticket" {
        TicketOpened,
    }
}
