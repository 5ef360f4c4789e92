//! Open escalations by level (domain.md §2.8): which tickets are escalated, to which level,
//! why, by whom and since when. A closed ticket drops out.
//!
//! Escalation levels only go up on a ticket (the ticket refuses an escalation that is not
//! higher), so a ticket's open escalation is its latest one; the earlier steps are kept in
//! [`OpenEscalation::history`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ticketflow_events::ticket::{EscalationLevel, EscalationReason, TicketEvent, TicketStatus};
use ticketflow_events::{AnyEvent, OrganisationId, RecordedEvent, Region, TicketKey, Timestamp};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, snapshot};

/// One step up the escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    /// The level reached.
    pub level: EscalationLevel,
    /// Why.
    pub reason: EscalationReason,
    /// Who escalated.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// A ticket that is escalated and not closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenEscalation {
    /// The ticket.
    pub ticket: TicketKey,
    /// The customer.
    pub organisation: OrganisationId,
    /// The ticket's region (whose team lead is level 2).
    pub region: Region,
    /// The ticket's summary.
    pub summary: String,
    /// The ticket's current status.
    pub status: TicketStatus,
    /// The current level, 1 to 5 via [`EscalationLevel::number`].
    pub level: EscalationLevel,
    /// Why it reached the current level.
    pub reason: EscalationReason,
    /// Since when it is at the current level.
    pub since: Timestamp,
    /// Every step, oldest first.
    pub history: Vec<EscalationStep>,
}

/// Which open escalations to list. Empty fields accept everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EscalationQuery {
    /// Only tickets of this region (level 2 is the region's support team lead).
    pub region: Option<Region>,
    /// Only this customer's tickets.
    pub organisation: Option<OrganisationId>,
    /// Only escalations at this level or higher.
    pub min_level: Option<EscalationLevel>,
}

/// What the read model knows of every ticket, escalated or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TicketFacts {
    organisation: OrganisationId,
    region: Region,
    summary: String,
    status: TicketStatus,
    history: Vec<EscalationStep>,
}

/// The escalations read model.
#[derive(Debug, Default)]
pub struct Escalations {
    tickets: Map<TicketKey, TicketFacts>,
}

impl Escalations {
    /// The stable name.
    pub const NAME: &'static str = "escalations";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// An empty read model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every open escalation, highest level first, then longest waiting first.
    pub fn open(&self) -> Vec<OpenEscalation> {
        let mut out: Vec<OpenEscalation> = self
            .tickets
            .iter()
            .filter_map(|e| open_escalation(e.key(), e.value()))
            .collect();
        out.sort_by(|a, b| {
            b.level
                .cmp(&a.level)
                .then(a.since.cmp(&b.since))
                .then(a.ticket.cmp(&b.ticket))
        });
        out
    }

    /// Open escalations matching `query`, in the order of [`Escalations::open`] — e.g. a team
    /// lead's view: their region, level 2 and up.
    pub fn matching(&self, query: &EscalationQuery) -> Vec<OpenEscalation> {
        let mut v = self.open();
        v.retain(|e| {
            query.region.is_none_or(|r| r == e.region)
                && query
                    .organisation
                    .as_ref()
                    .is_none_or(|o| *o == e.organisation)
                && query.min_level.is_none_or(|l| e.level >= l)
        });
        v
    }

    /// Open escalations grouped by level (only levels with escalations appear).
    pub fn by_level(&self) -> BTreeMap<EscalationLevel, Vec<OpenEscalation>> {
        let mut out: BTreeMap<EscalationLevel, Vec<OpenEscalation>> = BTreeMap::new();
        for e in self.open() {
            out.entry(e.level).or_default().push(e);
        }
        out
    }

    /// The open escalation of one ticket, if it is escalated and not closed.
    pub fn of_ticket(&self, ticket: &TicketKey) -> Option<OpenEscalation> {
        self.tickets
            .get(ticket)
            .and_then(|f| open_escalation(ticket, f.value()))
    }
}

fn open_escalation(ticket: &TicketKey, facts: &TicketFacts) -> Option<OpenEscalation> {
    if facts.status == TicketStatus::Closed {
        return None;
    }
    let last = facts.history.last()?;
    Some(OpenEscalation {
        ticket: ticket.clone(),
        organisation: facts.organisation.clone(),
        region: facts.region,
        summary: facts.summary.clone(),
        status: facts.status,
        level: last.level,
        reason: last.reason,
        since: last.at,
        history: facts.history.clone(),
    })
}

impl ReadModel for Escalations {
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
        if let TicketEvent::TicketOpened(e) = event {
            self.tickets.insert(
                key.clone(),
                TicketFacts {
                    organisation: e.organisation.clone(),
                    region: e.region,
                    summary: e.summary.clone(),
                    status: TicketStatus::Open,
                    history: Vec::new(),
                },
            );
            return;
        }
        let Some(mut facts) = self.tickets.get_mut(key) else {
            return;
        };
        match event {
            TicketEvent::TicketStatusChanged(e) => facts.status = e.to,
            TicketEvent::TicketConfidentialityChanged(e) => facts.region = e.region,
            TicketEvent::TicketEscalated(e) => facts.history.push(EscalationStep {
                level: e.level,
                reason: e.reason,
                by: e.by.clone(),
                at: e.at,
            }),
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_desk::*;
    use chrono::Duration;
    use ticketflow_domain::ticket::TicketCommand;
    use ticketflow_events::ticket::{ResolutionOutcome, SharedWith, TicketType};

    fn escalate(level: EscalationLevel, reason: EscalationReason) -> TicketCommand {
        TicketCommand::Escalate { level, reason }
    }

    #[test]
    fn open_escalations_are_listed_by_level_with_reason_and_since() {
        let mut desk = Desk::new();
        desk.open_incident(&jane(), "SD-1", "Login fails", SharedWith::Organisation);
        desk.open_incident(&john(), "SD-2", "Reports slow", SharedWith::Nobody);
        desk.open_request(&jane(), "SD-3", "Question", SharedWith::Nobody);
        desk.advance(Duration::hours(2));
        desk.ticket(
            &jane(),
            "SD-1",
            escalate(
                EscalationLevel::PersonalContact,
                EscalationReason::ReactionTimeExceeded,
            ),
        );
        let first_at = desk.now;
        desk.advance(Duration::hours(3));
        desk.ticket(
            &john(),
            "SD-2",
            escalate(EscalationLevel::PersonalContact, EscalationReason::Handling),
        );
        desk.advance(Duration::hours(1));
        desk.ticket(
            &jane(),
            "SD-1",
            escalate(
                EscalationLevel::HeadOfSupport,
                EscalationReason::RestorationTimeExceeded,
            ),
        );
        let model = Escalations::new();
        desk.feed(&model);

        let open = model.open();
        assert_eq!(open.len(), 2);
        assert_eq!(open[0].ticket.as_str(), "SD-1");
        assert_eq!(open[0].level.number(), 3);
        assert_eq!(open[0].reason, EscalationReason::RestorationTimeExceeded);
        assert_eq!(open[0].since, desk.now);
        assert_eq!(open[0].history.len(), 2);
        assert_eq!(open[0].history[0].at, first_at);
        assert_eq!(open[1].ticket.as_str(), "SD-2");
        let by_level = model.by_level();
        assert_eq!(by_level.len(), 2);
        assert_eq!(by_level[&EscalationLevel::PersonalContact].len(), 1);
        assert!(model.of_ticket(&"SD-3".parse().unwrap()).is_none());
        let team_lead = EscalationQuery {
            region: Some(Region::Dach),
            min_level: Some(EscalationLevel::TeamLead),
            ..EscalationQuery::default()
        };
        assert_eq!(model.matching(&team_lead).len(), 1);
        let international = EscalationQuery {
            region: Some(Region::International),
            ..EscalationQuery::default()
        };
        assert!(model.matching(&international).is_empty());
    }

    #[test]
    fn a_closed_ticket_drops_out_of_the_escalations() {
        let mut desk = Desk::new();
        desk.open_request(&jane(), "SD-1", "How do I export?", SharedWith::Nobody);
        desk.ticket(
            &jane(),
            "SD-1",
            escalate(EscalationLevel::TeamLead, EscalationReason::Handling),
        );
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::Classify {
                ticket_type: TicketType::SupportRequest,
            },
        );
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::Resolve {
                outcome: ResolutionOutcome::Answered,
                note: "see manual".into(),
                reclassify_as: None,
            },
        );
        let model = Escalations::new();
        desk.feed(&model);
        assert_eq!(model.open().len(), 1, "resolved is not closed");
        desk.ticket(&jane(), "SD-1", TicketCommand::Close { comment: None });
        let model = Escalations::new();
        desk.feed(&model);
        assert!(model.open().is_empty());
    }
}
