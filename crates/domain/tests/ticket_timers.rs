//! Timers of domain.md §2.5.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ticket_common;

use chrono::Duration;
use ticket_common::*;
use ticketflow_domain::ticket::{TicketCommand, TicketError};
use ticketflow_events::ticket::{
    CloseReason, ResolutionOutcome, TicketEvent, TicketStatus as S, TicketType as T, TimerKind,
};

fn resolved() -> Desk {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(
        &agent(),
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::Answered,
            note: String::new(),
            reclassify_as: None,
        },
    );
    desk
}

fn in_clarification() -> Desk {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.ok(
        &agent(),
        TicketCommand::RequestClarification {
            question: "Which course?".into(),
        },
    );
    desk
}

fn fire(desk: &mut Desk, kind: TimerKind) -> Result<Vec<TicketEvent>, TicketError> {
    let timer = desk.timer(|k| *k == kind);
    desk.run(&system(), TicketCommand::FireTimer { timer: timer.id })
}

#[test]
fn resolved_ticket_is_closed_automatically_after_50_days() {
    let mut desk = resolved();
    let timer = desk.timer(|k| *k == TimerKind::ResolvedAutoClose);
    assert_eq!(timer.due_at, desk.now + Duration::days(50));
    desk.advance(Duration::days(50));
    let events = fire(&mut desk, TimerKind::ResolvedAutoClose).unwrap();
    assert!(matches!(
        &events[0],
        TicketEvent::TicketClosed(c)
            if c.reason == CloseReason::NoAnswerAfterResolution && c.timer == Some(timer.id)
    ));
    assert_eq!(desk.status(), S::Closed);
    assert!(desk.state.due_timers().is_empty());
}

#[test]
fn entering_a_timed_status_schedules_its_timers_in_the_same_decision() {
    let mut desk = Desk::classified(T::SupportRequest);
    let events = desk.ok(
        &agent(),
        TicketCommand::RequestClarification {
            question: "Which course?".into(),
        },
    );
    assert_eq!(
        types(&events),
        [
            "TicketClarificationRequested",
            "TicketStatusChanged",
            "TicketTimersScheduled"
        ]
    );
}

#[test]
fn clarification_sends_reminders_at_10_20_and_30_days_and_closes_at_40() {
    let mut desk = in_clarification();
    let start = desk.now;
    let due: Vec<_> = desk
        .state
        .due_timers()
        .iter()
        .map(|t| ((t.due_at - start).num_days(), t.kind))
        .collect();
    assert_eq!(
        due,
        [
            (10, TimerKind::ClarificationReminder { number: 1 }),
            (20, TimerKind::ClarificationReminder { number: 2 }),
            (30, TimerKind::ClarificationReminder { number: 3 }),
            (40, TimerKind::ClarificationAutoClose),
        ]
    );
    for number in 1..=3u8 {
        desk.advance(Duration::days(10));
        let events = fire(&mut desk, TimerKind::ClarificationReminder { number }).unwrap();
        assert!(matches!(
            &events[0],
            TicketEvent::TicketClarificationReminderSent(r) if r.number == number
        ));
        assert_eq!(desk.status(), S::ClarificationRequired);
    }
    desk.advance(Duration::days(10));
    let events = fire(&mut desk, TimerKind::ClarificationAutoClose).unwrap();
    assert!(matches!(
        &events[0],
        TicketEvent::TicketClosed(c) if c.reason == CloseReason::ClarificationUnanswered
    ));
    assert_eq!(desk.status(), S::Closed);
}

#[test]
fn customer_comment_during_clarification_restarts_the_count() {
    let mut desk = in_clarification();
    let old = desk.state.due_timers();
    desk.advance(Duration::days(15));
    fire(&mut desk, TimerKind::ClarificationReminder { number: 1 }).unwrap();
    let events = desk.ok(
        &jane(),
        TicketCommand::AddComment {
            text: "Still looking into it.".into(),
            visibility: ticketflow_events::ticket::CommentVisibility::Public,
            attachments: vec![],
        },
    );
    assert_eq!(
        types(&events),
        [
            "TicketCommented",
            "TicketTimersCancelled",
            "TicketTimersScheduled"
        ]
    );
    let new = desk.state.due_timers();
    assert_eq!(new.len(), 4);
    assert_eq!(new[0].due_at, desk.now + Duration::days(10));
    assert!(new.iter().all(|t| old.iter().all(|o| o.id != t.id)));
    // The superseded reminder 2 is stale and refused.
    desk.advance(Duration::days(10));
    let err = desk.refused(&system(), TicketCommand::FireTimer { timer: old[1].id });
    assert!(
        matches!(err, TicketError::TimerNotScheduled { .. }),
        "{err}"
    );
}

#[test]
fn staff_comments_do_not_restart_the_clarification_count() {
    let mut desk = in_clarification();
    let events = desk.ok(
        &agent(),
        TicketCommand::AddComment {
            text: "Reminder: we need the course id.".into(),
            visibility: ticketflow_events::ticket::CommentVisibility::Public,
            attachments: vec![],
        },
    );
    assert_eq!(types(&events), ["TicketCommented"]);
}

#[test]
fn estimate_expires_after_16_weeks_and_closes_the_ticket() {
    let mut desk = Desk::classified(T::Customisation);
    desk.ok(&agent(), TicketCommand::RequestEstimate);
    let events = desk.ok(
        &developer(),
        TicketCommand::ProvideEstimate { effort_hours: 16 },
    );
    let TicketEvent::TicketEstimateProvided(estimate) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(estimate.valid_until, desk.now + Duration::weeks(16));
    let timer = desk.timer(|k| *k == TimerKind::EstimationExpiry);
    assert_eq!(timer.due_at, estimate.valid_until);
    desk.advance(Duration::weeks(16));
    let events = fire(&mut desk, TimerKind::EstimationExpiry).unwrap();
    assert!(matches!(
        &events[0],
        TicketEvent::TicketClosed(c) if c.reason == CloseReason::EstimateExpired
    ));
    assert_eq!(desk.status(), S::Closed);
}

#[test]
fn an_ordered_estimate_does_not_expire() {
    let mut desk = Desk::classified(T::Customisation);
    desk.ok(&agent(), TicketCommand::RequestEstimate);
    desk.ok(
        &developer(),
        TicketCommand::ProvideEstimate { effort_hours: 16 },
    );
    let timer = desk.timer(|k| *k == TimerKind::EstimationExpiry);
    let events = desk.ok(&sales(), TicketCommand::RecordOrder { order: None });
    assert!(
        matches!(events.last(), Some(TicketEvent::TicketTimersCancelled(c)) if c.timers == [timer.id])
    );
    desk.advance(Duration::weeks(17));
    let err = desk.refused(&system(), TicketCommand::FireTimer { timer: timer.id });
    assert!(matches!(err, TicketError::NotAllowed { .. }), "{err}");
}

#[test]
fn a_timer_fires_only_when_due() {
    let mut desk = resolved();
    desk.advance(Duration::days(49));
    let err = fire(&mut desk, TimerKind::ResolvedAutoClose).unwrap_err();
    assert!(matches!(err, TicketError::TimerNotDue { .. }), "{err}");
    assert!(err.to_string().contains("not due until"), "{err}");
    assert_eq!(desk.status(), S::Resolved);
}

#[test]
fn a_timer_never_fires_twice() {
    let mut desk = in_clarification();
    desk.advance(Duration::days(10));
    let timer = desk.timer(|k| *k == TimerKind::ClarificationReminder { number: 1 });
    desk.ok(&system(), TicketCommand::FireTimer { timer: timer.id });
    let err = desk.refused(&system(), TicketCommand::FireTimer { timer: timer.id });
    assert!(
        matches!(err, TicketError::TimerNotScheduled { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("already fired or was cancelled"),
        "{err}"
    );
}

#[test]
fn leaving_the_status_cancels_its_timers() {
    let mut desk = in_clarification();
    let ids: Vec<_> = desk.state.due_timers().iter().map(|t| t.id).collect();
    let events = desk.ok(&agent(), TicketCommand::ResumeWork);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TicketEvent::TicketTimersCancelled(c) if c.timers == ids))
    );
    assert!(desk.state.due_timers().is_empty());
}

#[test]
fn only_the_scheduler_fires_timers() {
    let mut desk = resolved();
    desk.advance(Duration::days(60));
    let timer = desk.timer(|k| *k == TimerKind::ResolvedAutoClose);
    let err = desk.refused(&agent(), TicketCommand::FireTimer { timer: timer.id });
    assert!(matches!(err, TicketError::Forbidden { .. }), "{err}");
}

#[test]
fn timer_lengths_come_from_the_policy() {
    let mut desk = Desk::classified(T::SupportRequest);
    desk.config.ticket.resolved_auto_close_days = 7;
    desk.config.ticket.clarification_reminder_days = vec![3];
    desk.config.ticket.clarification_auto_close_days = 5;
    desk.ok(
        &agent(),
        TicketCommand::RequestClarification {
            question: "?".into(),
        },
    );
    let days: Vec<_> = desk
        .state
        .due_timers()
        .iter()
        .map(|t| (t.due_at - desk.now).num_days())
        .collect();
    assert_eq!(days, [3, 5]);
    desk.ok(
        &agent(),
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::Answered,
            note: String::new(),
            reclassify_as: None,
        },
    );
    assert_eq!(
        desk.timer(|k| *k == TimerKind::ResolvedAutoClose).due_at,
        desk.now + Duration::days(7)
    );
}

fn sla_notice(kind: ticketflow_events::ticket::SlaNoticeKind) -> TicketCommand {
    TicketCommand::RecordSlaNotice {
        clock: ticketflow_events::ticket::SlaNoticeClock::Restoration,
        kind,
        cycle: 1,
    }
}

#[test]
fn an_sla_notice_is_recorded_once_per_clock_cycle_and_kind() {
    use ticketflow_events::ticket::SlaNoticeKind;
    let mut desk = Desk::classified(T::SoftwareDefect);
    let events = desk.ok(&system(), sla_notice(SlaNoticeKind::AtRisk));
    assert!(matches!(
        events.as_slice(),
        [TicketEvent::TicketSlaNoticeRecorded(n)] if n.kind == SlaNoticeKind::AtRisk && n.cycle == 1
    ));
    let err = desk.refused(&system(), sla_notice(SlaNoticeKind::AtRisk));
    assert!(
        matches!(err, TicketError::SlaNoticeAlreadyRecorded { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("already recorded"), "{err}");
    desk.ok(&system(), sla_notice(SlaNoticeKind::Breached));
}

#[test]
fn only_the_scheduler_records_sla_notices() {
    use ticketflow_events::ticket::SlaNoticeKind;
    let mut desk = Desk::classified(T::SoftwareDefect);
    let err = desk.refused(&agent(), sla_notice(SlaNoticeKind::AtRisk));
    assert!(err.to_string().contains("the scheduler (system)"), "{err}");
}
