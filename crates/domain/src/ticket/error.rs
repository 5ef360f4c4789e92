//! Why a ticket command was refused. Every message names what was wrong and what is accepted,
//! so the person (or adapter) who sent it can correct it; a refusal changes nothing.

use ticketflow_events::Region;
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::{
    EscalationLevel, ForwardTarget, Priority, ResolutionOutcome, SlaNoticeClock, SlaNoticeKind,
    TicketStatus, TicketType, TimerId,
};

/// Why a ticket command was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TicketError {
    /// The command does not exist in the ticket's current status (and type).
    #[error(
        "cannot `{command}` ticket {ticket} ({ticket_type}) in status `{status}`; allowed in `{status}`: {}",
        command_list(allowed)
    )]
    NotAllowed {
        /// The refused command.
        command: &'static str,
        /// The ticket's key.
        ticket: String,
        /// The ticket's type, as shown to users.
        ticket_type: &'static str,
        /// The current status.
        status: TicketStatus,
        /// The commands allowed in this status.
        allowed: Vec<&'static str>,
    },
    /// Only the open commands apply to a ticket that does not exist yet.
    #[error(
        "cannot `{command}`: the ticket does not exist yet; open it first with `open_from_portal` or `open_from_email`"
    )]
    DoesNotExist {
        /// The refused command.
        command: &'static str,
    },
    /// The actor's role may not issue the command.
    #[error("a {role} may not `{command}` a ticket; this needs {required}")]
    Forbidden {
        /// The refused command.
        command: &'static str,
        /// The actor's role.
        role: &'static str,
        /// Who may.
        required: &'static str,
    },
    /// A customer acted on a ticket they cannot see.
    #[error(
        "ticket {ticket} belongs to another organisation or is not shared with you; only its creator and, when shared, its organisation's contacts may act on it"
    )]
    NotVisible {
        /// The ticket's key.
        ticket: String,
    },
    /// Staff outside the ticket's region or department tried to act on a confidential ticket.
    #[error(
        "ticket {ticket} is confidential: only support agents of region {region} may work on it"
    )]
    Confidential {
        /// The ticket's key.
        ticket: String,
        /// The ticket's region.
        region: Region,
    },
    /// A field has a value that is not accepted.
    #[error("field `{field}` {problem}; expected {expected}")]
    Invalid {
        /// The field, e.g. `summary` or `attachments[1].content_hash`.
        field: String,
        /// What is wrong with it.
        problem: String,
        /// What is accepted.
        expected: String,
    },
    /// A classification the intake type does not allow.
    #[error(
        "an {from:?} cannot be classified as {to:?}; it can become: {}",
        type_list(allowed)
    )]
    ClassificationNotAllowed {
        /// The current type.
        from: TicketType,
        /// The requested type.
        to: TicketType,
        /// The types it may become.
        allowed: Vec<TicketType>,
    },
    /// Delivery tickets are their own aggregate.
    #[error(
        "a ticket cannot become a Delivery: delivery tickets are created by support as deliveries of their own; link this ticket to a delivery instead"
    )]
    DeliveryIsSeparate,
    /// The priority does not fit the ticket's type (§2.3).
    #[error(
        "priority {priority} is not allowed for a {ticket_type:?}: P1 and P2 are system-availability priorities of Non-Software Defects only; allowed: {}",
        priority_list(allowed)
    )]
    PriorityNotAllowed {
        /// The requested priority.
        priority: Priority,
        /// The ticket's (or requested) type.
        ticket_type: TicketType,
        /// The priorities allowed for it.
        allowed: Vec<Priority>,
    },
    /// The resolution outcome does not fit the ticket's type.
    #[error("a {ticket_type:?} cannot be resolved as {outcome:?}; allowed outcomes: {allowed:?}")]
    OutcomeNotAllowed {
        /// The requested outcome.
        outcome: ResolutionOutcome,
        /// The ticket's type.
        ticket_type: TicketType,
        /// The outcomes allowed for it.
        allowed: Vec<ResolutionOutcome>,
    },
    /// The forward target does not fit the ticket's type.
    #[error("a {ticket_type:?} cannot be forwarded to {target:?}; allowed: {allowed:?}")]
    ForwardNotAllowed {
        /// The requested target.
        target: ForwardTarget,
        /// The ticket's type.
        ticket_type: TicketType,
        /// The targets allowed for it.
        allowed: Vec<ForwardTarget>,
    },
    /// Forwarding a consulting request needs an extended support budget.
    #[error(
        "ticket {ticket} cannot be forwarded: the customer has no extended support budget; sales must record one first (`record_support_budget`), or answer the request directly"
    )]
    NoExtendedSupportBudget {
        /// The ticket's key.
        ticket: String,
    },
    /// A consulting request delivers configuration only, so its version is always `CUSTOM`.
    #[error(
        "a Consulting Request delivers customer configuration only: its delivery version must be CUSTOM, not {given}"
    )]
    CustomVersionRequired {
        /// The version given.
        given: String,
    },
    /// The ticket was already accepted.
    #[error("ticket {ticket} was already accepted by {by}")]
    AlreadyAccepted {
        /// The ticket's key.
        ticket: String,
        /// Who accepted it.
        by: String,
    },
    /// Escalations only go up.
    #[error(
        "ticket {ticket} is already escalated to level {} ({current:?}); escalate to a higher level",
        current.number()
    )]
    EscalationNotHigher {
        /// The ticket's key.
        ticket: String,
        /// The current level.
        current: EscalationLevel,
    },
    /// The timer is not (or no longer) scheduled: it fired already or was superseded.
    #[error(
        "{timer} of ticket {ticket} is not scheduled: it already fired or was cancelled by a status change or a customer comment"
    )]
    TimerNotScheduled {
        /// The ticket's key.
        ticket: String,
        /// The timer.
        timer: TimerId,
    },
    /// The timer is not due yet.
    #[error("{timer} of ticket {ticket} is not due until {due_at}")]
    TimerNotDue {
        /// The ticket's key.
        ticket: String,
        /// The timer.
        timer: TimerId,
        /// When it becomes due.
        due_at: Timestamp,
    },
    /// The same SLA notice was recorded before.
    #[error(
        "the {kind} notice of the {clock} clock (cycle {cycle}) of ticket {ticket} was already recorded; there is nothing to do"
    )]
    SlaNoticeAlreadyRecorded {
        /// The ticket's key.
        ticket: String,
        /// Which clock.
        clock: SlaNoticeClock,
        /// At risk or breached.
        kind: SlaNoticeKind,
        /// The clock's cycle.
        cycle: u32,
    },
    /// Customers write public comments only.
    #[error("customers cannot write internal comments; use visibility `public`")]
    InternalCommentByCustomer,
    /// Email tickets are always shared with the organisation.
    #[error(
        "ticket {ticket} came by email and is always shared with the organisation; its sharing cannot change"
    )]
    EmailTicketSharingIsFixed {
        /// The ticket's key.
        ticket: String,
    },
    /// The command would change nothing.
    #[error("nothing to change: {what}")]
    NothingToChange {
        /// What is already so.
        what: String,
    },
}

fn command_list(allowed: &[&'static str]) -> String {
    if allowed.is_empty() {
        "(none)".to_owned()
    } else {
        allowed
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn type_list(types: &[TicketType]) -> String {
    types
        .iter()
        .map(|t| format!("{t:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn priority_list(priorities: &[Priority]) -> String {
    priorities
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
