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
//!
//! | read model | name | what it answers |
//! |---|---|---|
//! | [`TicketOverview`] | `ticket-overview` | the portal list: mine / my organisation's / both, filters, keyword search, paging; sharing and confidentiality honoured |
//! | [`SlaOverview`] | `sla` | per-ticket SLA clocks at a given instant; statistics per customer, priority and month; what-if under another policy book |
//! | [`DeliveryManifests`] | `delivery-manifests` | per delivery: version, environment, customer, estimate history, included tickets with current status, `CUSTOM` items |
//! | [`AuditTrail`] | `audit-trail` | every change of a stream with actor and times; the aggregate's state as of any instant |
//! | [`Billing`] | `billing` | per customer and month: efforts by department and ticket (§2.10) |
//! | [`NotificationOutbox`] | `notifications-outbox` | who must be told what (§2.9); pending and sent |
//! | [`OrderPlanningBoard`] | `order-planning-board` | customisation orders with phase, slot, deadlines, earliest delivery and risks on a given day |
//! | [`Escalations`] | `escalations` | open escalations by level |
//!
//! Queries that depend on time (SLA, order risks) take the instant or day as an argument:
//! read models never read a clock.
//!
//! ```
//! use ticketflow_domain::DeskConfig;
//! use ticketflow_projections::{ReadModel, ReadModels};
//!
//! let models = ReadModels::standard(&DeskConfig::default());
//! // The runner folds every recorded event into `models.all()`; the server queries the typed
//! // handles, e.g. the open escalations:
//! assert_eq!(models.all().len(), 8);
//! assert!(models.escalations.open().is_empty());
//! let snapshot = models.billing.snapshot()?;
//! models.billing.restore(&snapshot)?;
//! # Ok::<(), ticketflow_projections::SnapshotError>(())
//! ```

pub mod audit_trail;
pub mod billing;
pub mod delivery_manifest;
pub mod escalations;
pub mod event_summary;
mod map;
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
pub use read_model::{AggregateKey, Decoded, ReadModel, SnapshotError};
pub use registry::{ReadModels, standard_read_models};
pub use sla::SlaOverview;
pub use ticket_overview::TicketOverview;
