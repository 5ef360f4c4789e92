//! Subscriptions to the whole log: catch up, then follow live, without gap or duplicate.
//!
//! The generic implementation needs only two things from a backend: `read_all` and a
//! [`tokio::sync::watch`] channel carrying the last committed position, which the backend
//! publishes *after* each commit. The subscriber remembers the next position it wants and:
//!
//! 1. notes the published head `h`, then reads a page from the next position;
//! 2. if the page is full it continues right after the last event read; if it is short, every
//!    event up to `h` has been seen (each was committed before `h` was published, so the read
//!    saw it) and it continues after `max(last read, h)`;
//! 3. when it is past the head it waits for the watch to change.
//!
//! Because the next position only ever grows and every read is a consistent prefix of the
//! log, the switch from catch-up to live cannot skip or repeat an event. The watch keeps only
//! the newest value, so the writer never waits for a subscriber; a slow subscriber simply
//! reads bigger pages later.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use futures::stream::BoxStream;
use ticketflow_events::RecordedEvent;
use tokio::sync::watch;

use crate::error::{StoreError, StoreResult};
use crate::event_store::EventStore;
use crate::read::Filter;

/// How many events a subscriber reads per page while catching up.
pub const PAGE_SIZE: usize = 1000;

/// A stream of recorded events in global-position order; see [`EventStore::subscribe_all`].
///
/// It ends after yielding an error (e.g. the store was closed); subscribe again from the last
/// position processed to resume.
pub struct Subscription {
    inner: BoxStream<'static, StoreResult<RecordedEvent>>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Subscription")
    }
}

struct Follow<S> {
    store: S,
    head: watch::Receiver<u64>,
    filter: Filter,
    next: u64,
    buffer: VecDeque<RecordedEvent>,
    ended: bool,
}

impl Subscription {
    /// Wraps any stream of events, for backends with their own subscription mechanism.
    pub fn from_stream(inner: BoxStream<'static, StoreResult<RecordedEvent>>) -> Self {
        Subscription { inner }
    }

    /// The generic catch-up-then-live subscription over `store`, woken by `head`, which must
    /// carry the last committed position and be updated only after each commit.
    pub fn catch_up_then_live<S>(
        store: S,
        head: watch::Receiver<u64>,
        after: u64,
        filter: Filter,
    ) -> Self
    where
        S: EventStore + 'static,
    {
        let state = Follow {
            store,
            head,
            filter,
            next: after.saturating_add(1),
            buffer: VecDeque::new(),
            ended: false,
        };
        let inner = futures::stream::unfold(state, |mut st| async move {
            loop {
                if st.ended {
                    return None;
                }
                if let Some(e) = st.buffer.pop_front() {
                    return Some((Ok(e), st));
                }
                let head = *st.head.borrow_and_update();
                if st.next <= head {
                    match st.store.read_all(st.next, &st.filter, PAGE_SIZE).await {
                        Ok(page) => {
                            let full = page.len() >= PAGE_SIZE;
                            let last = page.last().map_or(0, |e| e.global_position);
                            st.next = if full { last + 1 } else { last.max(head) + 1 };
                            st.buffer.extend(page);
                        }
                        Err(e) => {
                            st.ended = true;
                            return Some((Err(e), st));
                        }
                    }
                } else if st.head.changed().await.is_err() {
                    st.ended = true;
                    let closed = StoreError::Closed {
                        reason: "the subscription's store was shut down".to_owned(),
                    };
                    return Some((Err(closed), st));
                }
            }
        });
        Subscription {
            inner: Box::pin(inner),
        }
    }

    /// The next event, `None` when the subscription ended.
    pub async fn next_event(&mut self) -> Option<StoreResult<RecordedEvent>> {
        futures::StreamExt::next(self).await
    }
}

impl Stream for Subscription {
    type Item = StoreResult<RecordedEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
