//! The SLA read model (domain.md §2.7): per ticket, the reaction clock and every restoration
//! cycle with target, elapsed, remaining, paused time, at risk and breached; across tickets,
//! counts, breach rates and reaction/restoration distributions per customer, priority and
//! month; and a what-if mode that scores the same histories under another policy book.
//!
//! The read model stores only each ticket's SLA facts
//! ([`facts_of_ticket`] of its events) and scores
//! them on demand with the domain's [`evaluate`], at the
//! `now` the caller passes — the SLA of an open ticket changes with time, not with events, and
//! a read model never reads a clock. Scoring uses the policy book that was in force at the
//! ticket's receipt ([`PolicyHistory`]).

mod policy_history;
mod statistics;

pub use policy_history::{EmptyPolicyHistory, PolicyHistory, PolicyVersion};
pub use statistics::{Distribution, SlaFilter, SlaGrouping, SlaStatistics};

use serde::{Deserialize, Serialize};
use ticketflow_domain::DeskConfig;
use ticketflow_domain::calendar::RegionCalendars;
use ticketflow_domain::sla::{SlaFact, SlaPolicyBook, SlaReport, evaluate, facts_of_ticket};
use ticketflow_events::ticket::{TicketEvent, TicketStatus, TicketType};
use ticketflow_events::{AnyEvent, OrganisationId, RecordedEvent, TicketKey, Timestamp};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, snapshot};

/// What the read model keeps of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TicketFacts {
    organisation: OrganisationId,
    ticket_type: TicketType,
    status: TicketStatus,
    received_at: Timestamp,
    facts: Vec<SlaFact>,
}

/// The SLA of one ticket at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSla {
    /// The ticket.
    pub ticket: TicketKey,
    /// The customer.
    pub organisation: OrganisationId,
    /// The ticket's current type.
    pub ticket_type: TicketType,
    /// The ticket's current status.
    pub status: TicketStatus,
    /// When the ticket was received.
    pub received_at: Timestamp,
    /// Clocks, targets, elapsed, remaining, at risk, breached — per cycle.
    pub report: SlaReport,
}

/// The SLA read model.
#[derive(Debug)]
pub struct SlaOverview {
    tickets: Map<TicketKey, TicketFacts>,
    policies: PolicyHistory,
    calendars: RegionCalendars,
}

/// Which policy scores a ticket.
#[derive(Clone, Copy)]
enum Scoring<'a> {
    /// The book in force at the ticket's receipt.
    AsRecorded,
    /// One book for every ticket (what-if).
    Under(&'a SlaPolicyBook),
}

impl SlaOverview {
    /// The stable name.
    pub const NAME: &'static str = "sla";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// A read model scoring every ticket under the desk's SLA policy book and calendars.
    pub fn new(config: &DeskConfig) -> Self {
        Self::with_policy_history(
            PolicyHistory::single(config.sla.clone()),
            config.calendars.clone(),
        )
    }

    /// A read model scoring each ticket under the book in force at its receipt.
    pub fn with_policy_history(policies: PolicyHistory, calendars: RegionCalendars) -> Self {
        SlaOverview {
            tickets: Map::default(),
            policies,
            calendars,
        }
    }

    /// The policy books this read model scores with.
    pub fn policy_history(&self) -> &PolicyHistory {
        &self.policies
    }

    fn score(
        &self,
        key: &TicketKey,
        t: &TicketFacts,
        scoring: Scoring<'_>,
        now: Timestamp,
    ) -> TicketSla {
        let book = match scoring {
            Scoring::AsRecorded => self.policies.book_at(t.received_at),
            Scoring::Under(book) => book,
        };
        let policy = book.policy_for(&t.organisation);
        TicketSla {
            ticket: key.clone(),
            organisation: t.organisation.clone(),
            ticket_type: t.ticket_type,
            status: t.status,
            received_at: t.received_at,
            report: evaluate(&t.facts, &policy, &self.calendars, now),
        }
    }

    fn one(&self, key: &TicketKey, scoring: Scoring<'_>, now: Timestamp) -> Option<TicketSla> {
        self.tickets
            .get(key)
            .map(|t| self.score(key, t.value(), scoring, now))
    }

    fn all(&self, filter: &SlaFilter, scoring: Scoring<'_>, now: Timestamp) -> Vec<TicketSla> {
        let mut out: Vec<TicketSla> = self
            .tickets
            .iter()
            .filter(|t| t.received_at <= now)
            .map(|t| self.score(t.key(), t.value(), scoring, now))
            .filter(|t| t.report.applicable && filter.accepts(t))
            .collect();
        out.sort_by(|a, b| a.ticket.cmp(&b.ticket));
        out
    }

    /// The SLA of one ticket at `now` (also for tickets the SLA does not apply to: see
    /// [`SlaReport::applicable`]).
    pub fn ticket(&self, key: &TicketKey, now: Timestamp) -> Option<TicketSla> {
        self.one(key, Scoring::AsRecorded, now)
    }

    /// Every ticket the SLA applies to that matches `filter`, by key.
    pub fn tickets(&self, filter: &SlaFilter, now: Timestamp) -> Vec<TicketSla> {
        self.all(filter, Scoring::AsRecorded, now)
    }

    /// Tickets with a running clock at risk at `now`.
    pub fn at_risk(&self, now: Timestamp) -> Vec<TicketSla> {
        let mut v = self.tickets(&SlaFilter::default(), now);
        v.retain(|t| t.report.is_at_risk());
        v
    }

    /// Tickets with a breached clock at `now`.
    pub fn breached(&self, now: Timestamp) -> Vec<TicketSla> {
        let mut v = self.tickets(&SlaFilter::default(), now);
        v.retain(|t| t.report.is_breached());
        v
    }

    /// Counts, breach rate and distributions of the matching tickets, grouped.
    pub fn statistics(
        &self,
        filter: &SlaFilter,
        grouping: SlaGrouping,
        now: Timestamp,
    ) -> Vec<SlaStatistics> {
        statistics::statistics(&self.tickets(filter, now), grouping)
    }

    /// Scores the same stored histories under another policy book, for every ticket
    /// whatever its receipt; the read model's own policies are not touched.
    pub fn what_if<'a>(&'a self, book: &'a SlaPolicyBook) -> SlaWhatIf<'a> {
        SlaWhatIf { model: self, book }
    }
}

/// The SLA under a hypothetical policy book (see [`SlaOverview::what_if`]).
pub struct SlaWhatIf<'a> {
    model: &'a SlaOverview,
    book: &'a SlaPolicyBook,
}

impl SlaWhatIf<'_> {
    /// One ticket under the hypothetical book.
    pub fn ticket(&self, key: &TicketKey, now: Timestamp) -> Option<TicketSla> {
        self.model.one(key, Scoring::Under(self.book), now)
    }

    /// Every matching ticket under the hypothetical book.
    pub fn tickets(&self, filter: &SlaFilter, now: Timestamp) -> Vec<TicketSla> {
        self.model.all(filter, Scoring::Under(self.book), now)
    }

    /// Grouped figures under the hypothetical book.
    pub fn statistics(
        &self,
        filter: &SlaFilter,
        grouping: SlaGrouping,
        now: Timestamp,
    ) -> Vec<SlaStatistics> {
        statistics::statistics(&self.tickets(filter, now), grouping)
    }
}

impl ReadModel for SlaOverview {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn version(&self) -> u32 {
        Self::VERSION
    }

    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent) {
        apply_by_fold(self, envelope, event);
    }

    fn fold(&self, decoded: &Decoded<'_>) {
        let AnyEvent::Ticket(event) = decoded.event else {
            return;
        };
        let Some(key) = decoded.ticket_key() else {
            return;
        };
        let facts = facts_of_ticket(std::iter::once(event));
        if let TicketEvent::TicketOpened(e) = event {
            self.tickets.insert(
                key.clone(),
                TicketFacts {
                    organisation: e.organisation.clone(),
                    ticket_type: e.ticket_type,
                    status: TicketStatus::Open,
                    received_at: e.at,
                    facts,
                },
            );
            return;
        }
        let Some(mut t) = self.tickets.get_mut(key) else {
            return;
        };
        t.facts.extend(facts);
        match event {
            TicketEvent::TicketClassified(e) => t.ticket_type = e.to,
            TicketEvent::TicketReclassified(e) => t.ticket_type = e.to,
            TicketEvent::TicketStatusChanged(e) => t.status = e.to,
            _ => {}
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        snapshot::write(Self::NAME, Self::VERSION, &snapshot::sorted(&self.tickets))
    }

    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let entries = snapshot::read(Self::NAME, Self::VERSION, bytes)?;
        snapshot::refill(&self.tickets, entries);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
