//! Delivery manifests (domain.md §2.6): per delivery its version, cloud environment, customer,
//! status, documents, the history of its estimated delivery date (every move, with the
//! reason), and the included tickets with their *current* status — including the `CUSTOM`
//! items, the tickets whose fix was built for this customer's codeline only.
//!
//! The read model keeps each delivery's events and folds them with the delivery aggregate's
//! own `evolve` when asked (deliveries are few and short), and a small line per ticket so that
//! a manifest shows where each included ticket stands now.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ticketflow_domain::delivery::{Delivery, DeliveryStatus, DeliveryStep};
use ticketflow_domain::fold;
use ticketflow_events::delivery::{
    CloudEnvironment, DeliveryEvent, DeliverySharing, DocumentLink, PatchVersion,
};
use ticketflow_events::ticket::{DeliveryVersion, TicketEvent, TicketStatus, TicketType};
use ticketflow_events::{
    AnyEvent, DeliveryKey, OrganisationId, RecordedEvent, TicketKey, Timestamp,
};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, snapshot};

/// What the manifest needs to know of every ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TicketLine {
    organisation: OrganisationId,
    ticket_type: TicketType,
    status: TicketStatus,
    summary: String,
    delivery_version: Option<DeliveryVersion>,
}

/// One move of the estimated delivery date (or its first estimate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateChange {
    /// When the estimate was given or moved.
    pub at: Timestamp,
    /// The estimate before (`None` for the first estimate).
    pub from: Option<NaiveDate>,
    /// The estimate after.
    pub to: NaiveDate,
    /// Why it moved, as told to the customer (`None` for the first estimate).
    pub reason: Option<String>,
}

/// An included ticket as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncludedTicket {
    /// The ticket.
    pub ticket: TicketKey,
    /// Its current status (`None` if the ticket is unknown to this desk).
    pub status: Option<TicketStatus>,
    /// Its current type.
    pub ticket_type: Option<TicketType>,
    /// Its summary.
    pub summary: Option<String>,
    /// The version its fix is delivered with (`CUSTOM` for customer-specific fixes).
    pub delivery_version: Option<DeliveryVersion>,
}

impl IncludedTicket {
    /// True when the fix was built for the customer's codeline only.
    pub fn is_custom(&self) -> bool {
        self.delivery_version
            .as_ref()
            .is_some_and(DeliveryVersion::is_custom)
    }
}

/// The manifest of one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryManifest {
    /// The delivery ticket.
    pub delivery: DeliveryKey,
    /// The patch version delivered.
    pub version: Option<PatchVersion>,
    /// Where the customer's system runs.
    pub cloud_environment: Option<CloudEnvironment>,
    /// The customer.
    pub organisation: Option<OrganisationId>,
    /// Who besides support sees it.
    pub shared_with: DeliverySharing,
    /// The status the desk shows.
    pub status: Option<DeliveryStatus>,
    /// The step within the workflow.
    pub step: DeliveryStep,
    /// Accompanying documents.
    pub documents: Vec<DocumentLink>,
    /// The scheduled merge day.
    pub merge_on: Option<NaiveDate>,
    /// The current estimated delivery date.
    pub estimated_delivery_on: Option<NaiveDate>,
    /// Every estimate and every move of it, oldest first.
    pub estimate_history: Vec<EstimateChange>,
    /// Included tickets in inclusion order, with their current status.
    pub tickets: Vec<IncludedTicket>,
    /// The included tickets whose delivery version is `CUSTOM`.
    pub custom_items: Vec<IncludedTicket>,
    /// When the included tickets counted as delivered.
    pub delivered_at: Option<Timestamp>,
}

fn included_ticket(ticket: &TicketKey, line: Option<&TicketLine>) -> IncludedTicket {
    IncludedTicket {
        ticket: ticket.clone(),
        status: line.map(|l| l.status),
        ticket_type: line.map(|l| l.ticket_type),
        summary: line.map(|l| l.summary.clone()),
        delivery_version: line.and_then(|l| l.delivery_version.clone()),
    }
}

/// The delivery manifests read model.
#[derive(Debug, Default)]
pub struct DeliveryManifests {
    deliveries: Map<DeliveryKey, Vec<DeliveryEvent>>,
    tickets: Map<TicketKey, TicketLine>,
}

#[derive(Serialize, Deserialize)]
struct State {
    deliveries: Vec<(DeliveryKey, Vec<DeliveryEvent>)>,
    tickets: Vec<(TicketKey, TicketLine)>,
}

impl DeliveryManifests {
    /// The stable name.
    pub const NAME: &'static str = "delivery-manifests";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// An empty read model.
    pub fn new() -> Self {
        Self::default()
    }

    fn included(&self, ticket: &TicketKey) -> IncludedTicket {
        let line = self.tickets.get(ticket);
        included_ticket(ticket, line.as_deref())
    }

    fn build(&self, key: &DeliveryKey, events: &[DeliveryEvent]) -> DeliveryManifest {
        let state: Delivery = fold(events);
        let estimate_history = events
            .iter()
            .filter_map(|e| match e {
                DeliveryEvent::DeliveryMergeScheduled(e) => Some(EstimateChange {
                    at: e.at,
                    from: None,
                    to: e.estimated_delivery_on,
                    reason: None,
                }),
                DeliveryEvent::DeliveryMergeMoved(e) => Some(EstimateChange {
                    at: e.at,
                    from: Some(e.old_estimated_delivery_on),
                    to: e.new_estimated_delivery_on,
                    reason: Some(e.reason.clone()),
                }),
                DeliveryEvent::DeliveryEstimateMoved(e) => Some(EstimateChange {
                    at: e.at,
                    from: Some(e.old_estimated_delivery_on),
                    to: e.new_estimated_delivery_on,
                    reason: Some(e.reason.clone()),
                }),
                _ => None,
            })
            .collect();
        let tickets: Vec<IncludedTicket> = state.tickets.iter().map(|t| self.included(t)).collect();
        let custom_items = tickets.iter().filter(|t| t.is_custom()).cloned().collect();
        DeliveryManifest {
            delivery: key.clone(),
            version: state.version.clone(),
            cloud_environment: state.cloud_environment,
            organisation: state.organisation.clone(),
            shared_with: state.shared_with,
            status: state.status(),
            step: state.step,
            documents: state.documents.clone(),
            merge_on: state.merge_on,
            estimated_delivery_on: state.estimated_delivery_on,
            estimate_history,
            tickets,
            custom_items,
            delivered_at: state.delivered_at,
        }
    }

    /// The manifest of one delivery.
    pub fn manifest(&self, key: &DeliveryKey) -> Option<DeliveryManifest> {
        self.deliveries.get(key).map(|e| self.build(key, e.value()))
    }

    /// The manifests of one customer (or all), by estimated delivery date, then key;
    /// deliveries without an estimate last.
    pub fn manifests(&self, organisation: Option<&OrganisationId>) -> Vec<DeliveryManifest> {
        let mut out: Vec<DeliveryManifest> = self
            .deliveries
            .iter()
            .map(|e| self.build(e.key(), e.value()))
            .filter(|m| organisation.is_none_or(|o| m.organisation.as_ref() == Some(o)))
            .collect();
        out.sort_by(|a, b| {
            (
                a.estimated_delivery_on.is_none(),
                a.estimated_delivery_on,
                &a.delivery,
            )
                .cmp(&(
                    b.estimated_delivery_on.is_none(),
                    b.estimated_delivery_on,
                    &b.delivery,
                ))
        });
        out
    }

    /// A customer's `CUSTOM` fixes waiting in `Delivery Pending` that no delivery includes
    /// yet: the delivery process manager adds them to the customer's next delivery.
    pub fn pending_custom_fixes(&self, organisation: &OrganisationId) -> Vec<IncludedTicket> {
        let included: std::collections::HashSet<TicketKey> = self
            .deliveries
            .iter()
            .flat_map(|e| fold::<Delivery>(e.value().iter()).tickets)
            .collect();
        let mut out: Vec<IncludedTicket> = self
            .tickets
            .iter()
            .filter(|t| {
                t.organisation == *organisation
                    && t.status == TicketStatus::DeliveryPending
                    && t.delivery_version
                        .as_ref()
                        .is_some_and(DeliveryVersion::is_custom)
                    && !included.contains(t.key())
            })
            // Built from the entry in hand: looking the map up again while iterating it could
            // deadlock against a concurrent writer.
            .map(|t| included_ticket(t.key(), Some(t.value())))
            .collect();
        out.sort_by(|a, b| a.ticket.cmp(&b.ticket));
        out
    }
}

impl ReadModel for DeliveryManifests {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn version(&self) -> u32 {
        Self::VERSION
    }

    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent) {
        apply_by_fold(self, envelope, event);
    }

    fn fold(&self, decoded: &Decoded<'_>) {
        match decoded.event {
            AnyEvent::Delivery(event) => {
                if let Some(key) = decoded.delivery_key() {
                    match self.deliveries.get_mut(key) {
                        Some(mut events) => events.push(event.clone()),
                        None => self
                            .deliveries
                            .entry(key.clone())
                            .or_default()
                            .push(event.clone()),
                    }
                }
            }
            AnyEvent::Ticket(event) => {
                let Some(key) = decoded.ticket_key() else {
                    return;
                };
                if let TicketEvent::TicketOpened(e) = event {
                    self.tickets.insert(
                        key.clone(),
                        TicketLine {
                            organisation: e.organisation.clone(),
                            ticket_type: e.ticket_type,
                            status: TicketStatus::Open,
                            summary: e.summary.clone(),
                            delivery_version: None,
                        },
                    );
                    return;
                }
                let Some(mut line) = self.tickets.get_mut(key) else {
                    return;
                };
                match event {
                    TicketEvent::TicketClassified(e) => line.ticket_type = e.to,
                    TicketEvent::TicketReclassified(e) => line.ticket_type = e.to,
                    TicketEvent::TicketStatusChanged(e) => line.status = e.to,
                    TicketEvent::TicketReadyForDelivery(e) => {
                        line.delivery_version = Some(e.delivery_version.clone());
                    }
                    TicketEvent::TicketDeliveryVersionChanged(e) => {
                        line.delivery_version = Some(e.to.clone());
                    }
                    _ => {}
                }
            }
            AnyEvent::Order(_) => {}
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let state = State {
            deliveries: snapshot::sorted(&self.deliveries),
            tickets: snapshot::sorted(&self.tickets),
        };
        snapshot::write(Self::NAME, Self::VERSION, &state)
    }

    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let state: State = snapshot::read(Self::NAME, Self::VERSION, bytes)?;
        snapshot::refill(&self.deliveries, state.deliveries);
        snapshot::refill(&self.tickets, state.tickets);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
