//! Phase 4, delivery: set-up tasks, the customisation reaching the customer with a delivery
//! ticket, test then production, a defect found after delivery fixed and delivered again,
//! and the close with the booked project hours.

use chrono::Duration;
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::order::{OrderEnvironment, OrderKind, SetupTaskKind};
use ticketflow_events::ticket::{Priority, TicketType};
use ticketflow_events::{DeliveryKey, Timestamp};

use super::{DEFECT_AFTER_DELIVERY, OrderStory, Schedule};
use crate::activity::Activity;
use crate::clock::{self, at, office};
use crate::stories::TicketStory;

/// Set-up tasks, the deliveries (and a defect's redelivery), and the close.
pub(super) fn deliver_and_close(
    activity: &mut Activity,
    o: &mut OrderStory,
    story: &mut TicketStory,
    schedule: &Schedule,
    variant: usize,
    estimate_hours: u32,
) {
    let kind = o.kind;
    let who = story.who.clone();
    let consultant = o.consultant.clone();
    // Phase 4: delivery.
    let tasks = [
        (
            "T1",
            SetupTaskKind::NavigationEntry,
            "Add the export to the admin menu",
        ),
        (
            "T2",
            SetupTaskKind::ScheduledJob,
            "Schedule the nightly export job",
        ),
        (
            "T3",
            SetupTaskKind::RolesAndRights,
            "Grant the HR role the export right",
        ),
        (
            "T4",
            SetupTaskKind::SftpJob,
            "Set up the SFTP transfer to the HR system",
        ),
    ];
    let task_count = activity.rng.between(1, 2) as usize;
    let offset = activity.rng.below(3);
    let chosen: Vec<_> = tasks[offset..offset + task_count].to_vec();
    for (task, kind, description) in &chosen {
        let t = o.t + Duration::minutes(activity.rng.between(10, 60));
        o.consult(
            activity,
            t,
            OrderCommand::OpenSetupTask {
                task: (*task).into(),
                kind: *kind,
                description: (*description).into(),
            },
        );
    }
    story.t = o.t + Duration::minutes(30);
    let custom = kind == OrderKind::CustomerSpecific;
    let Some((delivery, delivered_at)) = story.deliver_fix(activity, &consultant, custom, false)
    else {
        return;
    };
    let version = if custom { "CUSTOM" } else { "standard" };
    let first = deliver(
        activity,
        o,
        who.test_environment,
        office(at(schedule.earliest, 9, 0)),
        (delivery, delivered_at),
        version,
    );
    for (task, _, _) in &chosen {
        let t = clock::days(first, &mut activity.rng, 1, 3).max(o.t);
        o.consult(
            activity,
            t,
            OrderCommand::CompleteSetupTask {
                task: (*task).into(),
            },
        );
    }
    if variant == DEFECT_AFTER_DELIVERY {
        let opened = clock::days(first, &mut activity.rng, 2, 6);
        let Some(fixed) = defect(activity, o, story.customer, opened, custom) else {
            return;
        };
        deliver(
            activity,
            o,
            who.test_environment,
            fixed.2,
            (fixed.0, fixed.1),
            version,
        );
    }
    let t = o.later(activity, 1, 5);
    let booked_hours = f64::from(estimate_hours) * (0.9 + activity.rng.unit() * 0.4);
    o.consult(
        activity,
        t,
        OrderCommand::Close {
            booked_hours: (booked_hours * 4.0).round() / 4.0,
        },
    );
}

/// Delivers the current version: to the test environment first (if any), production after
/// the customer's approval and once the delivery ticket went out. Returns the production
/// delivery's time.
fn deliver(
    activity: &mut Activity,
    o: &mut OrderStory,
    test_environment: bool,
    earliest: Timestamp,
    (delivery, delivered_at): (DeliveryKey, Timestamp),
    version: &str,
) -> Timestamp {
    let mut ready = o.t.max(earliest);
    if test_environment {
        let t = clock::office_hours(ready, &mut activity.rng, 1, 4);
        o.consult(
            activity,
            t,
            OrderCommand::Deliver {
                environment: OrderEnvironment::Test,
                delivery: None,
                version: version.into(),
            },
        );
        let t = o.later(activity, 2, 5);
        let contact = o.contact.clone();
        o.push(activity, t, &contact, OrderCommand::ApproveTestDelivery);
        ready = o.later(activity, 1, 1);
    }
    let t = office(ready.max(delivered_at + Duration::hours(1)));
    o.consult(
        activity,
        t,
        OrderCommand::Deliver {
            environment: OrderEnvironment::Production,
            delivery: Some(delivery),
            version: version.into(),
        },
    );
    o.t
}

/// The customer finds a defect after delivery: a new Software Defect ticket referencing the
/// order, reported on the order, fixed and delivered. Returns the delivery carrying the fix,
/// when it went out, and when the order may be delivered again.
fn defect(
    activity: &mut Activity,
    o: &mut OrderStory,
    customer: usize,
    opened: Timestamp,
    custom: bool,
) -> Option<(DeliveryKey, Timestamp, Timestamp)> {
    let mut ticket = TicketStory::new(activity, customer, opened);
    ticket.creator = o.contact.clone();
    ticket.agent = o.agent.clone();
    ticket.open_portal(
        activity,
        true,
        "Defect in the HR export customisation: cancelled bookings are skipped",
    );
    ticket.minutes(activity, 15, 120);
    ticket.support(
        activity,
        TicketCommand::Classify {
            ticket_type: TicketType::SoftwareDefect,
        },
    );
    ticket.minutes(activity, 1, 10);
    ticket.support(
        activity,
        TicketCommand::SetPriority {
            priority: Priority::P3,
        },
    );
    ticket.minutes(activity, 10, 60);
    let agent = o.agent.clone();
    let description =
        "The customer reports that cancelled bookings are missing in the export.".to_owned();
    o.push(
        activity,
        ticket.t,
        &agent,
        OrderCommand::ReportDefect {
            ticket: ticket.key.clone(),
            description,
        },
    );
    ticket.t = o.t;
    ticket.hours(activity, 2, 8);
    ticket.support(
        activity,
        TicketCommand::ReproduceDefect {
            reference_system: format!("REF-{}", ticket.who.organisation),
        },
    );
    ticket.days(activity, 2, 6);
    let fixer = match o.kind {
        OrderKind::CustomerSpecific => o.developer.clone(),
        OrderKind::StandardExtension => activity.staff.product_manager.clone(),
    };
    o.push(
        activity,
        ticket.t,
        &fixer,
        OrderCommand::ReportDefectFixed {
            ticket: ticket.key.clone(),
        },
    );
    ticket.t = o.t;
    let developer = o.developer.clone();
    let fixed_at = o.t;
    let (delivery, delivered_at) = ticket.deliver_fix(activity, &developer, custom, false)?;
    ticket.after_resolved(activity, 0.7);
    Some((delivery, delivered_at, fixed_at))
}
