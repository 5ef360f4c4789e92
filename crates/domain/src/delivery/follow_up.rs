//! What a delivery means for its included tickets, as instructions for the process manager.
//!
//! The delivery aggregate never writes into a ticket's stream: each aggregate is its own
//! consistency boundary. Instead, [`follow_ups`] says which ticket commands the engine's process
//! manager must issue after a delivery event was recorded.

use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::{DeliveryKey, TicketKey};

use super::Delivery;

/// A command another aggregate must receive because of a delivery event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FollowUp {
    /// Issue the ticket command `RecordDelivery { delivery }` to `ticket`: the changes of the
    /// ticket reached the customer. The ticket moves on if it is `Delivery Pending` (defects
    /// and consulting requests to `Resolved`, customisations to `Closed`) and ignores it
    /// otherwise.
    TicketDelivered {
        /// The included ticket.
        ticket: TicketKey,
        /// The delivery that delivered it.
        delivery: DeliveryKey,
    },
}

/// The follow-ups a recorded delivery event causes, one per included ticket, in inclusion
/// order.
///
/// A delivery counts as delivered (domain.md §2.4: "package provided, or installed on staging
/// or production") at the *first* of:
/// * `DeliveryPackageProvided` — customer- or third-party-hosted systems;
/// * `DeliveryStageInstallationCompleted` — vendor-hosted, the staging system was updated;
/// * `DeliveryInstallationCompleted` without an earlier staging installation — vendor-hosted
///   systems without staging.
///
/// Production after staging causes nothing: the tickets were delivered with staging already,
/// and the customer tests there. Every other event causes nothing either.
///
/// `state` may be the delivery before or after `event` is applied: none of these events
/// changes the included tickets, and staging cannot follow production, so both give the same
/// answer. A process manager that replays the stream therefore issues each follow-up exactly
/// once per event; the ticket commands must still be idempotent (the engine derives their ids
/// from the delivery event's id).
pub fn follow_ups(state: &Delivery, event: &DeliveryEvent) -> Vec<FollowUp> {
    let delivers = match event {
        DeliveryEvent::DeliveryPackageProvided(_)
        | DeliveryEvent::DeliveryStageInstallationCompleted(_) => true,
        DeliveryEvent::DeliveryInstallationCompleted(_) => state.stage_installed_at.is_none(),
        _ => false,
    };
    let Some(delivery) = state.key.as_ref().filter(|_| delivers) else {
        return Vec::new();
    };
    state
        .tickets
        .iter()
        .map(|ticket| FollowUp::TicketDelivered {
            ticket: ticket.clone(),
            delivery: delivery.clone(),
        })
        .collect()
}
