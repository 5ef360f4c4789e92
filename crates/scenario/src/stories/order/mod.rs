//! Customisation orders through their four phases (domain.md §3): planning, concept,
//! implementation, delivery — both kinds, with the detours the rules allow: a missed
//! approval and the rescheduling it forces, a significant requirements change and the new
//! order, a late hand-over, an announced delay, a failed verification, set-up tasks, and a
//! defect reported after delivery that is fixed and delivered again.

use chrono::{Duration, NaiveDate};
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::order::deadline::{concept_deadlines, earliest_delivery_after};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::order::{ConceptDeadlines, DeliveryPath, OrderKind};
use ticketflow_events::{Actor, OrderKey, Timestamp};

mod delivery;
mod implementation;

use super::TicketStory;
use crate::activity::Activity;
use crate::clock::{self, at, monday_on_or_after, office};

/// The straight path (listed for the rotation; every other variant is a detour from it).
#[allow(dead_code)]
const PLAIN: usize = 0;
const MISSED_APPROVAL: usize = 1;
const FAILED_VERIFICATION: usize = 2;
const REQUIREMENTS_CHANGE: usize = 3;
const DELAY: usize = 4;
const DEFECT_AFTER_DELIVERY: usize = 5;
const LATE_HANDOVER: usize = 6;
const WEIGHTS: [f64; 7] = [0.5, 0.1, 0.1, 0.05, 0.1, 0.1, 0.05];

const CRITERIA: [&str; 3] = [
    "TC-1 export contains every booking of the period",
    "TC-2 export file is accepted by the HR system",
    "TC-3 failed exports are reported to the administrator",
];

/// One order being told: its key, its own clock and the people working on it.
struct OrderStory {
    key: OrderKey,
    /// The order's clock: every order command is pushed strictly after the previous one.
    t: Timestamp,
    kind: OrderKind,
    consultant: Actor,
    developer: Actor,
    scheduler: Actor,
    reviewer: Actor,
    contact: Actor,
    agent: Actor,
}

/// What scheduling a slot or package decided.
struct Schedule {
    start: NaiveDate,
    deadlines: ConceptDeadlines,
    /// Planned end of implementation (customer-specific) or code-level date (standard).
    end: NaiveDate,
    earliest: NaiveDate,
}

impl OrderStory {
    /// Pushes `command` by `actor` at `t`, or just after the previous command if `t` is
    /// earlier.
    fn push(
        &mut self,
        activity: &mut Activity,
        t: Timestamp,
        actor: &Actor,
        command: OrderCommand,
    ) {
        self.t = t.max(self.t + Duration::minutes(1));
        activity.push(
            self.t,
            actor,
            AddressedCommand::Order(self.key.clone(), command),
        );
    }

    fn consult(&mut self, activity: &mut Activity, t: Timestamp, command: OrderCommand) {
        let consultant = self.consultant.clone();
        self.push(activity, t, &consultant, command);
    }

    fn later(&self, activity: &mut Activity, lo: i64, hi: i64) -> Timestamp {
        clock::days(self.t, &mut activity.rng, lo, hi)
    }

    /// Schedules a slot or an innovation package starting 4–6 weeks from now (at least a
    /// week after `not_before`).
    fn schedule(
        &mut self,
        activity: &mut Activity,
        region: ticketflow_events::Region,
        own_codeline: bool,
        not_before: Option<NaiveDate>,
    ) -> Schedule {
        let t = self.later(activity, 2, 6);
        let today = t.date_naive();
        let mut start = monday_on_or_after(today + Duration::days(activity.rng.between(28, 40)));
        if let Some(lost) = not_before {
            start = start.max(monday_on_or_after(lost + Duration::days(7)));
        }
        let calendar = activity.desk.calendars.get(region);
        let deadlines = concept_deadlines(start, &calendar, &activity.desk.order);
        let scheduler = self.scheduler.clone();
        match self.kind {
            OrderKind::CustomerSpecific => {
                let end = start + Duration::days(*activity.rng.pick(&[11, 18, 25]));
                self.push(
                    activity,
                    t,
                    &scheduler,
                    OrderCommand::ScheduleImplementationSlot {
                        start,
                        planned_end: end,
                    },
                );
                Schedule {
                    start,
                    deadlines,
                    end,
                    earliest: earliest_delivery_after(end, &activity.desk.order),
                }
            }
            OrderKind::StandardExtension => {
                let number = activity.next_number("innovation-package");
                let fcs = start + Duration::days(35);
                let ga = fcs + Duration::days(21);
                self.push(
                    activity,
                    t,
                    &scheduler,
                    OrderCommand::ScheduleInnovationPackage {
                        package: format!("IP-{}", number),
                        development_start: start,
                        fcs,
                        ga,
                    },
                );
                let earliest = if own_codeline { fcs } else { ga };
                Schedule {
                    start,
                    deadlines,
                    end: earliest,
                    earliest,
                }
            }
        }
    }
}

/// Sales records the order on the ticket and the order runs through its phases.
pub(crate) fn ordered(
    activity: &mut Activity,
    story: &mut TicketStory,
    kind: OrderKind,
    estimate_hours: u32,
) {
    let variant = activity.variant("order", &WEIGHTS);
    let key = activity.new_order_key();
    let sales = activity.staff.sales.clone();
    story.run(
        activity,
        &sales,
        TicketCommand::RecordOrder {
            order: Some(key.clone()),
        },
    );
    let consultant = activity.rng.pick(&activity.staff.consultants).clone();
    let developer = activity.rng.pick(&activity.staff.developers).clone();
    let pm = activity.staff.product_manager.clone();
    let (scheduler, reviewer) = match kind {
        OrderKind::CustomerSpecific => (developer.clone(), developer.clone()),
        OrderKind::StandardExtension => (pm.clone(), pm.clone()),
    };
    let mut o = OrderStory {
        key: key.clone(),
        t: story.t,
        kind,
        consultant,
        developer,
        scheduler,
        reviewer,
        contact: story.creator.clone(),
        agent: story.agent.clone(),
    };
    let who = story.who.clone();
    let t = o.t + Duration::minutes(activity.rng.between(2, 30));
    o.push(
        activity,
        t,
        &sales,
        OrderCommand::Place {
            order: key,
            ticket: story.key.clone(),
            customer: who.organisation.clone(),
            region: who.region,
            kind,
            summary: "Export of course bookings to the HR system".into(),
            own_codeline: who.own_codeline,
            test_environment: who.test_environment,
            custom_code_allowed: who.own_codeline,
            product_management_agreed: kind == OrderKind::StandardExtension,
        },
    );
    let t = o.later(activity, 2, 8);
    let name = o.consultant.id.clone();
    o.push(
        activity,
        t,
        &sales,
        OrderCommand::AssignConsultant { consultant: name },
    );

    // Phases 1 and 2: planning and concept (twice after a significant requirements change).
    let mut round = 0;
    let mut schedule = loop {
        let schedule = o.schedule(activity, who.region, who.own_codeline, None);
        let path = match (kind, who.own_codeline) {
            (OrderKind::CustomerSpecific, _) if activity.rng.chance(0.3) => {
                DeliveryPath::ExtraDelivery
            }
            (OrderKind::CustomerSpecific, _) => DeliveryPath::RegularPatch,
            (OrderKind::StandardExtension, true) => DeliveryPath::FirstCustomerShipment,
            (OrderKind::StandardExtension, false) => DeliveryPath::GeneralAvailability,
        };
        let t = o.later(activity, 1, 3);
        let agent = o.agent.clone();
        o.push(
            activity,
            t,
            &agent,
            OrderCommand::AgreeDeliveryPath {
                path,
                note: String::new(),
            },
        );
        let t = o.later(activity, 1, 2);
        o.consult(activity, t, OrderCommand::CommunicateTimeline);
        let t = o.later(activity, 1, 3);
        o.consult(
            activity,
            t,
            OrderCommand::WriteConcept {
                document: format!("concept-v{}", round + 1),
                acceptance_criteria: CRITERIA.iter().map(|c| (*c).to_owned()).collect(),
            },
        );
        let t = o.later(activity, 1, 3);
        let reviewer = o.reviewer.clone();
        o.push(activity, t, &reviewer, OrderCommand::ReviewConcept);
        let t = if variant == LATE_HANDOVER {
            let late = schedule.deadlines.handover + Duration::days(1);
            office(at(late, 10, 0))
        } else {
            o.later(activity, 1, 2)
        };
        o.consult(activity, t, OrderCommand::HandOverConcept);
        if variant == REQUIREMENTS_CHANGE && round == 0 {
            round += 1;
            let t = o.later(activity, 2, 5);
            o.consult(
                activity,
                t,
                OrderCommand::RecordRequirementsChange {
                    description:
                        "The customer now needs a real-time interface instead of a nightly export."
                            .into(),
                },
            );
            let t = o.later(activity, 3, 8);
            o.push(
                activity,
                t,
                &sales,
                OrderCommand::RecordReorder {
                    reference: "Offer 2 (re-estimated for the real-time interface)".into(),
                },
            );
            continue;
        }
        break schedule;
    };

    if variant == MISSED_APPROVAL {
        // The customer lets the approval deadline pass: the engine's scheduler records the
        // lost slot at midnight, and the consultant reschedules that morning.
        let day_after = schedule.deadlines.approval + Duration::days(1);
        let t = at(day_after, 8, activity.rng.between(0, 50) as u32).max(o.t);
        o.t = t;
        schedule = o.schedule(activity, who.region, who.own_codeline, Some(schedule.start));
        let t = o.later(activity, 0, 1);
        o.consult(activity, t, OrderCommand::CommunicateTimeline);
    }
    let deadline = at(schedule.deadlines.approval, 12, 0);
    let approve = o.later(activity, 2, 5).min(deadline);
    if approve <= o.t {
        return;
    }
    let contact = o.contact.clone();
    o.push(activity, approve, &contact, OrderCommand::ApproveConcept);
    story.t = o.t + Duration::minutes(2);
    story.customer(activity, TicketCommand::ApproveConcept);

    // Phase 3: implementation.
    let commission = at(schedule.start, 8, 30);
    story.t = commission;
    let consultant = o.consultant.clone();
    story.run(
        activity,
        &consultant,
        TicketCommand::CommissionImplementation,
    );
    o.t = o.t.max(commission);
    implementation::implement(activity, &mut o, &mut schedule, variant);
    implementation::verify(activity, &mut o, &schedule, variant);
    delivery::deliver_and_close(activity, &mut o, story, &schedule, variant, estimate_hours);
}
