//! Phase 1, planning: placing the order, assigning the consultant, scheduling the slot or
//! package, agreeing the delivery path and telling the customer the timeline.
//!
//! Scheduling is also how an order recovers from a missed approval: the lost slot is kept in
//! the history and the new one must start later (for a standard extension: a later
//! innovation package).

use chrono::NaiveDate;
use ticketflow_events::order::{
    ConceptDeadlines, DeliveryPath, ImplementationSlot, InnovationPackage, OrderConsultantAssigned,
    OrderDeliveryPathAgreed, OrderEvent, OrderImplementationSlotScheduled,
    OrderInnovationPackageScheduled, OrderKind, OrderPlaced, OrderReordered,
    OrderTimelineCommunicated,
};

use super::deadline::{concept_deadlines, earliest_delivery_after};
use super::{
    CustomisationOrder, OrderCommand, OrderError, Schedule, optional_text, require_role, text,
    today,
};
use crate::aggregate::Context;

/// Decides `place`: checks the kind's precondition and records the order.
pub(super) fn place(command: &OrderCommand, ctx: &Context<'_>) -> Result<OrderEvent, OrderError> {
    let OrderCommand::Place {
        order,
        ticket,
        customer,
        region,
        kind,
        summary,
        own_codeline,
        test_environment,
        custom_code_allowed,
        product_management_agreed,
    } = command
    else {
        return Err(OrderError::Invalid {
            field: "command",
            accepted: "`place`".to_owned(),
        });
    };
    require_role("place", ctx, &["sales", "business-consultant", "system"])?;
    let summary = text("summary", summary, 500)?;
    if customer.0.trim().is_empty() {
        return Err(OrderError::Invalid {
            field: "customer",
            accepted: "the id of the ordering organisation".to_owned(),
        });
    }
    match kind {
        OrderKind::CustomerSpecific if !own_codeline => return Err(OrderError::NoOwnCodeline),
        OrderKind::CustomerSpecific if !custom_code_allowed => {
            return Err(OrderError::CustomCodeNotAllowed);
        }
        OrderKind::StandardExtension if !product_management_agreed => {
            return Err(OrderError::NoProductManagementAgreement);
        }
        _ => {}
    }
    Ok(OrderPlaced {
        at: ctx.now,
        order: order.clone(),
        ticket: ticket.clone(),
        customer: customer.clone(),
        region: *region,
        kind: *kind,
        summary,
        own_codeline: *own_codeline,
        test_environment: *test_environment,
        custom_code_allowed: *custom_code_allowed,
        product_management_agreed: *product_management_agreed,
    }
    .into())
}

impl CustomisationOrder {
    pub(super) fn assign_consultant(
        &self,
        consultant: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("assign_consultant", ctx, &["business-consultant", "sales"])?;
        Ok(OrderConsultantAssigned {
            at: ctx.now,
            consultant: text("consultant", consultant, 200)?,
        }
        .into())
    }

    pub(super) fn schedule_slot(
        &self,
        start: NaiveDate,
        planned_end: NaiveDate,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role(
            "schedule_implementation_slot",
            ctx,
            &["business-consultant", "technical-services"],
        )?;
        if planned_end < start {
            return Err(OrderError::Invalid {
                field: "planned_end",
                accepted: format!("a date on or after the slot start {start}"),
            });
        }
        self.check_later_than_lost(start, None)?;
        let deadlines = concept_deadlines(start, &self.calendar(ctx), &ctx.config.order);
        self.check_not_too_soon(start, &deadlines, ctx)?;
        Ok(OrderImplementationSlotScheduled {
            at: ctx.now,
            slot: ImplementationSlot { start, planned_end },
            deadlines,
            earliest_delivery: earliest_delivery_after(planned_end, &ctx.config.order),
        }
        .into())
    }

    pub(super) fn schedule_package(
        &self,
        id: &str,
        development_start: NaiveDate,
        fcs: NaiveDate,
        ga: NaiveDate,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role(
            "schedule_innovation_package",
            ctx,
            &["business-consultant", "product-management"],
        )?;
        let id = text("package", id, 100)?;
        if fcs <= development_start {
            return Err(OrderError::Invalid {
                field: "fcs",
                accepted: format!("a date after the development start {development_start}"),
            });
        }
        if ga < fcs {
            return Err(OrderError::Invalid {
                field: "ga",
                accepted: format!("a date on or after the FCS date {fcs}"),
            });
        }
        self.check_later_than_lost(development_start, Some(&id))?;
        let deadlines =
            concept_deadlines(development_start, &self.calendar(ctx), &ctx.config.order);
        self.check_not_too_soon(development_start, &deadlines, ctx)?;
        let package = InnovationPackage {
            id,
            development_start,
            fcs,
            ga,
        };
        let earliest_delivery = self.package_delivery_date(&package, self.delivery_path);
        Ok(OrderInnovationPackageScheduled {
            at: ctx.now,
            package,
            deadlines,
            earliest_delivery,
        }
        .into())
    }

    /// When a standard extension reaches the customer: FCS for customers with own codeline
    /// (unless GA was agreed), GA otherwise.
    fn package_delivery_date(
        &self,
        package: &InnovationPackage,
        path: Option<DeliveryPath>,
    ) -> NaiveDate {
        let own_codeline = self.placement.as_ref().is_some_and(|p| p.own_codeline);
        match path {
            Some(DeliveryPath::GeneralAvailability) => package.ga,
            _ if own_codeline => package.fcs,
            _ => package.ga,
        }
    }

    /// After a missed approval the new slot/package must start after the lost one.
    fn check_later_than_lost(&self, start: NaiveDate, id: Option<&str>) -> Result<(), OrderError> {
        if !self.reschedule_required {
            return Ok(());
        }
        let Some(lost) = self.lost_schedules.last() else {
            return Ok(());
        };
        if start <= lost.start() {
            return Err(OrderError::RescheduleNotLater {
                lost_start: lost.start(),
                proposed: start,
            });
        }
        if let (Schedule::Package(lost), Some(id)) = (lost, id)
            && lost.id == id
        {
            return Err(OrderError::Invalid {
                field: "package",
                accepted: format!("a later innovation package than the lost `{}`", lost.id),
            });
        }
        Ok(())
    }

    /// A slot whose deadlines already passed cannot be met: refuse it rather than record a
    /// schedule that is lost on arrival.
    fn check_not_too_soon(
        &self,
        start: NaiveDate,
        deadlines: &ConceptDeadlines,
        ctx: &Context<'_>,
    ) -> Result<(), OrderError> {
        let today = today(ctx);
        let handed_over = self
            .concept
            .as_ref()
            .is_some_and(|c| c.handed_over.is_some());
        let (which, deadline) = if !handed_over && today > deadlines.handover {
            ("concept hand-over", deadlines.handover)
        } else if today > deadlines.approval {
            ("concept approval", deadlines.approval)
        } else {
            return Ok(());
        };
        Err(OrderError::StartTooSoon {
            start,
            which,
            deadline,
            today,
        })
    }

    pub(super) fn agree_delivery_path(
        &self,
        path: DeliveryPath,
        note: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role(
            "agree_delivery_path",
            ctx,
            &["business-consultant", "support-agent"],
        )?;
        let (kind, own_codeline) = self
            .placement
            .as_ref()
            .map(|p| (p.kind, p.own_codeline))
            .ok_or_else(|| self.not_allowed("agree_delivery_path"))?;
        if path.kind() != kind {
            return Err(OrderError::Invalid {
                field: "path",
                accepted: match kind {
                    OrderKind::CustomerSpecific => {
                        "`regular-patch` or `extra-delivery` for a customer-specific customisation"
                    }
                    OrderKind::StandardExtension => {
                        "`first-customer-shipment` or `general-availability` for a standard extension"
                    }
                }
                .to_owned(),
            });
        }
        if path == DeliveryPath::FirstCustomerShipment && !own_codeline {
            return Err(OrderError::Invalid {
                field: "path",
                accepted: "`general-availability`: customers without own codeline get standard extensions with GA via the cloud patch cycle".to_owned(),
            });
        }
        let earliest_delivery = match &self.schedule {
            Some(Schedule::Package(package)) => {
                let by_path = self.package_delivery_date(package, Some(path));
                Some(self.planned_end.map_or(by_path, |end| end.max(by_path)))
            }
            _ => None,
        };
        Ok(OrderDeliveryPathAgreed {
            at: ctx.now,
            path,
            note: optional_text("note", note, 1000)?,
            earliest_delivery,
        }
        .into())
    }

    pub(super) fn communicate_timeline(&self, ctx: &Context<'_>) -> Result<OrderEvent, OrderError> {
        require_role("communicate_timeline", ctx, &["business-consultant"])?;
        let mut missing = Vec::new();
        if self.consultant.is_none() {
            missing.push("an assigned consultant (`assign_consultant`)");
        }
        if self.schedule.is_none() {
            missing.push(match self.kind() {
                Some(OrderKind::StandardExtension) => {
                    "an innovation package (`schedule_innovation_package`)"
                }
                _ => "an implementation slot (`schedule_implementation_slot`)",
            });
        }
        if self.delivery_path.is_none() {
            missing.push("an agreed delivery path (`agree_delivery_path`)");
        }
        if !missing.is_empty() {
            return Err(OrderError::PlanningIncomplete { missing });
        }
        Ok(OrderTimelineCommunicated { at: ctx.now }.into())
    }

    pub(super) fn record_reorder(
        &self,
        reference: &str,
        ctx: &Context<'_>,
    ) -> Result<OrderEvent, OrderError> {
        require_role("record_reorder", ctx, &["sales"])?;
        Ok(OrderReordered {
            at: ctx.now,
            reference: text("reference", reference, 200)?,
        }
        .into())
    }
}
