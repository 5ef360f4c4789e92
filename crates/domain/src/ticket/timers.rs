//! Timers of domain.md §2.5 as events.
//!
//! Timers belong to a status: entering `Resolved`, `Clarification required / On hold` or
//! `Estimation available` schedules that status's timers in the same decision
//! ([`TicketTimersScheduled`], with due times from [`super::TicketPolicy`]); leaving the status
//! cancels whatever is left of them ([`TicketTimersCancelled`]). A customer comment during a
//! clarification cancels and reschedules the clarification timers, so the count starts again.
//!
//! The scheduler fires a timer with `FireTimer`, which is accepted only while the timer is
//! scheduled and due; the resulting reminder or close event unschedules it. A timer therefore
//! fires at most once, whatever the scheduler retries or replays.

use chrono::Duration;
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::{
    CloseReason, ScheduledTimer, SlaNoticeClock, SlaNoticeKind, TicketClarificationReminderSent,
    TicketClosed, TicketEvent, TicketSlaNoticeRecorded, TicketStatus, TicketTimersCancelled,
    TicketTimersScheduled, TimerId, TimerKind,
};

use super::customisation::estimate_validity;
use super::error::TicketError;
use super::state::Ticket;
use crate::Context;

/// `now + length`, saturating at the latest representable instant: timer lengths come from
/// configuration, and an absurd one must not crash a decision.
pub(crate) fn after(now: Timestamp, length: Duration) -> Timestamp {
    now.checked_add_signed(length)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

/// The timers a status starts when entered at `now`, numbered from `next_id`.
fn timers_for(status: TicketStatus, next_id: u64, ctx: &Context<'_>) -> Vec<ScheduledTimer> {
    let policy = &ctx.config.ticket;
    let days = |d: u32| after(ctx.now, Duration::days(i64::from(d)));
    let kinds: Vec<(TimerKind, Timestamp)> = match status {
        TicketStatus::Resolved => vec![(
            TimerKind::ResolvedAutoClose,
            days(policy.resolved_auto_close_days),
        )],
        TicketStatus::ClarificationRequired => policy
            .clarification_reminder_days
            .iter()
            .zip(1..=u8::MAX)
            .map(|(d, number)| (TimerKind::ClarificationReminder { number }, days(*d)))
            .chain([(
                TimerKind::ClarificationAutoClose,
                days(policy.clarification_auto_close_days),
            )])
            .collect(),
        TicketStatus::EstimationAvailable => vec![(
            TimerKind::EstimationExpiry,
            after(ctx.now, estimate_validity(ctx)),
        )],
        _ => Vec::new(),
    };
    kinds
        .into_iter()
        .zip(next_id..=u64::MAX)
        .map(|((kind, due_at), id)| ScheduledTimer {
            id: TimerId(id),
            kind,
            due_at,
        })
        .collect()
}

/// Appends the timer bookkeeping a decision's events imply: when they change the status,
/// cancel the timers still pending and schedule the new status's timers.
pub(crate) fn settle(
    before: &Ticket,
    mut events: Vec<TicketEvent>,
    ctx: &Context<'_>,
) -> Vec<TicketEvent> {
    let mut after = before.clone();
    for event in &events {
        after.apply(event);
    }
    if !before.exists() || after.status == before.status {
        return events;
    }
    if !after.timers.is_empty() {
        events.push(
            TicketTimersCancelled {
                at: ctx.now,
                timers: after.timers.iter().map(|t| t.id).collect(),
            }
            .into(),
        );
    }
    let timers = timers_for(after.status, after.next_timer_id, ctx);
    if !timers.is_empty() {
        events.push(
            TicketTimersScheduled {
                at: ctx.now,
                timers,
            }
            .into(),
        );
    }
    events
}

/// A customer answered during a clarification: its timers start counting again.
pub(crate) fn restart_clarification(ticket: &Ticket, ctx: &Context<'_>) -> Vec<TicketEvent> {
    let mut events = Vec::new();
    if !ticket.timers.is_empty() {
        events.push(
            TicketTimersCancelled {
                at: ctx.now,
                timers: ticket.timers.iter().map(|t| t.id).collect(),
            }
            .into(),
        );
    }
    let timers = timers_for(
        TicketStatus::ClarificationRequired,
        ticket.next_timer_id,
        ctx,
    );
    if !timers.is_empty() {
        events.push(
            TicketTimersScheduled {
                at: ctx.now,
                timers,
            }
            .into(),
        );
    }
    events
}

impl Ticket {
    /// Records an SLA notice once per clock, kind and cycle. Whether the clock really is at
    /// risk or breached is the scheduler's judgement (it evaluates the SLA from the ticket's
    /// history); the ticket only keeps the notice from being recorded twice.
    pub(crate) fn record_sla_notice(
        &self,
        clock: SlaNoticeClock,
        kind: SlaNoticeKind,
        cycle: u32,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        if self.has_sla_notice(clock, kind, cycle) {
            return Err(TicketError::SlaNoticeAlreadyRecorded {
                ticket: self.label(),
                clock,
                kind,
                cycle,
            });
        }
        Ok(vec![
            TicketSlaNoticeRecorded {
                at: ctx.now,
                clock,
                kind,
                cycle,
            }
            .into(),
        ])
    }

    /// Fires a scheduled, due timer: a reminder, or an automatic close.
    pub(crate) fn fire_timer(
        &self,
        id: TimerId,
        ctx: &Context<'_>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let timer = self.timers.iter().find(|t| t.id == id).ok_or_else(|| {
            TicketError::TimerNotScheduled {
                ticket: self.label(),
                timer: id,
            }
        })?;
        if ctx.now < timer.due_at {
            return Err(TicketError::TimerNotDue {
                ticket: self.label(),
                timer: id,
                due_at: timer.due_at,
            });
        }
        let close = |reason| -> Vec<TicketEvent> {
            vec![
                TicketClosed {
                    at: ctx.now,
                    reason,
                    timer: Some(id),
                }
                .into(),
                self.move_to(ctx.now, TicketStatus::Closed),
            ]
        };
        Ok(match timer.kind {
            TimerKind::ClarificationReminder { number } => vec![
                TicketClarificationReminderSent {
                    at: ctx.now,
                    timer: id,
                    number,
                }
                .into(),
            ],
            TimerKind::ClarificationAutoClose => close(CloseReason::ClarificationUnanswered),
            TimerKind::ResolvedAutoClose => close(CloseReason::NoAnswerAfterResolution),
            TimerKind::EstimationExpiry => close(CloseReason::EstimateExpired),
        })
    }
}
