//! The contract between a read model and the projection runner.

use ticketflow_events::{AnyEvent, RecordedEvent};

/// A snapshot could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Serialising the read model failed.
    #[error("could not write the snapshot of read model `{name}`: {reason}")]
    Write {
        /// The read model.
        name: &'static str,
        /// What the encoder said.
        reason: String,
    },
    /// The snapshot bytes are not a snapshot of this read model at this version.
    #[error("the snapshot of read model `{name}` is unreadable ({reason}); rebuild it from the log")]
    Read {
        /// The read model.
        name: &'static str,
        /// What the decoder said.
        reason: String,
    },
}

/// A read model: a named, versioned fold over the recorded events of the whole log.
///
/// The runner decodes every event once and hands both the envelope (positions, times, actor)
/// and the decoded payload to every read model. Methods take `&self`: read models use
/// interior mutability (concurrent maps) so that queries can be answered while the runner
/// applies events. Applying must be deterministic — the same events in the same order give
/// the same state — which is what makes "rebuild from scratch equals incremental" hold.
pub trait ReadModel: Send + Sync + 'static {
    /// A stable name, used for checkpoints, snapshots and operators' commands
    /// (e.g. `ticket-overview`).
    fn name(&self) -> &'static str;

    /// The version of the fold. Bump it whenever `apply` changes meaning: the runner then
    /// rebuilds the read model from position 0.
    fn version(&self) -> u32;

    /// Folds one recorded event in. Events arrive in global-position order, each exactly once.
    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent);

    /// Serialises the whole state (MessagePack) for a snapshot.
    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError>;

    /// Replaces the state with a snapshot written by the same name and version.
    fn restore(&self, snapshot: &[u8]) -> Result<(), SnapshotError>;
}
