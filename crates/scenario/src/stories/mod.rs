//! Ticket stories: one ticket's life from intake to close, told as script lines.
//!
//! A story keeps its own clock (`t`), moves it forward between steps by realistic waiting
//! times and pushes each step as a line. Stories never issue a command after a timer could
//! have closed their ticket: a customer answers a clarification within 10–12 days (timers
//! close at 40), closes a resolved ticket within 14 days (auto-close at 50), and an offer is
//! ordered or declined within 30 days (expiry after 16 weeks). Stories that leave a ticket
//! waiting simply stop pushing lines; the engine's scheduler fires the timers.

mod conversation;
mod customisation;
mod defects;
mod order;
mod requests;

use chrono::{Duration, NaiveDate};
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{EmailMessage, PortalForm, TicketCommand};
use ticketflow_events::ticket::{AffectedSystem, Attachment, SharedWith, TicketType};
use ticketflow_events::{Actor, DeliveryKey, Department, TicketKey, Timestamp};

use crate::activity::Activity;
use crate::cast::Customer;
use crate::clock;

pub(crate) use conversation::chatter;

/// What a customer's new ticket turns out to be (decides the story told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An incident that is a fault in the code.
    SoftwareDefect,
    /// An incident in configuration, infrastructure or operations.
    NonSoftwareDefect,
    /// A billable question.
    ConsultingRequest,
    /// A free question.
    SupportRequest,
    /// An idea for the product.
    Suggestion,
    /// A wish for a customisation.
    Customisation,
}

impl Kind {
    /// Relative frequencies of the kinds among new tickets.
    pub const WEIGHTS: [(Kind, f64); 6] = [
        (Kind::SoftwareDefect, 0.22),
        (Kind::NonSoftwareDefect, 0.18),
        (Kind::ConsultingRequest, 0.15),
        (Kind::SupportRequest, 0.22),
        (Kind::Suggestion, 0.08),
        (Kind::Customisation, 0.07),
    ];
}

/// Tells the story of one new ticket of `kind` for customer `customer`, arriving on `day`.
pub(crate) fn tell(activity: &mut Activity, customer: usize, kind: Kind, day: NaiveDate) {
    match kind {
        Kind::SoftwareDefect => defects::software_defect(activity, customer, day),
        Kind::NonSoftwareDefect => defects::non_software_defect(activity, customer, day),
        Kind::ConsultingRequest => requests::consulting_request(activity, customer, day),
        Kind::SupportRequest => requests::support_request(activity, customer, day),
        Kind::Suggestion => requests::suggestion(activity, customer, day),
        Kind::Customisation => customisation::customisation(activity, customer, day),
    }
}

/// One ticket being told: its key, its clock, and the people involved.
pub(crate) struct TicketStory {
    /// The ticket.
    pub key: TicketKey,
    /// The story's clock: the time of the next step.
    pub t: Timestamp,
    /// Index of the customer.
    pub customer: usize,
    /// The customer (a copy, so the story can push lines while reading it).
    pub who: Customer,
    /// The contact who opened the ticket.
    pub creator: Actor,
    /// The support agent who handles it (of the customer's region).
    pub agent: Actor,
    /// Whether other contacts of the organisation see the ticket.
    pub shared: bool,
    /// Whether it came by email (sharing is then fixed).
    pub by_email: bool,
    /// Whether it is flagged confidential (only the region's support agents may act then).
    pub confidential: bool,
}

impl TicketStory {
    /// A story for a new ticket of `customer`, opened at `t` by one of its contacts.
    pub fn new(activity: &mut Activity, customer: usize, t: Timestamp) -> TicketStory {
        let key = activity.new_ticket_key();
        let who = activity.customers[customer].clone();
        let creator = if activity.rng.chance(0.7) {
            who.main_contact().clone()
        } else {
            who.colleague().clone()
        };
        let agent = activity.rng.pick(activity.staff.agents(who.region)).clone();
        TicketStory {
            key,
            t,
            customer,
            who,
            creator,
            agent,
            shared: true,
            by_email: false,
            confidential: false,
        }
    }

    /// Pushes a ticket command by `actor` at the story's clock.
    pub fn run(&self, activity: &mut Activity, actor: &Actor, command: TicketCommand) {
        activity.push(
            self.t,
            actor,
            AddressedCommand::Ticket(self.key.clone(), command),
        );
    }

    /// Pushes a command by the handling support agent.
    pub fn support(&self, activity: &mut Activity, command: TicketCommand) {
        self.run(activity, &self.agent.clone(), command);
    }

    /// Pushes a command by the contact who opened the ticket.
    pub fn customer(&self, activity: &mut Activity, command: TicketCommand) {
        self.run(activity, &self.creator.clone(), command);
    }

    /// Moves the clock on by `lo..=hi` minutes.
    pub fn minutes(&mut self, activity: &mut Activity, lo: i64, hi: i64) {
        self.t = clock::minutes(self.t, &mut activity.rng, lo, hi);
    }

    /// Moves the clock on by `lo..=hi` office hours.
    pub fn hours(&mut self, activity: &mut Activity, lo: i64, hi: i64) {
        self.t = clock::office_hours(self.t, &mut activity.rng, lo, hi);
    }

    /// Moves the clock on by `lo..=hi` days, into office hours.
    pub fn days(&mut self, activity: &mut Activity, lo: i64, hi: i64) {
        self.t = clock::days(self.t, &mut activity.rng, lo, hi);
    }

    /// Opens the ticket from the portal as an incident or a request.
    pub fn open_portal(&mut self, activity: &mut Activity, incident: bool, summary: &str) {
        let rng = &mut activity.rng;
        self.shared = rng.chance(0.75);
        let attachments = if rng.chance(0.3) {
            vec![attachment(rng, "screenshot.png")]
        } else {
            Vec::new()
        };
        let org = self.who.organisation.to_string();
        let form = PortalForm {
            ticket_type: if incident {
                TicketType::Incident
            } else {
                TicketType::Request
            },
            summary: summary.to_owned(),
            description: format!(
                "{summary}\n\nObserved by {} at {} UTC.",
                self.creator.id,
                self.t.format("%Y-%m-%d %H:%M")
            ),
            share_with: Some(if self.shared {
                SharedWith::Organisation
            } else {
                SharedWith::Nobody
            }),
            affected_system: (incident || rng.chance(0.2)).then(|| {
                if rng.chance(0.7) {
                    AffectedSystem::Production
                } else {
                    AffectedSystem::NonProduction
                }
            }),
            system_reachable: incident.then(|| rng.chance(0.8)),
            url: (incident || rng.chance(0.3))
                .then(|| format!("https://lms.{org}.example/course/{}", rng.between(1, 999))),
            customer_reference: rng
                .chance(0.3)
                .then(|| format!("{}-{}", org.to_uppercase(), rng.between(100, 9999))),
            attachments,
            confidential: false,
        };
        let command = TicketCommand::OpenFromPortal {
            key: self.key.clone(),
            region: self.who.region,
            extended_support_budget: self.who.extended_support_budget,
            form,
        };
        self.customer(activity, command);
    }

    /// Opens the ticket from an email of the creator (a request, shared with the organisation).
    pub fn open_email(&mut self, activity: &mut Activity, subject: &str) {
        self.shared = true;
        self.by_email = true;
        let attachments = if activity.rng.chance(0.2) {
            vec![attachment(&mut activity.rng, "export.xlsx")]
        } else {
            Vec::new()
        };
        let command = TicketCommand::OpenFromEmail {
            key: self.key.clone(),
            organisation: self.who.organisation.clone(),
            region: self.who.region,
            extended_support_budget: self.who.extended_support_budget,
            email: EmailMessage {
                sender: self.creator.id.clone(),
                subject: subject.to_owned(),
                body: format!(
                    "Hello support,\n\n{subject}\n\nKind regards\n{}",
                    self.creator.id
                ),
                attachments,
            },
        };
        let adapter = activity.staff.email_adapter.clone();
        self.run(activity, &adapter, command);
    }

    /// Opens a request from the portal or (40 %) by email.
    pub fn open_request(&mut self, activity: &mut Activity, summary: &str) {
        if activity.rng.chance(0.4) {
            self.open_email(activity, summary);
        } else {
            self.open_portal(activity, false, summary);
        }
    }

    /// Support books effort for today.
    pub fn book(&self, activity: &mut Activity, actor: &Actor, department: Department) {
        let minutes = activity.rng.between(10, 240) as u32;
        let command = TicketCommand::BookEffort {
            department,
            minutes,
            performed_on: self.t.date_naive(),
        };
        self.run(activity, actor, command);
    }

    /// After `Resolved`: the customer closes within two weeks (`p_close`), or never answers
    /// and the ticket is closed automatically 50 days later.
    pub fn after_resolved(&mut self, activity: &mut Activity, p_close: f64) {
        if !activity.rng.chance(p_close) {
            return;
        }
        self.days(activity, 1, 14);
        let comment = activity
            .rng
            .chance(0.5)
            .then(|| "Confirmed, it works now. Thank you!".to_owned());
        self.customer(activity, TicketCommand::Close { comment });
    }

    /// A fix (or configuration) is reported ready and reaches the customer with a delivery.
    ///
    /// `reporter` reports it. A patch version is that of the customer's delivery open at
    /// the time, and support includes the ticket there; `CUSTOM` is included by the engine's
    /// delivery process manager. With `moved`, support takes the ticket out again before the
    /// codeline closes and it moves to the next patch. Returns `None` when the calendar ends
    /// first; otherwise the delivery that carries the ticket and when it went out, with the
    /// clock standing just after it, when the ticket is `Resolved` (a customisation `Closed`).
    pub fn deliver_fix(
        &mut self,
        activity: &mut Activity,
        reporter: &Actor,
        custom: bool,
        moved: bool,
    ) -> Option<(DeliveryKey, Timestamp)> {
        let (index, t) = activity.deliveries.slot(self.customer, self.t)?;
        self.t = t;
        let cycle = activity.deliveries.cycle_of(self.customer, index)?.clone();
        let version = if custom {
            "CUSTOM".to_owned()
        } else {
            cycle.version.to_string()
        };
        self.run(
            activity,
            reporter,
            TicketCommand::ReportReadyForDelivery {
                delivery_version: version,
            },
        );
        if custom {
            self.t = cycle.delivered_at + Duration::minutes(activity.rng.between(30, 600));
            return Some((cycle.key, cycle.delivered_at));
        }
        self.minutes(activity, 10, 60);
        let agent = self.agent.clone();
        activity.push(
            self.t,
            &agent,
            AddressedCommand::Delivery(
                cycle.key.clone(),
                DeliveryCommand::IncludeTicket {
                    ticket: self.key.clone(),
                },
            ),
        );
        let next = activity
            .deliveries
            .cycle_of(self.customer, index + 1)
            .cloned();
        let (key, delivered_at) = match next {
            Some(next) if moved => {
                self.t = cycle.closed_at - Duration::minutes(90);
                activity.push(
                    self.t,
                    &agent,
                    AddressedCommand::Delivery(
                        cycle.key.clone(),
                        DeliveryCommand::RemoveTicket {
                            ticket: self.key.clone(),
                            reason: "The fix is not complete; it moves to the next patch.".into(),
                        },
                    ),
                );
                self.t += Duration::minutes(10);
                self.run(
                    activity,
                    reporter,
                    TicketCommand::ChangeDeliveryVersion {
                        delivery_version: next.version.to_string(),
                    },
                );
                activity
                    .deliveries
                    .list_on_planning(self.customer, index + 1, self.key.clone());
                (next.key, next.delivered_at)
            }
            _ => (cycle.key, cycle.delivered_at),
        };
        self.t = delivered_at + Duration::minutes(activity.rng.between(30, 600));
        Some((key, delivered_at))
    }
}

/// Attachment metadata with a random (but well-formed) SHA-256 content hash.
pub(crate) fn attachment(rng: &mut crate::random::SplitMix64, name: &str) -> Attachment {
    let hash: String = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
    Attachment {
        name: name.to_owned(),
        size_bytes: rng.between(2_000, 4_000_000) as u64,
        content_hash: hash,
    }
}
