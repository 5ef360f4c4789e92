//! Large unfiltered reads of the log, decoded on two threads.

use ticketflow_events::RecordedEvent;

use super::{SqliteStore, rows};
use crate::error::StoreResult;
use crate::read::Filter;

/// Unfiltered reads of at least this many events are decoded in two halves on two threads.
pub(super) const SPLIT_READ_EVENTS: u64 = 2048;

impl SqliteStore {
    /// Reads the durable range `from..=end` of the log in two halves, each on its own read
    /// connection and blocking thread, and joins them.
    ///
    /// Decoding rows is the cost of a large read, and it is independent per row: two halves
    /// use two cores. This is sound because positions up to the durable head are gap-free and
    /// never change once written, so the second half starts exactly where the first ends and
    /// both halves see the same events whatever their snapshots. Should the first half come
    /// back short anyway (a damaged file with a gap), only it is returned: a read may return
    /// fewer events than asked for, never skip any.
    pub(super) async fn read_all_split(
        &self,
        from: u64,
        end: u64,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let mid = from + (end - from).div_ceil(2);
        let first_len = (mid - from) as usize;
        let second_len = (end - mid + 1) as usize;
        let all = Filter::all();
        let second_filter = all.clone();
        let (first, second) = tokio::join!(
            self.read(move |p, c| rows::read_all(p, c, from, &all, first_len, mid - 1)),
            self.read(move |p, c| rows::read_all(p, c, mid, &second_filter, second_len, end)),
        );
        let mut first = first?;
        if first.len() != first_len {
            return Ok(first);
        }
        first.extend(second?);
        Ok(first)
    }
}
