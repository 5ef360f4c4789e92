//! Reading the log ahead of the folding while catching up or rebuilding, already decoded.

use std::sync::Arc;

use futures::StreamExt;
use ticketflow_events::RecordedEvent;
use ticketflow_store::{EventStore, Filter, StoreError, StoreResult};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::fold::{self, Decoding};

/// One event of a page read ahead: the envelope and its decoding.
pub(crate) struct PageEvent {
    pub envelope: RecordedEvent,
    pub decoding: Decoding,
}

/// A page of the log, read and decoded ahead of the folding.
pub(crate) type Page = StoreResult<Vec<PageEvent>>;

/// How many pages are read at once while catching up or rebuilding.
const READS_IN_FLIGHT: usize = 2;

/// Reads the log from position `from` in pages, a few pages ahead of the consumer, until a
/// short page shows the end of the log was reached (or an error, which is passed on).
///
/// Reading and decoding are the expensive part of a rebuild, so they run ahead of the fold:
/// [`READS_IN_FLIGHT`] pages are read at once (global positions are gap-free, so the page
/// after one starting at `p` starts at `p + page_size`), and each page is decoded — payload
/// and aggregate key, once for every read model — on a blocking thread as soon as it is read,
/// while the consumer folds the page before. Decoding every event is no waste: the reader
/// starts at the lowest position any read model needs, and a decoding nobody needs is
/// dropped unused.
///
/// Pages are handed on in order and reading stops at the first short page — a later page may
/// have been read after more events were committed, and handing it on would skip the ones in
/// between. Should a page ever start past where it was asked to (a gap), nothing is lost: the
/// next page was asked from right after where the previous full page should have ended, and
/// events already handed on are dropped from it, so every event is handed on once, in order.
pub(crate) fn read_ahead(
    store: Arc<dyn EventStore>,
    from: u64,
    page_size: usize,
) -> (mpsc::Receiver<Page>, AbortHandle) {
    let (tx, rx) = mpsc::channel(2);
    let page_size = page_size.max(1);
    let from = from.max(1);
    let task = tokio::spawn(async move {
        let reads = futures::stream::iter(0u64..)
            .map(|k| {
                let store = store.clone();
                let start = from.saturating_add(k.saturating_mul(page_size as u64));
                async move {
                    let page = store.read_all(start, &Filter::all(), page_size).await?;
                    let full = page.len() >= page_size;
                    let decoded = tokio::task::spawn_blocking(move || decode_page(page))
                        .await
                        .map_err(|e| StoreError::Closed {
                            reason: format!("decoding a page of the log stopped: {e}"),
                        })?;
                    Ok::<_, StoreError>((decoded, full))
                }
            })
            .buffered(READS_IN_FLIGHT);
        futures::pin_mut!(reads);
        let mut last_sent = 0;
        while let Some(read) = reads.next().await {
            let (page, end) = match read {
                Ok((mut page, full)) => {
                    if page
                        .first()
                        .is_some_and(|e| e.envelope.global_position <= last_sent)
                    {
                        page.retain(|e| e.envelope.global_position > last_sent);
                    }
                    if let Some(last) = page.last() {
                        last_sent = last.envelope.global_position;
                    }
                    (Ok(page), !full)
                }
                Err(e) => (Err(e), true),
            };
            if tx.send(page).await.is_err() || end {
                break;
            }
        }
    });
    (rx, task.abort_handle())
}

/// Decodes every event of a page.
fn decode_page(page: Vec<RecordedEvent>) -> Vec<PageEvent> {
    page.into_iter()
        .map(|envelope| PageEvent {
            decoding: fold::decode(&envelope),
            envelope,
        })
        .collect()
}
