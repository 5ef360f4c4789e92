//! Who may do what on a ticket (domain.md §1): role requirements per command, customers'
//! visibility (own organisation; creator or shared), and confidentiality (only support agents
//! of the ticket's region among the vendor's departments).

use ticketflow_events::ticket::SharedWith;
use ticketflow_events::{Actor, Role};

use super::command::TicketCommand;
use super::error::TicketError;
use super::state::Ticket;

/// Which roles may issue a command, as a predicate and as words for the refusal.
fn requirement(command: &TicketCommand) -> (fn(&Role) -> bool, &'static str) {
    use TicketCommand as C;
    match command {
        C::OpenFromPortal { .. } | C::Close { .. } | C::SetNotifications { .. } => {
            (|r| matches!(r, Role::Customer { .. }), "a customer contact")
        }
        C::OpenFromEmail { .. } => (
            |r| matches!(r, Role::System | Role::SupportAgent { .. }),
            "the email adapter (system) or a support agent",
        ),
        C::Accept
        | C::Classify { .. }
        | C::Reclassify { .. }
        | C::SetPriority { .. }
        | C::RequestClarification { .. }
        | C::ResumeWork
        | C::ReproduceDefect { .. }
        | C::ProvideWorkaround { .. }
        | C::Resolve { .. }
        | C::Forward { .. }
        | C::RequestEstimate
        | C::Reopen { .. } => (
            |r| matches!(r, Role::SupportAgent { .. }),
            "a support agent",
        ),
        C::ReportReadyForDelivery { .. } | C::ChangeDeliveryVersion { .. } => (
            |r| {
                matches!(
                    r,
                    Role::SupportAgent { .. } | Role::TechnicalServices | Role::BusinessConsultant
                )
            },
            "a support agent, technical services or a business consultant",
        ),
        C::RecordDelivery { .. } => (
            |r| matches!(r, Role::System | Role::SupportAgent { .. }),
            "the delivery process (system) or a support agent",
        ),
        C::HoldScopingWorkshop { .. } | C::CommissionImplementation => (
            |r| matches!(r, Role::SupportAgent { .. } | Role::BusinessConsultant),
            "a support agent or a business consultant",
        ),
        C::ProvideEstimate { .. } => (
            |r| matches!(r, Role::SupportAgent { .. } | Role::TechnicalServices),
            "technical services or a support agent",
        ),
        C::RecordOrder { .. } => (
            |r| matches!(r, Role::Sales | Role::SupportAgent { .. }),
            "sales or a support agent",
        ),
        C::DeclineOffer => (
            |r| {
                matches!(
                    r,
                    Role::Sales | Role::SupportAgent { .. } | Role::Customer { .. }
                )
            },
            "sales, a support agent or the customer",
        ),
        C::ApproveConcept => (
            |r| matches!(r, Role::Customer { .. } | Role::BusinessConsultant),
            "the customer (or a business consultant recording the customer's approval)",
        ),
        C::AddComment { .. } | C::AddAttachments { .. } => {
            (is_customer_or_staff, "a customer contact or vendor staff")
        }
        C::ChangeSharing { .. } | C::SetConfidential { .. } | C::Escalate { .. } => (
            |r| matches!(r, Role::Customer { .. } | Role::SupportAgent { .. }),
            "a customer contact or a support agent",
        ),
        C::BookEffort { .. } => (
            |r| is_customer_or_staff(r) && !matches!(r, Role::Customer { .. }),
            "vendor staff (support, technical services, managed services, business consulting, product management or sales)",
        ),
        C::RecordSupportBudget { .. } => (
            |r| matches!(r, Role::Sales | Role::SupportAgent { .. }),
            "sales or a support agent",
        ),
        C::FireTimer { .. } | C::RecordSlaNotice { .. } => {
            (|r| matches!(r, Role::System), "the scheduler (system)")
        }
    }
}

/// Roles that take part in the ticket's conversation: customers and the vendor's departments
/// (not auditors, operators, integrators or the engine itself).
fn is_customer_or_staff(role: &Role) -> bool {
    matches!(
        role,
        Role::Customer { .. }
            | Role::SupportAgent { .. }
            | Role::TechnicalServices
            | Role::ManagedServices
            | Role::BusinessConsultant
            | Role::ProductManagement
            | Role::Sales
    )
}

/// Refuses the command if the actor's role, organisation or region does not allow it.
pub(crate) fn check(
    ticket: &Ticket,
    command: &TicketCommand,
    actor: &Actor,
) -> Result<(), TicketError> {
    let (allowed, required) = requirement(command);
    if !allowed(&actor.role) {
        return Err(TicketError::Forbidden {
            command: command.name(),
            role: actor.role.name(),
            required,
        });
    }
    if !ticket.exists() {
        return Ok(());
    }
    match &actor.role {
        Role::Customer { organisation } => {
            let sees = *organisation == ticket.organisation
                && (actor.id == ticket.creator || ticket.shared_with == SharedWith::Organisation);
            if !sees {
                return Err(TicketError::NotVisible {
                    ticket: ticket.label(),
                });
            }
        }
        Role::SupportAgent { region } if ticket.confidential && *region != ticket.region => {
            return Err(TicketError::Confidential {
                ticket: ticket.label(),
                region: ticket.region,
            });
        }
        Role::BusinessConsultant | Role::ManagedServices | Role::TechnicalServices
            if ticket.confidential =>
        {
            return Err(TicketError::Confidential {
                ticket: ticket.label(),
                region: ticket.region,
            });
        }
        _ => {}
    }
    Ok(())
}
