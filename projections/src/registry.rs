//! The standard set of read models, for the projection runner and the server.
//!
//! [`ReadModels`] holds one shared handle of each, typed, so that the server can query them;
//! [`ReadModels::all`] gives the same instances as trait objects for the runner, which only
//! applies events and writes snapshots.

use std::sync::Arc;

use ticketflow_domain::DeskConfig;

use crate::{
    AuditTrail, Billing, DeliveryManifests, Escalations, NotificationOutbox, OrderPlanningBoard,
    ReadModel, SlaOverview, TicketOverview,
};

/// One instance of every standard read model.
#[derive(Debug, Clone)]
pub struct ReadModels {
    /// The portal's ticket list.
    pub ticket_overview: Arc<TicketOverview>,
    /// SLA per ticket and statistics.
    pub sla: Arc<SlaOverview>,
    /// Delivery manifests.
    pub delivery_manifests: Arc<DeliveryManifests>,
    /// Every change of every stream; state as of any instant.
    pub audit_trail: Arc<AuditTrail>,
    /// Efforts to bill per customer and month.
    pub billing: Arc<Billing>,
    /// Who must be told what.
    pub notifications: Arc<NotificationOutbox>,
    /// Customisation orders, deadlines and risks.
    pub order_board: Arc<OrderPlanningBoard>,
    /// Open escalations by level.
    pub escalations: Arc<Escalations>,
}

impl ReadModels {
    /// Fresh, empty read models configured from the desk configuration (SLA policy book and
    /// regional calendars).
    pub fn standard(config: &DeskConfig) -> Self {
        ReadModels {
            ticket_overview: Arc::new(TicketOverview::new()),
            sla: Arc::new(SlaOverview::new(config)),
            delivery_manifests: Arc::new(DeliveryManifests::new()),
            audit_trail: Arc::new(AuditTrail::new()),
            billing: Arc::new(Billing::new()),
            notifications: Arc::new(NotificationOutbox::new()),
            order_board: Arc::new(OrderPlanningBoard::new(config)),
            escalations: Arc::new(Escalations::new()),
        }
    }

    /// The same instances as trait objects, for the projection runner.
    pub fn all(&self) -> Vec<Arc<dyn ReadModel>> {
        vec![
            self.ticket_overview.clone(),
            self.sla.clone(),
            self.delivery_manifests.clone(),
            self.audit_trail.clone(),
            self.billing.clone(),
            self.notifications.clone(),
            self.order_board.clone(),
            self.escalations.clone(),
        ]
    }
}

/// Fresh instances of every standard read model, for the projection runner.
pub fn standard_read_models(config: &DeskConfig) -> Vec<Arc<dyn ReadModel>> {
    ReadModels::standard(config).all()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_standard_read_model_has_its_own_name() {
        let models = standard_read_models(&DeskConfig::default());
        let names: BTreeSet<&str> = models.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), 8);
        assert!(models.iter().all(|m| m.version() >= 1));
    }

    #[test]
    fn a_snapshot_is_refused_by_another_read_model() {
        let models = standard_read_models(&DeskConfig::default());
        let bytes = models[0].snapshot().unwrap();
        let err = models[1].restore(&bytes).unwrap_err();
        assert!(err.to_string().contains("rebuild it from the log"), "{err}");
        assert!(models[1].restore(b"not msgpack").is_err());
        models[0].restore(&bytes).unwrap();
    }

    #[test]
    fn one_history_seen_through_every_read_model() {
        use crate::test_desk::*;
        use chrono::{Days, Duration};
        use ticketflow_domain::delivery::DeliveryCommand;
        use ticketflow_domain::ticket::TicketCommand;
        use ticketflow_events::delivery::{CloudEnvironment, DeliverySharing};
        use ticketflow_events::ticket::{
            EscalationLevel, EscalationReason, Priority, SharedWith, TicketStatus, TicketType,
        };
        use ticketflow_events::{Department, OrganisationId, TicketKey};

        // A P3 software defect of acme: accepted, reproduced, escalated, fixed as CUSTOM and
        // delivered with SD-900, which resolves it through the delivery process manager.
        let mut desk = Desk::new();
        let acme = OrganisationId("acme".into());
        desk.open_incident(
            &jane(),
            "SD-1",
            "Grades lost after import",
            SharedWith::Organisation,
        );
        desk.advance(Duration::hours(1));
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::Classify {
                ticket_type: TicketType::SoftwareDefect,
            },
        );
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::SetPriority {
                priority: Priority::P3,
            },
        );
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::ReproduceDefect {
                reference_system: "ref".into(),
            },
        );
        desk.ticket(
            &jane(),
            "SD-1",
            TicketCommand::Escalate {
                level: EscalationLevel::TeamLead,
                reason: EscalationReason::ProductQuality,
            },
        );
        desk.advance(Duration::hours(2));
        desk.ticket(
            &developer(),
            "SD-1",
            TicketCommand::ReportReadyForDelivery {
                delivery_version: "CUSTOM".into(),
            },
        );
        desk.ticket(
            &agent(),
            "SD-1",
            TicketCommand::BookEffort {
                department: Department::Support,
                minutes: 30,
                performed_on: desk.now.date_naive(),
            },
        );
        desk.delivery(
            &agent(),
            "SD-900",
            DeliveryCommand::PlanDelivery {
                delivery: "SD-900".parse().unwrap(),
                version: "14.21.3.1".parse().unwrap(),
                cloud_environment: CloudEnvironment::CustomerHosted,
                organisation: acme.clone(),
                shared_with: DeliverySharing::Organisation,
                documents: vec![],
                tickets: vec!["SD-1".parse().unwrap()],
            },
        );
        let today = desk.now.date_naive();
        desk.delivery(
            &agent(),
            "SD-900",
            DeliveryCommand::ScheduleMerge {
                merge_on: today + Days::new(1),
                estimated_delivery_on: today + Days::new(7),
            },
        );
        desk.advance(Duration::days(2));
        for command in [
            DeliveryCommand::CompleteMerge {},
            DeliveryCommand::ConfirmChangesComplete {},
            DeliveryCommand::CloseCodeline {},
            DeliveryCommand::BuildPackage {},
            DeliveryCommand::PassReferenceTest {},
            DeliveryCommand::Release {},
            DeliveryCommand::ProvidePackage {
                location: "sftp://acme/p.zip".into(),
            },
        ] {
            desk.delivery(&agent(), "SD-900", command);
        }
        let models = ReadModels::standard(&desk.config);
        for model in models.all() {
            desk.feed(model.as_ref());
        }
        let key: TicketKey = "SD-1".parse().unwrap();

        let row = models.ticket_overview.get(&john(), &key).unwrap();
        assert_eq!(
            (row.status, row.priority),
            (TicketStatus::Resolved, Some(Priority::P3))
        );
        let sla = models.sla.ticket(&key, desk.now).unwrap();
        assert_eq!(sla.report.reaction.as_ref().unwrap().met, Some(true));
        let restoration = sla.report.current_restoration().unwrap();
        assert!(restoration.stopped_at.is_some() && restoration.met == Some(true));
        let manifest = models
            .delivery_manifests
            .manifest(&"SD-900".parse().unwrap())
            .unwrap();
        assert_eq!(manifest.custom_items.len(), 1);
        assert_eq!(manifest.tickets[0].status, Some(TicketStatus::Resolved));
        let trail = models.audit_trail.history(&key.stream_id());
        let delivered = trail
            .iter()
            .find(|e| e.event_type == "TicketDelivered")
            .unwrap();
        assert_eq!(delivered.actor, "system:delivery-process");
        assert_eq!(delivered.summary, "delivered with SD-900");
        let told: Vec<String> = models
            .notifications
            .for_ticket(&key)
            .into_iter()
            .filter(|n| {
                n.recipient == crate::notifications::Recipient::Person { id: "jane".into() }
            })
            .flat_map(|n| n.changes)
            .collect();
        assert!(
            told.contains(&"delivered with SD-900".to_owned()),
            "{told:?}"
        );
        assert_eq!(models.escalations.open().len(), 1, "resolved is not closed");
        assert_eq!(
            models.billing.deferred_support(&acme).len(),
            0,
            "a defect is not billed"
        );
        assert!(
            models
                .order_board
                .board(&Default::default(), today)
                .is_empty()
        );
    }
}
