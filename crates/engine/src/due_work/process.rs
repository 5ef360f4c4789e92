//! The delivery process manager, as part of the due-work view.
//!
//! Each aggregate is its own consistency boundary, so what a delivery means for its tickets
//! is carried over by commands, not written across streams:
//!
//! * **Delivered tickets move on.** For every follow-up of a recorded delivery event
//!   (`delivery::follow_ups`: package provided, or the first installation) the ticket gets
//!   `TicketCommand::RecordDelivery`, keyed `delivered:<delivery event id>:<ticket>` and
//!   caused by the delivery event. The follow-up is pending only while the ticket is in
//!   `Delivery Pending` and has recorded nothing caused by that event: a ticket that is no
//!   longer waiting would just refuse, so that counts as handled, not as an error to retry.
//! * **`CUSTOM` fixes join the customer's next delivery.** A ticket that reaches
//!   `Delivery Pending` with delivery version `CUSTOM` waits for the earliest planned delivery
//!   of its organisation whose codeline is still open (earliest estimated delivery date, then
//!   earliest planned). As soon as both exist — whichever came first — the delivery gets
//!   `DeliveryCommand::IncludeTicket` from the engine (`Actor::system`), keyed
//!   `custom-fix:<triggering ticket event id>:<delivery>`. If support takes the fix out of
//!   that delivery again, it waits for the next one (never the same one again).
//!
//! Both are folds over the log, so a restart recomputes exactly what is still pending, and
//! the keys make a repeated offer a replay rather than a second command.

use ticketflow_domain::delivery::{DeliveryCommand, FollowUp, follow_ups};
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{Ticket, TicketCommand};
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::ticket::TicketStatus;
use ticketflow_events::{DeliveryKey, RecordedEvent, TicketKey, Timestamp};
use uuid::Uuid;

use super::{DueWork, DueWorkView, WorkKind};

/// A delivered ticket that has not yet recorded the delivery.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PendingDelivered {
    delivery: DeliveryKey,
    due_at: Timestamp,
    correlation_id: Uuid,
}

/// A `CUSTOM` fix waiting in `Delivery Pending` for its customer's next delivery.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WaitingCustomFix {
    since: Timestamp,
    trigger: Uuid,
    correlation_id: Uuid,
}

fn waits_for_custom_delivery(ticket: &Ticket) -> bool {
    ticket.status() == TicketStatus::DeliveryPending
        && ticket.delivery_version().is_some_and(|v| v.is_custom())
}

impl DueWorkView {
    /// Bookkeeping after a ticket event was folded in.
    pub(super) fn ticket_changed(
        &mut self,
        key: &TicketKey,
        ticket: &Ticket,
        recorded: &RecordedEvent,
    ) {
        if let Some(cause) = recorded.causation_id {
            self.delivered.remove(&(key.clone(), cause));
        }
        if ticket.status() != TicketStatus::DeliveryPending {
            self.delivered.retain(|(t, _), _| t != key);
        }
        if waits_for_custom_delivery(ticket) {
            self.waiting_custom
                .entry(key.clone())
                .or_insert(WaitingCustomFix {
                    since: recorded.occurred_at,
                    trigger: recorded.event_id,
                    correlation_id: recorded.correlation_id,
                });
        } else {
            self.waiting_custom.remove(key);
        }
    }

    /// Bookkeeping after a delivery event was folded in.
    pub(super) fn delivery_changed(
        &mut self,
        state: &ticketflow_domain::delivery::Delivery,
        event: &DeliveryEvent,
        recorded: &RecordedEvent,
    ) -> Vec<TicketKey> {
        let mut touched = Vec::new();
        if let (DeliveryEvent::DeliveryTicketIncluded(_), Some(cause), Some(key)) =
            (event, recorded.causation_id, state.key.as_ref())
        {
            self.custom_tried.insert((cause, key.clone()));
        }
        for follow_up in follow_ups(state, event) {
            let FollowUp::TicketDelivered { ticket, delivery } = follow_up;
            let waiting = self
                .tickets
                .get(&ticket)
                .is_some_and(|t| t.status() == TicketStatus::DeliveryPending);
            if waiting {
                touched.push(ticket.clone());
                self.delivered.insert(
                    (ticket, recorded.event_id),
                    PendingDelivered {
                        delivery,
                        due_at: recorded.occurred_at,
                        correlation_id: recorded.correlation_id,
                    },
                );
            }
        }
        touched
    }

    pub(super) fn delivered_tickets(&self, key: &TicketKey, work: &mut Vec<DueWork>) {
        let range = (key.clone(), Uuid::nil())..=(key.clone(), Uuid::max());
        for ((ticket, cause), pending) in self.delivered.range(range) {
            work.push(DueWork {
                due_at: pending.due_at,
                kind: WorkKind::TicketDelivered,
                command: AddressedCommand::Ticket(
                    ticket.clone(),
                    TicketCommand::RecordDelivery {
                        delivery: pending.delivery.clone(),
                    },
                ),
                key: format!("delivered:{cause}:{ticket}"),
                causation_id: Some(*cause),
                correlation_id: Some(pending.correlation_id),
            });
        }
    }

    /// The delivery a `CUSTOM` fix of `ticket` joins now, if one is open for it: the earliest
    /// open delivery of its organisation that this wait did not already include it in (a
    /// fix that support took out of a delivery is not put back into the same one).
    fn next_delivery_for(
        &self,
        ticket: &Ticket,
        trigger: Uuid,
    ) -> Option<(&DeliveryKey, Timestamp)> {
        self.deliveries
            .iter()
            .filter(|(k, d)| {
                d.state.organisation.as_ref() == Some(ticket.organisation())
                    && d.state.step.accepts_ticket_changes()
                    && !self.custom_tried.contains(&(trigger, (*k).clone()))
            })
            .min_by_key(|(_, d)| {
                (
                    d.state
                        .estimated_delivery_on
                        .unwrap_or(chrono::NaiveDate::MAX),
                    d.planned_position,
                )
            })
            .and_then(|(k, d)| d.planned_at.map(|at| (k, at)))
    }

    pub(super) fn custom_fixes(&self, work: &mut Vec<DueWork>) {
        for (key, waiting) in &self.waiting_custom {
            let included = self
                .deliveries
                .values()
                .any(|d| d.state.delivered_at.is_none() && d.state.includes(key));
            if included {
                continue;
            }
            let Some(ticket) = self.tickets.get(key) else {
                continue;
            };
            let Some((delivery, planned_at)) = self.next_delivery_for(ticket, waiting.trigger)
            else {
                continue;
            };
            work.push(DueWork {
                due_at: waiting.since.max(planned_at),
                kind: WorkKind::CustomFixIncluded,
                command: AddressedCommand::Delivery(
                    delivery.clone(),
                    DeliveryCommand::IncludeTicket {
                        ticket: key.clone(),
                    },
                ),
                key: format!("custom-fix:{}:{delivery}", waiting.trigger),
                causation_id: Some(waiting.trigger),
                correlation_id: Some(waiting.correlation_id),
            });
        }
    }
}
