//! One readable sentence per event, for the audit trail and the notifications outbox.
//!
//! Free text that may be internal or personal (comment texts, descriptions) is never quoted:
//! the sentence says *what* happened, the event itself holds the details for those allowed to
//! read them.

use ticketflow_events::AnyEvent;
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::{CommentVisibility, TicketEvent, TicketType};

/// A short sentence describing what the event records.
pub fn describe(event: &AnyEvent) -> String {
    match event {
        AnyEvent::Ticket(e) => describe_ticket(e),
        AnyEvent::Order(e) => describe_order(e),
        AnyEvent::Delivery(e) => describe_delivery(e),
    }
}

fn type_name(t: TicketType) -> &'static str {
    match t {
        TicketType::Incident => "Incident",
        TicketType::Request => "Request",
        TicketType::SoftwareDefect => "Software Defect",
        TicketType::NonSoftwareDefect => "Non-Software Defect",
        TicketType::ConsultingRequest => "Consulting Request",
        TicketType::SupportRequest => "Support Request",
        TicketType::Customisation => "Customisation",
        TicketType::Suggestion => "Suggestion",
        TicketType::Delivery => "Delivery",
    }
}

/// A sentence for a ticket event.
pub fn describe_ticket(event: &TicketEvent) -> String {
    use TicketEvent as E;
    match event {
        E::TicketOpened(e) => format!(
            "{} opened by {} via {:?}",
            type_name(e.ticket_type),
            e.creator,
            e.channel
        ),
        E::TicketAccepted(e) => format!("accepted by {}", e.agent),
        E::TicketClassified(e) => format!("classified as {}", type_name(e.to)),
        E::TicketReclassified(e) => {
            format!(
                "reclassified from {} to {}",
                type_name(e.from),
                type_name(e.to)
            )
        }
        E::TicketPrioritised(e) => match e.from {
            Some(from) => format!("priority changed from {from} to {}", e.to),
            None => format!("priority set to {}", e.to),
        },
        E::TicketPriorityCleared(e) => format!("priority {} cleared", e.from),
        E::TicketStatusChanged(e) => format!("status changed from {} to {}", e.from, e.to),
        E::TicketClarificationRequested(_) => "clarification requested from the customer".into(),
        E::TicketWorkResumed(_) => "work resumed".into(),
        E::TicketDefectReproduced(e) => {
            format!(
                "defect reproduced on {} and handed to development",
                e.reference_system
            )
        }
        E::TicketWorkaroundProvided(_) => "workaround provided".into(),
        E::TicketResolved(e) => format!("resolved ({:?})", e.outcome),
        E::TicketReadyForDelivery(e) => format!("ready for delivery with {}", e.delivery_version),
        E::TicketDeliveryVersionChanged(e) => {
            format!("delivery version changed from {} to {}", e.from, e.to)
        }
        E::TicketDelivered(e) => format!("delivered with {}", e.delivery),
        E::TicketForwarded(e) => format!("forwarded to {:?}", e.to),
        E::TicketScopingWorkshopHeld(e) => format!("scoping workshop held on {}", e.held_on),
        E::TicketEstimateRequested(_) => "estimate requested from development".into(),
        E::TicketEstimateProvided(e) => format!(
            "estimate of {} hours provided, valid until {}",
            e.effort_hours,
            e.valid_until.date_naive()
        ),
        E::TicketOrdered(e) => match &e.order {
            Some(order) => format!("ordered as {order}"),
            None => "ordered".into(),
        },
        E::TicketConceptApproved(_) => "concept approved".into(),
        E::TicketImplementationCommissioned(_) => "implementation commissioned".into(),
        E::TicketReopened(_) => "reopened".into(),
        E::TicketClosed(e) => format!("closed ({:?})", e.reason),
        E::TicketCommented(e) => match e.visibility {
            CommentVisibility::Public => format!("comment by {}", e.author),
            CommentVisibility::Internal => format!("internal comment by {}", e.author),
        },
        E::TicketAttachmentsAdded(e) => format!("{} attachment(s) added", e.attachments.len()),
        E::TicketSharingChanged(e) => format!("now shared with {:?}", e.shared_with),
        E::TicketConfidentialityChanged(e) => if e.confidential {
            "personal data flagged confidential"
        } else {
            "confidential flag cleared"
        }
        .into(),
        E::TicketNotificationsChanged(e) => format!(
            "notifications {} for {}",
            if e.enabled {
                "switched on"
            } else {
                "switched off"
            },
            e.person
        ),
        E::TicketEffortBooked(e) => format!(
            "{} minutes of {:?} booked for {}",
            e.minutes, e.department, e.performed_on
        ),
        E::TicketEscalated(e) => format!(
            "escalated to level {} ({:?}) by {}",
            e.level.number(),
            e.reason,
            e.by
        ),
        E::TicketSupportBudgetRecorded(e) => format!(
            "extended support budget recorded as {}",
            if e.available {
                "available"
            } else {
                "not available"
            }
        ),
        E::TicketTimersScheduled(e) => format!("{} timer(s) scheduled", e.timers.len()),
        E::TicketTimersCancelled(e) => format!("{} timer(s) cancelled", e.timers.len()),
        E::TicketClarificationReminderSent(e) => {
            format!("clarification reminder {} sent", e.number)
        }
        E::TicketSlaNoticeRecorded(e) => {
            format!("SLA {} clock {} (cycle {})", e.clock, e.kind, e.cycle)
        }
    }
}

fn describe_order(event: &OrderEvent) -> String {
    use OrderEvent as E;
    match event {
        E::OrderPlaced(e) => format!("{} placed from {}: {}", e.kind, e.ticket, e.summary),
        E::OrderConsultantAssigned(e) => format!("consultant {} assigned", e.consultant),
        E::OrderImplementationSlotScheduled(e) => format!(
            "implementation slot {} to {} scheduled; concept approval due {}",
            e.slot.start, e.slot.planned_end, e.deadlines.approval
        ),
        E::OrderInnovationPackageScheduled(e) => format!(
            "planned into innovation package {}; scoping document approval due {}",
            e.package.id, e.deadlines.approval
        ),
        E::OrderDeliveryPathAgreed(e) => format!("delivery path {:?} agreed", e.path),
        E::OrderTimelineCommunicated(_) => "timeline communicated to the customer".into(),
        E::OrderConceptWritten(e) => format!(
            "concept {} written with {} acceptance criteria",
            e.document,
            e.acceptance_criteria.len()
        ),
        E::OrderConceptReviewed(e) => format!("concept reviewed by {}", e.reviewer),
        E::OrderConceptHandedOver(e) => format!(
            "concept handed over{}",
            if e.late { " after its deadline" } else { "" }
        ),
        E::OrderRequirementsChanged(_) => "requirements changed: re-estimation needed".into(),
        E::OrderReordered(e) => format!("reordered ({})", e.reference),
        E::OrderConceptApproved(e) => format!("concept approved by {}", e.approved_by),
        E::OrderApprovalMissed(e) => format!("approval deadline {} missed: slot lost", e.deadline),
        E::OrderImplementationCompleted(e) => {
            format!("implementation completed by {}", e.developer)
        }
        E::OrderVerificationRecorded(e) => {
            if e.verified {
                "verified against every acceptance criterion".to_owned()
            } else {
                format!("verification found {} deviation(s)", e.failed.len())
            }
        }
        E::OrderSprintReviewRecorded(e) => format!(
            "sprint review {} ({})",
            e.sprint,
            if e.in_line { "in line" } else { "not in line" }
        ),
        E::OrderImplementationDelayed(e) => format!(
            "implementation delayed to {}; earliest delivery {}",
            e.planned_end, e.earliest_delivery
        ),
        E::OrderDelivered(e) => format!("delivered to {}", e.environment),
        E::OrderTestDeliveryApproved(e) => format!("test delivery approved by {}", e.approved_by),
        E::OrderSetupTaskOpened(e) => format!("set-up task {} opened", e.task),
        E::OrderSetupTaskCompleted(e) => format!("set-up task {} completed", e.task),
        E::OrderDefectReported(e) => format!("defect reported in {}", e.ticket),
        E::OrderDefectFixed(e) => format!("defect {} fixed", e.ticket),
        E::OrderClosed(e) => format!("closed with {} booked hours", e.booked_hours),
    }
}

fn describe_delivery(event: &DeliveryEvent) -> String {
    use DeliveryEvent as E;
    match event {
        E::DeliveryPlanned(e) => format!(
            "delivery {} for {} planned ({})",
            e.version, e.organisation, e.cloud_environment
        ),
        E::DeliveryMergeScheduled(e) => format!(
            "merge scheduled for {}; estimated delivery {}",
            e.merge_on, e.estimated_delivery_on
        ),
        E::DeliveryMergeMoved(e) => format!(
            "merge moved from {} to {}; estimated delivery {} → {}",
            e.old_merge_on,
            e.new_merge_on,
            e.old_estimated_delivery_on,
            e.new_estimated_delivery_on
        ),
        E::DeliveryEstimateMoved(e) => format!(
            "estimated delivery moved from {} to {}",
            e.old_estimated_delivery_on, e.new_estimated_delivery_on
        ),
        E::DeliveryMergeCompleted(_) => "merge done".into(),
        E::DeliveryChangesConfirmed(_) => "included changes checked complete".into(),
        E::DeliveryCodelineClosed(_) => "codeline closed".into(),
        E::DeliveryPackageBuilt(_) => "package built".into(),
        E::DeliveryReferenceTestPassed(_) => "tested on the reference system".into(),
        E::DeliveryReleased(_) => "released by support".into(),
        E::DeliveryPackageProvided(_) => "package provided on SFTP".into(),
        E::DeliveryMaintenanceAnnounced(e) => {
            format!("maintenance announced for {}", e.window_starts_at)
        }
        E::DeliveryStageInstallationCompleted(_) => "staging updated".into(),
        E::DeliveryInstallationCompleted(_) => "production updated".into(),
        E::DeliveryTicketIncluded(e) => format!("{} included", e.ticket),
        E::DeliveryTicketRemoved(e) => format!("{} removed", e.ticket),
        E::DeliveryDocumentLinked(e) => format!("document linked: {}", e.document.title),
    }
}
