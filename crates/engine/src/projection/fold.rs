//! Folding one recorded event into one read model, with failures turned into values.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

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

/// Reads the log from position `from` in pages, one or two pages ahead of the consumer, until
/// a short page shows the end of the log was reached (or an error, which is passed on).
///
/// Reading runs on the store's side (SQLite reads on the blocking pool) while the consumer
/// decodes and applies the previous page, so on two cores both are busy.
pub(crate) fn read_ahead(
    store: Arc<dyn EventStore>,
    from: u64,
    page_size: usize,
) -> (mpsc::Receiver<Page>, AbortHandle) {
    let (tx, rx) = mpsc::channel(2);
    let page_size = page_size.max(1);
    let task = tokio::spawn(async move {
        let filter = Filter::all();
        let mut next = from.max(1);
        loop {
            match store.read_all(next, &filter, page_size).await {
                Ok(page) => {
                    let short = page.len() < page_size;
                    if let Some(last) = page.last() {
                        next = last.global_position + 1;
                    }
                    if tx.send(Ok(page)).await.is_err() || short {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    break;
                }
            }
        }
    });
    (rx, task.abort_handle())
}
