//! # Ticketflow event store
//!
//! The [`EventStore`] trait and its backends:
//!
//! * [`SqliteStore`] — the embedded default: one SQLite file in WAL mode, group-committed by a
//!   single writer thread, durable on acknowledgement, readable with standard tools
//!   (`sqlite3 events.db 'SELECT * FROM events'`).
//! * [`MemoryStore`] — in memory, for tests and simulations.
//! * [`conformance`] — the suite every backend must pass; a future server backend runs it
//!   with its own factory.
//!
//! The store is payload-agnostic: it records [`ticketflow_events::NewEvent`] envelopes and
//! answers [`ticketflow_events::RecordedEvent`]s, never decoding payloads.
//!
//! ## Guarantees
//!
//! * **Versions and positions.** Stream versions are contiguous from 1; global positions
//!   start at 1, strictly increase in commit order and are gap-free as seen by any reader or
//!   subscriber (position N+1 is never visible before N).
//! * **Optimistic concurrency.** An append names an [`ExpectedVersion`]; a mismatch fails only
//!   that append with [`StoreError::WrongExpectedVersion`], naming both versions.
//! * **Idempotency.** The event id is the idempotency key: retrying an identical append
//!   records nothing and answers the same [`AppendOutcome`] ([`append`]).
//! * **Durability.** An acknowledged append has been fsynced (group commit: concurrent appends
//!   share one transaction and one fsync). Proven by the SIGKILL crash test in
//!   `tests/crash.rs`.
//! * **Tamper evidence.** Two hash chains, per stream and over the whole log ([`chain`]);
//!   [`EventStore::verify`] reports the first broken link ([`verify`]).
//! * **Safe failure.** Damaged files, newer formats, full disks and oversized events give a
//!   clear [`StoreError`] and never rewrite data.

pub mod append;
pub mod chain;
pub mod conformance;
pub mod error;
pub mod event_store;
pub mod memory;
pub mod read;
pub mod sqlite;
pub mod subscription;
pub mod verify;

pub use append::{AppendLimits, AppendOutcome, ExpectedVersion};
pub use error::{StoreError, StoreResult};
pub use event_store::EventStore;
pub use memory::MemoryStore;
pub use read::{Direction, Filter, StreamRead};
pub use sqlite::{SqliteOptions, SqliteStore, WriterStats, verify_file};
pub use subscription::Subscription;
pub use verify::{Break, BreakKind, ChainVerifier, VerifyReport};
