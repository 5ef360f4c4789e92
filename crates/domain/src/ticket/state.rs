//! The ticket's state: what decisions need to know, folded from its events.

use std::collections::{BTreeMap, BTreeSet};

use ticketflow_events::ticket::{
    Attachment, DeliveryVersion, EscalationLevel, IntakeChannel, Priority, ScheduledTimer,
    SharedWith, SlaNoticeClock, SlaNoticeKind, TicketEvent, TicketStatus, TicketType,
};
use ticketflow_events::{Department, OrderKey, OrganisationId, Region, TicketKey};

/// One ticket, as the fold of its events. `Ticket::default()` is a ticket that does not exist
/// yet; only the open commands apply to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub(crate) key: Option<TicketKey>,
    pub(crate) channel: IntakeChannel,
    pub(crate) ticket_type: TicketType,
    pub(crate) status: TicketStatus,
    pub(crate) organisation: OrganisationId,
    pub(crate) region: Region,
    pub(crate) creator: String,
    pub(crate) shared_with: SharedWith,
    pub(crate) confidential: bool,
    pub(crate) extended_support_budget: bool,
    pub(crate) accepted_by: Option<String>,
    pub(crate) priority: Option<Priority>,
    pub(crate) status_before_clarification: Option<TicketStatus>,
    pub(crate) delivery_version: Option<DeliveryVersion>,
    pub(crate) workaround_provided: bool,
    pub(crate) escalation: Option<EscalationLevel>,
    pub(crate) order: Option<OrderKey>,
    pub(crate) attachments: Vec<Attachment>,
    pub(crate) comments: u32,
    pub(crate) effort_minutes: BTreeMap<Department, u64>,
    pub(crate) notification_choices: BTreeMap<String, bool>,
    pub(crate) timers: Vec<ScheduledTimer>,
    pub(crate) next_timer_id: u64,
    pub(crate) sla_notices: BTreeSet<(SlaNoticeClock, SlaNoticeKind, u32)>,
}

impl Default for Ticket {
    fn default() -> Self {
        Ticket {
            key: None,
            channel: IntakeChannel::Portal,
            ticket_type: TicketType::Request,
            status: TicketStatus::Open,
            organisation: OrganisationId(String::new()),
            region: Region::International,
            creator: String::new(),
            shared_with: SharedWith::Nobody,
            confidential: false,
            extended_support_budget: false,
            accepted_by: None,
            priority: None,
            status_before_clarification: None,
            delivery_version: None,
            workaround_provided: false,
            escalation: None,
            order: None,
            attachments: Vec::new(),
            comments: 0,
            effort_minutes: BTreeMap::new(),
            notification_choices: BTreeMap::new(),
            timers: Vec::new(),
            next_timer_id: 1,
            sla_notices: BTreeSet::new(),
        }
    }
}

impl Ticket {
    /// The ticket's key; `None` while it does not exist.
    pub fn key(&self) -> Option<&TicketKey> {
        self.key.as_ref()
    }

    /// True once the ticket was opened.
    pub fn exists(&self) -> bool {
        self.key.is_some()
    }

    /// The key as text for messages (`(new ticket)` before it exists).
    pub(crate) fn label(&self) -> String {
        self.key
            .as_ref()
            .map_or_else(|| "(new ticket)".to_owned(), |k| k.to_string())
    }

    /// Portal or email.
    pub fn channel(&self) -> IntakeChannel {
        self.channel
    }

    /// The current type (`Incident`/`Request` until classified).
    pub fn ticket_type(&self) -> TicketType {
        self.ticket_type
    }

    /// The current status.
    pub fn status(&self) -> TicketStatus {
        self.status
    }

    /// The customer organisation.
    pub fn organisation(&self) -> &OrganisationId {
        &self.organisation
    }

    /// The region whose agents handle the ticket and whose calendar applies.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Who created the ticket (portal user id or email sender).
    pub fn creator(&self) -> &str {
        &self.creator
    }

    /// Who besides the creator sees it.
    pub fn shared_with(&self) -> SharedWith {
        self.shared_with
    }

    /// Whether personal data is confidential.
    pub fn is_confidential(&self) -> bool {
        self.confidential
    }

    /// Whether the customer has an extended support budget, as recorded on this ticket.
    pub fn has_extended_support_budget(&self) -> bool {
        self.extended_support_budget
    }

    /// The support agent who accepted the ticket, if any.
    pub fn accepted_by(&self) -> Option<&str> {
        self.accepted_by.as_deref()
    }

    /// A defect's priority.
    pub fn priority(&self) -> Option<Priority> {
        self.priority
    }

    /// The version a pending or delivered fix comes with.
    pub fn delivery_version(&self) -> Option<&DeliveryVersion> {
        self.delivery_version.as_ref()
    }

    /// Whether a workaround was provided.
    pub fn workaround_provided(&self) -> bool {
        self.workaround_provided
    }

    /// The highest escalation level reached.
    pub fn escalation(&self) -> Option<EscalationLevel> {
        self.escalation
    }

    /// The customisation order, once ordered.
    pub fn order(&self) -> Option<&OrderKey> {
        self.order.as_ref()
    }

    /// Every attachment of the ticket and its comments.
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    /// How many comments were written.
    pub fn comment_count(&self) -> u32 {
        self.comments
    }

    /// Booked minutes per department.
    pub fn effort_minutes(&self) -> &BTreeMap<Department, u64> {
        &self.effort_minutes
    }

    /// Whether `person` is notified of every comment and change (domain.md §2.9): the creator
    /// unless they switched it off, anyone else only if they switched it on. (Organisation
    /// members are told about the creation regardless; that is the notification outbox's job.)
    pub fn notifies(&self, person: &str) -> bool {
        self.notification_choices
            .get(person)
            .copied()
            .unwrap_or(person == self.creator)
    }

    /// The timers currently scheduled, earliest first: the engine's due-work view feeds these
    /// to the scheduler, which answers with `FireTimer` once one is due.
    pub fn due_timers(&self) -> Vec<ScheduledTimer> {
        let mut timers = self.timers.clone();
        timers.sort_by_key(|t| (t.due_at, t.id));
        timers
    }

    /// True when the SLA notice of this clock, kind and cycle was recorded.
    pub fn has_sla_notice(&self, clock: SlaNoticeClock, kind: SlaNoticeKind, cycle: u32) -> bool {
        self.sla_notices.contains(&(clock, kind, cycle))
    }

    /// Folds one event into the state.
    pub(crate) fn apply(&mut self, event: &TicketEvent) {
        match event {
            TicketEvent::TicketOpened(e) => {
                self.key = Some(e.key.clone());
                self.channel = e.channel;
                self.ticket_type = e.ticket_type;
                self.status = TicketStatus::Open;
                self.organisation = e.organisation.clone();
                self.region = e.region;
                self.creator = e.creator.clone();
                self.shared_with = e.shared_with;
                self.confidential = e.confidential;
                self.extended_support_budget = e.extended_support_budget;
                self.attachments.extend(e.attachments.iter().cloned());
            }
            TicketEvent::TicketAccepted(e) => self.accepted_by = Some(e.agent.clone()),
            TicketEvent::TicketClassified(e) => self.ticket_type = e.to,
            TicketEvent::TicketReclassified(e) => self.ticket_type = e.to,
            TicketEvent::TicketPrioritised(e) => self.priority = Some(e.to),
            TicketEvent::TicketPriorityCleared(_) => self.priority = None,
            TicketEvent::TicketStatusChanged(e) => {
                if e.to == TicketStatus::ClarificationRequired {
                    self.status_before_clarification = Some(e.from);
                }
                self.status = e.to;
            }
            TicketEvent::TicketClarificationRequested(_)
            | TicketEvent::TicketWorkResumed(_)
            | TicketEvent::TicketDefectReproduced(_)
            | TicketEvent::TicketResolved(_)
            | TicketEvent::TicketReopened(_)
            | TicketEvent::TicketDelivered(_)
            | TicketEvent::TicketForwarded(_)
            | TicketEvent::TicketScopingWorkshopHeld(_)
            | TicketEvent::TicketEstimateRequested(_)
            | TicketEvent::TicketEstimateProvided(_)
            | TicketEvent::TicketConceptApproved(_)
            | TicketEvent::TicketImplementationCommissioned(_) => {}
            TicketEvent::TicketWorkaroundProvided(_) => self.workaround_provided = true,
            TicketEvent::TicketReadyForDelivery(e) => {
                self.delivery_version = Some(e.delivery_version.clone());
            }
            TicketEvent::TicketDeliveryVersionChanged(e) => {
                self.delivery_version = Some(e.to.clone());
            }
            TicketEvent::TicketOrdered(e) => self.order = e.order.clone(),
            TicketEvent::TicketClosed(e) => {
                if let Some(timer) = e.timer {
                    self.timers.retain(|t| t.id != timer);
                }
            }
            TicketEvent::TicketCommented(e) => {
                self.comments += 1;
                self.attachments.extend(e.attachments.iter().cloned());
            }
            TicketEvent::TicketAttachmentsAdded(e) => {
                self.attachments.extend(e.attachments.iter().cloned());
            }
            TicketEvent::TicketSharingChanged(e) => self.shared_with = e.shared_with,
            TicketEvent::TicketConfidentialityChanged(e) => {
                self.confidential = e.confidential;
                self.region = e.region;
            }
            TicketEvent::TicketNotificationsChanged(e) => {
                self.notification_choices
                    .insert(e.person.clone(), e.enabled);
            }
            TicketEvent::TicketEffortBooked(e) => {
                *self.effort_minutes.entry(e.department).or_insert(0) += u64::from(e.minutes);
            }
            TicketEvent::TicketEscalated(e) => {
                self.escalation = Some(self.escalation.map_or(e.level, |l| l.max(e.level)));
            }
            TicketEvent::TicketSupportBudgetRecorded(e) => {
                self.extended_support_budget = e.available;
            }
            TicketEvent::TicketTimersScheduled(e) => {
                for timer in &e.timers {
                    self.timers.retain(|t| t.id != timer.id);
                    self.timers.push(*timer);
                    self.next_timer_id = self.next_timer_id.max(timer.id.0.saturating_add(1));
                }
            }
            TicketEvent::TicketTimersCancelled(e) => {
                self.timers.retain(|t| !e.timers.contains(&t.id));
            }
            TicketEvent::TicketClarificationReminderSent(e) => {
                self.timers.retain(|t| t.id != e.timer);
            }
            TicketEvent::TicketSlaNoticeRecorded(e) => {
                self.sla_notices.insert((e.clock, e.kind, e.cycle));
            }
        }
    }
}
