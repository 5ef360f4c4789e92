//! Phase 2, concept: written from the solution sketch, reviewed internally (Technical
//! Services for a customer-specific technical concept, product management for a standard
//! extension's scoping document), handed to the customer, approved.
//!
//! Decisions recorded here:
//! * A hand-over after its deadline is **recorded as late**, not refused: the customer still
//!   needs the document, and refusing would leave the consultant no way forward but to
//!   reschedule. The lateness is visible in the event and on the planning board.
//! * Approval after the approval deadline is **refused**: the slot is lost; the scheduler
//!   records `record_missed_approval` and the order must be rescheduled first.
//! * A significant change of requirements during the customer's review sends the order back
//!   to **Planning** with re-estimation required; concept, schedule and delivery path are
//!   discarded, the consultant stays. Sales records the new order (`record_reorder`), then
//!   planning starts again.

use ticketflow_events::order::{
    OrderApprovalMissed, OrderConceptApproved, OrderConceptHandedOver, OrderConceptReviewed,
    OrderConceptWritten, OrderEvent, OrderKind, OrderRequirementsChanged,
};

use super::{CustomisationOrder, OrderError, Schedule, require_role, text, today};
use crate::aggregate::Context;

/// The most acceptance criteria a concept may list.
const MAX_CRITERIA: usize = 500;

impl CustomisationOrder {
    /// The current version of the concept is with the customer.
    pub(super) fn concept_handed_over(&self) -> bool {
        self.concept
            .as_ref()
            .is_some_and(|c| c.handed_over.is_some())
    }

    pub(super) fn write_concept(
        &self,
        document: &str,
        criteria: &[String],
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("write_concept", ctx, &["business-consultant"])?;
        let document = text("document", document, 500)?;
        if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
            return Err(OrderError::Invalid {
                field: "acceptance_criteria",
                accepted: format!(
                    "1 to {MAX_CRITERIA} acceptance criteria (test cases) the implementation is verified against"
                ),
            });
        }
        let mut cleaned: Vec<String> = Vec::with_capacity(criteria.len());
        for criterion in criteria {
            let criterion = text("acceptance_criteria", criterion, 500)?;
            if cleaned.contains(&criterion) {
                return Err(OrderError::Invalid {
                    field: "acceptance_criteria",
                    accepted: format!("distinct criteria; `{criterion}` is listed twice"),
                });
            }
            cleaned.push(criterion);
        }
        Ok(OrderConceptWritten {
            at: ctx.now,
            document,
            acceptance_criteria: cleaned,
        }
        .into())
    }

    pub(super) fn review_concept(&self, ctx: &Context<'_>) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "review_concept";
        match self.kind() {
            Some(OrderKind::StandardExtension) => {
                require_role(CMD, ctx, &["product-management"])?;
            }
            _ => require_role(CMD, ctx, &["technical-services"])?,
        }
        let Some(concept) = &self.concept else {
            return Err(OrderError::ConceptStepMissing {
                command: CMD,
                missing: "the concept has not been written yet (`write_concept`)",
            });
        };
        if concept.reviewed {
            return Err(OrderError::ConceptStepMissing {
                command: CMD,
                missing: "this version is already reviewed; revise it with `write_concept` to review again",
            });
        }
        Ok(OrderConceptReviewed {
            at: ctx.now,
            reviewer: ctx.actor.id.clone(),
        }
        .into())
    }

    pub(super) fn hand_over_concept(&self, ctx: &Context<'_>) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "hand_over_concept";
        require_role(CMD, ctx, &["business-consultant"])?;
        let reviewed = self.concept.as_ref().is_some_and(|c| c.reviewed);
        if !reviewed {
            return Err(OrderError::ConceptStepMissing {
                command: CMD,
                missing: "the concept must be written and reviewed internally first",
            });
        }
        if self.concept_handed_over() {
            return Err(OrderError::ConceptStepMissing {
                command: CMD,
                missing: "this version is already with the customer; revise it with `write_concept` first",
            });
        }
        let Some(deadlines) = &self.concept_deadlines else {
            return Err(OrderError::RescheduleRequired { command: CMD });
        };
        Ok(OrderConceptHandedOver {
            at: ctx.now,
            deadline: deadlines.handover,
            late: today(ctx) > deadlines.handover,
        }
        .into())
    }

    pub(super) fn record_requirements_change(
        &self,
        description: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "record_requirements_change";
        require_role(CMD, ctx, &["business-consultant"])?;
        if !self.concept_handed_over() {
            return Err(OrderError::ConceptStepMissing {
                command: CMD,
                missing: "a significant change of requirements is recorded during the customer's review, after `hand_over_concept`",
            });
        }
        Ok(OrderRequirementsChanged {
            at: ctx.now,
            description: text("description", description, 2000)?,
        }
        .into())
    }

    pub(super) fn approve_concept(&self, ctx: &Context<'_>) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "approve_concept";
        self.require_customer(CMD, ctx)?;
        if !self.concept_handed_over() {
            return Err(OrderError::ConceptStepMissing {
                command: CMD,
                missing: "the concept has not been handed over to you yet",
            });
        }
        let Some(deadlines) = (!self.reschedule_required)
            .then_some(self.concept_deadlines.as_ref())
            .flatten()
        else {
            return Err(OrderError::RescheduleRequired { command: CMD });
        };
        let today = today(ctx);
        if today > deadlines.approval {
            return Err(OrderError::ApprovalDeadlinePassed {
                deadline: deadlines.approval,
                today,
            });
        }
        Ok(OrderConceptApproved {
            at: ctx.now,
            deadline: deadlines.approval,
            approved_by: ctx.actor.id.clone(),
        }
        .into())
    }

    pub(super) fn record_missed_approval(
        &self,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "record_missed_approval";
        require_role(CMD, ctx, &["system", "business-consultant"])?;
        let (Some(deadlines), Some(schedule)) = (&self.concept_deadlines, &self.schedule) else {
            return Err(OrderError::RescheduleRequired { command: CMD });
        };
        let today = today(ctx);
        if today <= deadlines.approval {
            return Err(OrderError::ApprovalDeadlineNotPassed {
                deadline: deadlines.approval,
                today,
            });
        }
        let (lost_slot, lost_package) = match schedule {
            Schedule::Slot(slot) => (Some(slot.clone()), None),
            Schedule::Package(package) => (None, Some(package.clone())),
        };
        Ok(OrderApprovalMissed {
            at: ctx.now,
            deadline: deadlines.approval,
            lost_slot,
            lost_package,
        }
        .into())
    }
}
