//! The portal's ticket list (issue 4, item 5): a customer contact sees their own tickets, their
//! organisation's shared tickets, or both; everyone can filter by status and type and search
//! by keyword; the newest update comes first, a page at a time.
//!
//! # Who sees what (domain.md §1)
//! * A customer contact sees tickets of their own organisation that they created, or that are
//!   shared with the organisation. A confidential ticket is seen only by its creator.
//! * Support agents see every ticket; a confidential one only if it belongs to their region.
//! * Auditors and the engine itself see everything; an integrator sees confidential tickets
//!   only if its scope allows confidential text.
//! * Other departments (business consulting, technical and managed services, product
//!   management, sales) and operators see every ticket that is not confidential.
//!
//! # Keyword search
//! The query text is split into tokens (letters and digits; everything else separates them),
//! and a ticket matches when every token occurs, case-insensitively, in its key, summary,
//! description or customer reference. Simple and predictable rather than ranked.

use serde::{Deserialize, Serialize};
use ticketflow_events::ticket::{
    EscalationLevel, Priority, SharedWith, TicketEvent, TicketStatus, TicketType,
};
use ticketflow_events::{
    Actor, AnyEvent, OrganisationId, RecordedEvent, Region, Role, TicketKey, Timestamp,
};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, snapshot};

/// One line of the ticket list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    /// The ticket's key.
    pub key: TicketKey,
    /// Current type.
    pub ticket_type: TicketType,
    /// Current status.
    pub status: TicketStatus,
    /// The customer organisation.
    pub organisation: OrganisationId,
    /// The region whose agents handle it.
    pub region: Region,
    /// Who created it.
    pub creator: String,
    /// Who besides the creator sees it.
    pub shared_with: SharedWith,
    /// Whether personal data is confidential.
    pub confidential: bool,
    /// One-line summary.
    pub summary: String,
    /// The customer's own reference.
    pub customer_reference: Option<String>,
    /// A defect's priority.
    pub priority: Option<Priority>,
    /// The highest escalation level reached.
    pub escalation: Option<EscalationLevel>,
    /// How many comments (public and internal) were written.
    pub comments: u32,
    /// When the ticket was received.
    pub opened_at: Timestamp,
    /// Business time of the latest change.
    pub updated_at: Timestamp,
    /// Global position of the latest change (breaks ties between equal update times).
    pub updated_position: u64,
}

/// Lower-cased searchable text kept beside a summary so a search does not re-lower every
/// description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Row {
    summary: TicketSummary,
    description: String,
    search_text: String,
}

impl Row {
    fn refresh_search_text(&mut self) {
        let s = &self.summary;
        self.search_text = format!(
            "{} {} {} {}",
            s.key,
            s.summary,
            self.description,
            s.customer_reference.as_deref().unwrap_or("")
        )
        .to_lowercase();
    }
}

/// Which of a customer contact's tickets to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Tickets the contact created.
    Mine,
    /// Tickets of the contact's organisation shared with it, created by someone else.
    Organisation,
    /// Both.
    #[default]
    Both,
}

/// What to list. Empty filters accept everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketQuery {
    /// For customer contacts: mine, my organisation's, or both. Ignored for vendor staff.
    pub scope: Scope,
    /// For vendor staff: only this organisation's tickets.
    pub organisation: Option<OrganisationId>,
    /// Only tickets in one of these statuses.
    pub statuses: Vec<TicketStatus>,
    /// Only tickets of one of these types.
    pub types: Vec<TicketType>,
    /// Keywords; every one must occur (see the module documentation).
    pub text: Option<String>,
    /// How many matching tickets to skip.
    pub offset: usize,
    /// How many to return at most; 0 means the default page size.
    pub limit: usize,
}

impl TicketQuery {
    /// Page size when the query does not set one.
    pub const DEFAULT_LIMIT: usize = 50;
    /// The largest page a query may ask for.
    pub const MAX_LIMIT: usize = 500;
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPage {
    /// How many tickets match in total.
    pub total: usize,
    /// The matching tickets of this page, newest update first.
    pub tickets: Vec<TicketSummary>,
}

/// The ticket overview read model.
#[derive(Debug, Default)]
pub struct TicketOverview {
    rows: Map<TicketKey, Row>,
}

/// Whether `viewer` may see a ticket at all (domain.md §1, see the module documentation).
pub fn may_see(viewer: &Actor, ticket: &TicketSummary) -> bool {
    match &viewer.role {
        Role::Customer { organisation } => {
            let own = viewer.id == ticket.creator;
            *organisation == ticket.organisation
                && (own || (ticket.shared_with == SharedWith::Organisation && !ticket.confidential))
        }
        Role::SupportAgent { region } => !ticket.confidential || *region == ticket.region,
        Role::Auditor | Role::System => true,
        Role::Integrator { confidential_text } => !ticket.confidential || *confidential_text,
        Role::BusinessConsultant
        | Role::TechnicalServices
        | Role::ManagedServices
        | Role::ProductManagement
        | Role::Sales
        | Role::Operator => !ticket.confidential,
    }
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl TicketOverview {
    /// The stable name.
    pub const NAME: &'static str = "ticket-overview";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// An empty read model.
    pub fn new() -> Self {
        Self::default()
    }

    /// One ticket, if it exists and `viewer` may see it.
    pub fn get(&self, viewer: &Actor, key: &TicketKey) -> Option<TicketSummary> {
        self.rows
            .get(key)
            .map(|r| r.summary.clone())
            .filter(|s| may_see(viewer, s))
    }

    /// The tickets `viewer` may see that match `query`, newest update first, one page.
    pub fn list(&self, viewer: &Actor, query: &TicketQuery) -> TicketPage {
        let words = query.text.as_deref().map(tokens).unwrap_or_default();
        let mut matching: Vec<TicketSummary> = self
            .rows
            .iter()
            .filter(|r| {
                let s = &r.summary;
                may_see(viewer, s)
                    && in_scope(viewer, query, s)
                    && (query.statuses.is_empty() || query.statuses.contains(&s.status))
                    && (query.types.is_empty() || query.types.contains(&s.ticket_type))
                    && words.iter().all(|w| r.search_text.contains(w.as_str()))
            })
            .map(|r| r.summary.clone())
            .collect();
        matching.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then(b.updated_position.cmp(&a.updated_position))
        });
        let limit = match query.limit {
            0 => TicketQuery::DEFAULT_LIMIT,
            n => n.min(TicketQuery::MAX_LIMIT),
        };
        TicketPage {
            total: matching.len(),
            tickets: matching
                .into_iter()
                .skip(query.offset)
                .take(limit)
                .collect(),
        }
    }

    /// How many tickets the read model holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no ticket was opened yet.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn in_scope(viewer: &Actor, query: &TicketQuery, s: &TicketSummary) -> bool {
    match &viewer.role {
        Role::Customer { .. } => {
            let mine = viewer.id == s.creator;
            match query.scope {
                Scope::Mine => mine,
                Scope::Organisation => !mine,
                Scope::Both => true,
            }
        }
        _ => query
            .organisation
            .as_ref()
            .is_none_or(|o| *o == s.organisation),
    }
}

impl ReadModel for TicketOverview {
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
        let envelope = decoded.envelope;
        let at = event.at();
        if let TicketEvent::TicketOpened(e) = event {
            let mut row = Row {
                summary: TicketSummary {
                    key: key.clone(),
                    ticket_type: e.ticket_type,
                    status: TicketStatus::Open,
                    organisation: e.organisation.clone(),
                    region: e.region,
                    creator: e.creator.clone(),
                    shared_with: e.shared_with,
                    confidential: e.confidential,
                    summary: e.summary.clone(),
                    customer_reference: e.customer_reference.clone(),
                    priority: None,
                    escalation: None,
                    comments: 0,
                    opened_at: at,
                    updated_at: at,
                    updated_position: envelope.global_position,
                },
                description: e.description.clone(),
                search_text: String::new(),
            };
            row.refresh_search_text();
            self.rows.insert(key.clone(), row);
            return;
        }
        let Some(mut row) = self.rows.get_mut(key) else {
            return;
        };
        let s = &mut row.summary;
        match event {
            TicketEvent::TicketClassified(e) => s.ticket_type = e.to,
            TicketEvent::TicketReclassified(e) => s.ticket_type = e.to,
            TicketEvent::TicketPrioritised(e) => s.priority = Some(e.to),
            TicketEvent::TicketPriorityCleared(_) => s.priority = None,
            TicketEvent::TicketStatusChanged(e) => s.status = e.to,
            TicketEvent::TicketSharingChanged(e) => s.shared_with = e.shared_with,
            TicketEvent::TicketConfidentialityChanged(e) => {
                s.confidential = e.confidential;
                s.region = e.region;
            }
            TicketEvent::TicketEscalated(e) => {
                s.escalation = Some(s.escalation.map_or(e.level, |l| l.max(e.level)));
            }
            TicketEvent::TicketCommented(_) => s.comments += 1,
            _ => {}
        }
        // Bookkeeping that the customer never sees does not count as an update.
        if !matches!(
            event,
            TicketEvent::TicketTimersScheduled(_)
                | TicketEvent::TicketTimersCancelled(_)
                | TicketEvent::TicketSlaNoticeRecorded(_)
        ) {
            s.updated_at = s.updated_at.max(at);
            s.updated_position = envelope.global_position;
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        snapshot::write(Self::NAME, Self::VERSION, &snapshot::sorted(&self.rows))
    }

    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let entries = snapshot::read(Self::NAME, Self::VERSION, bytes)?;
        snapshot::refill(&self.rows, entries);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
