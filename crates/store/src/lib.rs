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
//! ## Example
//!
//! ```
//! use ticketflow_store::{EventStore, ExpectedVersion, Filter, MemoryStore, StreamRead};
//! use ticketflow_store::conformance::event;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ticketflow_store::StoreError> {
//! let store = MemoryStore::new(); // or SqliteStore::open("events.db", SqliteOptions::default())?
//! let ticket = "ticket-SD-1042".parse().expect("a valid stream id");
//! let opened = event("TicketOpened", b"\x80");
//! let outcome = store.append(&ticket, ExpectedVersion::NoStream, vec![opened.clone()]).await?;
//! assert_eq!((outcome.last_version, outcome.last_position), (1, 1));
//!
//! // A retry of the same append is answered the same and records nothing.
//! assert_eq!(store.append(&ticket, ExpectedVersion::NoStream, vec![opened]).await?, outcome);
//!
//! let history = store.read_stream(&ticket, StreamRead::forwards(100)).await?;
//! let tickets = store.read_all(0, &Filter::category("ticket"), 100).await?;
//! assert_eq!(history, tickets);
//! assert!(store.verify().await?.is_intact());
//! # Ok(())
//! # }
//! ```
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

//! ## Design decisions
//!
//! * **Trait shape.** [`EventStore`] is object-safe and async, takes plain data and answers
//!   bounded pages, so a server backend (network round trips, server-side cursors) fits
//!   behind it. Subscriptions are a `Stream`; backends may use the generic
//!   [`Subscription::catch_up_then_live`], which needs only `read_all` and a head watch.
//! * **One writer thread, group commit** ([`sqlite`]). SQLite allows one writer at a time
//!   anyway; owning it in one thread turns contention into batching. Concurrent appends
//!   share one transaction and one fsync; each caller is answered after the commit.
//! * **Positions assigned by the writer in commit order**, published after the commit on a
//!   `watch` channel. Readers use WAL snapshots, so they always see a gap-free prefix.
//! * **Per-append failure isolation.** Expected versions are checked in memory before any
//!   insert; idempotency is enforced by the unique index on `event_id` with a savepoint per
//!   multi-event append, so a refused append never aborts its batch.
//! * **Two hash chains** ([`chain`]): the per-stream chain defined by the envelope, and a log
//!   chain over positions and recording times that detects removed streams and reordering.
//! * **Read before write on open** ([`sqlite::schema`]): the store's own format version
//!   (`PRAGMA user_version`) and identity are checked before anything is written; the payload
//!   schema version is recorded per event but never interpreted.
//! * **UUIDv7 event ids are recommended**: the idempotency index then grows at its end
//!   instead of dirtying a random page per event, roughly halving the WAL volume per commit.

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
pub use sqlite::{ReadOnlyStore, SqliteOptions, SqliteStore, StoreLock, WriterStats, verify_file};
pub use subscription::Subscription;
pub use verify::{Break, BreakKind, ChainVerifier, VerifyReport};
