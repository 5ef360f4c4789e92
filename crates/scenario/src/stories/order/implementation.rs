//! Phase 3, implementation: the developer (or, for a standard extension, product
//! development) implements, the consultant attends sprint reviews and verifies against the
//! concept's acceptance criteria; a delay may be announced, a verification may fail.

use chrono::Duration;
use ticketflow_domain::order::OrderCommand;
use ticketflow_domain::order::deadline::earliest_delivery_after;
use ticketflow_events::order::OrderKind;

use super::{CRITERIA, DELAY, FAILED_VERIFICATION, OrderStory, Schedule};
use crate::activity::Activity;
use crate::clock::{at, office};

/// Phase 3 up to "implementation completed": a delay may be announced, a standard
/// extension's sprint reviews are attended.
pub(super) fn implement(
    activity: &mut Activity,
    o: &mut OrderStory,
    schedule: &mut Schedule,
    variant: usize,
) {
    match o.kind {
        OrderKind::CustomerSpecific => {
            if variant == DELAY {
                let t = at(schedule.end - Duration::days(3), 10, 0);
                let end = schedule.end + Duration::days(7);
                o.consult(
                    activity,
                    t,
                    OrderCommand::AnnounceDelay {
                        planned_end: end,
                        reason: "The HR system's test interface was unavailable for a week.".into(),
                    },
                );
                schedule.end = end;
                schedule.earliest = earliest_delivery_after(end, &activity.desk.order);
            }
            let developer = o.developer.clone();
            o.push(
                activity,
                at(schedule.end, 15, 0),
                &developer,
                OrderCommand::ReportImplementationCompleted {
                    note: "Implemented and self-checked.".into(),
                },
            );
        }
        OrderKind::StandardExtension => {
            let mut sprint = 1;
            let mut review = schedule.start + Duration::days(11);
            while review + Duration::days(3) < schedule.earliest {
                let in_line = !(variant == DELAY && sprint == 2);
                o.consult(
                    activity,
                    at(review, 14, 0),
                    OrderCommand::RecordSprintReview {
                        sprint: format!("Sprint {sprint}"),
                        in_line,
                        feedback: if in_line {
                            String::new()
                        } else {
                            "The export misses the cost centre; raised it with the team.".into()
                        },
                    },
                );
                sprint += 1;
                review += Duration::days(14);
            }
            if variant == DELAY {
                let end = schedule.earliest + Duration::days(14);
                let t = o.t + Duration::hours(2);
                o.consult(
                    activity,
                    t,
                    OrderCommand::AnnounceDelay {
                        planned_end: end,
                        reason: "The package's code freeze moved by two weeks.".into(),
                    },
                );
                schedule.earliest = end;
                schedule.end = end;
            }
            let pm = activity.staff.product_manager.clone();
            o.push(
                activity,
                at(schedule.end - Duration::days(2), 15, 0),
                &pm,
                OrderCommand::ReportImplementationCompleted {
                    note: "Part of the innovation package build.".into(),
                },
            );
        }
    }
}

/// The consultant verifies the implementation (a standard extension not before its code
/// level reaches the reference system); a failed criterion sends it back to development once.
pub(super) fn verify(
    activity: &mut Activity,
    o: &mut OrderStory,
    schedule: &Schedule,
    variant: usize,
) {
    let kind = o.kind;
    let completed_by = match kind {
        OrderKind::CustomerSpecific => o.developer.clone(),
        OrderKind::StandardExtension => activity.staff.product_manager.clone(),
    };
    let verify_from = office(at(schedule.earliest, 9, 0));
    let mut t = o.later(activity, 1, 2);
    if kind == OrderKind::StandardExtension {
        t = t.max(verify_from);
    }
    let all: Vec<String> = CRITERIA.iter().map(|c| (*c).to_owned()).collect();
    if variant == FAILED_VERIFICATION {
        o.consult(
            activity,
            t,
            OrderCommand::RecordVerification {
                passed: all[..2].to_vec(),
                failed: all[2..].to_vec(),
            },
        );
        let again = o.later(activity, 2, 4);
        o.push(
            activity,
            again,
            &completed_by,
            OrderCommand::ReportImplementationCompleted {
                note: "Error reporting added.".into(),
            },
        );
        t = o.later(activity, 1, 1);
    }
    o.consult(
        activity,
        t,
        OrderCommand::RecordVerification {
            passed: all,
            failed: Vec::new(),
        },
    );
}
