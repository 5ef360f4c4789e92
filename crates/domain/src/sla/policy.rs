//! SLA policy as data: targets per priority, the calendar each is measured on, the at-risk
//! threshold and the choices domain.md marks as defaults; a policy book with per-contract
//! overrides, loadable from JSON.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use ticketflow_events::ticket::Priority;
use ticketflow_events::{OrganisationId, Region};

use super::duration::TargetDuration;
use crate::calendar::{BusinessCalendar, CalendarKind, RegionCalendars};

/// The targets of one priority and the calendar they are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargets {
    /// `24x7` or `desk-hours`.
    pub calendar: CalendarKind,
    /// Receipt → acceptance.
    pub reaction: TargetDuration,
    /// Acceptance → restoration.
    pub restoration: TargetDuration,
}

/// Targets for every priority. A struct rather than a map so that no priority can be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityTable {
    /// Critical: environment not reachable or unusable.
    #[serde(rename = "P1")]
    pub p1: PriorityTargets,
    /// Critical: outage of the whole system or essential parts.
    #[serde(rename = "P2")]
    pub p2: PriorityTargets,
    /// Major: reasonable work impossible; a workaround exists.
    #[serde(rename = "P3")]
    pub p3: PriorityTargets,
    /// Minor: little or no impairment.
    #[serde(rename = "P4")]
    pub p4: PriorityTargets,
}

impl PriorityTable {
    /// The targets of a priority.
    pub fn get(&self, priority: Priority) -> &PriorityTargets {
        match priority {
            Priority::P1 => &self.p1,
            Priority::P2 => &self.p2,
            Priority::P3 => &self.p3,
            Priority::P4 => &self.p4,
        }
    }

    fn get_mut(&mut self, priority: Priority) -> &mut PriorityTargets {
        match priority {
            Priority::P1 => &mut self.p1,
            Priority::P2 => &mut self.p2,
            Priority::P3 => &mut self.p3,
            Priority::P4 => &mut self.p4,
        }
    }
}

impl Default for PriorityTable {
    /// The table of domain.md §2.7 **(default)**: P1 24×7 30 min / 4 h, P2 24×7 1 h / 8 h,
    /// P3 desk hours 4 h / 5 days, P4 desk hours 1 day / 20 days (a day = 24 counted hours).
    fn default() -> Self {
        let t = |calendar, reaction, restoration| PriorityTargets {
            calendar,
            reaction,
            restoration,
        };
        PriorityTable {
            p1: t(
                CalendarKind::AroundTheClock,
                TargetDuration::minutes(30),
                TargetDuration::hours(4),
            ),
            p2: t(
                CalendarKind::AroundTheClock,
                TargetDuration::hours(1),
                TargetDuration::hours(8),
            ),
            p3: t(
                CalendarKind::DeskHours,
                TargetDuration::hours(4),
                TargetDuration::days(5),
            ),
            p4: t(
                CalendarKind::DeskHours,
                TargetDuration::days(1),
                TargetDuration::days(20),
            ),
        }
    }
}

/// What ends the restoration clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestoredBy {
    /// The first of "workaround provided" or `Resolved` **(default)**.
    #[default]
    WorkaroundOrResolution,
    /// Only `Resolved`; a workaround does not stop the clock.
    ResolutionOnly,
}

/// The SLA of one contract (or the desk's default): targets, calendars and thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    /// Whose public holidays interrupt desk hours (default DACH).
    pub region: Region,
    /// The contract's time zone: where desk-hour days begin and end (default Europe/Berlin).
    pub time_zone: Tz,
    /// Targets per priority (default: the table of domain.md §2.7).
    pub targets: PriorityTable,
    /// An SLA is at risk from this share of its target on, in percent (default 75).
    pub at_risk_percent: u8,
    /// What restores the service (default: workaround or resolution).
    pub restored_by: RestoredBy,
    /// Restoration pauses while the ticket waits in `Clarification required / On hold`
    /// (default true).
    pub pause_restoration: bool,
    /// Reaction pauses too (default false: the seeds pause only restoration).
    pub pause_reaction: bool,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            region: Region::Dach,
            time_zone: chrono_tz::Europe::Berlin,
            targets: PriorityTable::default(),
            at_risk_percent: 75,
            restored_by: RestoredBy::WorkaroundOrResolution,
            pause_restoration: true,
            pause_reaction: false,
        }
    }
}

impl SlaPolicy {
    /// The business calendar a priority's targets are measured on under this contract.
    pub fn calendar_for(
        &self,
        priority: Priority,
        calendars: &RegionCalendars,
    ) -> BusinessCalendar {
        self.calendar_of_kind(self.targets.get(priority).calendar, calendars)
    }

    /// The business calendar of a kind under this contract (time zone and region).
    pub fn calendar_of_kind(
        &self,
        kind: CalendarKind,
        calendars: &RegionCalendars,
    ) -> BusinessCalendar {
        match kind {
            CalendarKind::AroundTheClock => BusinessCalendar::AroundTheClock,
            CalendarKind::DeskHours => {
                BusinessCalendar::desk_hours(self.time_zone, calendars.get(self.region))
            }
        }
    }

    /// Checks the values a file may get wrong.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(1..=100).contains(&self.at_risk_percent) {
            return Err(PolicyError::AtRiskPercent {
                value: self.at_risk_percent,
            });
        }
        Ok(())
    }
}

/// A contract's deviations from the book's default policy; every field is optional and a
/// missing one inherits the default policy's value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyOverride {
    /// Region whose holidays apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Contract time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Tz>,
    /// Targets per priority; only the fields given are replaced.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub targets: BTreeMap<Priority, TargetsOverride>,
    /// At-risk threshold in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_risk_percent: Option<u8>,
    /// What restores the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restored_by: Option<RestoredBy>,
    /// Whether restoration pauses while waiting for the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_restoration: Option<bool>,
    /// Whether reaction pauses while waiting for the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_reaction: Option<bool>,
}

/// A contract's deviations for one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetsOverride {
    /// Calendar kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarKind>,
    /// Reaction target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction: Option<TargetDuration>,
    /// Restoration target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restoration: Option<TargetDuration>,
}

impl PolicyOverride {
    /// The policy this override yields on top of `base`.
    pub fn apply_to(&self, base: &SlaPolicy) -> SlaPolicy {
        let mut policy = base.clone();
        if let Some(region) = self.region {
            policy.region = region;
        }
        if let Some(tz) = self.time_zone {
            policy.time_zone = tz;
        }
        for (&priority, o) in &self.targets {
            let t = policy.targets.get_mut(priority);
            if let Some(calendar) = o.calendar {
                t.calendar = calendar;
            }
            if let Some(reaction) = o.reaction {
                t.reaction = reaction;
            }
            if let Some(restoration) = o.restoration {
                t.restoration = restoration;
            }
        }
        if let Some(p) = self.at_risk_percent {
            policy.at_risk_percent = p;
        }
        if let Some(r) = self.restored_by {
            policy.restored_by = r;
        }
        if let Some(p) = self.pause_restoration {
            policy.pause_restoration = p;
        }
        if let Some(p) = self.pause_reaction {
            policy.pause_reaction = p;
        }
        policy
    }
}

/// Every contract's SLA: the desk's default policy and per-customer-organisation overrides.
///
/// As JSON:
/// ```json
/// { "default": { "time_zone": "Europe/Berlin" },
///   "contracts": { "acme": { "region": "international", "time_zone": "Europe/London",
///                            "targets": { "P1": { "reaction": "15min" } } } } }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicyBook {
    /// The policy of every organisation without a contract entry (default: domain.md §2.7).
    pub default: SlaPolicy,
    /// Per customer organisation, what its contract changes.
    pub contracts: BTreeMap<OrganisationId, PolicyOverride>,
}

/// Why a policy book could not be loaded.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// The JSON text is not a valid policy book.
    #[error("the SLA policy file is not valid: {0} (see docs/sla.md for the format)")]
    Json(#[from] serde_json::Error),
    /// The at-risk threshold is outside 1–100.
    #[error("`at_risk_percent` is {value}; it must be a percentage between 1 and 100")]
    AtRiskPercent {
        /// The value given.
        value: u8,
    },
    /// A contract's resulting policy is invalid.
    #[error("the SLA contract of `{organisation}` is invalid: {source}")]
    Contract {
        /// The organisation.
        organisation: OrganisationId,
        /// What is wrong.
        #[source]
        source: Box<PolicyError>,
    },
}

impl SlaPolicyBook {
    /// Reads and validates a policy book from JSON.
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let book: SlaPolicyBook = serde_json::from_str(text)?;
        book.validate()?;
        Ok(book)
    }

    /// Checks the default policy and every contract.
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.default.validate()?;
        for (organisation, o) in &self.contracts {
            o.apply_to(&self.default)
                .validate()
                .map_err(|e| PolicyError::Contract {
                    organisation: organisation.clone(),
                    source: Box::new(e),
                })?;
        }
        Ok(())
    }

    /// The SLA state of a ticket of a customer organisation at `now`, under its contract's
    /// policy ([`evaluate`](super::evaluate) with [`policy_for`](Self::policy_for)).
    pub fn evaluate(
        &self,
        organisation: &OrganisationId,
        facts: &[super::SlaFact],
        calendars: &RegionCalendars,
        now: ticketflow_events::Timestamp,
    ) -> super::SlaReport {
        super::evaluate(facts, &self.policy_for(organisation), calendars, now)
    }

    /// The policy of a customer organisation's contract (the default if it has none).
    pub fn policy_for(&self, organisation: &OrganisationId) -> SlaPolicy {
        match self.contracts.get(organisation) {
            Some(o) => o.apply_to(&self.default),
            None => self.default.clone(),
        }
    }
}
