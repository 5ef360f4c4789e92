//! The [`EventStore`] trait: the one interface the engine, projections and tools use,
//! whatever the backend.
//!
//! It is shaped so that a server backend fits behind it: every operation is async and takes
//! owned or borrowed plain data (no open transactions or cursors cross the boundary), reads
//! are bounded pages, and a subscription is a stream that a backend may implement by polling,
//! by server push, or with the generic [`Subscription::catch_up_then_live`].

use async_trait::async_trait;
use ticketflow_events::{NewEvent, RecordedEvent, StreamId};

use crate::append::{AppendOutcome, ExpectedVersion};
use crate::error::StoreResult;
use crate::read::{Filter, StreamRead};
use crate::subscription::Subscription;
use crate::verify::VerifyReport;

/// An append-only, totally ordered log of event streams.
///
/// Guarantees every backend gives (and the [`crate::conformance`] suite checks):
/// * stream versions are contiguous from 1; global positions start at 1 and strictly increase
///   in commit order, and no reader or subscriber ever sees position N+1 before N;
/// * an append is atomic: all of its events become visible together, or none;
/// * an acknowledged append is durable (for persistent backends);
/// * the event id is the idempotency key (see [`crate::append`]).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends `events` to `stream` if the stream is at the `expected` version, answering the
    /// versions and positions they received. A wrong expected version fails only this append.
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> StoreResult<AppendOutcome>;

    /// Reads up to `read.max_count` events of one stream starting at version `read.from`
    /// (inclusive), forwards or backwards. A stream that does not exist reads as empty.
    async fn read_stream(
        &self,
        stream: &StreamId,
        read: StreamRead,
    ) -> StoreResult<Vec<RecordedEvent>>;

    /// The stream's last version, `None` when it does not exist.
    async fn stream_version(&self, stream: &StreamId) -> StoreResult<Option<u64>>;

    /// Reads up to `max_count` events of the whole log that pass `filter`, in position order,
    /// starting at global position `from` (inclusive; 0 and 1 both mean the beginning).
    async fn read_all(
        &self,
        from: u64,
        filter: &Filter,
        max_count: usize,
    ) -> StoreResult<Vec<RecordedEvent>>;

    /// The global position of the last committed event (0 for an empty log).
    async fn last_position(&self) -> StoreResult<u64>;

    /// Every event after global position `after` that passes `filter`: first the recorded
    /// ones (catch-up), then new ones as they are committed (live), with no gap and no
    /// duplicate at the switch. Pass the last position you processed as `after` (0 = from
    /// the beginning). A slow subscriber never slows down writers.
    fn subscribe_all(&self, after: u64, filter: Filter) -> Subscription;

    /// Walks the whole log and reports the first broken link of the hash chains, if any.
    async fn verify(&self) -> StoreResult<VerifyReport>;
}
