//! The business time every order event carries.

use super::OrderEvent;
use crate::Timestamp;

impl OrderEvent {
    /// Business time of the event (every payload carries it as `at`).
    pub fn at(&self) -> Timestamp {
        match self {
            OrderEvent::OrderPlaced(e) => e.at,
            OrderEvent::OrderConsultantAssigned(e) => e.at,
            OrderEvent::OrderImplementationSlotScheduled(e) => e.at,
            OrderEvent::OrderInnovationPackageScheduled(e) => e.at,
            OrderEvent::OrderDeliveryPathAgreed(e) => e.at,
            OrderEvent::OrderTimelineCommunicated(e) => e.at,
            OrderEvent::OrderConceptWritten(e) => e.at,
            OrderEvent::OrderConceptReviewed(e) => e.at,
            OrderEvent::OrderConceptHandedOver(e) => e.at,
            OrderEvent::OrderRequirementsChanged(e) => e.at,
            OrderEvent::OrderReordered(e) => e.at,
            OrderEvent::OrderConceptApproved(e) => e.at,
            OrderEvent::OrderApprovalMissed(e) => e.at,
            OrderEvent::OrderImplementationCompleted(e) => e.at,
            OrderEvent::OrderVerificationRecorded(e) => e.at,
            OrderEvent::OrderSprintReviewRecorded(e) => e.at,
            OrderEvent::OrderImplementationDelayed(e) => e.at,
            OrderEvent::OrderDelivered(e) => e.at,
            OrderEvent::OrderTestDeliveryApproved(e) => e.at,
            OrderEvent::OrderSetupTaskOpened(e) => e.at,
            OrderEvent::OrderSetupTaskCompleted(e) => e.at,
            OrderEvent::OrderDefectReported(e) => e.at,
            OrderEvent::OrderDefectFixed(e) => e.at,
            OrderEvent::OrderClosed(e) => e.at,
        }
    }
}
