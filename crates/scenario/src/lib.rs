//! # Ticketflow scenario generator
//!
//! Generates months of service-desk activity for any number of customers as a *script*: a
//! time-ordered list of [`ScriptLine`]s, each a command addressed to a ticket, customisation
//! order or delivery, with the actor issuing it and its business time. The same
//! [`ScenarioConfig`] always gives the same script, byte for byte, so tests, demo data and
//! benchmarks can rely on it.
//!
//! ```
//! use ticketflow_scenario::{ScenarioConfig, generate, to_json_lines};
//!
//! let config = ScenarioConfig::small();
//! let script = generate(&config);
//! assert!(script.windows(2).all(|w| w[0].at <= w[1].at));
//! assert_eq!(to_json_lines(&script)?, to_json_lines(&generate(&config))?);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! ## What is simulated
//!
//! * **Customers** ([`cast`]): organisations in the DACH or International region, with or
//!   without an extended support budget, their own codeline and a test environment, hosted by
//!   the vendor (Dedicated Cloud with staging, or patch-managed without) or by themselves or a
//!   third party; 2–4 contacts each. The first four customers cover every combination the
//!   stories need; the rest are drawn at random.
//! * **Tickets** arrive per customer as a Poisson process (exponential gaps, mean
//!   `30.4 / tickets_per_customer_per_month` days). Each is a Software Defect (22 %),
//!   Non-Software Defect (18 %), Consulting Request (15 %), Support Request (22 %), Suggestion
//!   (8 %) or Customisation (7 %), opened from the portal or (40 % of requests) by email, in
//!   office hours — except P1/P2 outages, which come at night and on weekends.
//! * Every kind has **variants** for the paths of `domain.md` §2.4: reproduction and a fix
//!   with a patch version or `CUSTOM`, a fix moved to the next patch, development's
//!   clarification, "no defect" with reclassification, misconfiguration reopened; P1/P2 at
//!   night with escalations; consulting answered directly, forwarded to Technical or Managed
//!   Services (after sales records a budget if needed), or with a `CUSTOM` configuration
//!   delivery; suggestions forwarded to product management; customisations estimated and
//!   ordered, declined or left to expire. The first stories of each kind take every variant
//!   once, in turn, so all paths occur early enough for their timers to fire; later stories
//!   draw variants with fixed weights. Around the work runs the conversation: public and
//!   internal comments, attachments, notification choices, sharing, confidentiality, efforts
//!   booked by the departments, escalations.
//! * **Waiting** is how timers appear: clarifications left unanswered (reminders at 10, 20,
//!   30 days, close at 40), resolved tickets nobody confirms (close after 50 days), estimates
//!   nobody orders (close after 16 weeks). Timers are not in the script — the engine's
//!   scheduler fires them; stories never act on a ticket after one of its timers could have
//!   closed it.
//! * **Deliveries**: every customer gets a patch delivery about every three
//!   weeks through the whole preparation phase and its delivery path. Support includes
//!   patch-version fixes explicitly; `CUSTOM` fixes are left to the engine's delivery process
//!   manager (it includes them in the customer's delivery that still accepts changes), and so
//!   is moving included tickets on when a delivery goes out: the script never issues
//!   `record_delivery`.
//! * **Customisation orders** of both kinds through all four phases, with a missed approval
//!   and rescheduling, a requirements change and re-order, a late hand-over, a delay, a failed
//!   verification, test then production delivery, set-up tasks, a defect found after
//!   delivery, and the close with booked hours.
//!
//! ## Randomness and determinism
//!
//! All randomness comes from one SplitMix64 stream seeded with [`ScenarioConfig::seed`]
//! ([`random`]), written out in this crate rather than taken from `rand`, whose `StdRng`
//! does not promise the same numbers across versions. Each customer and each story gets a
//! forked sub-stream. Keys are renumbered by first appearance at the end, so `SD-1001`,
//! `SD-1002`, … (tickets and deliveries share the sequence) and `CO-1`, … follow the order of
//! creation.
//!
//! ## Validity
//!
//! [`replay::replay`] runs a script through the pure aggregates with the scheduler's timers
//! and the delivery process manager simulated; the tests assert that every scripted command
//! of the default scenario is accepted under `DeskConfig::default()` and that the histories
//! contain every ticket, order and delivery event type.

pub mod cast;
pub mod config;
pub mod random;
pub mod replay;

mod activity;
mod clock;
mod deliveries;
mod numbering;
mod stories;

use std::io::Write;

use chrono::Duration;
pub use config::ScenarioConfig;
pub use ticketflow_domain::script::ScriptLine;

use crate::activity::Activity;
use crate::cast::Customer;
use crate::deliveries::DeliveryCalendar;
use crate::random::SplitMix64;
use crate::stories::Kind;

/// Mean length of a month in days, for the arrival rate.
const DAYS_PER_MONTH: f64 = 30.44;

/// Generates the scenario described by `config`: a time-ordered script.
pub fn generate(config: &ScenarioConfig) -> Vec<ScriptLine> {
    let mut root = SplitMix64::new(config.seed);
    let mut customer_rng = root.fork();
    let customers: Vec<Customer> = (0..config.customers)
        .map(|i| Customer::generate(i, &mut customer_rng.fork()))
        .collect();
    let end = config.end();
    let mut activity = Activity::new(root.fork(), customers, end);
    activity.deliveries = DeliveryCalendar::plan(&mut activity, config.start, end);

    // Arrivals: a Poisson process per customer, then all in time order.
    let mut arrivals: Vec<(f64, usize, Kind)> = Vec::new();
    let total_days = (end - config.start).num_seconds() as f64 / 86_400.0;
    let rate = config.tickets_per_customer_per_month.max(0.0);
    if rate > 0.0 {
        let mean_gap = DAYS_PER_MONTH / rate;
        let weights: Vec<f64> = Kind::WEIGHTS.iter().map(|(_, w)| *w).collect();
        for customer in 0..config.customers {
            let mut rng = root.fork();
            let mut day = rng.exponential(mean_gap);
            while day < total_days {
                let kind = Kind::WEIGHTS[rng.weighted(&weights)].0;
                arrivals.push((day, customer, kind));
                day += rng.exponential(mean_gap);
            }
        }
    }
    arrivals.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut story_rng = root.fork();
    for (day, customer, kind) in arrivals {
        activity.rng = story_rng.fork();
        let date = (config.start + Duration::seconds((day * 86_400.0) as i64)).date_naive();
        stories::tell(&mut activity, customer, kind, date);
    }
    let calendar = std::mem::take(&mut activity.deliveries);
    calendar.write(&mut activity);
    let mut lines = activity.finish();
    numbering::renumber(&mut lines);
    lines
}

/// Why a script could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A line could not be encoded (a bug: every generated command encodes).
    #[error("could not encode script line {line} as JSON: {source}")]
    Encode {
        /// 1-based line number.
        line: usize,
        /// The encoder's error.
        source: serde_json::Error,
    },
    /// The output could not be written.
    #[error("could not write the script: {0}; check the output path and free space")]
    Io(#[from] std::io::Error),
}

/// The script as JSON lines (one object a line, each ending in `\n`), the format
/// `ScriptLine::parse_all` reads.
pub fn to_json_lines(lines: &[ScriptLine]) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for line in lines {
        out.push_str(&line.to_json()?);
        out.push('\n');
    }
    Ok(out)
}

/// Writes the script as JSON lines to `out`.
pub fn write_json_lines(lines: &[ScriptLine], out: &mut impl Write) -> Result<(), WriteError> {
    for (i, line) in lines.iter().enumerate() {
        let json = line.to_json().map_err(|source| WriteError::Encode {
            line: i + 1,
            source,
        })?;
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
