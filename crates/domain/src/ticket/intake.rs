//! Intake (domain.md §2.1): the portal form and email, their validation, and finding a
//! ticket key in an email subject.

use ticketflow_events::ticket::{
    Attachment, IntakeChannel, SharedWith, TicketEvent, TicketOpened, TicketType,
};
use ticketflow_events::{OrganisationId, Region, Role, TicketKey};

use super::command::{EmailMessage, PortalForm};
use super::error::TicketError;
use super::state::Ticket;
use crate::Context;

/// Which length limit of the policy applies to a text field.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TextLimit {
    /// One line: summaries, references, names.
    Summary,
    /// Free text: descriptions, comments, notes.
    Text,
}

impl TextLimit {
    fn max(self, ctx: &Context<'_>) -> usize {
        match self {
            TextLimit::Summary => ctx.config.ticket.max_summary_chars,
            TextLimit::Text => ctx.config.ticket.max_text_chars,
        }
    }
}

/// A required text: trimmed, not empty, within the limit.
pub(crate) fn required_text(
    field: &str,
    value: &str,
    limit: TextLimit,
    ctx: &Context<'_>,
) -> Result<String, TicketError> {
    let max = limit.max(ctx);
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(TicketError::Invalid {
            field: field.into(),
            problem: "is empty".into(),
            expected: format!("a text of 1 to {max} characters"),
        });
    }
    optional_text(field, trimmed, limit, ctx)
}

/// An optional text: trimmed, within the limit (empty is fine).
pub(crate) fn optional_text(
    field: &str,
    value: &str,
    limit: TextLimit,
    ctx: &Context<'_>,
) -> Result<String, TicketError> {
    let max = limit.max(ctx);
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length > max {
        return Err(TicketError::Invalid {
            field: field.into(),
            problem: format!("has {length} characters"),
            expected: format!("at most {max} characters"),
        });
    }
    Ok(trimmed.to_owned())
}

/// Attachment metadata: a plain file name, a SHA-256 content hash, a bounded count.
pub(crate) fn validate_attachments(
    field: &str,
    attachments: &[Attachment],
    ctx: &Context<'_>,
) -> Result<Vec<Attachment>, TicketError> {
    let max = ctx.config.ticket.max_attachments;
    if attachments.len() > max {
        return Err(TicketError::Invalid {
            field: field.into(),
            problem: format!("lists {} files", attachments.len()),
            expected: format!("at most {max} attachments per request"),
        });
    }
    for (i, a) in attachments.iter().enumerate() {
        let name_ok = !a.name.trim().is_empty()
            && a.name.chars().count() <= ctx.config.ticket.max_summary_chars
            && !a.name.contains(['/', '\\'])
            && !a.name.chars().any(char::is_control);
        if !name_ok {
            return Err(TicketError::Invalid {
                field: format!("{field}[{i}].name"),
                problem: "is not a plain file name".into(),
                expected: format!(
                    "1 to {} characters without slashes or control characters",
                    ctx.config.ticket.max_summary_chars
                ),
            });
        }
        let hash_ok = a.content_hash.len() == 64
            && a.content_hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hash_ok {
            return Err(TicketError::Invalid {
                field: format!("{field}[{i}].content_hash"),
                problem: "is not a SHA-256 digest".into(),
                expected: "64 lower-case hex digits".into(),
            });
        }
    }
    Ok(attachments.to_vec())
}

fn validate_url(url: &str) -> Result<String, TicketError> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
    if ok {
        Ok(url.to_owned())
    } else {
        Err(TicketError::Invalid {
            field: "url".into(),
            problem: format!(
                "`{}` is not a web address",
                url.chars().take(64).collect::<String>()
            ),
            expected: "an http:// or https:// address with a host, at most 2048 characters".into(),
        })
    }
}

fn missing(field: &str, expected: &str) -> TicketError {
    TicketError::Invalid {
        field: field.into(),
        problem: "is required for an incident".into(),
        expected: expected.into(),
    }
}

impl Ticket {
    pub(crate) fn open_from_portal(
        key: &TicketKey,
        region: Region,
        extended_support_budget: bool,
        form: &PortalForm,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let Role::Customer { organisation } = &ctx.actor.role else {
            return Err(TicketError::Forbidden {
                command: "open_from_portal",
                role: ctx.actor.role.name(),
                required: "a customer contact",
            });
        };
        let incident = match form.ticket_type {
            TicketType::Incident => true,
            TicketType::Request => false,
            other => {
                return Err(TicketError::Invalid {
                    field: "ticket_type".into(),
                    problem: format!("is {other:?}"),
                    expected: "incident or request".into(),
                });
            }
        };
        let summary = required_text("summary", &form.summary, TextLimit::Summary, ctx)?;
        let description = required_text("description", &form.description, TextLimit::Text, ctx)?;
        let shared_with = form.share_with.ok_or_else(|| TicketError::Invalid {
            field: "share_with".into(),
            problem: "is required".into(),
            expected: "organisation or nobody".into(),
        })?;
        let (affected_system, system_reachable) = if incident {
            (
                Some(
                    form.affected_system.ok_or_else(|| {
                        missing("affected_system", "production or non-production")
                    })?,
                ),
                Some(
                    form.system_reachable
                        .ok_or_else(|| missing("system_reachable", "yes (true) or no (false)"))?,
                ),
            )
        } else {
            (form.affected_system, form.system_reachable)
        };
        let url = match form.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => Some(validate_url(u)?),
            None if incident => {
                return Err(missing(
                    "url",
                    "the http:// or https:// address where it happened",
                ));
            }
            None => None,
        };
        let customer_reference = match form.customer_reference.as_deref() {
            Some(r) => Some(optional_text(
                "customer_reference",
                r,
                TextLimit::Summary,
                ctx,
            )?)
            .filter(|r| !r.is_empty()),
            None => None,
        };
        let attachments = validate_attachments("attachments", &form.attachments, ctx)?;
        Ok(vec![
            TicketOpened {
                at: ctx.now,
                key: key.clone(),
                channel: IntakeChannel::Portal,
                ticket_type: form.ticket_type,
                organisation: organisation.clone(),
                region,
                creator: ctx.actor.id.clone(),
                summary,
                description,
                shared_with,
                affected_system,
                system_reachable,
                url,
                customer_reference,
                attachments,
                confidential: form.confidential,
                extended_support_budget,
            }
            .into(),
        ])
    }

    pub(crate) fn open_from_email(
        key: &TicketKey,
        organisation: &OrganisationId,
        region: Region,
        extended_support_budget: bool,
        email: &EmailMessage,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let sender = required_text("sender", &email.sender, TextLimit::Summary, ctx)?;
        if organisation.0.trim().is_empty() {
            return Err(TicketError::Invalid {
                field: "organisation".into(),
                problem: "is empty".into(),
                expected: "the sender's customer organisation".into(),
            });
        }
        // An email is never refused for a long subject or an empty body: the customer already
        // sent it. The subject is cut to the summary limit; empty parts get a placeholder.
        let subject: String = email
            .subject
            .trim()
            .chars()
            .take(ctx.config.ticket.max_summary_chars)
            .collect();
        let summary = if subject.trim().is_empty() {
            "(no subject)".to_owned()
        } else {
            subject.trim().to_owned()
        };
        let body = email.body.trim();
        let description = if body.is_empty() {
            "(empty message)".to_owned()
        } else {
            body.chars()
                .take(ctx.config.ticket.max_text_chars)
                .collect()
        };
        let attachments = validate_attachments("attachments", &email.attachments, ctx)?;
        Ok(vec![
            TicketOpened {
                at: ctx.now,
                key: key.clone(),
                channel: IntakeChannel::Email,
                ticket_type: TicketType::Request,
                organisation: organisation.clone(),
                region,
                creator: sender,
                summary,
                description,
                shared_with: SharedWith::Organisation,
                affected_system: None,
                system_reachable: None,
                url: None,
                customer_reference: None,
                attachments,
                confidential: false,
                extended_support_budget,
            }
            .into(),
        ])
    }
}

/// The first ticket key in an email subject, e.g. `SD-1042` in `Re: [SD-1042] Login fails`.
///
/// The email adapter uses it to turn a reply into a comment on that ticket instead of a new
/// ticket. Words are split at every character that cannot be part of a key.
pub fn ticket_key_in_subject(subject: &str) -> Option<TicketKey> {
    subject
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find_map(|word| word.parse::<TicketKey>().ok())
}
