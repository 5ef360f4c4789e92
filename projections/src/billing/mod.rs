//! Billing (domain.md §2.10): per customer and month, the efforts to bill, by department and
//! by ticket.
//!
//! Consulting Requests are time and material against the customer's extended support budget:
//! * efforts of the departments involved (technical services, managed services, …) are billed
//!   in the month in which they were **performed** (`performed_on` of the booking);
//! * the support team's own efforts are billed at the end of the month in which the ticket was
//!   **closed** — until then they are deferred ([`Billing::deferred_support`]).
//!
//! Which ticket types are billed this way is configuration ([`BillingPolicy`]); the default is
//! Consulting Requests only. (Break & Fix and IMAC/R/D work, seed 002, is billed the same way
//! once it has a ticket type of its own.) A ticket's *current* type decides: efforts booked
//! on a ticket later reclassified as a free Support Request are not billed. Months are
//! calendar months; the closing month is taken in UTC.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ticketflow_events::ticket::{TicketEvent, TicketType};
use ticketflow_events::{
    AnyEvent, Department, OrganisationId, RecordedEvent, TicketKey, Timestamp,
};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, Month, ReadModel, SnapshotError, snapshot};

/// Which tickets are billed as time and material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingPolicy {
    /// Ticket types whose efforts are billed (default: Consulting Request).
    pub billable_types: Vec<TicketType>,
}

impl Default for BillingPolicy {
    /// Consulting Requests only (domain.md §2.10).
    fn default() -> Self {
        BillingPolicy {
            billable_types: vec![TicketType::ConsultingRequest],
        }
    }
}

/// One booking of effort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Effort {
    department: Department,
    minutes: u32,
    performed_on: NaiveDate,
    booked_at: Timestamp,
    booked_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TicketAccount {
    organisation: OrganisationId,
    ticket_type: TicketType,
    closed_at: Option<Timestamp>,
    efforts: Vec<Effort>,
}

/// Why an effort is billed in the month it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BillingBasis {
    /// A department's effort, billed in the month it was performed.
    MonthPerformed,
    /// The support team's effort, billed in the month the ticket was closed.
    MonthClosed,
}

/// One billed booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingLine {
    /// The ticket.
    pub ticket: TicketKey,
    /// The department that performed it.
    pub department: Department,
    /// Minutes.
    pub minutes: u32,
    /// The day it was performed.
    pub performed_on: NaiveDate,
    /// Who booked it.
    pub booked_by: String,
    /// Why it falls into this month.
    pub basis: BillingBasis,
}

/// What one customer is billed for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyStatement {
    /// The customer.
    pub customer: OrganisationId,
    /// The month.
    pub month: Month,
    /// Every billed booking, by ticket, department and day.
    pub lines: Vec<BillingLine>,
    /// Minutes per department.
    pub by_department: BTreeMap<Department, u64>,
    /// Minutes per ticket.
    pub by_ticket: BTreeMap<TicketKey, u64>,
    /// All minutes.
    pub total_minutes: u64,
}

/// Support effort on a billable ticket that is not closed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredSupport {
    /// The ticket.
    pub ticket: TicketKey,
    /// Support minutes booked so far.
    pub minutes: u64,
}

/// The billing read model.
#[derive(Debug)]
pub struct Billing {
    tickets: Map<TicketKey, TicketAccount>,
    policy: BillingPolicy,
}

impl Default for Billing {
    fn default() -> Self {
        Self::new()
    }
}

impl Billing {
    /// The stable name.
    pub const NAME: &'static str = "billing";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// A read model billing Consulting Requests.
    pub fn new() -> Self {
        Self::with_policy(BillingPolicy::default())
    }

    /// A read model billing the ticket types of `policy`.
    pub fn with_policy(policy: BillingPolicy) -> Self {
        Billing {
            tickets: Map::default(),
            policy,
        }
    }

    fn billable(&self, account: &TicketAccount) -> bool {
        self.policy.billable_types.contains(&account.ticket_type)
    }

    /// The lines of one ticket that fall into `month`.
    fn lines_in(&self, key: &TicketKey, account: &TicketAccount, month: Month) -> Vec<BillingLine> {
        if !self.billable(account) {
            return Vec::new();
        }
        let closed_in = account.closed_at.map(Month::of);
        account
            .efforts
            .iter()
            .filter_map(|e| {
                let basis = if e.department == Department::Support {
                    (closed_in == Some(month)).then_some(BillingBasis::MonthClosed)
                } else {
                    (Month::of_date(e.performed_on) == month)
                        .then_some(BillingBasis::MonthPerformed)
                }?;
                Some(BillingLine {
                    ticket: key.clone(),
                    department: e.department,
                    minutes: e.minutes,
                    performed_on: e.performed_on,
                    booked_by: e.booked_by.clone(),
                    basis,
                })
            })
            .collect()
    }

    /// What `customer` is billed for `month`.
    pub fn statement(&self, customer: &OrganisationId, month: Month) -> MonthlyStatement {
        let mut lines: Vec<BillingLine> = self
            .tickets
            .iter()
            .filter(|t| t.organisation == *customer)
            .flat_map(|t| self.lines_in(t.key(), t.value(), month))
            .collect();
        lines.sort_by(|a, b| {
            (
                &a.ticket,
                a.department,
                a.performed_on,
                &a.booked_by,
                a.minutes,
            )
                .cmp(&(
                    &b.ticket,
                    b.department,
                    b.performed_on,
                    &b.booked_by,
                    b.minutes,
                ))
        });
        let mut by_department = BTreeMap::new();
        let mut by_ticket = BTreeMap::new();
        for line in &lines {
            *by_department.entry(line.department).or_insert(0) += u64::from(line.minutes);
            *by_ticket.entry(line.ticket.clone()).or_insert(0) += u64::from(line.minutes);
        }
        MonthlyStatement {
            customer: customer.clone(),
            month,
            total_minutes: by_ticket.values().sum(),
            lines,
            by_department,
            by_ticket,
        }
    }

    /// The statements of every customer with something to bill in `month`, by customer.
    pub fn statements(&self, month: Month) -> Vec<MonthlyStatement> {
        let mut customers: Vec<OrganisationId> = self
            .tickets
            .iter()
            .map(|t| t.organisation.clone())
            .collect();
        customers.sort();
        customers.dedup();
        customers
            .iter()
            .map(|c| self.statement(c, month))
            .filter(|s| !s.lines.is_empty())
            .collect()
    }

    /// Support minutes on `customer`'s billable tickets that wait for the ticket to close.
    pub fn deferred_support(&self, customer: &OrganisationId) -> Vec<DeferredSupport> {
        let mut out: Vec<DeferredSupport> = self
            .tickets
            .iter()
            .filter(|t| t.organisation == *customer && t.closed_at.is_none() && self.billable(t))
            .map(|t| DeferredSupport {
                ticket: t.key().clone(),
                minutes: t
                    .efforts
                    .iter()
                    .filter(|e| e.department == Department::Support)
                    .map(|e| u64::from(e.minutes))
                    .sum(),
            })
            .filter(|d| d.minutes > 0)
            .collect();
        out.sort_by(|a, b| a.ticket.cmp(&b.ticket));
        out
    }
}

impl ReadModel for Billing {
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
                TicketAccount {
                    organisation: e.organisation.clone(),
                    ticket_type: e.ticket_type,
                    closed_at: None,
                    efforts: Vec::new(),
                },
            );
            return;
        }
        let Some(mut account) = self.tickets.get_mut(key) else {
            return;
        };
        match event {
            TicketEvent::TicketClassified(e) => account.ticket_type = e.to,
            TicketEvent::TicketReclassified(e) => account.ticket_type = e.to,
            TicketEvent::TicketClosed(e) => account.closed_at = Some(e.at),
            TicketEvent::TicketEffortBooked(e) => account.efforts.push(Effort {
                department: e.department,
                minutes: e.minutes,
                performed_on: e.performed_on,
                booked_at: e.at,
                booked_by: e.booked_by.clone(),
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
mod tests;
