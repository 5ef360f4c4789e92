//! The decisions: which events a command causes, or why it is refused.

use chrono::NaiveDate;
use ticketflow_events::delivery::*;
use ticketflow_events::{Role, TicketKey, Timestamp};

use super::{Delivery, DeliveryCommand, DeliveryError};
use crate::Context;

/// The longest free text (reasons, locations, titles) accepted, in characters.
const MAX_TEXT: usize = 500;
/// The longest document URL accepted, in characters.
const MAX_URL: usize = 2000;
/// URL schemes accepted for document links.
const URL_SCHEMES: [&str; 3] = ["https://", "http://", "sftp://"];

impl Delivery {
    /// The body of [`crate::Aggregate::decide`].
    pub(crate) fn decide_command(
        &self,
        command: &DeliveryCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<DeliveryEvent>, DeliveryError> {
        authorise(command, &ctx.actor.role)?;
        if !self.allowed_commands().contains(&command.name()) {
            return Err(DeliveryError::NotAllowed {
                command: command.name(),
                delivery: self.label(),
                status: self.step,
                allowed: self.allowed_commands(),
            });
        }
        let at = ctx.now;
        let today = ctx.now.date_naive();
        use DeliveryCommand as C;
        let event: DeliveryEvent = match command {
            C::PlanDelivery {
                delivery,
                version,
                cloud_environment,
                organisation,
                shared_with,
                documents,
                tickets,
            } => {
                if organisation.0.trim().is_empty() {
                    return Err(invalid(
                        "organisation",
                        "must name the customer organisation, e.g. `acme`",
                    ));
                }
                if let Some(twice) = first_duplicate(tickets) {
                    return Err(invalid(
                        "tickets",
                        format!("lists {twice} twice; list every ticket once"),
                    ));
                }
                let documents = documents
                    .iter()
                    .map(checked_document)
                    .collect::<Result<Vec<_>, _>>()?;
                DeliveryPlanned {
                    at,
                    delivery: delivery.clone(),
                    version: version.clone(),
                    cloud_environment: *cloud_environment,
                    organisation: organisation.clone(),
                    shared_with: *shared_with,
                    documents,
                    tickets: tickets.clone(),
                }
                .into()
            }
            C::ScheduleMerge {
                merge_on,
                estimated_delivery_on,
            } => {
                check_dates(*merge_on, *estimated_delivery_on, today)?;
                DeliveryMergeScheduled {
                    at,
                    merge_on: *merge_on,
                    estimated_delivery_on: *estimated_delivery_on,
                }
                .into()
            }
            C::MoveMerge {
                merge_on,
                estimated_delivery_on,
                reason,
            } => {
                let reason = text("reason", reason)?;
                let (old_merge_on, old_estimate) = (self.merge_on, self.estimated_delivery_on);
                let (Some(old_merge_on), Some(old_estimated_delivery_on)) =
                    (old_merge_on, old_estimate)
                else {
                    return Err(self.not_allowed(command));
                };
                if old_merge_on == *merge_on && old_estimated_delivery_on == *estimated_delivery_on
                {
                    return Err(invalid(
                        "merge_on",
                        format!(
                            "the merge is already scheduled for {merge_on} with delivery estimated on {estimated_delivery_on}; give a different date"
                        ),
                    ));
                }
                check_dates(*merge_on, *estimated_delivery_on, today)?;
                DeliveryMergeMoved {
                    at,
                    old_merge_on,
                    new_merge_on: *merge_on,
                    old_estimated_delivery_on,
                    new_estimated_delivery_on: *estimated_delivery_on,
                    reason,
                }
                .into()
            }
            C::MoveEstimatedDeliveryDate {
                estimated_delivery_on,
                reason,
            } => {
                let reason = text("reason", reason)?;
                let Some(old_estimated_delivery_on) = self.estimated_delivery_on else {
                    return Err(self.not_allowed(command));
                };
                if old_estimated_delivery_on == *estimated_delivery_on {
                    return Err(invalid(
                        "estimated_delivery_on",
                        format!(
                            "the delivery is already estimated for {estimated_delivery_on}; give a different date"
                        ),
                    ));
                }
                check_not_past(*estimated_delivery_on, today)?;
                DeliveryEstimateMoved {
                    at,
                    old_estimated_delivery_on,
                    new_estimated_delivery_on: *estimated_delivery_on,
                    reason,
                }
                .into()
            }
            C::CompleteMerge {} => DeliveryMergeCompleted { at }.into(),
            C::ConfirmChangesComplete {} => DeliveryChangesConfirmed { at }.into(),
            C::CloseCodeline {} => DeliveryCodelineClosed { at }.into(),
            C::BuildPackage {} => DeliveryPackageBuilt { at }.into(),
            C::PassReferenceTest {} => DeliveryReferenceTestPassed { at }.into(),
            C::Release {} => DeliveryReleased { at }.into(),
            C::ProvidePackage { location } => DeliveryPackageProvided {
                at,
                location: text("location", location)?,
            }
            .into(),
            C::AnnounceMaintenance { window_starts_at } => {
                check_window(*window_starts_at, at)?;
                DeliveryMaintenanceAnnounced {
                    at,
                    window_starts_at: *window_starts_at,
                }
                .into()
            }
            C::CompleteStageInstallation {} => DeliveryStageInstallationCompleted { at }.into(),
            C::CompleteInstallation {} => DeliveryInstallationCompleted { at }.into(),
            C::IncludeTicket { ticket } => {
                if self.includes(ticket) {
                    return Err(DeliveryError::AlreadyIncluded {
                        ticket: ticket.clone(),
                        delivery: self.label(),
                    });
                }
                DeliveryTicketIncluded {
                    at,
                    ticket: ticket.clone(),
                }
                .into()
            }
            C::RemoveTicket { ticket, reason } => {
                if !self.includes(ticket) {
                    return Err(DeliveryError::NotIncluded {
                        ticket: ticket.clone(),
                        delivery: self.label(),
                        included: self.tickets.clone(),
                    });
                }
                DeliveryTicketRemoved {
                    at,
                    ticket: ticket.clone(),
                    reason: text("reason", reason)?,
                }
                .into()
            }
            C::LinkDocument { document } => {
                let document = checked_document(document)?;
                if self.documents.iter().any(|d| d.url == document.url) {
                    return Err(invalid(
                        "document.url",
                        format!(
                            "`{}` is already linked to delivery {}; link a different document",
                            document.url,
                            self.label()
                        ),
                    ));
                }
                DeliveryDocumentLinked { at, document }.into()
            }
        };
        Ok(vec![event])
    }

    fn not_allowed(&self, command: &DeliveryCommand) -> DeliveryError {
        DeliveryError::NotAllowed {
            command: command.name(),
            delivery: self.label(),
            status: self.step,
            allowed: self.allowed_commands(),
        }
    }
}

/// Deliveries are planned and driven by support agents (domain.md §1, §2.2: "created by
/// support only"). The engine itself may include tickets, because `CUSTOM` fixes join the
/// customer's next delivery automatically (§2.6).
fn authorise(command: &DeliveryCommand, role: &Role) -> Result<(), DeliveryError> {
    let ok = matches!(
        (command, role),
        (_, Role::SupportAgent { .. }) | (DeliveryCommand::IncludeTicket { .. }, Role::System)
    );
    if ok {
        Ok(())
    } else {
        Err(DeliveryError::Forbidden {
            command: command.name(),
            role: role.name(),
            required: match command {
                DeliveryCommand::IncludeTicket { .. } => "a support agent or the engine",
                _ => "a support agent",
            },
        })
    }
}

fn invalid(field: &'static str, problem: impl Into<String>) -> DeliveryError {
    DeliveryError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// Free text: not blank, at most [`MAX_TEXT`] characters; stored trimmed.
fn text(field: &'static str, value: &str) -> Result<String, DeliveryError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(invalid(
            field,
            format!("must not be empty; write 1 to {MAX_TEXT} characters"),
        ));
    }
    let len = trimmed.chars().count();
    if len > MAX_TEXT {
        return Err(invalid(
            field,
            format!("has {len} characters; at most {MAX_TEXT} are accepted"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn checked_document(document: &DocumentLink) -> Result<DocumentLink, DeliveryError> {
    let title = text("document.title", &document.title)?;
    let url = document.url.trim();
    let scheme = URL_SCHEMES.iter().find(|s| url.starts_with(**s));
    let ok = match scheme {
        Some(scheme) => {
            url.len() > scheme.len()
                && url.chars().count() <= MAX_URL
                && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !ok {
        return Err(invalid(
            "document.url",
            format!(
                "`{}` is not a link to a document; give an https://, http:// or sftp:// URL without spaces, at most {MAX_URL} characters",
                url.chars().take(64).collect::<String>()
            ),
        ));
    }
    Ok(DocumentLink {
        title,
        url: url.to_owned(),
    })
}

fn check_dates(
    merge_on: NaiveDate,
    estimated_delivery_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DeliveryError> {
    if estimated_delivery_on < merge_on {
        return Err(invalid(
            "estimated_delivery_on",
            format!(
                "{estimated_delivery_on} is before the merge on {merge_on}; a delivery follows its merge"
            ),
        ));
    }
    check_not_past(estimated_delivery_on, today)
}

fn check_not_past(estimated_delivery_on: NaiveDate, today: NaiveDate) -> Result<(), DeliveryError> {
    if estimated_delivery_on < today {
        return Err(invalid(
            "estimated_delivery_on",
            format!("{estimated_delivery_on} is in the past; give today ({today}) or later"),
        ));
    }
    Ok(())
}

fn check_window(window_starts_at: Timestamp, now: Timestamp) -> Result<(), DeliveryError> {
    if window_starts_at < now {
        return Err(invalid(
            "window_starts_at",
            format!(
                "{} is in the past; announce a window that starts now ({}) or later",
                window_starts_at.to_rfc3339(),
                now.to_rfc3339()
            ),
        ));
    }
    Ok(())
}

fn first_duplicate(tickets: &[TicketKey]) -> Option<&TicketKey> {
    tickets
        .iter()
        .enumerate()
        .find(|(i, t)| tickets[..*i].contains(t))
        .map(|(_, t)| t)
}
