//! Deciding what an email means: a reply to a ticket (a comment) or a new request.

use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{EmailMessage, TicketCommand, ticket_key_in_subject};
use ticketflow_events::ticket::{Attachment, CommentVisibility};
use ticketflow_events::{Actor, OrganisationId, Region, Role, TicketKey};

use crate::contacts::{Contact, ContactDirectory};
use crate::error::IntakeError;
use crate::mail::{InboundMail, strip_quoted_reply};

/// The actor id under which intake opens tickets (opening from email is the email adapter's
/// command, a `system` actor; the sender becomes the ticket's creator).
pub const INTAKE_ACTOR_ID: &str = "email-intake";

/// What the email asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// A new Request, shared with the sender's organisation.
    OpenRequest {
        /// The sender's organisation.
        organisation: OrganisationId,
        /// Its region (from the contract).
        region: Region,
        /// Whether it has an extended support budget (from the contract).
        extended_support_budget: bool,
        /// The email as the domain takes it (sender = the contact's id).
        email: EmailMessage,
    },
    /// A public comment by the sender on an existing ticket.
    Comment {
        /// The ticket named in the subject.
        ticket: TicketKey,
        /// The text the sender wrote (quoted tail removed).
        text: String,
        /// The attachments, as metadata.
        attachments: Vec<Attachment>,
    },
}

/// A routed email: what to do, on whose behalf, and under which idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeCommand {
    /// What to do.
    pub intent: Intent,
    /// Who does it: the email adapter (`system:email-intake`) for a new request, the
    /// contact (a customer of their organisation) for a comment.
    pub actor: Actor,
    /// `email:<sender>:<Message-ID>`: the same message delivered twice is recorded once. The
    /// sender is part of it so that a contact reusing someone else's Message-ID can neither
    /// suppress that mail nor learn which ticket it opened.
    pub idempotency_key: String,
    /// The contact who wrote.
    pub contact: Contact,
}

impl IntakeCommand {
    /// The ticket command addressed to its ticket; `new_key` is the key for a new request
    /// (ignored for a comment, which names its ticket).
    pub fn addressed(&self, new_key: &TicketKey) -> AddressedCommand {
        match &self.intent {
            Intent::OpenRequest {
                organisation,
                region,
                extended_support_budget,
                email,
            } => AddressedCommand::Ticket(
                new_key.clone(),
                TicketCommand::OpenFromEmail {
                    key: new_key.clone(),
                    organisation: organisation.clone(),
                    region: *region,
                    extended_support_budget: *extended_support_budget,
                    email: email.clone(),
                },
            ),
            Intent::Comment {
                ticket,
                text,
                attachments,
            } => AddressedCommand::Ticket(
                ticket.clone(),
                TicketCommand::AddComment {
                    text: text.clone(),
                    visibility: CommentVisibility::Public,
                    attachments: attachments.clone(),
                },
            ),
        }
    }
}

/// Decides the command for `mail`: a subject carrying a ticket key (`SD-1042`, also inside
/// `Re: [SD-1042] …`) becomes a comment on that ticket by the sender; anything else opens a
/// new Request shared with the sender's organisation. Unknown senders are refused.
pub fn route(
    mail: &InboundMail,
    directory: &ContactDirectory,
) -> Result<IntakeCommand, IntakeError> {
    let contact = directory
        .find(&mail.from)
        .ok_or_else(|| IntakeError::UnknownSender {
            sender: mail.from.chars().take(254).collect(),
        })?;
    let attachments: Vec<Attachment> = mail
        .attachments
        .iter()
        .map(|a| Attachment {
            name: a.name.clone(),
            size_bytes: a.size_bytes,
            content_hash: a.sha256.clone(),
        })
        .collect();
    let idempotency_key = format!("email:{}:{}", mail.from, mail.message_id);
    let command = match ticket_key_in_subject(&mail.subject) {
        Some(ticket) => IntakeCommand {
            intent: Intent::Comment {
                ticket,
                text: strip_quoted_reply(&mail.body),
                attachments,
            },
            actor: Actor {
                id: contact.id.clone(),
                role: Role::Customer {
                    organisation: contact.organisation.id.clone(),
                },
            },
            idempotency_key,
            contact,
        },
        None => IntakeCommand {
            intent: Intent::OpenRequest {
                organisation: contact.organisation.id.clone(),
                region: contact.organisation.region,
                extended_support_budget: contact.organisation.extended_support_budget,
                email: EmailMessage {
                    sender: contact.id.clone(),
                    subject: mail.subject.clone(),
                    body: mail.body.clone(),
                    attachments,
                },
            },
            actor: Actor::system(INTAKE_ACTOR_ID),
            idempotency_key,
            contact,
        },
    };
    Ok(command)
}
