//! Folding one recorded event into one read model, with failures turned into values.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use futures::StreamExt;
use ticketflow_events::{AnyEvent, RecordedEvent};
use ticketflow_projections::ReadModel;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use ticketflow_store::{EventStore, Filter, StoreResult};

use super::progress::ProjectionFailure;

/// Decodes `event` for the read models that need it.
pub(crate) fn decode(event: &RecordedEvent) -> Result<AnyEvent, ProjectionFailure> {
    AnyEvent::from_recorded(event).map_err(|e| ProjectionFailure::Undecodable {
        position: event.global_position,
        event_type: event.event_type.clone(),
        reason: e.to_string(),
    })
}

/// Applies a decoded event, turning a panic of the read model into a failure so that one
/// faulty read model cannot take the runner (and every other read model) down with it.
pub(crate) fn apply(
    model: &dyn ReadModel,
    envelope: &RecordedEvent,
    event: &AnyEvent,
) -> Result<(), ProjectionFailure> {
    catch_unwind(AssertUnwindSafe(|| model.apply(envelope, event))).map_err(|panic| {
        ProjectionFailure::Panicked {
            position: envelope.global_position,
            event_type: envelope.event_type.clone(),
            message: panic_message(panic.as_ref()),
        }
    })
}

/// Decodes and applies one event.
pub(crate) fn fold_one(
    model: &dyn ReadModel,
    event: &RecordedEvent,
) -> Result<(), ProjectionFailure> {
    let decoded = decode(event)?;
    apply(model, event, &decoded)
}

/// The text of a panic payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// A page of the log, read ahead of the folding.
pub(crate) type Page = StoreResult<Vec<RecordedEvent>>;

/// How many pages are read at once while catching up or rebuilding.
const READS_IN_FLIGHT: u64 = 2;

/// Reads the log from position `from` in pages, a few pages ahead of the consumer, until a
/// short page shows the end of the log was reached (or an error, which is passed on).
///
/// Reading is the expensive half of a rebuild (decoding rows on the store's side), so pages
/// are read [`READS_IN_FLIGHT`] at a time: global positions are gap-free, so the page after
/// one starting at `p` starts at `p + page_size`. Pages are handed on in order and reading
/// stops at the first short page — a later page may have been read after more events were
/// committed, and handing it on would skip the ones in between. Should a page ever start
/// past where it was asked to (a gap), nothing is lost: the next page was asked from right
/// after where the previous full page should have ended, and events already handed on are
/// dropped from it, so every event is handed on once, in order.
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
                async move { store.read_all(start, &Filter::all(), page_size).await }
            })
            .buffered(READS_IN_FLIGHT as usize);
        futures::pin_mut!(reads);
        let mut last_sent = 0;
        while let Some(page) = reads.next().await {
            let end = match &page {
                Ok(page) => page.len() < page_size,
                Err(_) => true,
            };
            let page = page.map(|mut page| {
                if page.first().is_some_and(|e| e.global_position <= last_sent) {
                    page.retain(|e| e.global_position > last_sent);
                }
                if let Some(last) = page.last() {
                    last_sent = last.global_position;
                }
                page
            });
            if tx.send(page).await.is_err() || end {
                break;
            }
        }
    });
    (rx, task.abort_handle())
}
