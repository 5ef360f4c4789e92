//! # The ticket aggregate (domain.md §2)
//!
//! One ticket is one event stream (`ticket-SD-1042`). It is opened from the portal or by
//! email ([`intake`]), classified and prioritised by support ([`classification`]), and then
//! follows the workflow of its type ([`statuses`], [`workflow`], [`customisation`]) until it is `Closed`.
//! Around that run the conversation ([`comments`]), efforts and escalations ([`accounting`])
//! and the timers of §2.5 ([`timers`]).
//!
//! Decisions are made in three steps, in this order, so that a refusal always says the most
//! useful thing first:
//! 1. the status table ([`Ticket::allowed_commands`], [`statuses`]): is the command possible at all now?
//!    If not, the refusal names the current status and what is allowed;
//! 2. access: may this actor do it (role, organisation, sharing,
//!    confidentiality)?
//! 3. the command's own rules and field validation.
//!
//! Accepted commands then get their timer bookkeeping ([`timers`]); and when a support
//! agent works on a ticket nobody accepted yet, the agent accepts it implicitly (a
//! `TicketAccepted` event comes first), so the SLA's reaction time always ends at the first
//! real handling.

mod access;
pub mod accounting;
pub mod classification;
pub mod command;
pub mod comments;
pub mod customisation;
pub mod error;
pub mod intake;
pub mod policy;
pub mod state;
pub mod statuses;
pub mod timers;
pub mod workflow;

pub use classification::{classifications_of, priorities_of};
pub use command::{EmailMessage, PortalForm, TicketCommand};
pub use error::TicketError;
pub use intake::ticket_key_in_subject;
pub use policy::TicketPolicy;
pub use state::Ticket;

use ticketflow_events::Role;
use ticketflow_events::ticket::{TicketAccepted, TicketEvent};

use crate::{Aggregate, Context};

/// Commands by which a support agent handles a ticket and thereby accepts it.
const IMPLY_ACCEPTANCE: [&str; 10] = [
    "classify",
    "set_priority",
    "request_clarification",
    "reproduce_defect",
    "provide_workaround",
    "resolve",
    "forward",
    "hold_scoping_workshop",
    "request_estimate",
    "reclassify",
];

impl Aggregate for Ticket {
    type Command = TicketCommand;
    type Event = TicketEvent;
    type Error = TicketError;

    fn decide(
        &self,
        command: &TicketCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let name = command.name();
        if !self.allowed_commands().contains(&name) {
            return Err(self.not_allowed(name));
        }
        access::check(self, command, ctx.actor)?;
        let mut events = self.decide_allowed(command, ctx)?;
        if self.exists()
            && self.accepted_by.is_none()
            && matches!(ctx.actor.role, Role::SupportAgent { .. })
            && IMPLY_ACCEPTANCE.contains(&name)
        {
            events.insert(
                0,
                TicketAccepted {
                    at: ctx.now,
                    agent: ctx.actor.id.clone(),
                }
                .into(),
            );
        }
        Ok(timers::settle(self, events, ctx))
    }

    fn evolve(&mut self, event: &TicketEvent) {
        self.apply(event);
    }
}

impl Ticket {
    /// Runs a command the status table and access checks let through.
    fn decide_allowed(
        &self,
        command: &TicketCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        use TicketCommand as C;
        match command {
            C::OpenFromPortal {
                key,
                region,
                extended_support_budget,
                form,
            } => Ticket::open_from_portal(key, *region, *extended_support_budget, form, ctx),
            C::OpenFromEmail {
                key,
                organisation,
                region,
                extended_support_budget,
                email,
            } => Ticket::open_from_email(
                key,
                organisation,
                *region,
                *extended_support_budget,
                email,
                ctx,
            ),
            C::Accept => self.accept(ctx),
            C::Classify { ticket_type } => self.classify(*ticket_type, ctx),
            C::Reclassify {
                ticket_type,
                reason,
            } => self.reclassify(*ticket_type, reason, ctx),
            C::SetPriority { priority } => self.set_priority(*priority, ctx),
            C::RequestClarification { question } => self.request_clarification(question, ctx),
            C::ResumeWork => Ok(self.resume_work(ctx)),
            C::ReproduceDefect { reference_system } => self.reproduce_defect(reference_system, ctx),
            C::ProvideWorkaround { description } => self.provide_workaround(description, ctx),
            C::Resolve {
                outcome,
                note,
                reclassify_as,
            } => self.resolve(*outcome, note, *reclassify_as, ctx),
            C::ReportReadyForDelivery { delivery_version } => {
                self.report_ready_for_delivery(delivery_version, ctx)
            }
            C::ChangeDeliveryVersion { delivery_version } => {
                self.change_delivery_version(delivery_version, ctx)
            }
            C::RecordDelivery { delivery } => Ok(self.record_delivery(delivery, ctx)),
            C::Forward { to } => self.forward(*to, ctx),
            C::HoldScopingWorkshop { held_on, note } => {
                self.hold_scoping_workshop(*held_on, note, ctx)
            }
            C::RequestEstimate => Ok(self.request_estimate(ctx)),
            C::ProvideEstimate { effort_hours } => self.provide_estimate(*effort_hours, ctx),
            C::RecordOrder { order } => Ok(self.record_order(order.as_ref(), ctx)),
            C::DeclineOffer => Ok(self.decline_offer(ctx)),
            C::ApproveConcept => Ok(self.approve_concept(ctx)),
            C::CommissionImplementation => Ok(self.commission_implementation(ctx)),
            C::Reopen { reason } => self.reopen(reason, ctx),
            C::Close { comment } => self.close_by_customer(comment.as_deref(), ctx),
            C::AddComment {
                text,
                visibility,
                attachments,
            } => self.comment(text, *visibility, attachments, ctx),
            C::AddAttachments { attachments } => self.add_attachments(attachments, ctx),
            C::ChangeSharing { shared_with } => self.change_sharing(*shared_with, ctx),
            C::SetConfidential { confidential } => self.set_confidential(*confidential, ctx),
            C::SetNotifications { enabled } => self.set_notifications(*enabled, ctx),
            C::BookEffort {
                department,
                minutes,
                performed_on,
            } => self.book_effort(*department, *minutes, *performed_on, ctx),
            C::Escalate { level, reason } => self.escalate(*level, *reason, ctx),
            C::RecordSupportBudget { available } => self.record_support_budget(*available, ctx),
            C::FireTimer { timer } => self.fire_timer(*timer, ctx),
            C::RecordSlaNotice { clock, kind, cycle } => {
                self.record_sla_notice(*clock, *kind, *cycle, ctx)
            }
        }
    }
}
