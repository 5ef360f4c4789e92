//! # The Ticketflow event vocabulary
//!
//! This crate is the contract between the write model, the store, the read models and every
//! integrator: what happened, under which stable name, at which schema version, and how it is
//! laid out on disk and on the wire.
//!
//! * [`envelope`] — what the store records around every event (positions, ids, times, actor,
//!   hash chain).
//! * [`codec`] — MessagePack via `rmp-serde`, fields written *by name* so that fields can be
//!   added without breaking old readers, and the [`codec::Payload`] / [`codec::EventSet`]
//!   traits that give every event a stable type name and a schema version and upcast older
//!   versions on read.
//! * [`ticket`], [`order`], [`delivery`] — the events of the three aggregates.
//! * [`keys`] and [`actor`] — identifiers and people shared by all of them.
//!
//! The crate does no I/O: it is safe to depend on from anywhere.

pub mod actor;
pub mod codec;
pub mod delivery;
pub mod envelope;
pub mod keys;
pub mod order;
pub mod ticket;

pub use actor::{Actor, Department, OrganisationId, Region, Role};
pub use codec::{AnyEvent, CodecError, EventSet, Payload};
pub use envelope::{Hash, NewEvent, RecordedEvent};
pub use keys::{DeliveryKey, KeyError, OrderKey, StreamId, TicketKey};

/// An instant on the business or store time line, always UTC on the wire.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
