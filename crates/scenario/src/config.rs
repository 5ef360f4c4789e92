//! What to generate: seed, size, period and intensity.

use chrono::{TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ticketflow_events::Timestamp;

/// The parameters of a scenario. The same configuration always gives the same script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioConfig {
    /// Seeds every random choice (see the crate docs for the generator used).
    pub seed: u64,
    /// Number of customer organisations.
    pub customers: usize,
    /// Length of the scenario in calendar months from `start`; nothing is scripted after it.
    pub months: u32,
    /// When the scenario starts (the first tickets arrive on the first days after it).
    pub start: Timestamp,
    /// Mean number of new tickets per customer and month (a Poisson process per customer).
    pub tickets_per_customer_per_month: f64,
}

impl Default for ScenarioConfig {
    /// 20 customers over 6 months from Monday 2026-01-05, 12 tickets per customer and month,
    /// seed 42: about 1,300 tickets, 13,000 script lines and 23,000 events, with every
    /// ticket, order and delivery event type.
    fn default() -> Self {
        ScenarioConfig {
            seed: 42,
            customers: 20,
            months: 6,
            start: Utc
                .with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            tickets_per_customer_per_month: 12.0,
        }
    }
}

impl ScenarioConfig {
    /// The benchmark preset: 200 customers over 12 months (about 29,000 tickets, 300,000
    /// script lines and 530,000 events).
    pub fn large() -> Self {
        ScenarioConfig {
            customers: 200,
            months: 12,
            ..ScenarioConfig::default()
        }
    }

    /// A small preset for quick tests and demos: 4 customers over 3 months.
    pub fn small() -> Self {
        ScenarioConfig {
            customers: 4,
            months: 3,
            tickets_per_customer_per_month: 6.0,
            ..ScenarioConfig::default()
        }
    }

    /// The same configuration with another seed.
    pub fn with_seed(self, seed: u64) -> Self {
        ScenarioConfig { seed, ..self }
    }

    /// The scenario's end: `start` plus `months` calendar months.
    pub fn end(&self) -> Timestamp {
        self.start
            .checked_add_months(chrono::Months::new(self.months))
            .unwrap_or(self.start)
    }
}
