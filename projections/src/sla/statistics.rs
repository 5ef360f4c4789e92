//! SLA figures over many tickets: counts, breach rate, and the reaction and restoration
//! distributions (p50, p90), grouped by customer, priority and period.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ticketflow_domain::sla::ClockState;
use ticketflow_events::OrganisationId;
use ticketflow_events::ticket::Priority;

use super::TicketSla;
use crate::Month;

/// Which tickets to count. Empty fields accept everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaFilter {
    /// Only this customer organisation.
    pub customer: Option<OrganisationId>,
    /// Only tickets with this priority (at the evaluation instant).
    pub priority: Option<Priority>,
    /// Only tickets received in this month or later.
    pub from: Option<Month>,
    /// Only tickets received in this month or earlier.
    pub to: Option<Month>,
}

impl SlaFilter {
    pub(super) fn accepts(&self, t: &TicketSla) -> bool {
        let month = Month::of(t.received_at);
        self.customer.as_ref().is_none_or(|c| *c == t.organisation)
            && self.priority.is_none_or(|p| t.report.priority == Some(p))
            && self.from.is_none_or(|m| month >= m)
            && self.to.is_none_or(|m| month <= m)
    }
}

/// Which dimensions to group by; a dimension left out is summed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaGrouping {
    /// One group per customer organisation.
    pub customer: bool,
    /// One group per priority (at the evaluation instant).
    pub priority: bool,
    /// One group per month of receipt (UTC).
    pub period: bool,
}

impl Default for SlaGrouping {
    /// Group by all three: customer, priority and period.
    fn default() -> Self {
        SlaGrouping {
            customer: true,
            priority: true,
            period: true,
        }
    }
}

/// A distribution of clock durations (business time counted, pauses excluded), in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Distribution {
    /// How many stopped clocks were measured.
    pub count: usize,
    /// The median (nearest rank).
    pub p50_seconds: Option<i64>,
    /// The 90th percentile (nearest rank).
    pub p90_seconds: Option<i64>,
}

impl Distribution {
    fn of(mut seconds: Vec<i64>) -> Self {
        seconds.sort_unstable();
        Distribution {
            count: seconds.len(),
            p50_seconds: nearest_rank(&seconds, 50),
            p90_seconds: nearest_rank(&seconds, 90),
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The SLA figures of one group of tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaStatistics {
    /// The customer, when grouped by customer.
    pub customer: Option<OrganisationId>,
    /// The priority, when grouped by priority (`None` also for tickets without one).
    pub priority: Option<Priority>,
    /// The month of receipt, when grouped by period.
    pub period: Option<Month>,
    /// Tickets the SLA applies to.
    pub tickets: usize,
    /// Of those, tickets with a clock still running or paused.
    pub open: usize,
    /// Tickets with any clock breached.
    pub breached: usize,
    /// Tickets with a running clock at risk.
    pub at_risk: usize,
    /// `breached / tickets` (0 when there are no tickets).
    pub breach_rate: f64,
    /// Reaction times of accepted tickets.
    pub reaction: Distribution,
    /// Restoration times of every restored cycle.
    pub restoration: Distribution,
}

type GroupKey = (Option<OrganisationId>, Option<Priority>, Option<Month>);

/// Groups scored tickets and computes the figures of each group, in key order.
pub(super) fn statistics(tickets: &[TicketSla], grouping: SlaGrouping) -> Vec<SlaStatistics> {
    let mut groups: BTreeMap<GroupKey, Vec<&TicketSla>> = BTreeMap::new();
    for t in tickets {
        let key = (
            grouping.customer.then(|| t.organisation.clone()),
            if grouping.priority {
                t.report.priority
            } else {
                None
            },
            grouping.period.then(|| Month::of(t.received_at)),
        );
        groups.entry(key).or_default().push(t);
    }
    groups
        .into_iter()
        .map(|((customer, priority, period), members)| {
            let breached = members.iter().filter(|t| t.report.is_breached()).count();
            let reaction = members
                .iter()
                .filter_map(|t| t.report.reaction.as_ref())
                .filter(|c| c.state == ClockState::Stopped)
                .map(|c| c.elapsed.num_seconds())
                .collect();
            let restoration = members
                .iter()
                .flat_map(|t| t.report.restoration.iter())
                .filter(|c| c.state == ClockState::Stopped)
                .map(|c| c.elapsed.num_seconds())
                .collect();
            SlaStatistics {
                customer,
                priority,
                period,
                tickets: members.len(),
                open: members
                    .iter()
                    .filter(|t| t.report.clocks().any(|c| c.state != ClockState::Stopped))
                    .count(),
                breached,
                at_risk: members.iter().filter(|t| t.report.is_at_risk()).count(),
                breach_rate: if members.is_empty() {
                    0.0
                } else {
                    breached as f64 / members.len() as f64
                },
                reaction: Distribution::of(reaction),
                restoration: Distribution::of(restoration),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}
