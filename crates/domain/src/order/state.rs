//! The state of a customisation order and how each recorded event changes it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ticketflow_events::order::{
    ConceptDeadlines, DeliveryPath, ImplementationSlot, InnovationPackage, OrderEvent, OrderKind,
    SetupTaskKind,
};
use ticketflow_events::{OrderKey, OrganisationId, Region, TicketKey};

use super::OrderPhase;

/// The facts fixed when the order was placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The order's key.
    pub order: OrderKey,
    /// The Customisation ticket it came from.
    pub ticket: TicketKey,
    /// The ordering customer.
    pub customer: OrganisationId,
    /// The customer's region (working-day calendar).
    pub region: Region,
    /// Customer-specific or standard extension.
    pub kind: OrderKind,
    /// What was ordered.
    pub summary: String,
    /// The customer has its own codeline.
    pub own_codeline: bool,
    /// The customer has a test environment.
    pub test_environment: bool,
}

/// The implementation slot or innovation package the order is scheduled in.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Customer-specific: a slot in the customer's codeline.
    Slot(ImplementationSlot),
    /// Standard extension: an innovation package.
    Package(InnovationPackage),
}

impl Schedule {
    /// The day the concept deadlines count back from: slot start or package development start.
    pub fn start(&self) -> NaiveDate {
        match self {
            Schedule::Slot(slot) => slot.start,
            Schedule::Package(package) => package.development_start,
        }
    }
}

/// The concept and how far it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// A reference to the document.
    pub document: String,
    /// The acceptance criteria (test cases).
    pub acceptance_criteria: Vec<String>,
    /// Internally reviewed (Technical Services / product management).
    pub reviewed: bool,
    /// The day it was handed to the customer, if it was.
    pub handed_over: Option<NaiveDate>,
    /// True when the hand-over was later than its deadline.
    pub handed_over_late: bool,
    /// The day the customer approved it, if they did.
    pub approved: Option<NaiveDate>,
}

/// Progress of the implementation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Implementation {
    /// The developer reported it done and self-checked, and no verification has sent it back
    /// since.
    pub completed: bool,
    /// Verifications recorded so far.
    pub verifications: u32,
    /// Criteria that failed in the latest verification.
    pub failed_criteria: Vec<String>,
    /// Verified and releasable.
    pub verified: bool,
    /// Standard extension: sprint reviews attended so far.
    pub sprint_reviews: u32,
    /// Standard extension: whether the latest sprint review found the progress in line with
    /// the scoping document.
    pub last_sprint_in_line: Option<bool>,
}

/// Progress of the delivery of the current version (reset by a defect report).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeliveryProgress {
    /// The current version is on the customer's test environment.
    pub test_delivered: bool,
    /// The customer approved the current test delivery for production.
    pub test_approved: bool,
    /// The current version is in production.
    pub production_delivered: bool,
    /// Deliveries made so far (any environment).
    pub deliveries: u32,
}

/// A post-delivery set-up task.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupTask {
    /// What kind of set-up.
    pub kind: SetupTaskKind,
    /// What to do.
    pub description: String,
    /// Done.
    pub completed: bool,
}

/// Where a reported defect stands. Defects leave the order when a production delivery
/// carries their fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefectStatus {
    /// Reported, not fixed.
    Open,
    /// Fixed, waiting for a delivery to production.
    Fixed,
}

/// The customisation order aggregate (domain.md §3). `Default` is "not placed yet".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomisationOrder {
    /// The current phase.
    pub phase: OrderPhase,
    /// The facts of placing; `None` before the order exists.
    pub placement: Option<Placement>,
    /// The assigned business consultant.
    pub consultant: Option<String>,
    /// The slot or package in force.
    pub schedule: Option<Schedule>,
    /// The concept deadlines derived from the schedule in force.
    pub concept_deadlines: Option<ConceptDeadlines>,
    /// Planned end of implementation (customer-specific: the slot's end or a delayed end;
    /// standard extension: only after an announced delay).
    pub planned_end: Option<NaiveDate>,
    /// The earliest day a delivery may happen.
    pub earliest_delivery: Option<NaiveDate>,
    /// The agreed delivery path.
    pub delivery_path: Option<DeliveryPath>,
    /// The customer has been told the current timeline.
    pub timeline_communicated: bool,
    /// Requirements changed significantly: re-estimation and reorder pending.
    pub re_estimation_required: bool,
    /// The approval deadline was missed: a new slot/package is needed.
    pub reschedule_required: bool,
    /// Slots and packages lost through missed approvals, oldest first.
    pub lost_schedules: Vec<Schedule>,
    /// The concept, once written.
    pub concept: Option<Concept>,
    /// Implementation progress.
    pub implementation: Implementation,
    /// Delivery progress.
    pub delivery: DeliveryProgress,
    /// Set-up tasks by id.
    pub setup_tasks: BTreeMap<String, SetupTask>,
    /// Reported defects not yet delivered to production, by ticket.
    pub defects: BTreeMap<TicketKey, DefectStatus>,
    /// Project hours booked at close.
    pub booked_hours: Option<f64>,
}

impl CustomisationOrder {
    /// Forgets the schedule and everything derived from it.
    fn clear_schedule(&mut self) {
        self.schedule = None;
        self.concept_deadlines = None;
        self.planned_end = None;
        self.earliest_delivery = None;
    }

    /// Folds one event into the state (the body of [`crate::Aggregate::evolve`]).
    pub(super) fn apply(&mut self, event: &OrderEvent) {
        match event {
            OrderEvent::OrderPlaced(e) => {
                self.phase = OrderPhase::Planning;
                self.placement = Some(Placement {
                    order: e.order.clone(),
                    ticket: e.ticket.clone(),
                    customer: e.customer.clone(),
                    region: e.region,
                    kind: e.kind,
                    summary: e.summary.clone(),
                    own_codeline: e.own_codeline,
                    test_environment: e.test_environment,
                });
            }
            OrderEvent::OrderConsultantAssigned(e) => self.consultant = Some(e.consultant.clone()),
            OrderEvent::OrderImplementationSlotScheduled(e) => {
                self.schedule = Some(Schedule::Slot(e.slot.clone()));
                self.concept_deadlines = Some(e.deadlines.clone());
                self.planned_end = Some(e.slot.planned_end);
                self.earliest_delivery = Some(e.earliest_delivery);
                self.reschedule_required = false;
                self.timeline_communicated = false;
            }
            OrderEvent::OrderInnovationPackageScheduled(e) => {
                self.schedule = Some(Schedule::Package(e.package.clone()));
                self.concept_deadlines = Some(e.deadlines.clone());
                self.planned_end = None;
                self.earliest_delivery = Some(e.earliest_delivery);
                self.reschedule_required = false;
                self.timeline_communicated = false;
            }
            OrderEvent::OrderDeliveryPathAgreed(e) => {
                self.delivery_path = Some(e.path);
                if let Some(earliest) = e.earliest_delivery {
                    self.earliest_delivery = Some(earliest);
                }
            }
            OrderEvent::OrderTimelineCommunicated(_) => {
                self.timeline_communicated = true;
                if self.phase == OrderPhase::Planning {
                    self.phase = OrderPhase::Concept;
                }
            }
            OrderEvent::OrderConceptWritten(e) => {
                self.concept = Some(Concept {
                    document: e.document.clone(),
                    acceptance_criteria: e.acceptance_criteria.clone(),
                    reviewed: false,
                    handed_over: None,
                    handed_over_late: false,
                    approved: None,
                });
            }
            OrderEvent::OrderConceptReviewed(_) => {
                if let Some(concept) = &mut self.concept {
                    concept.reviewed = true;
                }
            }
            OrderEvent::OrderConceptHandedOver(e) => {
                if let Some(concept) = &mut self.concept {
                    concept.handed_over = Some(e.at.date_naive());
                    concept.handed_over_late = e.late;
                }
            }
            OrderEvent::OrderRequirementsChanged(_) => {
                self.phase = OrderPhase::Planning;
                self.re_estimation_required = true;
                self.reschedule_required = false;
                self.timeline_communicated = false;
                self.delivery_path = None;
                self.concept = None;
                self.clear_schedule();
            }
            OrderEvent::OrderReordered(_) => self.re_estimation_required = false,
            OrderEvent::OrderConceptApproved(e) => {
                if let Some(concept) = &mut self.concept {
                    concept.approved = Some(e.at.date_naive());
                }
                self.phase = OrderPhase::Implementation;
            }
            OrderEvent::OrderApprovalMissed(_) => {
                if let Some(lost) = self.schedule.take() {
                    self.lost_schedules.push(lost);
                }
                self.clear_schedule();
                self.reschedule_required = true;
            }
            OrderEvent::OrderImplementationCompleted(_) => self.implementation.completed = true,
            OrderEvent::OrderVerificationRecorded(e) => {
                self.implementation.verifications += 1;
                self.implementation.failed_criteria = e.failed.clone();
                if e.verified {
                    self.implementation.verified = true;
                    self.phase = OrderPhase::Delivery;
                } else {
                    self.implementation.completed = false;
                }
            }
            OrderEvent::OrderSprintReviewRecorded(e) => {
                self.implementation.sprint_reviews += 1;
                self.implementation.last_sprint_in_line = Some(e.in_line);
            }
            OrderEvent::OrderImplementationDelayed(e) => {
                self.planned_end = Some(e.planned_end);
                self.earliest_delivery = Some(e.earliest_delivery);
            }
            OrderEvent::OrderDelivered(e) => {
                self.delivery.deliveries += 1;
                match e.environment {
                    ticketflow_events::order::OrderEnvironment::Test => {
                        self.delivery.test_delivered = true;
                        self.delivery.test_approved = false;
                    }
                    ticketflow_events::order::OrderEnvironment::Production => {
                        self.delivery.production_delivered = true;
                        for ticket in &e.fixes {
                            self.defects.remove(ticket);
                        }
                    }
                }
            }
            OrderEvent::OrderTestDeliveryApproved(_) => self.delivery.test_approved = true,
            OrderEvent::OrderSetupTaskOpened(e) => {
                self.setup_tasks.insert(
                    e.task.clone(),
                    SetupTask {
                        kind: e.kind,
                        description: e.description.clone(),
                        completed: false,
                    },
                );
            }
            OrderEvent::OrderSetupTaskCompleted(e) => {
                if let Some(task) = self.setup_tasks.get_mut(&e.task) {
                    task.completed = true;
                }
            }
            OrderEvent::OrderDefectReported(e) => {
                self.defects.insert(e.ticket.clone(), DefectStatus::Open);
                self.delivery.test_delivered = false;
                self.delivery.test_approved = false;
                self.delivery.production_delivered = false;
            }
            OrderEvent::OrderDefectFixed(e) => {
                self.defects.insert(e.ticket.clone(), DefectStatus::Fixed);
            }
            OrderEvent::OrderClosed(e) => {
                self.booked_hours = Some(e.booked_hours);
                self.phase = OrderPhase::Closed;
            }
        }
    }
}
