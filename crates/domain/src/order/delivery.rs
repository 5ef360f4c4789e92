//! Phase 4, delivery: to the customer's test environment first (if it has one), to
//! production after the customer approved the test delivery; post-delivery set-up tasks;
//! defects reported through service-desk tickets, fixed and delivered again; closing with the
//! booked project hours.
//!
//! A reported defect invalidates the current delivery: test and production must receive a
//! new delivery carrying the fix before the order can close. For standard extensions the fix
//! comes with the standard patch cycle, which is the same sequence of events.

use ticketflow_events::order::{
    OrderClosed, OrderDefectFixed, OrderDefectReported, OrderDelivered, OrderEnvironment,
    OrderEvent, OrderSetupTaskCompleted, OrderSetupTaskOpened, OrderTestDeliveryApproved,
    SetupTaskKind,
};
use ticketflow_events::{DeliveryKey, TicketKey};

use super::{
    CustomisationOrder, DefectStatus, OrderError, optional_text, require_role, text, today,
};
use crate::aggregate::Context;

/// The most project hours a close accepts (a sanity bound against typos).
const MAX_BOOKED_HOURS: f64 = 100_000.0;

impl CustomisationOrder {
    /// Defect tickets reported and not yet fixed.
    fn unfixed_defects(&self) -> Vec<String> {
        self.defects
            .iter()
            .filter(|(_, s)| **s == DefectStatus::Open)
            .map(|(t, _)| t.to_string())
            .collect()
    }

    fn has_test_environment(&self) -> bool {
        self.placement.as_ref().is_some_and(|p| p.test_environment)
    }

    pub(super) fn deliver(
        &self,
        environment: OrderEnvironment,
        delivery: Option<&DeliveryKey>,
        version: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "deliver";
        require_role(CMD, ctx, &["business-consultant", "support-agent"])?;
        let today = today(ctx);
        if let Some(earliest) = self.earliest_delivery
            && today < earliest
        {
            return Err(OrderError::TooEarlyForDelivery { earliest, today });
        }
        let unfixed = self.unfixed_defects();
        if !unfixed.is_empty() {
            return Err(OrderError::UnfixedDefects {
                command: CMD,
                tickets: unfixed,
            });
        }
        let step = |reason| {
            Err(OrderError::DeliveryStep {
                command: CMD,
                reason,
            })
        };
        match environment {
            OrderEnvironment::Test if !self.has_test_environment() => {
                return step("the customer has no test environment; deliver to production");
            }
            OrderEnvironment::Test if self.delivery.test_delivered => {
                return step("the current version is already on the test environment");
            }
            OrderEnvironment::Production if self.delivery.production_delivered => {
                return step("the current version is already in production");
            }
            OrderEnvironment::Production
                if self.has_test_environment() && !self.delivery.test_delivered =>
            {
                return step("the customer has a test environment: deliver there first");
            }
            OrderEnvironment::Production
                if self.has_test_environment() && !self.delivery.test_approved =>
            {
                return step("the customer has not approved the test delivery for production yet");
            }
            _ => {}
        }
        let fixes: Vec<TicketKey> = self
            .defects
            .iter()
            .filter(|(_, s)| **s == DefectStatus::Fixed)
            .map(|(t, _)| t.clone())
            .collect();
        Ok(OrderDelivered {
            at: ctx.now,
            environment,
            delivery: delivery.cloned(),
            version: optional_text("version", version, 100)?,
            fixes,
        }
        .into())
    }

    pub(super) fn approve_test_delivery(
        &self,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "approve_test_delivery";
        self.require_customer(CMD, ctx)?;
        if !self.delivery.test_delivered {
            return Err(OrderError::DeliveryStep {
                command: CMD,
                reason: "nothing has been delivered to the test environment since the last change",
            });
        }
        if self.delivery.test_approved {
            return Err(OrderError::DeliveryStep {
                command: CMD,
                reason: "the test delivery is already approved",
            });
        }
        Ok(OrderTestDeliveryApproved {
            at: ctx.now,
            approved_by: ctx.actor.id.clone(),
        }
        .into())
    }

    pub(super) fn open_setup_task(
        &self,
        task: &str,
        kind: SetupTaskKind,
        description: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("open_setup_task", ctx, &["business-consultant"])?;
        let task = text("task", task, 100)?;
        if self.setup_tasks.contains_key(&task) {
            return Err(OrderError::Item {
                what: "set-up task",
                id: task,
                problem: "already exists; choose another id",
            });
        }
        Ok(OrderSetupTaskOpened {
            at: ctx.now,
            task,
            kind,
            description: text("description", description, 1000)?,
        }
        .into())
    }

    pub(super) fn complete_setup_task(
        &self,
        task: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "complete_setup_task";
        require_role(CMD, ctx, &["business-consultant"])?;
        let task = task.trim();
        match self.setup_tasks.get(task) {
            None => Err(OrderError::Item {
                what: "set-up task",
                id: task.chars().take(100).collect(),
                problem: "does not exist on this order; open it first",
            }),
            Some(t) if t.completed => Err(OrderError::Item {
                what: "set-up task",
                id: task.to_owned(),
                problem: "is already completed",
            }),
            Some(_) if self.delivery.deliveries == 0 => Err(OrderError::DeliveryStep {
                command: CMD,
                reason: "set-up happens after a delivery; nothing has been delivered yet",
            }),
            Some(_) => Ok(OrderSetupTaskCompleted {
                at: ctx.now,
                task: task.to_owned(),
            }
            .into()),
        }
    }

    pub(super) fn report_defect(
        &self,
        ticket: &TicketKey,
        description: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        const CMD: &str = "report_defect";
        require_role(
            CMD,
            ctx,
            &["support-agent", "business-consultant", "system"],
        )?;
        if self.delivery.deliveries == 0 {
            return Err(OrderError::DeliveryStep {
                command: CMD,
                reason: "defects are reported against a delivery; nothing has been delivered yet",
            });
        }
        if self.defects.contains_key(ticket) {
            return Err(OrderError::Item {
                what: "defect",
                id: ticket.to_string(),
                problem: "is already reported on this order",
            });
        }
        Ok(OrderDefectReported {
            at: ctx.now,
            ticket: ticket.clone(),
            description: text("description", description, 2000)?,
        }
        .into())
    }

    pub(super) fn report_defect_fixed(
        &self,
        ticket: &TicketKey,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role(
            "report_defect_fixed",
            ctx,
            &["technical-services", "product-management"],
        )?;
        match self.defects.get(ticket) {
            Some(DefectStatus::Open) => Ok(OrderDefectFixed {
                at: ctx.now,
                ticket: ticket.clone(),
            }
            .into()),
            Some(DefectStatus::Fixed) => Err(OrderError::Item {
                what: "defect",
                id: ticket.to_string(),
                problem: "is already fixed and waits for a delivery",
            }),
            None => Err(OrderError::Item {
                what: "defect",
                id: ticket.to_string(),
                problem: "is not an open defect of this order",
            }),
        }
    }

    pub(super) fn close(
        &self,
        booked_hours: f64,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("close", ctx, &["business-consultant"])?;
        if !booked_hours.is_finite() || booked_hours <= 0.0 || booked_hours > MAX_BOOKED_HOURS {
            return Err(OrderError::Invalid {
                field: "booked_hours",
                accepted: format!(
                    "the project hours booked, more than 0 and at most {MAX_BOOKED_HOURS}"
                ),
            });
        }
        let mut reasons = Vec::new();
        if !self.delivery.production_delivered {
            reasons.push("the current version is not delivered to production".to_owned());
        }
        if !self.defects.is_empty() {
            let tickets: Vec<String> = self.defects.keys().map(ToString::to_string).collect();
            reasons.push(format!(
                "defects {} are open or their fix is not in production",
                tickets.join(", ")
            ));
        }
        let open_tasks: Vec<&str> = self
            .setup_tasks
            .iter()
            .filter(|(_, t)| !t.completed)
            .map(|(id, _)| id.as_str())
            .collect();
        if !open_tasks.is_empty() {
            reasons.push(format!(
                "set-up tasks {} are not completed",
                open_tasks.join(", ")
            ));
        }
        if !reasons.is_empty() {
            return Err(OrderError::CannotClose { reasons });
        }
        Ok(OrderClosed {
            at: ctx.now,
            booked_hours,
        }
        .into())
    }
}
