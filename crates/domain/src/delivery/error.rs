//! Why a delivery command was refused. Every message is a sentence the caller can act on.

use ticketflow_events::TicketKey;

use super::DeliveryStep;

/// A refused delivery command. Refusals emit nothing and change nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeliveryError {
    /// The command does not fit the delivery's current step.
    #[error(
        "cannot `{command}` delivery {delivery} in status `{status}`; allowed in `{status}`: {}",
        list(.allowed)
    )]
    NotAllowed {
        /// The refused command.
        command: &'static str,
        /// The delivery's key, or `(not planned)`.
        delivery: String,
        /// The current status and step.
        status: DeliveryStep,
        /// The commands the current step accepts.
        allowed: Vec<&'static str>,
    },
    /// The actor's role may not issue the command.
    #[error("`{command}` may only be issued by {required}; you act as `{role}`")]
    Forbidden {
        /// The refused command.
        command: &'static str,
        /// The actor's role.
        role: &'static str,
        /// Who may issue it.
        required: &'static str,
    },
    /// A field has a value that is not accepted.
    #[error("invalid `{field}`: {problem}")]
    Invalid {
        /// The field's name as in the command's JSON form.
        field: &'static str,
        /// What is wrong and what is accepted.
        problem: String,
    },
    /// The ticket is already part of the delivery.
    #[error("ticket {ticket} is already included in delivery {delivery}; nothing to do")]
    AlreadyIncluded {
        /// The ticket.
        ticket: TicketKey,
        /// The delivery's key.
        delivery: String,
    },
    /// The ticket is not part of the delivery.
    #[error("ticket {ticket} is not included in delivery {delivery}; included are: {}", list_keys(.included))]
    NotIncluded {
        /// The ticket.
        ticket: TicketKey,
        /// The delivery's key.
        delivery: String,
        /// The tickets that are included.
        included: Vec<TicketKey>,
    },
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "(none)".to_owned()
    } else {
        names.join(", ")
    }
}

fn list_keys(keys: &[TicketKey]) -> String {
    if keys.is_empty() {
        "(none)".to_owned()
    } else {
        keys.iter()
            .map(TicketKey::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}
