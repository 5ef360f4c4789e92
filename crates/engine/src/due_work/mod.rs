//! The due-work view: every command the desk owes itself, and when.
//!
//! Timers are a read model (architecture, step 7). The view folds the whole log into the
//! little it needs — the state of every ticket, order and delivery, plus the process managers'
//! pending follow-ups — and answers [`DueWorkView::due_work`]: a list of [`DueWork`] items,
//! each a command with the instant it becomes due and an *idempotency key derived from what
//! caused it* (the timer, the deadline, the triggering event). The [`crate::scheduler`]
//! issues them when their time comes.
//!
//! Why a fold and not a table of scheduled jobs: the view is rebuilt from the store on every
//! start, so it can never disagree with the log, and there is nothing to migrate or repair
//! after a crash. Why derived keys: a restart, a replay or a second scheduler may offer the
//! same item again; the engine answers the recorded outcome instead of recording twice, and
//! the domain refuses a timer that is no longer scheduled. Together they make "a timer never
//! fires twice" hold by construction (the property test in `tests/scheduler.rs` checks it).
//!
//! What becomes due:
//! * [`timers`] — ticket timers (`Ticket::due_timers`: auto-close 50 days after `Resolved`,
//!   clarification reminders and close, estimation expiry) and missed concept-approval
//!   deadlines of customisation orders;
//! * [`sla`] — SLA at-risk and breach notices of running SLA clocks;
//! * [`process`] — the delivery process manager: delivered tickets move on, and a customer's
//!   `CUSTOM` fixes join that customer's next delivery.

pub mod process;
pub mod sla;
pub mod timers;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use ticketflow_domain::delivery::Delivery;
use ticketflow_domain::order::CustomisationOrder;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::Ticket;
use ticketflow_domain::{Aggregate, DeskConfig};
use ticketflow_events::{
    AnyEvent, CodecError, DeliveryKey, KeyError, OrderKey, RecordedEvent, TicketKey, Timestamp,
};
use ticketflow_store::{EventStore, Filter, StoreError};
use uuid::Uuid;

use process::{PendingDelivered, WaitingCustomFix};
use sla::SlaTrack;

/// How many events a catch-up reads per page.
const PAGE: usize = 1000;

/// Why the view could not follow the log.
#[derive(Debug, thiserror::Error)]
pub enum DueWorkError {
    /// The store failed.
    #[error("the due-work view cannot read the event store: {0}")]
    Store(#[from] StoreError),
    /// A recorded event could not be decoded.
    #[error("the due-work view cannot read the event at position {position}: {source}")]
    Codec {
        /// The event's global position.
        position: u64,
        /// What the codec said.
        source: CodecError,
    },
    /// A stream id does not carry a valid key of its category.
    #[error("the due-work view cannot read the stream id `{stream}`: {source}")]
    Key {
        /// The stream id.
        stream: String,
        /// What the key parser said.
        source: KeyError,
    },
}

/// What a piece of due work is for; shown in simulation reports and logs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkKind {
    /// A ticket timer.
    TicketTimer,
    /// A missed concept-approval deadline of a customisation order.
    MissedApproval,
    /// A delivery delivered a ticket; the ticket must record it.
    TicketDelivered,
    /// A `CUSTOM` fix joins its customer's next delivery.
    CustomFixIncluded,
    /// An SLA clock became at risk or was breached.
    SlaNotice,
}

/// One command the desk owes itself.
#[derive(Debug, Clone, PartialEq)]
pub struct DueWork {
    /// When it becomes due.
    pub due_at: Timestamp,
    /// What it is for.
    pub kind: WorkKind,
    /// The command and its aggregate.
    pub command: AddressedCommand,
    /// The idempotency key, derived from the timer or the triggering event: the same work
    /// always has the same key, so it can never be recorded twice.
    pub key: String,
    /// The event that caused the work, if it is a reaction to one.
    pub causation_id: Option<Uuid>,
    /// The correlation id to continue, if any.
    pub correlation_id: Option<Uuid>,
}

/// The fold of the log the scheduler works from.
#[derive(Debug, Clone)]
pub struct DueWorkView {
    config: Arc<DeskConfig>,
    position: u64,
    tickets: BTreeMap<TicketKey, Ticket>,
    orders: BTreeMap<OrderKey, OrderEntry>,
    deliveries: BTreeMap<DeliveryKey, DeliveryEntry>,
    delivered: BTreeMap<(TicketKey, Uuid), PendingDelivered>,
    waiting_custom: HashMap<TicketKey, WaitingCustomFix>,
    custom_tried: HashSet<(Uuid, DeliveryKey)>,
    sla: BTreeMap<TicketKey, SlaTrack>,
    /// Every piece of due work, in the order it is due.
    index: BTreeMap<(Timestamp, String), DueWork>,
    /// The index entries of each group, to replace them when the group changes.
    groups: HashMap<Group, Vec<(Timestamp, String)>>,
    /// The keys in the index.
    offered: HashSet<String>,
}

/// The work that changes together: a ticket's (timers, SLA notices, delivered follow-ups),
/// an order's (deadlines), and the `CUSTOM` fixes (which depend on tickets and deliveries).
/// Folding an event recomputes only the groups it can change, so the view stays cheap on
/// desks with many open tickets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Group {
    Ticket(TicketKey),
    Order(OrderKey),
    CustomFixes,
}

impl Default for DueWorkView {
    /// The view of an empty log under the default configuration.
    fn default() -> Self {
        DueWorkView::new(Arc::new(DeskConfig::default()))
    }
}

#[derive(Debug, Clone, Default)]
struct OrderEntry {
    state: CustomisationOrder,
    missed_approvals: u32,
}

#[derive(Debug, Clone, Default)]
struct DeliveryEntry {
    state: Delivery,
    planned_at: Option<Timestamp>,
    planned_position: u64,
}

impl DueWorkView {
    /// The view of an empty log; `config` gives the SLA policies and calendars.
    pub fn new(config: Arc<DeskConfig>) -> Self {
        DueWorkView {
            config,
            position: 0,
            tickets: BTreeMap::new(),
            orders: BTreeMap::new(),
            deliveries: BTreeMap::new(),
            delivered: BTreeMap::new(),
            waiting_custom: HashMap::new(),
            custom_tried: HashSet::new(),
            sla: BTreeMap::new(),
            index: BTreeMap::new(),
            groups: HashMap::new(),
            offered: HashSet::new(),
        }
    }

    /// The global position of the last event folded in (0 = none).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Reads and folds every event after [`DueWorkView::position`]; answers how many.
    pub async fn catch_up(&mut self, store: &dyn EventStore) -> Result<usize, DueWorkError> {
        let mut total = 0;
        loop {
            let page = store
                .read_all(self.position + 1, &Filter::all(), PAGE)
                .await?;
            for recorded in &page {
                self.apply(recorded)?;
            }
            total += page.len();
            if page.len() < PAGE {
                return Ok(total);
            }
        }
    }

    /// Folds one recorded event (in log order) into the view.
    pub fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), DueWorkError> {
        if recorded.global_position <= self.position {
            return Ok(());
        }
        let event = AnyEvent::from_recorded(recorded).map_err(|source| DueWorkError::Codec {
            position: recorded.global_position,
            source,
        })?;
        let entity = recorded.stream_id.entity().unwrap_or_default();
        let key_error = |source| DueWorkError::Key {
            stream: recorded.stream_id.to_string(),
            source,
        };
        match &event {
            AnyEvent::Ticket(e) => {
                let key: TicketKey = entity.parse().map_err(key_error)?;
                let ticket = self.tickets.entry(key.clone()).or_default();
                ticket.evolve(e);
                let ticket = ticket.clone();
                let was_waiting = self.waiting_custom.contains_key(&key);
                self.ticket_changed(&key, &ticket, recorded);
                self.sla_changed(&key, e, recorded.occurred_at);
                if was_waiting || self.waiting_custom.contains_key(&key) {
                    self.refresh(Group::CustomFixes);
                }
                self.refresh(Group::Ticket(key));
            }
            AnyEvent::Order(e) => {
                let key: OrderKey = entity.parse().map_err(key_error)?;
                let entry = self.orders.entry(key.clone()).or_default();
                entry.state.evolve(e);
                if matches!(
                    e,
                    ticketflow_events::order::OrderEvent::OrderApprovalMissed(_)
                ) {
                    entry.missed_approvals += 1;
                }
                self.refresh(Group::Order(key));
            }
            AnyEvent::Delivery(e) => {
                let key: DeliveryKey = entity.parse().map_err(key_error)?;
                let entry = self.deliveries.entry(key).or_default();
                entry.state.evolve(e);
                if entry.planned_at.is_none() {
                    entry.planned_at = Some(recorded.occurred_at);
                    entry.planned_position = recorded.global_position;
                }
                let state = entry.state.clone();
                for ticket in self.delivery_changed(&state, e, recorded) {
                    self.refresh(Group::Ticket(ticket));
                }
                self.refresh(Group::CustomFixes);
            }
        }
        self.position = recorded.global_position;
        Ok(())
    }

    /// A ticket's folded state, as the view knows it.
    pub fn ticket(&self, key: &TicketKey) -> Option<&Ticket> {
        self.tickets.get(key)
    }

    /// A delivery's folded state, as the view knows it.
    pub fn delivery(&self, key: &DeliveryKey) -> Option<&Delivery> {
        self.deliveries.get(key).map(|d| &d.state)
    }

    /// Every piece of due work, earliest first (ties by key, so the order is deterministic).
    pub fn due_work(&self) -> Vec<DueWork> {
        self.index.values().cloned().collect()
    }

    /// The due work in the order it is due, without copying it.
    pub fn iter(&self) -> impl Iterator<Item = &DueWork> {
        self.index.values()
    }

    /// The earliest due work, if any.
    pub fn next_due(&self) -> Option<&DueWork> {
        self.index.values().next()
    }

    /// True while work with this idempotency key is due.
    pub fn offers(&self, key: &str) -> bool {
        self.offered.contains(key)
    }

    /// Recomputes the work of one group and replaces its entries in the index.
    fn refresh(&mut self, group: Group) {
        let mut work = Vec::new();
        match &group {
            Group::Ticket(key) => {
                self.ticket_timers(key, &mut work);
                self.delivered_tickets(key, &mut work);
                self.sla_notices(key, &mut work);
            }
            Group::Order(key) => self.order_deadlines(key, &mut work),
            Group::CustomFixes => self.custom_fixes(&mut work),
        }
        for old in self.groups.remove(&group).unwrap_or_default() {
            self.index.remove(&old);
            self.offered.remove(&old.1);
        }
        if work.is_empty() {
            return;
        }
        let entries = work.iter().map(|w| (w.due_at, w.key.clone())).collect();
        for w in work {
            self.offered.insert(w.key.clone());
            self.index.insert((w.due_at, w.key.clone()), w);
        }
        self.groups.insert(group, entries);
    }
}
