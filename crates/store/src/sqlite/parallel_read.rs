//! Where a read runs: small reads on the caller's thread, large ones in two halves on two
//! blocking threads.
//!
//! A read is a blocking SQLite call, so it normally runs on tokio's blocking pool. The hop
//! there and back costs two thread wake-ups, more CPU than reading a ticket of ten events,
//! and each wake-up is a chance to wait for a busy core; so reads of at most
//! [`INLINE_EVENTS`] events (~50 µs of work) run on the calling thread instead, which tokio
//! tolerates for that long. Larger reads hop, and once they are large enough the range is
//! split in two halves read in parallel, because decoding rows is their cost and it is
//! independent per row.
//!
//! Splitting is sound because what a reader may see is fixed in advance: positions up to
//! the durable head are gap-free and never change once written, and a stream's versions are
//! contiguous, so two halves cut at a known position or version return exactly what one
//! read would, whatever their SQLite snapshots. Should the first half come back short
//! anyway (a damaged file), only the events before the gap are returned: a read may return
//! fewer events than asked for, never skip any.

use ticketflow_events::{RecordedEvent, StreamId};

use super::stream_index::Entries;
use super::{SqliteStore, rows, stream_rows};
use crate::error::StoreResult;
use crate::read::{Direction, Filter, StreamRead};

/// Reads of at most this many events run on the calling thread.
pub(super) const INLINE_EVENTS: usize = 32;

/// Unfiltered reads of the log of at least this many events are decoded in two halves.
pub(super) const SPLIT_READ_EVENTS: u64 = 2048;

/// The rest of a stream read (after its first [`INLINE_EVENTS`]) is read in two halves when
/// it holds at least this many events (~150 µs of work, well above the cost of a hop).
pub(super) const SPLIT_STREAM_EVENTS: u64 = 96;

impl SqliteStore {
    /// Reads the durable range `from..=end` of the log in two halves, each on its own read
    /// connection and blocking thread, and joins them.
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
        join(first?, first_len, second)
    }

    /// Reads one stream up to the durable position `durable`, given its unindexed entries
    /// `tail` (read after `durable`, see [`super::stream_index`]).
    ///
    /// The first [`INLINE_EVENTS`] events are read on the calling thread, together with the
    /// stream's last durable version when more are wanted; a whole ticket usually ends
    /// there. The rest, a range of versions now known, is read on the blocking pool, in two
    /// halves when it is large.
    pub(super) async fn load_stream(
        &self,
        stream: StreamId,
        read: StreamRead,
        durable: u64,
        tail: Entries,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let first = StreamRead {
            max_count: read.max_count.min(INLINE_EVENTS),
            ..read
        };
        let (mut out, last_version) = self.inner.with_reader(|c| {
            let path = &self.inner.path;
            let out = stream_rows::read_stream(path, c, &stream, first, durable, &tail)?;
            if out.len() < first.max_count || out.len() == read.max_count {
                return Ok((out, None));
            }
            let tail_last = tail.last().map(|&(v, _)| v);
            let last = stream_rows::stream_version(path, c, &stream, durable, tail_last)?;
            Ok((out, last))
        })?;
        let (Some(last_version), Some(reached)) = (last_version, out.last()) else {
            return Ok(out);
        };
        let reached = reached.stream_version;
        let wanted = read.max_count - out.len();
        // The versions left in the read's direction, and where they start.
        let (next, left) = match read.direction {
            Direction::Forward => (reached + 1, last_version.saturating_sub(reached)),
            Direction::Backward => (reached.saturating_sub(1), reached.saturating_sub(1)),
        };
        let left = usize::try_from(left).unwrap_or(usize::MAX).min(wanted);
        if left == 0 {
            return Ok(out);
        }
        let rest = StreamRead {
            from: next,
            max_count: left,
            ..read
        };
        let more = if (left as u64) < SPLIT_STREAM_EVENTS {
            self.read(move |p, c| stream_rows::read_stream(p, c, &stream, rest, durable, &tail))
                .await?
        } else {
            self.stream_halves(stream, rest, durable, tail).await?
        };
        out.reserve_exact(more.len());
        out.extend(more);
        Ok(out)
    }

    /// Reads `rest.max_count` versions of a stream, all known to exist, from `rest.from` in
    /// two halves on two blocking threads.
    async fn stream_halves(
        &self,
        stream: StreamId,
        rest: StreamRead,
        durable: u64,
        tail: Entries,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let first_len = rest.max_count / 2;
        let step = first_len as u64;
        let second = StreamRead {
            from: match rest.direction {
                Direction::Forward => rest.from + step,
                Direction::Backward => rest.from - step,
            },
            max_count: rest.max_count - first_len,
            ..rest
        };
        let first = StreamRead {
            max_count: first_len,
            ..rest
        };
        let (stream2, tail2) = (stream.clone(), tail.clone());
        let (a, b) = tokio::join!(
            self.read(move |p, c| stream_rows::read_stream(p, c, &stream, first, durable, &tail)),
            self.read(move |p, c| stream_rows::read_stream(
                p, c, &stream2, second, durable, &tail2
            )),
        );
        join(a?, first_len, b)
    }
}

/// Joins two halves of a read; a short first half (a gap in a damaged file) ends the read.
fn join(
    mut first: Vec<RecordedEvent>,
    first_len: usize,
    second: StoreResult<Vec<RecordedEvent>>,
) -> StoreResult<Vec<RecordedEvent>> {
    if first.len() != first_len {
        return Ok(first);
    }
    first.extend(second?);
    Ok(first)
}
