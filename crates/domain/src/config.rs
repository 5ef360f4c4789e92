//! Configuration of the desk: everything the seeds mark as a default is data here.

use serde::{Deserialize, Serialize};

use crate::calendar::RegionCalendars;
use crate::order::OrderPolicy;
use crate::ticket::TicketPolicy;

/// The configuration a decision may consult. `DeskConfig::default()` is the documented
/// default of `domain.md`; every field can be overridden from a configuration file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskConfig {
    /// Ticket timers and rules.
    pub ticket: TicketPolicy,
    /// Customisation order deadlines.
    pub order: OrderPolicy,
    /// Working-day calendars per region.
    pub calendars: RegionCalendars,
}
