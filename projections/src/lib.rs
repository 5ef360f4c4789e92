//! # Ticketflow read models
//!
//! Every read model is a fold over recorded events: it starts empty, is handed every event of
//! the log in global-position order, and answers queries from what it has folded. It has a
//! stable [`ReadModel::name`] and a [`ReadModel::version`]; when the version changes, the
//! projection runner (in `ticketflow-engine`) rebuilds it from position 0.
//!
//! Read models keep their state in memory (concurrent maps, so queries are answered while
//! events are applied) and can write and restore a snapshot, which the runner persists with
//! its checkpoint so a restart resumes instead of rebuilding.

pub mod audit_trail;
pub mod billing;
pub mod delivery_manifest;
pub mod escalations;
pub mod event_summary;
mod month;
pub mod notifications;
pub mod order_board;
pub mod read_model;
pub mod registry;
pub mod sla;
mod snapshot;
mod streams;
pub mod ticket_overview;

#[cfg(test)]
mod rebuild_properties;

#[cfg(test)]
mod test_desk;

pub use audit_trail::AuditTrail;
pub use billing::Billing;
pub use delivery_manifest::DeliveryManifests;
pub use escalations::Escalations;
pub use month::Month;
pub use notifications::NotificationOutbox;
pub use order_board::OrderPlanningBoard;
pub use read_model::{ReadModel, SnapshotError};
pub use registry::{ReadModels, standard_read_models};
pub use sla::SlaOverview;
pub use ticket_overview::TicketOverview;
