//! Current state of one aggregate, folded from its stream, and what the policy needs of it.

use ticketflow_access::TicketFacts;
use ticketflow_domain::Aggregate;
use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::ticket::Ticket;
use ticketflow_events::ticket::SharedWith;
use ticketflow_events::{EventSet, OrganisationId, StreamId};
use ticketflow_store::{EventStore, StreamRead};

use crate::problem::Problem;

/// Folds the stream into `A`'s state; answers the state and the stream version (0: none).
pub async fn load<A>(store: &dyn EventStore, stream: &StreamId) -> Result<(A, u64), Problem>
where
    A: Aggregate + Default,
{
    let recorded = store
        .read_stream(stream, StreamRead::forwards(usize::MAX))
        .await
        .map_err(|e| Problem::internal(format!("reading {stream}: {e}")))?;
    let mut state = A::default();
    let mut version = 0;
    for r in &recorded {
        let event = A::Event::decode(&r.event_type, r.schema_version, &r.payload)
            .map_err(|e| Problem::internal(format!("decoding {stream}: {e}")))?;
        state.evolve(&event);
        version = r.stream_version;
    }
    Ok((state, version))
}

/// The policy's facts about an existing ticket.
pub fn ticket_facts(ticket: &Ticket) -> TicketFacts {
    TicketFacts {
        organisation: ticket.organisation().clone(),
        region: ticket.region(),
        creator: ticket.creator().to_owned(),
        shared_with_organisation: ticket.shared_with() == SharedWith::Organisation,
        confidential: ticket.is_confidential(),
    }
}

/// The customer of an order, once placed.
pub fn order_customer(order: &CustomisationOrder) -> Option<&OrganisationId> {
    order.placement.as_ref().map(|p| &p.customer)
}

/// The customer of a delivery, once planned.
pub fn delivery_customer(delivery: &Delivery) -> Option<&OrganisationId> {
    delivery.organisation.as_ref()
}
