//! Effort bookings (billing, domain.md §2.10), the extended support budget, and escalations
//! (domain.md §2.8).

use chrono::NaiveDate;
use ticketflow_events::Department;
use ticketflow_events::ticket::{
    EscalationLevel, EscalationReason, TicketEffortBooked, TicketEscalated, TicketEvent,
    TicketSupportBudgetRecorded,
};

use super::error::TicketError;
use super::state::Ticket;
use crate::Context;

/// Most minutes one booking may hold: one calendar day.
const MAX_MINUTES_PER_BOOKING: u32 = 24 * 60;

impl Ticket {
    pub(crate) fn book_effort(
        &self,
        department: Department,
        minutes: u32,
        performed_on: NaiveDate,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if !(1..=MAX_MINUTES_PER_BOOKING).contains(&minutes) {
            return Err(TicketError::Invalid {
                field: "minutes".into(),
                problem: format!("is {minutes}"),
                expected: format!("1 to {MAX_MINUTES_PER_BOOKING} minutes per booking"),
            });
        }
        if performed_on > ctx.now.date_naive() {
            return Err(TicketError::Invalid {
                field: "performed_on".into(),
                problem: format!("is {performed_on}, a day in the future"),
                expected: "the day the work was performed (today or earlier)".into(),
            });
        }
        Ok(vec![
            TicketEffortBooked {
                at: ctx.now,
                department,
                minutes,
                performed_on,
                booked_by: ctx.actor.id.clone(),
            }
            .into(),
        ])
    }

    pub(crate) fn record_support_budget(
        &self,
        available: bool,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if available == self.extended_support_budget {
            return Err(TicketError::NothingToChange {
                what: format!(
                    "the extended support budget is already recorded as {}",
                    if available {
                        "available"
                    } else {
                        "not available"
                    }
                ),
            });
        }
        Ok(vec![
            TicketSupportBudgetRecorded {
                at: ctx.now,
                available,
            }
            .into(),
        ])
    }

    pub(crate) fn escalate(
        &self,
        level: EscalationLevel,
        reason: EscalationReason,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if let Some(current) = self.escalation.filter(|c| *c >= level) {
            return Err(TicketError::EscalationNotHigher {
                ticket: self.label(),
                current,
            });
        }
        Ok(vec![
            TicketEscalated {
                at: ctx.now,
                level,
                reason,
                by: ctx.actor.id.clone(),
            }
            .into(),
        ])
    }
}
