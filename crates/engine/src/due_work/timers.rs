//! Due work from time alone: ticket timers and order deadlines.
//!
//! * A ticket timer is due at its `due_at`; the scheduler answers with
//!   `TicketCommand::FireTimer`, keyed `timer:<ticket>:<timer id>`. Timer ids are never
//!   reused within a ticket, so the key names exactly one timer for ever.
//! * A concept-approval deadline of a customisation order is *missed* on the day after its
//!   date (the domain compares calendar days in UTC), so the work is due at midnight UTC
//!   starting that day; the scheduler answers with `OrderCommand::RecordMissedApproval`,
//!   keyed by the order, the number of approvals missed before and the deadline date, so a
//!   rescheduled order's new deadline is new work while the old one can never fire again.
//!   Hand-over and implementation-end deadlines cause no command (they are shown on the
//!   planning board) and are not due work.

use chrono::{Days, NaiveTime};
use ticketflow_domain::order::{OrderCommand, OrderDeadlineKind};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::{OrderKey, TicketKey};

use super::{DueWork, DueWorkView, WorkKind};

impl DueWorkView {
    pub(super) fn ticket_timers(&self, key: &TicketKey, work: &mut Vec<DueWork>) {
        if let Some(ticket) = self.tickets.get(key) {
            for timer in ticket.due_timers() {
                work.push(DueWork {
                    due_at: timer.due_at,
                    kind: WorkKind::TicketTimer,
                    command: AddressedCommand::Ticket(
                        key.clone(),
                        TicketCommand::FireTimer { timer: timer.id },
                    ),
                    key: format!("timer:{key}:{}", timer.id.0),
                    causation_id: None,
                    correlation_id: None,
                });
            }
        }
    }

    pub(super) fn order_deadlines(&self, key: &OrderKey, work: &mut Vec<DueWork>) {
        if let Some(entry) = self.orders.get(key).filter(|e| e.state.schedule.is_some()) {
            for deadline in entry.state.deadlines() {
                if deadline.kind != OrderDeadlineKind::ConceptApproval || deadline.met {
                    continue;
                }
                let Some(missed_on) = deadline.date.checked_add_days(Days::new(1)) else {
                    continue;
                };
                work.push(DueWork {
                    due_at: missed_on.and_time(NaiveTime::MIN).and_utc(),
                    kind: WorkKind::MissedApproval,
                    command: AddressedCommand::Order(
                        key.clone(),
                        OrderCommand::RecordMissedApproval,
                    ),
                    key: format!(
                        "missed-approval:{key}:{}:{}",
                        entry.missed_approvals, deadline.date
                    ),
                    causation_id: None,
                    correlation_id: None,
                });
            }
        }
    }
}
