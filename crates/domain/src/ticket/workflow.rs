//! The per-type workflows of domain.md §2.4: which commands exist in which status, and the
//! transitions between statuses.
//!
//! [`Ticket::allowed_commands`] is the single table of what is possible; `decide` refuses
//! everything it does not list before looking at the command's details, so the refusal can
//! always name the current status and what is allowed instead.

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

/// Commands every existing, not yet closed ticket accepts (subject to role checks).
const EVERYDAY: [&str; 8] = [
    "add_comment",
    "add_attachments",
    "change_sharing",
    "set_confidential",
    "set_notifications",
    "book_effort",
    "escalate",
    "record_support_budget",
];

/// The name users see for a ticket type.
pub(crate) fn type_label(t: TicketType) -> &'static str {
    match t {
        TicketType::Incident => "Incident",
        TicketType::Request => "Request",
        TicketType::SoftwareDefect => "Software Defect",
        TicketType::NonSoftwareDefect => "Non-Software Defect",
        TicketType::ConsultingRequest => "Consulting Request",
        TicketType::SupportRequest => "Support Request",
        TicketType::Customisation => "Customisation",
        TicketType::Suggestion => "Suggestion",
        TicketType::Delivery => "Delivery",
    }
}

impl Ticket {
    /// The commands the ticket accepts in its current status and type, whoever asks.
    pub fn allowed_commands(&self) -> Vec<&'static str> {
        use TicketStatus as S;
        use TicketType as T;
        if !self.exists() {
            return vec!["open_from_portal", "open_from_email"];
        }
        let (s, t) = (self.status, self.ticket_type);
        if s == S::Closed {
            return vec!["book_effort"];
        }
        let unclassified = matches!(t, T::Incident | T::Request);
        let working = matches!(s, S::Open | S::ClarificationRequired | S::InProgress);
        let mut allowed = Vec::new();
        if working && self.accepted_by.is_none() {
            allowed.push("accept");
        }
        if unclassified && matches!(s, S::Open | S::ClarificationRequired) {
            allowed.push("classify");
        }
        if !unclassified && (working || s == S::Resolved) {
            allowed.push("reclassify");
        }
        if t.is_defect() && (working || s == S::DeliveryPending) {
            allowed.push("set_priority");
        }
        if t.is_defect() && working {
            allowed.push("provide_workaround");
        }
        let specific: &[&'static str] = match (s, t) {
            (S::Open, T::SoftwareDefect) => {
                &["request_clarification", "reproduce_defect", "resolve"]
            }
            (S::Open, T::ConsultingRequest) => &["request_clarification", "forward", "resolve"],
            (S::Open, T::Suggestion) => &["request_clarification", "forward"],
            (S::Open, T::Customisation) => &[
                "request_clarification",
                "hold_scoping_workshop",
                "request_estimate",
            ],
            (S::Open, T::NonSoftwareDefect | T::SupportRequest) => {
                &["request_clarification", "resolve"]
            }
            (S::Open, _) => &["request_clarification"],
            (S::ClarificationRequired, T::Suggestion) => &["resume_work", "forward"],
            (
                S::ClarificationRequired,
                T::SoftwareDefect | T::NonSoftwareDefect | T::ConsultingRequest | T::SupportRequest,
            ) => &["resume_work", "resolve"],
            (S::ClarificationRequired, _) => &["resume_work"],
            (S::InProgress, T::SoftwareDefect | T::ConsultingRequest) => &[
                "request_clarification",
                "report_ready_for_delivery",
                "resolve",
            ],
            (S::InProgress, T::Customisation) => {
                &["request_clarification", "report_ready_for_delivery"]
            }
            (S::InProgress, T::Suggestion) => &["request_clarification", "forward"],
            (S::InProgress, _) => &["request_clarification", "resolve"],
            (S::DeliveryPending, _) => &["change_delivery_version", "record_delivery"],
            (S::Resolved, _) => &["close", "reopen"],
            (S::EstimationInProgress, _) => &["provide_estimate"],
            (S::EstimationAvailable, _) => &["record_order", "decline_offer"],
            (S::Ordered, _) => &["approve_concept"],
            (S::ConceptApproved, _) => &["commission_implementation"],
            (S::Closed, _) => &[],
        };
        allowed.extend_from_slice(specific);
        allowed.extend_from_slice(&EVERYDAY);
        if !self.timers.is_empty() {
            allowed.push("fire_timer");
        }
        allowed
    }

    /// The refusal for a command the current status does not allow.
    pub(crate) fn not_allowed(&self, command: &'static str) -> TicketError {
        if !self.exists() {
            return TicketError::DoesNotExist { command };
        }
        TicketError::NotAllowed {
            command,
            ticket: self.label(),
            ticket_type: type_label(self.ticket_type),
            status: self.status,
            allowed: self.allowed_commands(),
        }
    }

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
            expected: "a patch version of four numbers such as 14.21.3.1, or CUSTOM".into(),
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
