//! Plausible ticket commands for random histories: the command is picked among those the
//! ticket allows in its current status (`Ticket::allowed_commands`), so most of them are
//! accepted and tickets travel deep into their workflows.

#![allow(clippy::unwrap_used)]

use chrono::Days;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{
    Attachment, CommentVisibility, EscalationLevel, EscalationReason, ForwardTarget, Priority,
    ResolutionOutcome, SharedWith, TicketType,
};
use ticketflow_events::{Actor, Department};

use crate::test_desk::*;

const LEVELS: [EscalationLevel; 5] = [
    EscalationLevel::PersonalContact,
    EscalationLevel::TeamLead,
    EscalationLevel::HeadOfSupport,
    EscalationLevel::HeadOfCustomerServices,
    EscalationLevel::ExecutiveBoard,
];

/// The command to try next on `key`, created by `creator`; `pick` chooses among the allowed
/// commands and `param` varies their fields. `None` when nothing sensible can be tried.
pub(super) fn ticket_command(
    key: &str,
    creator: &Actor,
    pick: usize,
    param: u8,
    desk: &Desk,
) -> Option<(Actor, TicketCommand)> {
    use TicketCommand as C;
    let p = usize::from(param);
    let share = if p.is_multiple_of(2) {
        SharedWith::Organisation
    } else {
        SharedWith::Nobody
    };
    let Some(state) = desk.ticket_state(key).filter(|t| t.exists()) else {
        let kind = if pick.is_multiple_of(2) {
            TicketType::Incident
        } else {
            TicketType::Request
        };
        let summary = format!("Problem {p} with courses");
        return Some((creator.clone(), open(key, kind, &summary, share, p == 3)));
    };
    // Half of the picks go to the workflow's own commands, so tickets move on rather than
    // collect comments.
    const EVERYDAY: [&str; 10] = [
        "add_comment",
        "add_attachments",
        "change_sharing",
        "set_confidential",
        "set_notifications",
        "book_effort",
        "escalate",
        "record_support_budget",
        "fire_timer",
        // Issued by the engine's scheduler, never by people.
        "record_sla_notice",
    ];
    let mut allowed = state.allowed_commands();
    if pick.is_multiple_of(2) {
        let workflow: Vec<&str> = allowed
            .iter()
            .copied()
            .filter(|c| !EVERYDAY.contains(c))
            .collect();
        if !workflow.is_empty() {
            allowed = workflow;
        }
    }
    let name = allowed.get((pick / 2) % allowed.len().max(1))?;
    let other = if creator.id == "jane" { john() } else { jane() };
    let comment = |who: Actor, visibility| {
        (
            who,
            C::AddComment {
                text: format!("comment {p}"),
                visibility,
                attachments: vec![],
            },
        )
    };
    Some(match *name {
        "accept" => (agent(), C::Accept),
        "classify" => {
            let to = if state.ticket_type() == TicketType::Incident {
                [TicketType::SoftwareDefect, TicketType::NonSoftwareDefect][p % 2]
            } else {
                [
                    TicketType::ConsultingRequest,
                    TicketType::SupportRequest,
                    TicketType::Customisation,
                    TicketType::Suggestion,
                ][p % 4]
            };
            (agent(), C::Classify { ticket_type: to })
        }
        "reclassify" => (
            agent(),
            C::Reclassify {
                ticket_type: [TicketType::SupportRequest, TicketType::SoftwareDefect][p % 2],
                reason: "second look".into(),
            },
        ),
        "set_priority" => (
            agent(),
            C::SetPriority {
                priority: Priority::ALL[p % 4],
            },
        ),
        "request_clarification" => (
            agent(),
            C::RequestClarification {
                question: "Which course?".into(),
            },
        ),
        "resume_work" => (agent(), C::ResumeWork),
        "reproduce_defect" => (
            agent(),
            C::ReproduceDefect {
                reference_system: "ref-acme".into(),
            },
        ),
        "provide_workaround" => (
            agent(),
            C::ProvideWorkaround {
                description: "use the old export".into(),
            },
        ),
        "resolve" => (
            agent(),
            C::Resolve {
                outcome: [ResolutionOutcome::Answered, ResolutionOutcome::NoDefect][p % 2],
                note: "done".into(),
                reclassify_as: None,
            },
        ),
        "report_ready_for_delivery" => (
            developer(),
            C::ReportReadyForDelivery {
                delivery_version: ["CUSTOM", "14.21.3.1"][p % 2].into(),
            },
        ),
        "change_delivery_version" => (
            agent(),
            C::ChangeDeliveryVersion {
                delivery_version: ["14.21.3.2", "CUSTOM"][p % 2].into(),
            },
        ),
        "record_delivery" => return None, // the delivery process manager's job
        "forward" => (
            agent(),
            C::Forward {
                to: if state.ticket_type() == TicketType::Suggestion {
                    ForwardTarget::ProductManagement
                } else {
                    [
                        ForwardTarget::TechnicalServices,
                        ForwardTarget::ManagedServices,
                    ][p % 2]
                },
            },
        ),
        "hold_scoping_workshop" => (
            consultant(),
            C::HoldScopingWorkshop {
                held_on: desk.now.date_naive(),
                note: String::new(),
            },
        ),
        "request_estimate" => (agent(), C::RequestEstimate),
        "provide_estimate" => (
            developer(),
            C::ProvideEstimate {
                effort_hours: 8 + u32::from(param),
            },
        ),
        "record_order" => (sales(), C::RecordOrder { order: None }),
        "decline_offer" => (sales(), C::DeclineOffer),
        "approve_concept" => (creator.clone(), C::ApproveConcept),
        "commission_implementation" => (consultant(), C::CommissionImplementation),
        "reopen" => (
            agent(),
            C::Reopen {
                reason: "still broken".into(),
            },
        ),
        "close" => (creator.clone(), C::Close { comment: None }),
        "add_comment" => match p % 4 {
            0 => comment(agent(), CommentVisibility::Internal),
            1 => comment(other, CommentVisibility::Public),
            2 => comment(creator.clone(), CommentVisibility::Public),
            _ => comment(agent(), CommentVisibility::Public),
        },
        "add_attachments" => (
            creator.clone(),
            C::AddAttachments {
                attachments: vec![Attachment {
                    name: "log.txt".into(),
                    size_bytes: 100,
                    content_hash: "ab".repeat(32),
                }],
            },
        ),
        "change_sharing" => (creator.clone(), C::ChangeSharing { shared_with: share }),
        "set_confidential" => (
            agent(),
            C::SetConfidential {
                confidential: !state.is_confidential(),
            },
        ),
        "set_notifications" => (
            if p % 4 < 2 { creator.clone() } else { other },
            C::SetNotifications {
                enabled: p.is_multiple_of(2),
            },
        ),
        "book_effort" => (
            agent(),
            C::BookEffort {
                department: [
                    Department::Support,
                    Department::TechnicalServices,
                    Department::ManagedServices,
                ][p % 3],
                minutes: 15 + 15 * u32::from(param),
                performed_on: desk.now.date_naive() - Days::new(u64::from(param % 3)),
            },
        ),
        "escalate" => {
            let above = state.escalation().map_or(0, |l| usize::from(l.number()));
            let level = *LEVELS.get(above)?;
            (
                creator.clone(),
                C::Escalate {
                    level,
                    reason: EscalationReason::Handling,
                },
            )
        }
        "record_support_budget" => (
            sales(),
            C::RecordSupportBudget {
                available: !state.has_extended_support_budget(),
            },
        ),
        "fire_timer" => {
            let timer = state
                .due_timers()
                .into_iter()
                .find(|t| t.due_at <= desk.now)?;
            (system(), C::FireTimer { timer: timer.id })
        }
        _ => return None,
    })
}
