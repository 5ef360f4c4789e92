//! Phase 3, implementation: the developer implements and self-checks, the consultant
//! verifies on the reference system against the concept's acceptance criteria. Failed
//! criteria send the work back to the developer; a delay is announced with a new planned end,
//! from which the earliest delivery is derived again.
//!
//! A standard extension is built by product development in the innovation package; the
//! consultant attends its bi-weekly sprint reviews (`record_sprint_review`) and verifies once
//! the customer's reference system has the package's code level, i.e. not before the FCS or
//! GA date that is also its earliest delivery.
//!
//! Earliest delivery:
//! * customer-specific: planned end of implementation + the verification week
//!   ([`OrderPolicy::earliest_delivery_days_after_implementation`](super::OrderPolicy));
//! * standard extension: the package's FCS (own codeline) or GA date; an announced delay
//!   names the new date the extension becomes deliverable and that date is the earliest
//!   delivery.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use ticketflow_events::order::{
    OrderEvent, OrderImplementationCompleted, OrderImplementationDelayed, OrderKind,
    OrderSprintReviewRecorded, OrderVerificationRecorded,
};

use super::deadline::earliest_delivery_after;
use super::{CustomisationOrder, OrderError, optional_text, require_role, text, today};
use crate::aggregate::Context;

impl CustomisationOrder {
    pub(super) fn report_implementation_completed(
        &self,
        note: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "report_implementation_completed";
        match self.kind() {
            Some(OrderKind::StandardExtension) => {
                require_role(CMD, ctx, &["technical-services", "product-management"])?;
            }
            _ => require_role(CMD, ctx, &["technical-services"])?,
        }
        if self.implementation.completed {
            return Err(OrderError::ImplementationAwaitsVerification);
        }
        Ok(OrderImplementationCompleted {
            at: ctx.now,
            developer: ctx.actor.id.clone(),
            note: optional_text("note", note, 1000)?,
        }
        .into())
    }

    pub(super) fn record_verification(
        &self,
        passed: &[String],
        failed: &[String],
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("record_verification", ctx, &["business-consultant"])?;
        if !self.implementation.completed {
            return Err(OrderError::ImplementationNotCompleted);
        }
        if self.kind() == Some(OrderKind::StandardExtension)
            && let Some(code_level) = self.earliest_delivery
            && today(ctx) < code_level
        {
            return Err(OrderError::ReferenceSystemNotReady {
                code_level,
                today: today(ctx),
            });
        }
        let criteria: BTreeSet<&str> = self
            .concept
            .as_ref()
            .map(|c| c.acceptance_criteria.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let trimmed =
            |list: &[String]| -> Vec<String> { list.iter().map(|s| s.trim().to_owned()).collect() };
        let (passed, failed) = (trimmed(passed), trimmed(failed));
        let mut seen = BTreeSet::new();
        for name in passed.iter().chain(&failed) {
            if !criteria.contains(name.as_str()) {
                return Err(OrderError::Invalid {
                    field: "passed/failed",
                    accepted: format!(
                        "acceptance criteria of the approved concept; `{name}` is not one of them"
                    ),
                });
            }
            if !seen.insert(name.as_str()) {
                return Err(OrderError::Invalid {
                    field: "passed/failed",
                    accepted: format!("each criterion once; `{name}` is listed twice"),
                });
            }
        }
        let unchecked: Vec<&str> = criteria.difference(&seen).copied().collect();
        if !unchecked.is_empty() {
            return Err(OrderError::Invalid {
                field: "passed/failed",
                accepted: format!(
                    "every acceptance criterion as passed or failed; not checked: {}",
                    unchecked.join(", ")
                ),
            });
        }
        let verified = failed.is_empty();
        Ok(OrderVerificationRecorded {
            at: ctx.now,
            passed,
            failed,
            verified,
        }
        .into())
    }

    pub(super) fn record_sprint_review(
        &self,
        sprint: &str,
        in_line: bool,
        feedback: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("record_sprint_review", ctx, &["business-consultant"])?;
        let sprint = text("sprint", sprint, 200)?;
        let feedback = if in_line {
            optional_text("feedback", feedback, 2000)?
        } else {
            text("feedback", feedback, 2000)?
        };
        Ok(OrderSprintReviewRecorded {
            at: ctx.now,
            sprint,
            in_line,
            feedback,
        }
        .into())
    }

    pub(super) fn announce_delay(
        &self,
        planned_end: NaiveDate,
        reason: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("announce_delay", ctx, &["business-consultant"])?;
        let reason = text("reason", reason, 1000)?;
        let (current, earliest) = match self.kind() {
            Some(OrderKind::StandardExtension) => (self.earliest_delivery, planned_end),
            _ => (
                self.planned_end,
                earliest_delivery_after(planned_end, &ctx.config.order),
            ),
        };
        if let Some(current) = current
            && planned_end <= current
        {
            return Err(OrderError::Invalid {
                field: "planned_end",
                accepted: format!("a date after the current plan {current}"),
            });
        }
        Ok(OrderImplementationDelayed {
            at: ctx.now,
            planned_end,
            earliest_delivery: earliest,
            reason,
        }
        .into())
    }
}
