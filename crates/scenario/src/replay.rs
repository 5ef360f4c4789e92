//! Runs a script through the pure aggregates — no store, no engine — the way the engine's
//! simulation would: before each line, every ticket timer due by then fires in time order;
//! after each line, the delivery process manager's commands follow (included tickets move on
//! when a delivery is delivered or installed; a `CUSTOM` fix joins its customer's open
//! delivery).
//!
//! It is the generator's proof of validity (every scripted command must be accepted) and its
//! coverage report (which event types the histories contain), and it lets other crates check
//! a script without an engine.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveTime};
use ticketflow_domain::delivery::{Delivery, DeliveryCommand, FollowUp, follow_ups};
use ticketflow_domain::order::{CustomisationOrder, OrderCommand, OrderDeadlineKind};
use ticketflow_domain::script::{AddressedCommand, ScriptLine};
use ticketflow_domain::ticket::{Ticket, TicketCommand};
use ticketflow_domain::{Aggregate, Context, DeskConfig};
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::{TicketEvent, TimerId};
use ticketflow_events::{
    Actor, DeliveryKey, EventSet, OrderKey, OrganisationId, TicketKey, Timestamp,
};

/// Why a script does not replay.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// An aggregate refused a scripted command.
    #[error(
        "line {line} ({at}): `{command}` to {target} by {actor} was refused: {reason}; the script is not valid for this configuration"
    )]
    Refused {
        /// 1-based line number.
        line: usize,
        /// The line's time.
        at: Timestamp,
        /// The command's name.
        command: &'static str,
        /// The stream it was addressed to.
        target: String,
        /// Who issued it.
        actor: String,
        /// The aggregate's refusal.
        reason: String,
    },
    /// The script goes back in time.
    #[error(
        "line {line}: time {at} is before the previous line's {previous}; scripts run in time order"
    )]
    OutOfOrder {
        /// 1-based line number.
        line: usize,
        /// This line's time.
        at: Timestamp,
        /// The previous line's time.
        previous: Timestamp,
    },
}

/// What a replay did and which event types it recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplayReport {
    /// Scripted lines applied.
    pub lines: usize,
    /// Events recorded, all aggregates.
    pub events: usize,
    /// Events recorded per event type name.
    pub event_counts: BTreeMap<&'static str, usize>,
    /// Closed tickets per close reason (e.g. `NoAnswerAfterResolution`).
    pub close_reasons: BTreeMap<String, usize>,
    /// Ticket timers fired by the (simulated) scheduler.
    pub timers_fired: usize,
    /// Process-manager commands issued (tickets delivered, `CUSTOM` fixes included).
    pub follow_ups: usize,
    /// Process-manager commands the target refused (e.g. a ticket no longer pending).
    pub follow_ups_refused: usize,
    /// Streams per category: tickets, orders, deliveries.
    pub streams: (usize, usize, usize),
}

impl ReplayReport {
    /// Event types of `E` that the histories never contain.
    pub fn missing<E: EventSet>(&self) -> Vec<&'static str> {
        E::event_types()
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !self.event_counts.contains_key(name))
            .collect()
    }
}

/// The aggregates of a replay, and the scheduler's view of their due timers.
struct Desk<'c> {
    config: &'c DeskConfig,
    tickets: HashMap<TicketKey, Ticket>,
    orders: HashMap<OrderKey, CustomisationOrder>,
    deliveries: HashMap<DeliveryKey, Delivery>,
    /// Deliveries per organisation, in planning order.
    planned: HashMap<OrganisationId, Vec<DeliveryKey>>,
    /// Due timers: (due at, ticket, timer).
    due: BTreeSet<(Timestamp, TicketKey, TimerId)>,
    scheduler: Actor,
    process: Actor,
    report: ReplayReport,
}

/// Replays `lines` under `config`; fails on the first refused scripted command.
pub fn replay(lines: &[ScriptLine], config: &DeskConfig) -> Result<ReplayReport, ReplayError> {
    let mut desk = Desk {
        config,
        tickets: HashMap::new(),
        orders: HashMap::new(),
        deliveries: HashMap::new(),
        planned: HashMap::new(),
        due: BTreeSet::new(),
        scheduler: Actor::system("scheduler"),
        process: Actor::system("delivery-process"),
        report: ReplayReport::default(),
    };
    let mut previous: Option<Timestamp> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(previous) = previous.filter(|p| line.at < *p) {
            return Err(ReplayError::OutOfOrder {
                line: i + 1,
                at: line.at,
                previous,
            });
        }
        previous = Some(line.at);
        desk.fire_timers_until(line.at);
        desk.record_missed_approvals_until(line.at);
        desk.apply(line).map_err(|reason| ReplayError::Refused {
            line: i + 1,
            at: line.at,
            command: line.command.name(),
            target: line.command.stream_id().to_string(),
            actor: line.actor.to_string(),
            reason,
        })?;
        desk.report.lines += 1;
    }
    desk.report.streams = (desk.tickets.len(), desk.orders.len(), desk.deliveries.len());
    Ok(desk.report)
}

impl Desk<'_> {
    fn count<E: EventSet>(&mut self, events: &[E]) {
        self.report.events += events.len();
        for e in events {
            *self.report.event_counts.entry(e.event_type()).or_insert(0) += 1;
        }
    }

    fn apply(&mut self, line: &ScriptLine) -> Result<(), String> {
        match &line.command {
            AddressedCommand::Ticket(key, command) => {
                self.ticket(key, command, line.at, &line.actor.clone())
            }
            AddressedCommand::Order(key, command) => {
                let ctx = Context {
                    now: line.at,
                    actor: &line.actor,
                    config: self.config,
                };
                let order = self.orders.entry(key.clone()).or_default();
                let events: Vec<OrderEvent> =
                    order.decide(command, &ctx).map_err(|e| e.to_string())?;
                events.iter().for_each(|e| order.evolve(e));
                self.count(&events);
                Ok(())
            }
            AddressedCommand::Delivery(key, command) => {
                self.delivery(key, command, line.at, &line.actor.clone())
            }
        }
    }

    fn ticket(
        &mut self,
        key: &TicketKey,
        command: &TicketCommand,
        now: Timestamp,
        actor: &Actor,
    ) -> Result<(), String> {
        let ctx = Context {
            now,
            actor,
            config: self.config,
        };
        let ticket = self.tickets.entry(key.clone()).or_default();
        let before = ticket.due_timers();
        let events: Vec<TicketEvent> = ticket.decide(command, &ctx).map_err(|e| e.to_string())?;
        events.iter().for_each(|e| ticket.evolve(e));
        let after = ticket.due_timers();
        let organisation = ticket.organisation().clone();
        for t in before {
            self.due.remove(&(t.due_at, key.clone(), t.id));
        }
        for t in after {
            self.due.insert((t.due_at, key.clone(), t.id));
        }
        self.count(&events);
        for event in &events {
            match event {
                TicketEvent::TicketReadyForDelivery(e) if e.delivery_version.is_custom() => {
                    self.include_custom_fix(key, &organisation, now);
                }
                TicketEvent::TicketClosed(e) => {
                    *self
                        .report
                        .close_reasons
                        .entry(format!("{:?}", e.reason))
                        .or_insert(0) += 1;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn delivery(
        &mut self,
        key: &DeliveryKey,
        command: &DeliveryCommand,
        now: Timestamp,
        actor: &Actor,
    ) -> Result<(), String> {
        let ctx = Context {
            now,
            actor,
            config: self.config,
        };
        let delivery = self.deliveries.entry(key.clone()).or_default();
        let events: Vec<DeliveryEvent> =
            delivery.decide(command, &ctx).map_err(|e| e.to_string())?;
        let mut follow = Vec::new();
        for event in &events {
            delivery.evolve(event);
            follow.extend(follow_ups(delivery, event));
            if let DeliveryEvent::DeliveryPlanned(e) = event {
                self.planned
                    .entry(e.organisation.clone())
                    .or_default()
                    .push(key.clone());
            }
        }
        self.count(&events);
        for FollowUp::TicketDelivered { ticket, delivery } in follow {
            self.report.follow_ups += 1;
            let process = self.process.clone();
            let command = TicketCommand::RecordDelivery { delivery };
            if self.ticket(&ticket, &command, now, &process).is_err() {
                self.report.follow_ups_refused += 1;
            }
        }
        Ok(())
    }

    /// The process manager puts a `CUSTOM` fix into the customer's delivery that still
    /// accepts ticket changes (the earliest planned one, if several do).
    fn include_custom_fix(
        &mut self,
        ticket: &TicketKey,
        organisation: &OrganisationId,
        now: Timestamp,
    ) {
        let open = self.planned.get(organisation).and_then(|keys| {
            keys.iter()
                .find(|k| {
                    self.deliveries
                        .get(*k)
                        .is_some_and(|d| d.step.accepts_ticket_changes())
                })
                .cloned()
        });
        self.report.follow_ups += 1;
        let Some(delivery) = open else {
            self.report.follow_ups_refused += 1;
            return;
        };
        let command = DeliveryCommand::IncludeTicket {
            ticket: ticket.clone(),
        };
        let process = self.process.clone();
        if self.delivery(&delivery, &command, now, &process).is_err() {
            self.report.follow_ups_refused += 1;
        }
    }

    /// Fires, in time order, every ticket timer due at or before `now`.
    /// Records missed concept approvals as the engine's scheduler does: at 00:00 UTC on the day
    /// after the approval deadline, as the system actor. Orders are visited in key order so
    /// the replay stays deterministic.
    fn record_missed_approvals_until(&mut self, now: Timestamp) {
        let mut due: Vec<(Timestamp, OrderKey)> = self
            .orders
            .iter()
            .filter(|(_, order)| order.schedule.is_some())
            .flat_map(|(key, order)| {
                order
                    .deadlines()
                    .into_iter()
                    .filter(|d| d.kind == OrderDeadlineKind::ConceptApproval && !d.met)
                    .filter_map(|d| d.date.checked_add_days(Days::new(1)))
                    .map(|day| (day.and_time(NaiveTime::MIN).and_utc(), key.clone()))
            })
            .filter(|(at, _)| *at <= now)
            .collect();
        due.sort();
        for (at, key) in due {
            let ctx = Context {
                now: at,
                actor: &self.scheduler,
                config: self.config,
            };
            let Some(order) = self.orders.get_mut(&key) else {
                continue;
            };
            if let Ok(events) = order.decide(&OrderCommand::RecordMissedApproval, &ctx) {
                events.iter().for_each(|e| order.evolve(e));
                self.count(&events);
            }
        }
    }

    fn fire_timers_until(&mut self, now: Timestamp) {
        while let Some((due_at, key, timer)) = self.due.first().cloned() {
            if due_at > now {
                break;
            }
            self.due.remove(&(due_at, key.clone(), timer));
            let scheduler = self.scheduler.clone();
            let command = TicketCommand::FireTimer { timer };
            if self.ticket(&key, &command, due_at, &scheduler).is_ok() {
                self.report.timers_fired += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use ticketflow_events::Role;

    fn line(text: &str) -> ScriptLine {
        match ScriptLine::parse(text, 1) {
            Ok(line) => line,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_refused_command_names_its_line_and_the_refusal() {
        let close = line(
            r#"{"at":"2026-03-02T08:00:00Z","actor":{"id":"kim@acme","role":"customer","organisation":"acme"},"target":"ticket-SD-1001","command":{"command":"close"}}"#,
        );
        let err = replay(&[close], &DeskConfig::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("line 1 ("), "{err}");
        assert!(err.contains("`close` to ticket-SD-1001"), "{err}");
    }

    #[test]
    fn due_timers_fire_before_a_later_line() {
        let agent = Actor {
            id: "anna@vendor".into(),
            role: Role::SupportAgent {
                region: ticketflow_events::Region::Dach,
            },
        };
        let open = line(
            r#"{"at":"2026-03-02T08:00:00Z","actor":{"id":"kim@acme","role":"customer","organisation":"acme"},"target":"ticket-SD-1001","command":{"command":"open_from_portal","key":"SD-1001","region":"dach","form":{"ticket_type":"request","summary":"Question","description":"How?","share_with":"organisation"}}}"#,
        );
        let ask = ScriptLine {
            at: Utc
                .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .unwrap_or_default(),
            actor: agent.clone(),
            command: AddressedCommand::Ticket(
                "SD-1001".parse().unwrap_or_else(|_| panic!("key")),
                TicketCommand::RequestClarification {
                    question: "Which course?".into(),
                },
            ),
        };
        // A later, unrelated line: by then all clarification timers are due.
        let mut later = open.clone();
        later.at = Utc
            .with_ymd_and_hms(2026, 5, 1, 9, 0, 0)
            .single()
            .unwrap_or_default();
        if let AddressedCommand::Ticket(key, TicketCommand::OpenFromPortal { key: k, .. }) =
            &mut later.command
        {
            *key = "SD-1002".parse().unwrap_or_else(|_| panic!("key"));
            *k = key.clone();
        }
        let report = match replay(&[open, ask, later], &DeskConfig::default()) {
            Ok(report) => report,
            Err(e) => panic!("{e}"),
        };
        // Three reminders and the close at 40 days.
        assert_eq!(report.timers_fired, 4);
        assert_eq!(
            report.event_counts.get("TicketClarificationReminderSent"),
            Some(&3)
        );
    }
}
