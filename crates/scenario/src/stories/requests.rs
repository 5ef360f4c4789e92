//! Requests: Consulting Requests (answered directly or forwarded to Technical or Managed
//! Services, sometimes with a `CUSTOM` configuration delivery), Support Requests and
//! Suggestions (forwarded to product management).

use chrono::NaiveDate;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::Department;
use ticketflow_events::ticket::{CommentVisibility, ForwardTarget, ResolutionOutcome, TicketType};

use super::{TicketStory, chatter};
use crate::activity::Activity;
use crate::clock;

const CONSULTING_SUMMARIES: [&str; 4] = [
    "How should we set up approval workflows for external trainers?",
    "Please configure a new SSO connection for our subsidiary",
    "Best practice for archiving old course data?",
    "We need a new role for regional training coordinators",
];

const SUPPORT_SUMMARIES: [&str; 4] = [
    "Where do I find the attendance list of a session?",
    "How can a learner reset their password?",
    "Question about the new dashboard widgets",
    "Which file formats can be uploaded as course material?",
];

const SUGGESTION_SUMMARIES: [&str; 3] = [
    "Idea: allow bulk enrolment from a CSV file",
    "Suggestion: dark mode for the learner portal",
    "Please add a reminder mail before a session starts",
];

const CONSULTING_DIRECT: usize = 0;
const CONSULTING_TECHNICAL: usize = 1;
const CONSULTING_CONFIGURATION: usize = 2;
const CONSULTING_CLARIFIED: usize = 3;
const CONSULTING_UNANSWERED: usize = 4;
const CONSULTING_WEIGHTS: [f64; 5] = [0.35, 0.2, 0.15, 0.2, 0.1];

fn classify(story: &mut TicketStory, activity: &mut Activity, ticket_type: TicketType) {
    story.minutes(activity, 15, 240);
    story.support(activity, TicketCommand::Classify { ticket_type });
}

fn ask(story: &mut TicketStory, activity: &mut Activity, question: &str) {
    story.hours(activity, 1, 8);
    story.support(
        activity,
        TicketCommand::RequestClarification {
            question: question.into(),
        },
    );
}

/// The customer answers a clarification (sometimes twice, restarting the timers), and
/// support resumes work.
fn answer(story: &mut TicketStory, activity: &mut Activity) {
    story.days(activity, 1, 12);
    story.customer(
        activity,
        TicketCommand::AddComment {
            text: "Here are the details you asked for.".into(),
            visibility: CommentVisibility::Public,
            attachments: Vec::new(),
        },
    );
    if activity.rng.chance(0.3) {
        story.days(activity, 1, 12);
        story.customer(
            activity,
            TicketCommand::AddComment {
                text: "One more thing we forgot to mention.".into(),
                visibility: CommentVisibility::Public,
                attachments: Vec::new(),
            },
        );
    }
    story.hours(activity, 1, 6);
    story.support(activity, TicketCommand::ResumeWork);
}

fn resolve_answered(story: &mut TicketStory, activity: &mut Activity, note: &str) {
    story.support(
        activity,
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::Answered,
            note: note.into(),
            reclassify_as: None,
        },
    );
}

/// A Consulting Request: billable time and material from the extended support budget.
pub(crate) fn consulting_request(activity: &mut Activity, customer: usize, day: NaiveDate) {
    let variant = activity.variant("consulting-request", &CONSULTING_WEIGHTS);
    let t = clock::during_office(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    let summary = *activity.rng.pick(&CONSULTING_SUMMARIES);
    story.open_request(activity, summary);
    classify(&mut story, activity, TicketType::ConsultingRequest);
    chatter(&mut story, activity, false);
    let agent = story.agent.clone();
    match variant {
        CONSULTING_UNANSWERED => {
            ask(
                &mut story,
                activity,
                "Which subsidiaries should the role apply to?",
            );
        }
        CONSULTING_DIRECT | CONSULTING_CLARIFIED => {
            if variant == CONSULTING_CLARIFIED {
                ask(&mut story, activity, "Which version of the LMS do you run?");
                answer(&mut story, activity);
            }
            story.hours(activity, 1, 16);
            story.book(activity, &agent, Department::Support);
            story.minutes(activity, 5, 30);
            resolve_answered(
                &mut story,
                activity,
                "Answered: see the attached best-practice guide.",
            );
            story.after_resolved(activity, 0.6);
        }
        _ => {
            if !story.who.extended_support_budget {
                // Forwarding needs a budget: sales sells one first.
                story.days(activity, 1, 3);
                let sales = activity.staff.sales.clone();
                story.run(
                    activity,
                    &sales,
                    TicketCommand::RecordSupportBudget { available: true },
                );
            }
            story.hours(activity, 1, 8);
            let (to, worker, department) = if variant == CONSULTING_TECHNICAL {
                (
                    ForwardTarget::TechnicalServices,
                    activity.rng.pick(&activity.staff.developers).clone(),
                    Department::TechnicalServices,
                )
            } else {
                (
                    ForwardTarget::ManagedServices,
                    activity.staff.managed_services.clone(),
                    Department::ManagedServices,
                )
            };
            story.support(activity, TicketCommand::Forward { to });
            for _ in 0..activity.rng.between(1, 3) {
                story.days(activity, 1, 4);
                story.book(activity, &worker, department);
            }
            story.hours(activity, 1, 8);
            if variant == CONSULTING_CONFIGURATION {
                if story.deliver_fix(activity, &agent, true, false).is_some() {
                    story.after_resolved(activity, 0.5);
                }
            } else {
                resolve_answered(
                    &mut story,
                    activity,
                    "Technical Services answered the question in detail.",
                );
                story.after_resolved(activity, 0.4);
            }
        }
    }
}

const SUPPORT_CLOSED: usize = 0;
const SUPPORT_LEFT: usize = 1;
const SUPPORT_UNANSWERED: usize = 2;
const SUPPORT_CLARIFIED: usize = 3;
const SUPPORT_WEIGHTS: [f64; 4] = [0.45, 0.3, 0.1, 0.15];

/// A Support Request: free, answered by the desk.
pub(crate) fn support_request(activity: &mut Activity, customer: usize, day: NaiveDate) {
    let variant = activity.variant("support-request", &SUPPORT_WEIGHTS);
    let t = clock::during_office(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    let summary = *activity.rng.pick(&SUPPORT_SUMMARIES);
    story.open_request(activity, summary);
    classify(&mut story, activity, TicketType::SupportRequest);
    chatter(&mut story, activity, true);
    if variant == SUPPORT_UNANSWERED {
        ask(&mut story, activity, "Which course do you mean exactly?");
        return;
    }
    if variant == SUPPORT_CLARIFIED {
        ask(
            &mut story,
            activity,
            "Do you use the classic or the new portal?",
        );
        answer(&mut story, activity);
    }
    story.hours(activity, 1, 12);
    resolve_answered(&mut story, activity, "Answered with a link to the manual.");
    debug_assert!(matches!(
        variant,
        SUPPORT_CLOSED | SUPPORT_LEFT | SUPPORT_CLARIFIED
    ));
    let p = if variant == SUPPORT_LEFT { 0.0 } else { 1.0 };
    story.after_resolved(activity, p);
}

const SUGGESTION_FORWARDED: usize = 0;
const SUGGESTION_CLARIFIED: usize = 1;
const SUGGESTION_WEIGHTS: [f64; 2] = [0.8, 0.2];

/// A Suggestion: forwarded to product management and `Resolved` at once.
pub(crate) fn suggestion(activity: &mut Activity, customer: usize, day: NaiveDate) {
    let variant = activity.variant("suggestion", &SUGGESTION_WEIGHTS);
    let t = clock::during_office(day, &mut activity.rng);
    let mut story = TicketStory::new(activity, customer, t);
    let summary = *activity.rng.pick(&SUGGESTION_SUMMARIES);
    story.open_request(activity, summary);
    classify(&mut story, activity, TicketType::Suggestion);
    chatter(&mut story, activity, true);
    if variant == SUGGESTION_CLARIFIED {
        ask(&mut story, activity, "Which user groups would use this?");
        answer(&mut story, activity);
    }
    debug_assert!(variant == SUGGESTION_FORWARDED || variant == SUGGESTION_CLARIFIED);
    story.hours(activity, 1, 24);
    story.support(
        activity,
        TicketCommand::Forward {
            to: ForwardTarget::ProductManagement,
        },
    );
    if activity.rng.chance(0.5) {
        // Product management reads it at once; the quarterly review comes later.
        story.hours(activity, 1, 8);
        let pm = activity.staff.product_manager.clone();
        story.book(activity, &pm, Department::ProductManagement);
    }
    story.after_resolved(activity, 0.3);
}
