//! The order planning board (domain.md §3): every customisation order with its phase, slot or
//! innovation package, concept hand-over and approval deadlines, earliest delivery, and the
//! risks on a given day — a deadline within a few working days of the customer's region, or a
//! deadline missed.
//!
//! The read model keeps each order's events and folds them with the order aggregate's own
//! `evolve` when asked, so phases and deadlines mean exactly what the write model means by
//! them ([`CustomisationOrder::deadlines`]). Risks depend on the day, which the caller passes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ticketflow_domain::calendar::RegionCalendars;
use ticketflow_domain::order::{
    CustomisationOrder, DeadlineStatus, OrderDeadlineKind, OrderPhase, Schedule,
};
use ticketflow_domain::{DeskConfig, fold};
use ticketflow_events::order::{
    DeliveryPath, ImplementationSlot, InnovationPackage, OrderEvent, OrderKind,
};
use ticketflow_events::{AnyEvent, OrderKey, OrganisationId, RecordedEvent, Region, TicketKey};

use crate::map::Map;
use crate::read_model::apply_by_fold;
use crate::{Decoded, ReadModel, SnapshotError, snapshot};

/// How the board judges risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderBoardPolicy {
    /// An unmet deadline this many working days ahead or fewer is at risk (default 3).
    pub warn_within_working_days: u32,
}

impl Default for OrderBoardPolicy {
    /// Warn 3 working days ahead (issue 4: "deadline within 3 working days").
    fn default() -> Self {
        OrderBoardPolicy {
            warn_within_working_days: 3,
        }
    }
}

/// One deadline of an order on the day asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineOnDay {
    /// Which deadline.
    pub kind: OrderDeadlineKind,
    /// The last day on which it is still met.
    pub date: NaiveDate,
    /// Met, pending, at risk (the order's own warning date) or missed.
    pub status: DeadlineStatus,
    /// Working days of the customer's region from the day asked to the deadline (negative
    /// once passed).
    pub working_days_left: i64,
}

/// Something on the board that needs attention on the day asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "risk", rename_all = "kebab-case")]
pub enum OrderRisk {
    /// An unmet deadline is this close.
    DeadlineSoon {
        /// Which deadline.
        kind: OrderDeadlineKind,
        /// Its date.
        date: NaiveDate,
        /// Working days left.
        working_days_left: i64,
    },
    /// An unmet deadline has passed.
    DeadlineMissed {
        /// Which deadline.
        kind: OrderDeadlineKind,
        /// Its date.
        date: NaiveDate,
    },
    /// The approval was missed: the slot or package is lost and a new one must be planned.
    RescheduleRequired,
}

/// One order on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderCard {
    /// The order.
    pub order: OrderKey,
    /// The Customisation ticket it came from.
    pub ticket: TicketKey,
    /// The customer.
    pub customer: OrganisationId,
    /// The customer's region (its working days count the deadlines).
    pub region: Region,
    /// Customer-specific or standard extension.
    pub kind: OrderKind,
    /// What was ordered.
    pub summary: String,
    /// The business consultant.
    pub consultant: Option<String>,
    /// The phase.
    pub phase: OrderPhase,
    /// Customer-specific: the implementation slot in force.
    pub slot: Option<ImplementationSlot>,
    /// Standard extension: the innovation package in force.
    pub package: Option<InnovationPackage>,
    /// Concept hand-over deadline.
    pub concept_handover_due: Option<NaiveDate>,
    /// Concept approval deadline.
    pub concept_approval_due: Option<NaiveDate>,
    /// The day the concept was handed over.
    pub concept_handed_over: Option<NaiveDate>,
    /// The day the customer approved the concept.
    pub concept_approved: Option<NaiveDate>,
    /// Planned end of implementation.
    pub planned_end: Option<NaiveDate>,
    /// The earliest day a delivery may happen.
    pub earliest_delivery: Option<NaiveDate>,
    /// The agreed delivery path.
    pub delivery_path: Option<DeliveryPath>,
    /// Every deadline on the day asked.
    pub deadlines: Vec<DeadlineOnDay>,
    /// What needs attention on the day asked.
    pub risks: Vec<OrderRisk>,
    /// Project hours booked at close.
    pub booked_hours: Option<f64>,
}

/// Which orders to show. Empty fields accept everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderBoardQuery {
    /// Only this customer's orders.
    pub customer: Option<OrganisationId>,
    /// Only orders in this phase.
    pub phase: Option<OrderPhase>,
    /// Only this consultant's orders.
    pub consultant: Option<String>,
    /// Show closed orders too (hidden by default).
    pub include_closed: bool,
    /// Only orders with at least one risk.
    pub at_risk_only: bool,
}

/// The order planning board read model.
#[derive(Debug)]
pub struct OrderPlanningBoard {
    orders: Map<OrderKey, Vec<OrderEvent>>,
    calendars: RegionCalendars,
    policy: OrderBoardPolicy,
}

impl OrderPlanningBoard {
    /// The stable name.
    pub const NAME: &'static str = "order-planning-board";
    /// The version of the fold.
    pub const VERSION: u32 = 1;

    /// A board counting working days with the desk's regional calendars.
    pub fn new(config: &DeskConfig) -> Self {
        Self::with_policy(config, OrderBoardPolicy::default())
    }

    /// A board with its own risk policy.
    pub fn with_policy(config: &DeskConfig, policy: OrderBoardPolicy) -> Self {
        OrderPlanningBoard {
            orders: Map::default(),
            calendars: config.calendars.clone(),
            policy,
        }
    }

    fn card(&self, key: &OrderKey, events: &[OrderEvent], today: NaiveDate) -> Option<OrderCard> {
        let order: CustomisationOrder = fold(events);
        let placement = order.placement.as_ref()?;
        let calendar = self.calendars.get(placement.region);
        let mut risks = Vec::new();
        let deadlines: Vec<DeadlineOnDay> = order
            .deadlines()
            .into_iter()
            .map(|d| {
                let status = d.status_on(today);
                let left = calendar.working_days_between(today, d.date);
                if status == DeadlineStatus::Missed {
                    risks.push(OrderRisk::DeadlineMissed {
                        kind: d.kind,
                        date: d.date,
                    });
                } else if status != DeadlineStatus::Met
                    && left <= i64::from(self.policy.warn_within_working_days)
                {
                    risks.push(OrderRisk::DeadlineSoon {
                        kind: d.kind,
                        date: d.date,
                        working_days_left: left,
                    });
                }
                DeadlineOnDay {
                    kind: d.kind,
                    date: d.date,
                    status,
                    working_days_left: left,
                }
            })
            .collect();
        if order.reschedule_required && order.phase != OrderPhase::Closed {
            risks.push(OrderRisk::RescheduleRequired);
        }
        let (slot, package) = match &order.schedule {
            Some(Schedule::Slot(s)) => (Some(s.clone()), None),
            Some(Schedule::Package(p)) => (None, Some(p.clone())),
            None => (None, None),
        };
        let concept = order.concept.as_ref();
        Some(OrderCard {
            order: key.clone(),
            ticket: placement.ticket.clone(),
            customer: placement.customer.clone(),
            region: placement.region,
            kind: placement.kind,
            summary: placement.summary.clone(),
            consultant: order.consultant.clone(),
            phase: order.phase,
            slot,
            package,
            concept_handover_due: order.concept_deadlines.as_ref().map(|d| d.handover),
            concept_approval_due: order.concept_deadlines.as_ref().map(|d| d.approval),
            concept_handed_over: concept.and_then(|c| c.handed_over),
            concept_approved: concept.and_then(|c| c.approved),
            planned_end: order.planned_end,
            earliest_delivery: order.earliest_delivery,
            delivery_path: order.delivery_path,
            deadlines,
            risks,
            booked_hours: order.booked_hours,
        })
    }

    /// One order as it stands on `today`.
    pub fn order(&self, key: &OrderKey, today: NaiveDate) -> Option<OrderCard> {
        self.orders
            .get(key)
            .and_then(|e| self.card(key, e.value(), today))
    }

    /// The board on `today`: matching orders, those at risk first, then by next deadline and
    /// key.
    pub fn board(&self, query: &OrderBoardQuery, today: NaiveDate) -> Vec<OrderCard> {
        let mut cards: Vec<OrderCard> = self
            .orders
            .iter()
            .filter_map(|e| self.card(e.key(), e.value(), today))
            .filter(|c| {
                (query.include_closed || c.phase != OrderPhase::Closed)
                    && query.customer.as_ref().is_none_or(|o| *o == c.customer)
                    && query.phase.is_none_or(|p| p == c.phase)
                    && query
                        .consultant
                        .as_ref()
                        .is_none_or(|who| c.consultant.as_ref() == Some(who))
                    && (!query.at_risk_only || !c.risks.is_empty())
            })
            .collect();
        let next = |c: &OrderCard| {
            c.deadlines
                .iter()
                .filter(|d| d.status != DeadlineStatus::Met)
                .map(|d| d.date)
                .min()
        };
        cards.sort_by(|a, b| {
            (a.risks.is_empty(), next(a).is_none(), next(a), &a.order).cmp(&(
                b.risks.is_empty(),
                next(b).is_none(),
                next(b),
                &b.order,
            ))
        });
        cards
    }
}

impl ReadModel for OrderPlanningBoard {
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
        if let AnyEvent::Order(event) = decoded.event
            && let Some(key) = decoded.order_key()
        {
            match self.orders.get_mut(key) {
                Some(mut events) => events.push(event.clone()),
                None => self
                    .orders
                    .entry(key.clone())
                    .or_default()
                    .push(event.clone()),
            }
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        snapshot::write(Self::NAME, Self::VERSION, &snapshot::sorted(&self.orders))
    }

    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let entries = snapshot::read(Self::NAME, Self::VERSION, bytes)?;
        snapshot::refill(&self.orders, entries);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
