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
}
