//! The Customisation workflow (domain.md §2.4): optional scoping workshop → estimate →
//! offer → ordered or closed → concept approved → implementation → delivery → closed.

use chrono::{Duration, NaiveDate};
use ticketflow_events::OrderKey;
use ticketflow_events::ticket::{
    CloseReason, TicketClosed, TicketConceptApproved, TicketEstimateProvided,
    TicketEstimateRequested, TicketEvent, TicketImplementationCommissioned, TicketOrdered,
    TicketScopingWorkshopHeld, TicketStatus,
};

use super::error::TicketError;
use super::intake::{TextLimit, optional_text};
use super::state::Ticket;
use crate::Context;

impl Ticket {
    pub(crate) fn hold_scoping_workshop(
        &self,
        held_on: NaiveDate,
        note: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if held_on > ctx.now.date_naive() {
            return Err(TicketError::Invalid {
                field: "held_on".into(),
                problem: format!("is {held_on}, a day in the future"),
                expected: "the day the workshop took place (today or earlier)".into(),
            });
        }
        let note = optional_text("note", note, TextLimit::Text, ctx)?;
        Ok(vec![
            TicketScopingWorkshopHeld {
                at: ctx.now,
                held_on,
                note,
            }
            .into(),
        ])
    }

    pub(crate) fn request_estimate(&self, ctx: &Context<'_>) -> Vec<TicketEvent> {
        vec![
            TicketEstimateRequested { at: ctx.now }.into(),
            self.move_to(ctx.now, TicketStatus::EstimationInProgress),
        ]
    }

    pub(crate) fn provide_estimate(
        &self,
        effort_hours: u32,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if effort_hours == 0 {
            return Err(TicketError::Invalid {
                field: "effort_hours".into(),
                problem: "is 0".into(),
                expected: "the estimated effort in whole hours, at least 1".into(),
            });
        }
        let valid_until = super::timers::after(ctx.now, estimate_validity(ctx));
        Ok(vec![
            TicketEstimateProvided {
                at: ctx.now,
                effort_hours,
                valid_until,
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::EstimationAvailable),
        ])
    }

    pub(crate) fn record_order(
        &self,
        order: Option<&OrderKey>,
        ctx: &Context<'_>,
    ) -> Vec<TicketEvent> {
        vec![
            TicketOrdered {
                at: ctx.now,
                order: order.cloned(),
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::Ordered),
        ]
    }

    pub(crate) fn decline_offer(&self, ctx: &Context<'_>) -> Vec<TicketEvent> {
        vec![
            TicketClosed {
                at: ctx.now,
                reason: CloseReason::NotOrdered,
                timer: None,
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::Closed),
        ]
    }

    pub(crate) fn approve_concept(&self, ctx: &Context<'_>) -> Vec<TicketEvent> {
        vec![
            TicketConceptApproved { at: ctx.now }.into(),
            self.move_to(ctx.now, TicketStatus::ConceptApproved),
        ]
    }

    pub(crate) fn commission_implementation(&self, ctx: &Context<'_>) -> Vec<TicketEvent> {
        vec![
            TicketImplementationCommissioned { at: ctx.now }.into(),
            self.move_to(ctx.now, TicketStatus::InProgress),
        ]
    }
}

/// How long an estimate stays valid (policy, 16 weeks by default).
pub(crate) fn estimate_validity(ctx: &Context<'_>) -> Duration {
    Duration::weeks(i64::from(ctx.config.ticket.estimate_valid_weeks))
}
