//! Where a read runs: small reads on the caller's thread, large ones in two halves on two
//! blocking threads.
//!
//! A read is a blocking SQLite call, so it normally runs on tokio's blocking pool. The hop
//! there and back costs two thread wake-ups — measured at ~70 µs of CPU per read on this
//! virtual machine (a 100-event ticket load took 185 µs of CPU through the pool and 115 µs
//! on the calling thread) — and each wake-up is a chance to wait for a busy core; so reads
//! of at most [`INLINE_EVENTS`] events run on the calling thread instead. That is up to
//! ~130 µs of work (~1 µs per warm row), at the edge of what tokio asks of a task between
//! two awaits, and still less than the hop would add. Larger reads hop, and once they are
//! large enough the range is split in two halves read in parallel, because decoding rows
//! is their cost and it is independent per row. The size of a read is known before it
//! starts: for the log from the durable head, for a stream from its last durable version
//! (the unindexed tail's last entry, else one index lookup). A read is never started inline
//! and finished elsewhere: two threads and connections touching the same pages cost more
//! CPU than the hop saves.
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

/// Reads of at most this many events run on the calling thread: a whole ticket, nearly
/// always (32 before the query plans were fixed, when each read also paid a ~28 µs
/// recompile; docs/performance.md, "Session 11").
pub(super) const INLINE_EVENTS: usize = 128;

/// Unfiltered reads of the log of at least this many events are decoded in two halves.
pub(super) const SPLIT_READ_EVENTS: u64 = 2048;

/// Stream reads of at least this many events (~0.4 ms of work) are read in two halves on
/// two threads. Against one hop, loads of 1,000 events had a lower p50 in 7 of 10
/// alternating pairs on the shared two-core machine and about the same CPU per load
/// (docs/performance.md, "Read path"); below this the hop and the second connection eat
/// what the second core saves.
pub(super) const SPLIT_STREAM_EVENTS: u64 = 256;

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
    /// The stream's last durable version (the tail's last entry, or one index lookup on the
    /// calling thread) says how many events the read returns. A read of at most
    /// [`INLINE_EVENTS`] — a whole ticket, usually — then runs on the calling thread; a
    /// larger one hops to the blocking pool, in two halves from [`SPLIT_STREAM_EVENTS`].
    pub(super) async fn load_stream(
        &self,
        stream: StreamId,
        read: StreamRead,
        durable: u64,
        tail: Entries,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let path = &self.inner.path;
        let tail_last = tail.last().map(|&(v, _)| v);
        // A forward read of an indexed stream: its first entries say whether it is small,
        // so a ticket is read with two statements instead of asking for its version first.
        if tail_last.is_none() && read.direction == Direction::Forward {
            let small = self.inner.with_reader(|c| {
                stream_rows::read_if_small(path, c, &stream, read, durable, INLINE_EVENTS)
            })?;
            if let Some(events) = small {
                return Ok(events);
            }
        }
        let last = match tail_last {
            Some(_) => tail_last,
            None => self
                .inner
                .with_reader(|c| stream_rows::stream_version(path, c, &stream, durable, None))?,
        };
        // The first version the read returns and how many it returns.
        let (start, count) = match (last, read.direction) {
            (None, _) => return Ok(Vec::new()),
            (Some(last), Direction::Forward) => {
                let start = read.from.max(1);
                (start, (last + 1).saturating_sub(start))
            }
            (Some(last), Direction::Backward) => {
                let start = read.from.min(last);
                (start, start)
            }
        };
        let count = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(read.max_count);
        // Asking for exactly what is there returns the same events and sizes the result
        // right (a `forwards(1000)` of a ten-event ticket would reserve 250 KB).
        let read = StreamRead {
            max_count: count,
            ..read
        };
        if count <= INLINE_EVENTS {
            return self
                .inner
                .with_reader(|c| stream_rows::read_stream(path, c, &stream, read, durable, &tail));
        }
        if (count as u64) < SPLIT_STREAM_EVENTS {
            return self
                .read(move |p, c| stream_rows::read_stream(p, c, &stream, read, durable, &tail))
                .await;
        }
        let exact = StreamRead {
            from: start,
            ..read
        };
        self.stream_halves(stream, exact, durable, tail).await
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
