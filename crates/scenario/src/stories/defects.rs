//! Incidents: Software Defects (reproduced on the reference system, development, a fix with
//! a patch version or `CUSTOM`, delivery) and Non-Software Defects (analysed and fixed by
//! support; P1/P2 at night and on weekends).

use chrono::NaiveDate;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::Department;
use ticketflow_events::ticket::{
    CommentVisibility, EscalationLevel, EscalationReason, Priority, ResolutionOutcome, TicketType,
};

use super::{TicketStory, chatter};
use crate::activity::Activity;
use crate::clock;

const DEFECT_SUMMARIES: [&str; 6] = [
    "Course export fails with an error 500",
    "Certificates show the wrong completion date",
    "Enrolment wizard hangs on step 3",
    "Report 'Training hours' sums up wrongly",
    "Calendar sync drops sessions after midnight",
    "Search ignores umlauts in course titles",
];

const OUTAGE_SUMMARIES: [&str; 5] = [
    "LMS not reachable",
    "Login fails for all users (certificate expired?)",
    "Mails are not sent any more",
    "Storage full: uploads fail",
    "Very slow response times on the production system",
];

/// Variants of a Software Defect story.
const SD_FIX_PATCH: usize = 0;
const SD_FIX_CUSTOM: usize = 1;
const SD_NO_DEFECT: usize = 2;
const SD_MOVED_TO_NEXT_PATCH: usize = 3;
const SD_CLARIFICATION_UNANSWERED: usize = 4;
const SD_MISCONFIGURATION_REOPENED: usize = 5;
const SD_WEIGHTS: [f64; 6] = [0.35, 0.2, 0.15, 0.05, 0.1, 0.15];

/// A Software Defect from the portal.
pub(crate) fn software_defect(activity: &mut Activity, customer: usize, day: NaiveDate) {
    let variant = activity.variant("software-defect", &SD_WEIGHTS);
    let t = clock::during_office(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    let summary = *activity.rng.pick(&DEFECT_SUMMARIES);
    story.open_portal(activity, true, summary);
    if activity.rng.chance(0.5) {
        story.minutes(activity, 5, 90);
        story.support(activity, TicketCommand::Accept);
    }
    story.minutes(activity, 10, 120);
    story.support(
        activity,
        TicketCommand::Classify {
            ticket_type: TicketType::SoftwareDefect,
        },
    );
    story.minutes(activity, 1, 10);
    let priority = if activity.rng.chance(0.6) {
        Priority::P3
    } else {
        Priority::P4
    };
    story.support(activity, TicketCommand::SetPriority { priority });
    chatter(&mut story, activity, false);
    match variant {
        SD_CLARIFICATION_UNANSWERED => {
            story.hours(activity, 1, 6);
            story.support(
                activity,
                TicketCommand::RequestClarification {
                    question: "Which browser and which user account did you use?".into(),
                },
            );
        }
        SD_MISCONFIGURATION_REOPENED => {
            story.days(activity, 1, 2);
            story.support(
                activity,
                TicketCommand::Resolve {
                    outcome: ResolutionOutcome::Misconfiguration,
                    note: "The export profile was misconfigured; corrected it.".into(),
                    reclassify_as: Some(TicketType::NonSoftwareDefect),
                },
            );
            story.days(activity, 2, 6);
            story.customer(
                activity,
                TicketCommand::AddComment {
                    text: "Unfortunately it still fails for the second profile.".into(),
                    visibility: CommentVisibility::Public,
                    attachments: Vec::new(),
                },
            );
            story.hours(activity, 2, 6);
            story.support(
                activity,
                TicketCommand::Reopen {
                    reason: "Customer reports the solution does not work for all profiles.".into(),
                },
            );
            story.days(activity, 1, 2);
            story.support(
                activity,
                TicketCommand::Resolve {
                    outcome: ResolutionOutcome::FixedBySupport,
                    note: "Corrected the second export profile as well.".into(),
                    reclassify_as: None,
                },
            );
            story.after_resolved(activity, 0.7);
        }
        _ => {
            story.hours(activity, 4, 16);
            story.support(
                activity,
                TicketCommand::ReproduceDefect {
                    reference_system: format!("REF-{}", story.who.organisation),
                },
            );
            development(&mut story, activity, variant);
        }
    }
}

/// The defect is with development (`In Progress`).
fn development(story: &mut TicketStory, activity: &mut Activity, variant: usize) {
    let developer = activity.rng.pick(&activity.staff.developers).clone();
    if activity.rng.chance(0.3) {
        story.days(activity, 1, 3);
        story.support(
            activity,
            TicketCommand::RequestClarification {
                question: "Development asks for the server log of the failing export.".into(),
            },
        );
        story.days(activity, 1, 12);
        let attachments = vec![super::attachment(&mut activity.rng, "server.log")];
        story.customer(
            activity,
            TicketCommand::AddComment {
                text: "Here is the log you asked for.".into(),
                visibility: CommentVisibility::Public,
                attachments,
            },
        );
        story.hours(activity, 1, 4);
        story.support(activity, TicketCommand::ResumeWork);
    }
    if activity.rng.chance(0.4) {
        story.hours(activity, 2, 8);
        story.support(
            activity,
            TicketCommand::ProvideWorkaround {
                description: "Export the course list in two halves until the fix arrives.".into(),
            },
        );
    }
    story.days(activity, 1, 4);
    story.book(activity, &developer, Department::TechnicalServices);
    if variant == SD_NO_DEFECT {
        story.days(activity, 1, 4);
        let outcome = if activity.rng.chance(0.5) {
            ResolutionOutcome::NoDefect
        } else {
            ResolutionOutcome::StandardBehaviour
        };
        story.support(
            activity,
            TicketCommand::Resolve {
                outcome,
                note: "Development found this is the documented standard behaviour.".into(),
                reclassify_as: Some(TicketType::SupportRequest),
            },
        );
        story.after_resolved(activity, 0.6);
        return;
    }
    story.days(activity, 2, 8);
    let custom = variant == SD_FIX_CUSTOM && story.who.own_codeline;
    let moved = variant == SD_MOVED_TO_NEXT_PATCH;
    if story
        .deliver_fix(activity, &developer, custom, moved)
        .is_some()
    {
        story.after_resolved(activity, if custom { 0.3 } else { 0.6 });
    }
}

/// Variants of a Non-Software Defect story.
const NSD_P1_OFF_HOURS: usize = 0;
const NSD_P2_OFF_HOURS: usize = 1;
const NSD_ANSWERED_CLARIFICATION: usize = 2;
const NSD_RECLASSIFIED: usize = 3;
const NSD_CLARIFICATION_UNANSWERED: usize = 4;
const NSD_WEIGHTS: [f64; 5] = [0.12, 0.15, 0.48, 0.1, 0.15];

/// A Non-Software Defect from the portal.
pub(crate) fn non_software_defect(activity: &mut Activity, customer: usize, day: NaiveDate) {
    let variant = activity.variant("non-software-defect", &NSD_WEIGHTS);
    if matches!(variant, NSD_P1_OFF_HOURS | NSD_P2_OFF_HOURS) {
        critical(activity, customer, day, variant == NSD_P1_OFF_HOURS);
        return;
    }
    let t = clock::during_office(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    let summary = *activity.rng.pick(&OUTAGE_SUMMARIES);
    story.open_portal(activity, true, summary);
    story.minutes(activity, 10, 180);
    story.support(
        activity,
        TicketCommand::Classify {
            ticket_type: TicketType::NonSoftwareDefect,
        },
    );
    story.minutes(activity, 1, 10);
    let first = if variant == NSD_RECLASSIFIED {
        Priority::P3
    } else {
        Priority::P4
    };
    story.support(activity, TicketCommand::SetPriority { priority: first });
    chatter(&mut story, activity, variant != NSD_RECLASSIFIED);
    match variant {
        NSD_CLARIFICATION_UNANSWERED => {
            story.hours(activity, 1, 6);
            story.support(
                activity,
                TicketCommand::RequestClarification {
                    question: "Since when does it happen, and for which users?".into(),
                },
            );
        }
        NSD_RECLASSIFIED => {
            story.days(activity, 1, 2);
            story.support(
                activity,
                TicketCommand::Reclassify {
                    ticket_type: TicketType::SoftwareDefect,
                    reason: "The analysis shows a fault in the code, not the configuration.".into(),
                },
            );
            story.hours(activity, 2, 8);
            story.support(
                activity,
                TicketCommand::ReproduceDefect {
                    reference_system: format!("REF-{}", story.who.organisation),
                },
            );
            development(&mut story, activity, SD_FIX_PATCH);
        }
        _ => {
            debug_assert_eq!(variant, NSD_ANSWERED_CLARIFICATION);
            story.hours(activity, 1, 6);
            story.support(
                activity,
                TicketCommand::RequestClarification {
                    question: "Please send the exact time and the affected user names.".into(),
                },
            );
            story.days(activity, 1, 12);
            let attachments = vec![super::attachment(&mut activity.rng, "users.csv")];
            story.customer(
                activity,
                TicketCommand::AddComment {
                    text: "It happened at 09:14 for the users in the attached list.".into(),
                    visibility: CommentVisibility::Public,
                    attachments,
                },
            );
            if activity.rng.chance(0.3) {
                story.days(activity, 1, 5);
                story.customer(
                    activity,
                    TicketCommand::AddComment {
                        text: "Any news? It happened again today.".into(),
                        visibility: CommentVisibility::Public,
                        attachments: Vec::new(),
                    },
                );
            }
            story.hours(activity, 1, 4);
            story.support(activity, TicketCommand::ResumeWork);
            story.minutes(activity, 5, 30);
            story.support(
                activity,
                TicketCommand::SetPriority {
                    priority: Priority::P3,
                },
            );
            story.hours(activity, 2, 12);
            let agent = story.agent.clone();
            story.book(activity, &agent, Department::Operations);
            story.minutes(activity, 10, 60);
            story.support(
                activity,
                TicketCommand::Resolve {
                    outcome: ResolutionOutcome::Misconfiguration,
                    note: "The mail relay was misconfigured; corrected it.".into(),
                    reclassify_as: None,
                },
            );
            story.after_resolved(activity, 0.6);
        }
    }
}

/// A P1 or P2 outage raised at night or on a weekend and handled by on-call staff.
fn critical(activity: &mut Activity, customer: usize, day: NaiveDate, p1: bool) {
    let t = clock::off_hours(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    story.open_portal(activity, true, OUTAGE_SUMMARIES[0]);
    let slow = activity.rng.chance(0.25);
    if slow {
        // Nobody reacted within the target: the customer escalates before acceptance.
        story.minutes(activity, 40, 90);
        story.customer(
            activity,
            TicketCommand::Escalate {
                level: EscalationLevel::TeamLead,
                reason: EscalationReason::ReactionTimeExceeded,
            },
        );
    }
    story.minutes(activity, 5, if p1 { 25 } else { 50 });
    story.support(activity, TicketCommand::Accept);
    story.minutes(activity, 2, 10);
    story.support(
        activity,
        TicketCommand::Classify {
            ticket_type: TicketType::NonSoftwareDefect,
        },
    );
    story.minutes(activity, 1, 5);
    let priority = if p1 { Priority::P1 } else { Priority::P2 };
    story.support(activity, TicketCommand::SetPriority { priority });
    if activity.rng.chance(0.5) {
        story.minutes(activity, 30, 120);
        story.support(
            activity,
            TicketCommand::ProvideWorkaround {
                description: "Switched the traffic to the standby node.".into(),
            },
        );
    }
    if activity.rng.chance(0.15) {
        story.minutes(activity, 60, 300);
        story.customer(
            activity,
            TicketCommand::Escalate {
                level: EscalationLevel::HeadOfCustomerServices,
                reason: EscalationReason::RestorationTimeExceeded,
            },
        );
    }
    story.minutes(activity, 60, 300);
    let agent = story.agent.clone();
    story.book(activity, &agent, Department::Operations);
    story.minutes(activity, 5, 30);
    story.support(
        activity,
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::FixedBySupport,
            note: "Renewed the expired certificate and restarted the service.".into(),
            reclassify_as: None,
        },
    );
    story.after_resolved(activity, if p1 { 0.8 } else { 0.4 });
}
