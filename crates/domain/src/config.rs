//! Configuration of the desk: everything the seeds mark as a default is data here.

use serde::{Deserialize, Serialize};

use crate::calendar::RegionCalendars;
use crate::order::OrderPolicy;
use crate::sla::SlaPolicyBook;
use crate::ticket::TicketPolicy;

/// The configuration a decision or an SLA evaluation may consult.
///
/// `DeskConfig::default()` is the documented default of `domain.md`: the timer lengths of
/// §2.5, the order deadlines of §3 (10 / 3 / 2 working days, 7 days to earliest delivery), the
/// shipped public holidays of each region and the SLA table of §2.7. Every field can be
/// overridden from a configuration file; a field left out keeps its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskConfig {
    /// Ticket timers and rules.
    pub ticket: TicketPolicy,
    /// Customisation order deadlines.
    pub order: OrderPolicy,
    /// Working-day calendars per region (public holidays).
    pub calendars: RegionCalendars,
    /// SLA targets per priority, with per-contract overrides.
    pub sla: SlaPolicyBook,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            ticket: TicketPolicy::default(),
            order: OrderPolicy::default(),
            calendars: RegionCalendars::standard(),
            sla: SlaPolicyBook::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_desk_knows_the_regional_holidays() {
        let config = DeskConfig::default();
        let christmas = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(
            !config
                .calendars
                .get(ticketflow_events::Region::Dach)
                .is_working_day(christmas)
        );
    }

    #[test]
    fn a_partial_configuration_file_keeps_the_other_defaults() {
        let config: DeskConfig = serde_json::from_str(r#"{"calendars": {}}"#).unwrap();
        assert_eq!(config.ticket, TicketPolicy::default());
        assert!(config.calendars.0.is_empty());
    }
}
