//! # Customisation orders (domain.md §3)
//!
//! A customisation order is its own aggregate (stream `order-<key>`), placed from a
//! Customisation ticket. It is either a *customer-specific customisation* (built in the
//! customer's own codeline, in an implementation slot) or a *customer-driven standard
//! extension* (built into the product in an innovation package). Both go through the same
//! four phases, each ended by a result:
//!
//! 1. **Planning** (module `planning`) — consultant assigned, slot or package scheduled, delivery
//!    path agreed, timeline told to the customer. *The customer knows the consultant and the
//!    schedule.*
//! 2. **Concept** (module `concept`) — written, reviewed internally, handed over at least 10 working
//!    days before the slot, approved by the customer at the latest 2 working days before it.
//!    *Approved concept.*
//! 3. **Implementation** (module `implementation`) — developer implements and self-checks, the
//!    consultant verifies against the acceptance criteria. *Verified, releasable.*
//! 4. **Delivery** (module `delivery`) — test first, production after the customer's approval,
//!    set-up tasks, defect fixes. *Installed in production, set up, no open defects.*
//!
//! Dates that later decisions depend on (concept deadlines, earliest delivery) are derived
//! when the slot is scheduled and recorded in the event ([`deadline`]), so replay never
//! depends on today's calendar or policy.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use ticketflow_domain::order::{CustomisationOrder, OrderCommand, OrderPhase};
//! use ticketflow_domain::{Aggregate, Context, DeskConfig};
//! use ticketflow_events::order::OrderKind;
//! use ticketflow_events::{Actor, OrganisationId, Region, Role};
//!
//! let config = DeskConfig::default();
//! let sales = Actor { id: "sam@vendor".into(), role: Role::Sales };
//! let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
//! let ctx = Context { now, actor: &sales, config: &config };
//! let place = OrderCommand::Place {
//!     order: "CO-17".parse().unwrap(),
//!     ticket: "SD-1042".parse().unwrap(),
//!     customer: OrganisationId("acme".into()),
//!     region: Region::Dach,
//!     kind: OrderKind::CustomerSpecific,
//!     summary: "Export of course bookings".into(),
//!     own_codeline: true,
//!     test_environment: true,
//!     custom_code_allowed: true,
//!     product_management_agreed: false,
//! };
//! let mut order = CustomisationOrder::default();
//! for event in order.decide(&place, &ctx)? {
//!     order.evolve(&event);
//! }
//! assert_eq!(order.phase, OrderPhase::Planning);
//! // Only the business consultant tells the customer the timeline.
//! let err = order.decide(&OrderCommand::CommunicateTimeline, &ctx).unwrap_err();
//! assert!(err.to_string().starts_with("a `sales` may not `communicate_timeline`"));
//! # Ok::<(), ticketflow_domain::order::OrderError>(())
//! ```

mod command;
mod concept;
pub mod deadline;
mod delivery;
mod error;
mod implementation;
mod phase;
mod planning;
mod policy;
mod state;

pub use command::OrderCommand;
pub use deadline::{DeadlineStatus, OrderDeadline, OrderDeadlineKind};
pub use error::OrderError;
pub use phase::OrderPhase;
pub use policy::OrderPolicy;
pub use state::{
    Concept, CustomisationOrder, DefectStatus, DeliveryProgress, Implementation, Placement,
    Schedule, SetupTask,
};

use chrono::NaiveDate;
use ticketflow_events::Role;
use ticketflow_events::order::{OrderEvent, OrderKind};

use crate::aggregate::{Aggregate, Context};
use crate::calendar::WorkingDayCalendar;

impl Aggregate for CustomisationOrder {
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;

    fn decide(
        &self,
        command: &OrderCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        self.check_kind(command)?;
        if !self.allowed_commands().contains(&command.name()) {
            return Err(self.not_allowed(command.name()));
        }
        let event: OrderEvent = match command {
            OrderCommand::Place { .. } => planning::place(command, ctx)?,
            OrderCommand::AssignConsultant { consultant } => {
                self.assign_consultant(consultant, ctx)?
            }
            OrderCommand::ScheduleImplementationSlot { start, planned_end } => {
                self.schedule_slot(*start, *planned_end, ctx)?
            }
            OrderCommand::ScheduleInnovationPackage {
                package,
                development_start,
                fcs,
                ga,
            } => self.schedule_package(package, *development_start, *fcs, *ga, ctx)?,
            OrderCommand::AgreeDeliveryPath { path, note } => {
                self.agree_delivery_path(*path, note, ctx)?
            }
            OrderCommand::CommunicateTimeline => self.communicate_timeline(ctx)?,
            OrderCommand::RecordReorder { reference } => self.record_reorder(reference, ctx)?,
            OrderCommand::WriteConcept {
                document,
                acceptance_criteria,
            } => self.write_concept(document, acceptance_criteria, ctx)?,
            OrderCommand::ReviewConcept => self.review_concept(ctx)?,
            OrderCommand::HandOverConcept => self.hand_over_concept(ctx)?,
            OrderCommand::RecordRequirementsChange { description } => {
                self.record_requirements_change(description, ctx)?
            }
            OrderCommand::ApproveConcept => self.approve_concept(ctx)?,
            OrderCommand::RecordMissedApproval => self.record_missed_approval(ctx)?,
            OrderCommand::ReportImplementationCompleted { note } => {
                self.report_implementation_completed(note, ctx)?
            }
            OrderCommand::RecordVerification { passed, failed } => {
                self.record_verification(passed, failed, ctx)?
            }
            OrderCommand::RecordSprintReview {
                sprint,
                in_line,
                feedback,
            } => self.record_sprint_review(sprint, *in_line, feedback, ctx)?,
            OrderCommand::AnnounceDelay {
                planned_end,
                reason,
            } => self.announce_delay(*planned_end, reason, ctx)?,
            OrderCommand::Deliver {
                environment,
                delivery,
                version,
            } => self.deliver(*environment, delivery.as_ref(), version, ctx)?,
            OrderCommand::ApproveTestDelivery => self.approve_test_delivery(ctx)?,
            OrderCommand::OpenSetupTask {
                task,
                kind,
                description,
            } => self.open_setup_task(task, *kind, description, ctx)?,
            OrderCommand::CompleteSetupTask { task } => self.complete_setup_task(task, ctx)?,
            OrderCommand::ReportDefect {
                ticket,
                description,
            } => self.report_defect(ticket, description, ctx)?,
            OrderCommand::ReportDefectFixed { ticket } => self.report_defect_fixed(ticket, ctx)?,
            OrderCommand::Close { booked_hours } => self.close(*booked_hours, ctx)?,
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, event: &OrderEvent) {
        self.apply(event);
    }
}

impl CustomisationOrder {
    /// The commands the current phase admits (each may still be refused by its own rule,
    /// e.g. approval after the deadline). Used in every `NotAllowed` refusal.
    pub fn allowed_commands(&self) -> Vec<&'static str> {
        let schedule = match self.kind() {
            Some(OrderKind::StandardExtension) => "schedule_innovation_package",
            _ => "schedule_implementation_slot",
        };
        match self.phase {
            OrderPhase::NotPlaced => vec!["place"],
            OrderPhase::Planning if self.re_estimation_required => {
                vec!["assign_consultant", "record_reorder"]
            }
            OrderPhase::Planning => vec![
                "assign_consultant",
                schedule,
                "agree_delivery_path",
                "communicate_timeline",
            ],
            OrderPhase::Concept => vec![
                "assign_consultant",
                schedule,
                "agree_delivery_path",
                "communicate_timeline",
                "write_concept",
                "review_concept",
                "hand_over_concept",
                "record_requirements_change",
                "approve_concept",
                "record_missed_approval",
                "open_setup_task",
            ],
            OrderPhase::Implementation => {
                let mut allowed = vec![
                    "assign_consultant",
                    "agree_delivery_path",
                    "report_implementation_completed",
                    "record_verification",
                    "announce_delay",
                    "open_setup_task",
                ];
                if self.kind() == Some(OrderKind::StandardExtension) {
                    allowed.push("record_sprint_review");
                }
                allowed
            }
            OrderPhase::Delivery => vec![
                "assign_consultant",
                "deliver",
                "approve_test_delivery",
                "open_setup_task",
                "complete_setup_task",
                "report_defect",
                "report_defect_fixed",
                "close",
            ],
            OrderPhase::Closed => Vec::new(),
        }
    }

    /// The order's kind, once placed.
    pub fn kind(&self) -> Option<OrderKind> {
        self.placement.as_ref().map(|p| p.kind)
    }

    /// The refusal for a command the phase does not admit.
    fn not_allowed(&self, command: &'static str) -> OrderError {
        OrderError::NotAllowed {
            command,
            order: self
                .placement
                .as_ref()
                .map_or_else(|| "(new)".to_owned(), |p| p.order.to_string()),
            phase: self.phase,
            allowed: self.allowed_commands(),
        }
    }

    /// Refuses a scheduling command meant for the other kind of order.
    fn check_kind(&self, command: &OrderCommand) -> Result<(), OrderError> {
        let Some(kind) = self.kind() else {
            return Ok(());
        };
        match (command, kind) {
            (OrderCommand::ScheduleImplementationSlot { .. }, OrderKind::StandardExtension) => {
                Err(OrderError::WrongKind {
                    command: command.name(),
                    kind,
                    hint: "standard extensions are scheduled into an innovation package (`schedule_innovation_package`)",
                })
            }
            (OrderCommand::ScheduleInnovationPackage { .. }, OrderKind::CustomerSpecific) => {
                Err(OrderError::WrongKind {
                    command: command.name(),
                    kind,
                    hint: "customer-specific customisations are scheduled into an implementation slot (`schedule_implementation_slot`)",
                })
            }
            (OrderCommand::RecordSprintReview { .. }, OrderKind::CustomerSpecific) => {
                Err(OrderError::WrongKind {
                    command: command.name(),
                    kind,
                    hint: "sprint reviews belong to standard extensions built by product development; verify a customer-specific customisation with `record_verification`",
                })
            }
            _ => Ok(()),
        }
    }

    /// The working-day calendar of the customer's region.
    fn calendar(&self, ctx: &Context<'_>) -> WorkingDayCalendar {
        self.placement
            .as_ref()
            .map(|p| ctx.config.calendars.get(p.region))
            .unwrap_or_default()
    }
}

/// Today in business time (UTC date of `now`).
fn today(ctx: &Context<'_>) -> NaiveDate {
    ctx.now.date_naive()
}

/// Refuses unless the actor has one of the `allowed` roles (by [`Role::name`]).
fn require_role(
    command: &'static str,
    ctx: &Context<'_>,
    allowed: &[&'static str],
) -> Result<(), OrderError> {
    let role = ctx.actor.role.name();
    if allowed.contains(&role) {
        Ok(())
    } else {
        Err(OrderError::RoleNotPermitted {
            command,
            role,
            required: allowed.join(", "),
        })
    }
}

impl CustomisationOrder {
    /// Refuses unless the actor is a contact of the ordering customer.
    fn require_customer(&self, command: &'static str, ctx: &Context<'_>) -> Result<(), OrderError> {
        let Role::Customer { organisation } = &ctx.actor.role else {
            return Err(OrderError::RoleNotPermitted {
                command,
                role: ctx.actor.role.name(),
                required: "customer".to_owned(),
            });
        };
        match &self.placement {
            Some(p) if p.customer == *organisation => Ok(()),
            Some(p) => Err(OrderError::WrongCustomer {
                command,
                expected: p.customer.to_string(),
                given: organisation.to_string(),
            }),
            None => Err(self.not_allowed(command)),
        }
    }
}

/// Trims a text field and refuses it when blank or longer than `max` characters.
fn text(field: &'static str, value: &str, max: usize) -> Result<String, OrderError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        Err(OrderError::Invalid {
            field,
            accepted: format!("a non-blank text of at most {max} characters"),
        })
    } else {
        Ok(trimmed.to_owned())
    }
}

/// Like [`text`] but an empty value is allowed.
fn optional_text(field: &'static str, value: &str, max: usize) -> Result<String, OrderError> {
    if value.trim().is_empty() {
        Ok(String::new())
    } else {
        text(field, value, max)
    }
}
