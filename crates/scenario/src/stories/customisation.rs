//! Customisations: a wish goes through an optional scoping workshop to an estimate by
//! development, and from the offer to an order, a decline, or an estimate left to expire
//! after 16 weeks. Ordered ones continue as customisation orders ([`super::order`]).

use chrono::NaiveDate;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::Department;
use ticketflow_events::order::OrderKind;
use ticketflow_events::ticket::TicketType;

use super::{TicketStory, chatter, order};
use crate::activity::Activity;
use crate::clock;

const CUSTOMISATION_SUMMARIES: [&str; 4] = [
    "We need an export of course bookings to our HR system",
    "Custom certificate layout with our corporate design",
    "Additional approval step for trainings above 2,000 EUR",
    "Integration of our room booking system",
];

const ORDERED_CUSTOMER_SPECIFIC: usize = 0;
const ORDERED_STANDARD_EXTENSION: usize = 1;
const DECLINED: usize = 2;
const EXPIRED: usize = 3;
const WEIGHTS: [f64; 4] = [0.45, 0.25, 0.15, 0.15];

/// A Customisation request, from intake to order, decline or expiry.
pub(crate) fn customisation(activity: &mut Activity, customer: usize, day: NaiveDate) {
    let variant = activity.variant("customisation", &WEIGHTS);
    let t = clock::during_office(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    let summary = *activity.rng.pick(&CUSTOMISATION_SUMMARIES);
    story.open_request(activity, summary);
    story.minutes(activity, 30, 300);
    story.support(
        activity,
        TicketCommand::Classify {
            ticket_type: TicketType::Customisation,
        },
    );
    chatter(&mut story, activity, false);
    if activity.rng.chance(0.5) {
        story.days(activity, 3, 10);
        let consultant = activity.rng.pick(&activity.staff.consultants).clone();
        let held_on = story.t.date_naive();
        story.run(
            activity,
            &consultant,
            TicketCommand::HoldScopingWorkshop {
                held_on,
                note: "Workshop with the HR team: three export formats are needed.".into(),
            },
        );
        story.minutes(activity, 30, 120);
        story.book(activity, &consultant, Department::BusinessConsulting);
    }
    story.days(activity, 1, 3);
    story.support(activity, TicketCommand::RequestEstimate);
    story.days(activity, 3, 10);
    let developer = activity.rng.pick(&activity.staff.developers).clone();
    let effort_hours = activity.rng.between(16, 320) as u32;
    story.run(
        activity,
        &developer,
        TicketCommand::ProvideEstimate { effort_hours },
    );
    match variant {
        EXPIRED => {}
        DECLINED => {
            story.days(activity, 5, 30);
            let by = if activity.rng.chance(0.5) {
                story.creator.clone()
            } else {
                activity.staff.sales.clone()
            };
            story.run(activity, &by, TicketCommand::DeclineOffer);
        }
        _ => {
            story.days(activity, 3, 30);
            let kind = if variant == ORDERED_CUSTOMER_SPECIFIC && story.who.own_codeline {
                OrderKind::CustomerSpecific
            } else {
                debug_assert!(
                    variant == ORDERED_STANDARD_EXTENSION || variant == ORDERED_CUSTOMER_SPECIFIC
                );
                OrderKind::StandardExtension
            };
            order::ordered(activity, &mut story, kind, effort_hours);
        }
    }
}
