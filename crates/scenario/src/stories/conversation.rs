//! The conversation around a ticket while it is being worked on: comments public and
//! internal, attachments, notification choices, sharing, confidentiality, efforts and
//! escalations. Each happens with its own probability, a few minutes to hours apart.

use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::Department;
use ticketflow_events::ticket::{CommentVisibility, EscalationLevel, EscalationReason, SharedWith};

use super::{TicketStory, attachment};
use crate::activity::Activity;

/// Probability of each conversation step.
const CUSTOMER_COMMENT: f64 = 0.30;
const INTERNAL_NOTE: f64 = 0.25;
const VENDOR_ANSWER: f64 = 0.15;
const ATTACHMENTS: f64 = 0.10;
const NOTIFICATIONS_OFF: f64 = 0.06;
const NOTIFICATIONS_ON: f64 = 0.06;
const SHARING: f64 = 0.05;
const CONFIDENTIAL: f64 = 0.08;
const EFFORT: f64 = 0.40;
const ESCALATION: f64 = 0.05;

/// Adds the conversation steps to a ticket that is open and being worked on. Only stories
/// handled by support alone allow the confidential flag (other departments may not act on a
/// confidential ticket).
pub(crate) fn chatter(story: &mut TicketStory, activity: &mut Activity, allow_confidential: bool) {
    let creator = story.creator.clone();
    let colleague = story.who.colleague().clone();
    let agent = story.agent.clone();
    if activity.rng.chance(CUSTOMER_COMMENT) {
        story.minutes(activity, 5, 90);
        let author = if story.shared && activity.rng.chance(0.3) {
            colleague.clone()
        } else {
            creator.clone()
        };
        story.run(
            activity,
            &author,
            TicketCommand::AddComment {
                text: "Some more detail: it happens for all users of the department.".into(),
                visibility: CommentVisibility::Public,
                attachments: Vec::new(),
            },
        );
    }
    if activity.rng.chance(INTERNAL_NOTE) {
        story.minutes(activity, 5, 90);
        story.support(
            activity,
            TicketCommand::AddComment {
                text: "Internal: checked the logs of the customer's system; see trace id.".into(),
                visibility: CommentVisibility::Internal,
                attachments: Vec::new(),
            },
        );
    }
    if activity.rng.chance(VENDOR_ANSWER) {
        story.minutes(activity, 5, 90);
        story.support(
            activity,
            TicketCommand::AddComment {
                text: "Thank you, we are looking into it.".into(),
                visibility: CommentVisibility::Public,
                attachments: Vec::new(),
            },
        );
    }
    if activity.rng.chance(ATTACHMENTS) {
        story.minutes(activity, 5, 90);
        let files = vec![attachment(&mut activity.rng, "logfile.txt")];
        story.customer(
            activity,
            TicketCommand::AddAttachments { attachments: files },
        );
    }
    if activity.rng.chance(NOTIFICATIONS_OFF) {
        story.minutes(activity, 1, 30);
        story.customer(activity, TicketCommand::SetNotifications { enabled: false });
    }
    if story.shared && colleague.id != creator.id && activity.rng.chance(NOTIFICATIONS_ON) {
        story.minutes(activity, 1, 30);
        story.run(
            activity,
            &colleague,
            TicketCommand::SetNotifications { enabled: true },
        );
    }
    if !story.by_email && activity.rng.chance(SHARING) {
        story.minutes(activity, 1, 30);
        story.shared = !story.shared;
        let shared_with = if story.shared {
            SharedWith::Organisation
        } else {
            SharedWith::Nobody
        };
        story.customer(activity, TicketCommand::ChangeSharing { shared_with });
    }
    if allow_confidential && activity.rng.chance(CONFIDENTIAL) {
        story.minutes(activity, 1, 30);
        story.confidential = true;
        story.customer(
            activity,
            TicketCommand::SetConfidential { confidential: true },
        );
        if activity.rng.chance(0.2) {
            story.minutes(activity, 30, 120);
            story.confidential = false;
            story.support(
                activity,
                TicketCommand::SetConfidential {
                    confidential: false,
                },
            );
        }
    }
    if activity.rng.chance(EFFORT) {
        story.minutes(activity, 30, 180);
        story.book(activity, &agent, Department::Support);
    }
    if activity.rng.chance(ESCALATION) {
        story.minutes(activity, 30, 240);
        story.customer(
            activity,
            TicketCommand::Escalate {
                level: EscalationLevel::PersonalContact,
                reason: EscalationReason::Handling,
            },
        );
        if activity.rng.chance(0.4) {
            story.minutes(activity, 60, 240);
            story.support(
                activity,
                TicketCommand::Escalate {
                    level: EscalationLevel::TeamLead,
                    reason: EscalationReason::ProductQuality,
                },
            );
        }
    }
}
