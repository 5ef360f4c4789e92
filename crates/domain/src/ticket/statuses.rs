//! The status table of domain.md §2.4: which commands exist in which status, for each type.
//!
//! [`Ticket::allowed_commands`] is the single table of what is possible; `decide` refuses
//! everything it does not list before looking at the command's details, so the refusal can
//! always name the current status and what is allowed instead.

use ticketflow_events::ticket::{TicketStatus, TicketType};

use super::error::TicketError;
use super::state::Ticket;

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
        if t.is_defect() || t == T::Incident {
            allowed.push("record_sla_notice");
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
}
