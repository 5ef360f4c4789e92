//! Why a command to a customisation order was refused. Every message is a sentence the
//! person who issued the command can act on; a refusal records nothing.

use chrono::NaiveDate;
use ticketflow_events::order::OrderKind;

use super::OrderPhase;

/// Formats a list of command names for a message, `(none)` when empty.
fn list(names: &[&'static str]) -> String {
    if names.is_empty() {
        "(none)".to_owned()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A refused order command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The command does not fit the order's phase.
    #[error(
        "cannot `{command}` order {order} in phase `{phase}`; allowed in `{phase}`: {}",
        list(allowed)
    )]
    NotAllowed {
        /// The refused command.
        command: &'static str,
        /// The order's key (`(new)` before it is placed).
        order: String,
        /// The current phase.
        phase: OrderPhase,
        /// The commands the phase allows.
        allowed: Vec<&'static str>,
    },
    /// The actor's role may not issue the command.
    #[error("a `{role}` may not `{command}` an order; it takes one of: {required}")]
    RoleNotPermitted {
        /// The refused command.
        command: &'static str,
        /// The actor's role.
        role: &'static str,
        /// The roles that may.
        required: String,
    },
    /// A customer contact of another organisation acted on the order.
    #[error("only contacts of `{expected}` may `{command}` this order; you belong to `{given}`")]
    WrongCustomer {
        /// The refused command.
        command: &'static str,
        /// The order's customer.
        expected: String,
        /// The actor's organisation.
        given: String,
    },
    /// A field of the command is not acceptable.
    #[error("`{field}` is invalid: {accepted}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is accepted.
        accepted: String,
    },
    /// Customer-specific work needs the customer's own codeline.
    #[error(
        "a customer-specific customisation needs the customer's own codeline; order a customer-driven standard extension instead"
    )]
    NoOwnCodeline,
    /// Customer-specific work needs a product area that allows custom code.
    #[error(
        "the product area does not allow custom code, so a customer-specific customisation is impossible; ask product management about a standard extension"
    )]
    CustomCodeNotAllowed,
    /// A standard extension needs product management's agreement.
    #[error(
        "a customer-driven standard extension needs product management's agreement to take it into the standard; record it when placing the order"
    )]
    NoProductManagementAgreement,
    /// The command belongs to the other kind of order.
    #[error("`{command}` does not apply to a {kind}; {hint}")]
    WrongKind {
        /// The refused command.
        command: &'static str,
        /// The order's kind.
        kind: OrderKind,
        /// What to use instead.
        hint: &'static str,
    },
    /// Planning cannot end yet.
    #[error("the timeline cannot be communicated yet; still missing: {}", missing.join(", "))]
    PlanningIncomplete {
        /// What is missing.
        missing: Vec<&'static str>,
    },
    /// The order waits for re-estimation after a significant change of requirements.
    #[error(
        "the requirements changed significantly: the order must be re-estimated and ordered again (`record_reorder`) before `{command}`"
    )]
    ReEstimationRequired {
        /// The refused command.
        command: &'static str,
    },
    /// The slot or package was lost and must be rescheduled first.
    #[error(
        "the approval deadline was missed and the slot is lost; schedule a new one before `{command}`"
    )]
    RescheduleRequired {
        /// The refused command.
        command: &'static str,
    },
    /// The proposed slot or package starts too soon for the concept deadlines.
    #[error(
        "a start on {start} is too soon: its {which} deadline {deadline} has already passed (today is {today}); choose a later start"
    )]
    StartTooSoon {
        /// The proposed start.
        start: NaiveDate,
        /// Which deadline.
        which: &'static str,
        /// The deadline.
        deadline: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// A rescheduled slot or package must be later than the lost one.
    #[error(
        "the new schedule must start after the lost one (which started {lost_start}); {proposed} is not later"
    )]
    RescheduleNotLater {
        /// Start of the lost slot / development start of the lost package.
        lost_start: NaiveDate,
        /// The proposed start.
        proposed: NaiveDate,
    },
    /// A step of the concept is missing.
    #[error("cannot `{command}`: {missing}")]
    ConceptStepMissing {
        /// The refused command.
        command: &'static str,
        /// What has to happen first.
        missing: &'static str,
    },
    /// The customer approved after the approval deadline.
    #[error(
        "the approval deadline {deadline} has passed (today is {today}); the slot is lost and must be rescheduled before the concept can be approved"
    )]
    ApprovalDeadlinePassed {
        /// The deadline.
        deadline: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// A missed approval was recorded before the deadline passed.
    #[error(
        "the approval deadline {deadline} has not passed yet (today is {today}); a missed approval can be recorded from the day after"
    )]
    ApprovalDeadlineNotPassed {
        /// The deadline.
        deadline: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// Verification before the developer reported the implementation done.
    #[error(
        "the developer has not reported the implementation done and self-checked; wait for `report_implementation_completed`"
    )]
    ImplementationNotCompleted,
    /// A standard extension is verified on the reference system at the package's code level.
    #[error(
        "the customer's reference system reaches the innovation package's code level (FCS or GA) on {code_level}; verify from then on (today is {today})"
    )]
    ReferenceSystemNotReady {
        /// The FCS or GA date in force.
        code_level: chrono::NaiveDate,
        /// Today.
        today: chrono::NaiveDate,
    },
    /// The developer reported completion twice without a verification in between.
    #[error("the implementation is already reported done and awaits verification")]
    ImplementationAwaitsVerification,
    /// A delivery before the earliest delivery date.
    #[error(
        "the earliest delivery is {earliest} (one verification week after the planned end of implementation); today is {today}"
    )]
    TooEarlyForDelivery {
        /// The earliest delivery date.
        earliest: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// A delivery step out of order.
    #[error("cannot `{command}`: {reason}")]
    DeliveryStep {
        /// The refused command.
        command: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Reported defects must be fixed first.
    #[error("defects {} are reported and not fixed yet; fix them before `{command}`", tickets.join(", "))]
    UnfixedDefects {
        /// The refused command.
        command: &'static str,
        /// The defect tickets.
        tickets: Vec<String>,
    },
    /// A set-up task or defect is unknown or in the wrong state.
    #[error("{what} `{id}` {problem}")]
    Item {
        /// `set-up task` or `defect`.
        what: &'static str,
        /// Its id.
        id: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The order cannot be closed yet.
    #[error("the order cannot be closed yet: {}", reasons.join("; "))]
    CannotClose {
        /// Why.
        reasons: Vec<String>,
    },
}
