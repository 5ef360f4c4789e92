//! The conversation around a ticket: comments, attachments, sharing, confidentiality and
//! notification choices (domain.md §1, §2.9).

use ticketflow_events::Role;
use ticketflow_events::ticket::{
    Attachment, CommentAuthorKind, CommentVisibility, IntakeChannel, SharedWith,
    TicketAttachmentsAdded, TicketCommented, TicketConfidentialityChanged, TicketEvent,
    TicketNotificationsChanged, TicketSharingChanged, TicketStatus,
};

use super::error::TicketError;
use super::intake::{TextLimit, required_text, validate_attachments};
use super::state::Ticket;
use super::timers;
use crate::Context;

impl Ticket {
    /// A comment; a customer's comment during a clarification restarts its timers.
    pub(crate) fn comment(
        &self,
        text: &str,
        visibility: CommentVisibility,
        attachments: &[Attachment],
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let by_customer = matches!(ctx.actor.role, Role::Customer { .. });
        if by_customer && visibility == CommentVisibility::Internal {
            return Err(TicketError::InternalCommentByCustomer);
        }
        let text = required_text("text", text, TextLimit::Text, ctx)?;
        let attachments = validate_attachments("attachments", attachments, ctx)?;
        let mut events = vec![
            TicketCommented {
                at: ctx.now,
                author: ctx.actor.id.clone(),
                author_kind: if by_customer {
                    CommentAuthorKind::Customer
                } else {
                    CommentAuthorKind::Vendor
                },
                visibility,
                text,
                attachments,
            }
            .into(),
        ];
        if by_customer && self.status == TicketStatus::ClarificationRequired {
            events.extend(timers::restart_clarification(self, ctx));
        }
        Ok(events)
    }

    pub(crate) fn add_attachments(
        &self,
        attachments: &[Attachment],
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if attachments.is_empty() {
            return Err(TicketError::Invalid {
                field: "attachments".into(),
                problem: "is empty".into(),
                expected: "at least one attachment".into(),
            });
        }
        let attachments = validate_attachments("attachments", attachments, ctx)?;
        Ok(vec![
            TicketAttachmentsAdded {
                at: ctx.now,
                attachments,
            }
            .into(),
        ])
    }

    pub(crate) fn change_sharing(
        &self,
        shared_with: SharedWith,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if self.channel == IntakeChannel::Email {
            return Err(TicketError::EmailTicketSharingIsFixed {
                ticket: self.label(),
            });
        }
        if matches!(ctx.actor.role, Role::Customer { .. }) && ctx.actor.id != self.creator {
            return Err(TicketError::Forbidden {
                command: "change_sharing",
                role: ctx.actor.role.name(),
                required: "the ticket's creator or a support agent",
            });
        }
        if shared_with == self.shared_with {
            return Err(TicketError::NothingToChange {
                what: format!("the ticket already is shared with {shared_with:?}"),
            });
        }
        Ok(vec![
            TicketSharingChanged {
                at: ctx.now,
                shared_with,
            }
            .into(),
        ])
    }

    pub(crate) fn set_confidential(
        &self,
        confidential: bool,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if confidential == self.confidential {
            return Err(TicketError::NothingToChange {
                what: format!(
                    "the ticket already is {}",
                    if confidential {
                        "confidential"
                    } else {
                        "not confidential"
                    }
                ),
            });
        }
        Ok(vec![
            TicketConfidentialityChanged {
                at: ctx.now,
                confidential,
                region: self.region,
            }
            .into(),
        ])
    }

    pub(crate) fn set_notifications(
        &self,
        enabled: bool,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let person = ctx.actor.id.clone();
        if self.notifies(&person) == enabled {
            return Err(TicketError::NothingToChange {
                what: format!(
                    "notifications for {person} already are {}",
                    if enabled { "on" } else { "off" }
                ),
            });
        }
        Ok(vec![
            TicketNotificationsChanged {
                at: ctx.now,
                person,
                enabled,
            }
            .into(),
        ])
    }
}
