//! The transitions of the per-type workflows of domain.md §2.4 (the Customisation workflow has
//! its own module). Which transition is possible when is decided by [`super::statuses`].

use ticketflow_events::DeliveryKey;
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::{
    CloseReason, DeliveryVersion, ForwardTarget, ResolutionOutcome, TicketClarificationRequested,
    TicketClosed, TicketDefectReproduced, TicketDelivered, TicketDeliveryVersionChanged,
    TicketEvent, TicketForwarded, TicketReadyForDelivery, TicketReopened, TicketResolved,
    TicketStatus, TicketStatusChanged, TicketType, TicketWorkResumed, TicketWorkaroundProvided,
};

use super::error::TicketError;
use super::intake::{TextLimit, required_text};
use super::state::Ticket;
use crate::Context;

impl Ticket {
    /// The event recording a move to `to`.
    pub(crate) fn move_to(&self, at: Timestamp, to: TicketStatus) -> TicketEvent {
        TicketStatusChanged {
            at,
            from: self.status,
            to,
        }
        .into()
    }

    pub(crate) fn request_clarification(
        &self,
        question: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let question = required_text("question", question, TextLimit::Text, ctx)?;
        Ok(vec![
            TicketClarificationRequested {
                at: ctx.now,
                question,
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::ClarificationRequired),
        ])
    }

    pub(crate) fn resume_work(&self, ctx: &Context<'_>) -> Vec<TicketEvent> {
        let back = self
            .status_before_clarification
            .filter(|s| matches!(s, TicketStatus::Open | TicketStatus::InProgress))
            .unwrap_or(TicketStatus::Open);
        vec![
            TicketWorkResumed { at: ctx.now }.into(),
            self.move_to(ctx.now, back),
        ]
    }

    pub(crate) fn reproduce_defect(
        &self,
        reference_system: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let reference_system = required_text(
            "reference_system",
            reference_system,
            TextLimit::Summary,
            ctx,
        )?;
        Ok(vec![
            TicketDefectReproduced {
                at: ctx.now,
                reference_system,
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::InProgress),
        ])
    }

    pub(crate) fn provide_workaround(
        &self,
        description: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let description = required_text("description", description, TextLimit::Text, ctx)?;
        Ok(vec![
            TicketWorkaroundProvided {
                at: ctx.now,
                description,
            }
            .into(),
        ])
    }

    pub(crate) fn resolve(
        &self,
        outcome: ResolutionOutcome,
        note: &str,
        reclassify_as: Option<TicketType>,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        use ResolutionOutcome as O;
        let allowed: &[ResolutionOutcome] = match self.ticket_type {
            TicketType::SoftwareDefect => &[
                O::NoDefect,
                O::StandardBehaviour,
                O::Misconfiguration,
                O::RejectedForBusinessReasons,
            ],
            TicketType::NonSoftwareDefect => &[O::FixedBySupport, O::Misconfiguration, O::NoDefect],
            _ => &[O::Answered],
        };
        if !allowed.contains(&outcome) {
            return Err(TicketError::OutcomeNotAllowed {
                outcome,
                ticket_type: self.ticket_type,
                allowed: allowed.to_vec(),
            });
        }
        let note = super::intake::optional_text("note", note, TextLimit::Text, ctx)?;
        let mut events = Vec::new();
        if let Some(to) = reclassify_as {
            events.extend(self.reclassify(to, "changed on resolution", ctx)?);
        }
        events.push(
            TicketResolved {
                at: ctx.now,
                outcome,
                note,
            }
            .into(),
        );
        events.push(self.move_to(ctx.now, TicketStatus::Resolved));
        Ok(events)
    }

    fn parse_delivery_version(&self, given: &str) -> Result<DeliveryVersion, TicketError> {
        let version: DeliveryVersion = given.parse().map_err(|_| TicketError::Invalid {
            field: "delivery_version".into(),
            problem: format!(
                "`{}` is not a delivery version",
                given.chars().take(64).collect::<String>()
            ),
            expected:
                "a patch version of 2 to 6 dot-separated numbers such as 14.21.3.1, or CUSTOM"
                    .into(),
        })?;
        if self.ticket_type == TicketType::ConsultingRequest && !version.is_custom() {
            return Err(TicketError::CustomVersionRequired {
                given: version.to_string(),
            });
        }
        Ok(version)
    }

    pub(crate) fn report_ready_for_delivery(
        &self,
        delivery_version: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let delivery_version = self.parse_delivery_version(delivery_version)?;
        Ok(vec![
            TicketReadyForDelivery {
                at: ctx.now,
                delivery_version,
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::DeliveryPending),
        ])
    }

    pub(crate) fn change_delivery_version(
        &self,
        delivery_version: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let to = self.parse_delivery_version(delivery_version)?;
        let from = self
            .delivery_version
            .clone()
            .unwrap_or_else(DeliveryVersion::custom);
        if from == to {
            return Err(TicketError::NothingToChange {
                what: format!("the delivery version is already {to}"),
            });
        }
        Ok(vec![
            TicketDeliveryVersionChanged {
                at: ctx.now,
                from,
                to,
            }
            .into(),
        ])
    }

    pub(crate) fn record_delivery(
        &self,
        delivery: &DeliveryKey,
        ctx: &Context<'_>,
    ) -> Vec<TicketEvent> {
        let mut events = vec![
            TicketDelivered {
                at: ctx.now,
                delivery: delivery.clone(),
            }
            .into(),
        ];
        if self.ticket_type == TicketType::Customisation {
            events.push(
                TicketClosed {
                    at: ctx.now,
                    reason: CloseReason::Delivered,
                    timer: None,
                }
                .into(),
            );
            events.push(self.move_to(ctx.now, TicketStatus::Closed));
        } else {
            events.push(self.move_to(ctx.now, TicketStatus::Resolved));
        }
        events
    }

    pub(crate) fn forward(
        &self,
        to: ForwardTarget,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let (allowed, next): (&[ForwardTarget], TicketStatus) = match self.ticket_type {
            TicketType::Suggestion => (&[ForwardTarget::ProductManagement], TicketStatus::Resolved),
            _ => (
                &[
                    ForwardTarget::TechnicalServices,
                    ForwardTarget::ManagedServices,
                ],
                TicketStatus::InProgress,
            ),
        };
        if !allowed.contains(&to) {
            return Err(TicketError::ForwardNotAllowed {
                target: to,
                ticket_type: self.ticket_type,
                allowed: allowed.to_vec(),
            });
        }
        if self.ticket_type == TicketType::ConsultingRequest && !self.extended_support_budget {
            return Err(TicketError::NoExtendedSupportBudget {
                ticket: self.label(),
            });
        }
        Ok(vec![
            TicketForwarded { at: ctx.now, to }.into(),
            self.move_to(ctx.now, next),
        ])
    }

    pub(crate) fn reopen(
        &self,
        reason: &str,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let reason = required_text("reason", reason, TextLimit::Text, ctx)?;
        Ok(vec![
            TicketReopened {
                at: ctx.now,
                reason,
            }
            .into(),
            self.move_to(ctx.now, TicketStatus::Open),
        ])
    }

    pub(crate) fn close_by_customer(
        &self,
        comment: Option<&str>,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let mut events = Vec::new();
        if let Some(text) = comment.filter(|t| !t.trim().is_empty()) {
            events.extend(self.comment(
                text,
                ticketflow_events::ticket::CommentVisibility::Public,
                &[],
                ctx,
            )?);
        }
        events.push(
            TicketClosed {
                at: ctx.now,
                reason: CloseReason::ConfirmedByCustomer,
                timer: None,
            }
            .into(),
        );
        events.push(self.move_to(ctx.now, TicketStatus::Closed));
        Ok(events)
    }
}
