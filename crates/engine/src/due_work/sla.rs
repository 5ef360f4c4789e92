//! SLA notices: the instants an SLA clock becomes at risk and is breached.
//!
//! The SLA of a ticket is a pure function of its history and `now` (`sla::evaluate_ticket`),
//! so nothing is recorded when a clock crosses its at-risk share or its target: time passes
//! silently. The desk still wants to *know* at that instant (notifications, escalations), so
//! the view computes, after each event of a ticket the SLA applies to, when each running clock
//! will become at risk and when it will be breached if nothing else happens, and the scheduler
//! records `TicketCommand::RecordSlaNotice` then, keyed
//! `sla:<ticket>:<clock>:<cycle>:<kind>` (and the ticket refuses a second notice of the same
//! clock, cycle and kind). Any later event of the ticket (a pause, a new priority) recomputes
//! the instants, so a notice is never issued for a clock that stopped in time.
//!
//! The breach instant is the report's `due_at`. The at-risk instant is found by bisection
//! between the event and the breach instant to the minute — the at-risk share is reached on
//! the clock's business calendar, and evaluating is the one definition of it.

use chrono::TimeDelta;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::sla::{ClockKind, ClockReport, ClockState, evaluate_ticket};
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{SlaNoticeClock, SlaNoticeKind, TicketEvent, TicketStatus};
use ticketflow_events::{TicketKey, Timestamp};

use super::{DueWork, DueWorkView, WorkKind};

/// A notice the scheduler owes a ticket, and when.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlaDue {
    clock: SlaNoticeClock,
    kind: SlaNoticeKind,
    cycle: u32,
    due_at: Timestamp,
}

/// The history of a ticket the SLA may apply to, and the notices it currently owes.
#[derive(Debug, Clone, Default)]
pub(crate) struct SlaTrack {
    events: Vec<TicketEvent>,
    due: Vec<SlaDue>,
}

fn notice_clock(kind: ClockKind) -> SlaNoticeClock {
    match kind {
        ClockKind::Reaction => SlaNoticeClock::Reaction,
        ClockKind::Restoration => SlaNoticeClock::Restoration,
    }
}

/// The clock of `kind` and `cycle` in the ticket's SLA at `now`.
fn clock_at(
    events: &[TicketEvent],
    config: &DeskConfig,
    now: Timestamp,
    kind: ClockKind,
    cycle: u32,
) -> Option<ClockReport> {
    let report = evaluate_ticket(events, &config.sla, &config.calendars, now)?;
    if !report.applicable {
        return None;
    }
    report
        .clocks()
        .find(|c| c.kind == kind && c.cycle == cycle)
        .cloned()
}

/// The first minute at which the clock is at risk (or breached), between `from` and `to`.
fn at_risk_instant(
    events: &[TicketEvent],
    config: &DeskConfig,
    kind: ClockKind,
    cycle: u32,
    from: Timestamp,
    to: Timestamp,
) -> Timestamp {
    let risky =
        |t| clock_at(events, config, t, kind, cycle).is_some_and(|c| c.at_risk || c.breached);
    let (mut lo, mut hi) = (from, to);
    while hi - lo > TimeDelta::minutes(1) {
        let mid = lo + (hi - lo) / 2;
        if risky(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The notices a ticket owes after its events up to `now`.
fn notices_due(events: &[TicketEvent], config: &DeskConfig, now: Timestamp) -> Vec<SlaDue> {
    let Some(report) = evaluate_ticket(events, &config.sla, &config.calendars, now) else {
        return Vec::new();
    };
    if !report.applicable {
        return Vec::new();
    }
    let mut due = Vec::new();
    for clock in report.clocks() {
        if clock.state != ClockState::Running || clock.target.is_none() {
            continue;
        }
        let breach_at = if clock.breached {
            Some(now)
        } else {
            clock.due_at
        };
        let Some(breach_at) = breach_at else {
            continue;
        };
        let risk_at = if clock.at_risk || clock.breached {
            now
        } else {
            at_risk_instant(events, config, clock.kind, clock.cycle, now, breach_at)
        };
        let notice = |kind, due_at| SlaDue {
            clock: notice_clock(clock.kind),
            kind,
            cycle: clock.cycle,
            due_at,
        };
        due.push(notice(SlaNoticeKind::AtRisk, risk_at));
        due.push(notice(SlaNoticeKind::Breached, breach_at));
    }
    due
}

impl DueWorkView {
    /// Bookkeeping after a ticket event was folded in.
    pub(super) fn sla_changed(&mut self, key: &TicketKey, event: &TicketEvent, now: Timestamp) {
        let closed = self
            .tickets
            .get(key)
            .is_none_or(|t| t.status() == TicketStatus::Closed);
        if closed {
            self.sla.remove(key);
            return;
        }
        // Notices themselves change nothing of the SLA.
        let notice = matches!(event, TicketEvent::TicketSlaNoticeRecorded(_));
        let track = self.sla.entry(key.clone()).or_default();
        track.events.push(event.clone());
        if !notice {
            track.due = notices_due(&track.events, &self.config, now);
        }
    }

    pub(super) fn sla_notices(&self, key: &TicketKey, work: &mut Vec<DueWork>) {
        if let (Some(track), Some(ticket)) = (self.sla.get(key), self.tickets.get(key)) {
            for due in &track.due {
                if ticket.has_sla_notice(due.clock, due.kind, due.cycle) {
                    continue;
                }
                work.push(DueWork {
                    due_at: due.due_at,
                    kind: WorkKind::SlaNotice,
                    command: AddressedCommand::Ticket(
                        key.clone(),
                        TicketCommand::RecordSlaNotice {
                            clock: due.clock,
                            kind: due.kind,
                            cycle: due.cycle,
                        },
                    ),
                    key: format!("sla:{key}:{}:{}:{}", due.clock, due.cycle, due.kind),
                    causation_id: None,
                    correlation_id: None,
                });
            }
        }
    }
}
