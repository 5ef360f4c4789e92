//! Classification, reclassification and priority (domain.md §2.2, §2.3), and acceptance by a
//! support agent (the end of the SLA's reaction time).

use ticketflow_events::ticket::{
    Priority, TicketAccepted, TicketClassified, TicketEvent, TicketPrioritised,
    TicketPriorityCleared, TicketReclassified, TicketType,
};

use super::error::TicketError;
use super::intake::{TextLimit, optional_text};
use super::state::Ticket;
use crate::Context;

/// The types a classified ticket can have (Delivery tickets are their own aggregate).
const FINAL_TYPES: [TicketType; 6] = [
    TicketType::SoftwareDefect,
    TicketType::NonSoftwareDefect,
    TicketType::ConsultingRequest,
    TicketType::SupportRequest,
    TicketType::Customisation,
    TicketType::Suggestion,
];

/// The types an intake type may be classified into.
pub fn classifications_of(intake: TicketType) -> &'static [TicketType] {
    match intake {
        TicketType::Incident => &[TicketType::SoftwareDefect, TicketType::NonSoftwareDefect],
        TicketType::Request => &[
            TicketType::ConsultingRequest,
            TicketType::SupportRequest,
            TicketType::Customisation,
            TicketType::Suggestion,
        ],
        _ => &[],
    }
}

/// The priorities a type may have: P1 and P2 are system availability (Non-Software Defects
/// only), P3 and P4 software usability (both defect types); other types have none.
pub fn priorities_of(ticket_type: TicketType) -> &'static [Priority] {
    match ticket_type {
        TicketType::NonSoftwareDefect => &Priority::ALL,
        TicketType::SoftwareDefect => &[Priority::P3, Priority::P4],
        _ => &[],
    }
}

impl Ticket {
    pub(crate) fn accept(&self, ctx: &Context<'_>) -> Result<Vec<TicketEvent>, TicketError> {
        if let Some(by) = &self.accepted_by {
            return Err(TicketError::AlreadyAccepted {
                ticket: self.label(),
                by: by.clone(),
            });
        }
        Ok(vec![
            TicketAccepted {
                at: ctx.now,
                agent: ctx.actor.id.clone(),
            }
            .into(),
        ])
    }

    pub(crate) fn classify(
        &self,
        to: TicketType,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if to == TicketType::Delivery {
            return Err(TicketError::DeliveryIsSeparate);
        }
        let allowed = classifications_of(self.ticket_type);
        if !allowed.contains(&to) {
            return Err(TicketError::ClassificationNotAllowed {
                from: self.ticket_type,
                to,
                allowed: allowed.to_vec(),
            });
        }
        Ok(vec![
            TicketClassified {
                at: ctx.now,
                from: self.ticket_type,
                to,
            }
            .into(),
        ])
    }

    pub(crate) fn reclassify(
        &self,
        to: TicketType,
        reason: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if to == TicketType::Delivery {
            return Err(TicketError::DeliveryIsSeparate);
        }
        if !FINAL_TYPES.contains(&to) {
            return Err(TicketError::ClassificationNotAllowed {
                from: self.ticket_type,
                to,
                allowed: FINAL_TYPES.to_vec(),
            });
        }
        if to == self.ticket_type {
            return Err(TicketError::NothingToChange {
                what: format!("the ticket already is a {to:?}"),
            });
        }
        let reason = optional_text("reason", reason, TextLimit::Text, ctx)?;
        let mut events = Vec::new();
        if let Some(priority) = self.priority {
            let allowed = priorities_of(to);
            if allowed.is_empty() {
                events.push(
                    TicketPriorityCleared {
                        at: ctx.now,
                        from: priority,
                    }
                    .into(),
                );
            } else if !allowed.contains(&priority) {
                return Err(TicketError::PriorityNotAllowed {
                    priority,
                    ticket_type: to,
                    allowed: allowed.to_vec(),
                });
            }
        }
        events.insert(
            0,
            TicketReclassified {
                at: ctx.now,
                from: self.ticket_type,
                to,
                reason,
            }
            .into(),
        );
        Ok(events)
    }

    pub(crate) fn set_priority(
        &self,
        priority: Priority,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let allowed = priorities_of(self.ticket_type);
        if !allowed.contains(&priority) {
            return Err(TicketError::PriorityNotAllowed {
                priority,
                ticket_type: self.ticket_type,
                allowed: allowed.to_vec(),
            });
        }
        if self.priority == Some(priority) {
            return Err(TicketError::NothingToChange {
                what: format!("the priority already is {priority}"),
            });
        }
        Ok(vec![
            TicketPrioritised {
                at: ctx.now,
                from: self.priority,
                to: priority,
            }
            .into(),
        ])
    }
}
