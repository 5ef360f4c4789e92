//! Folding the log into read models inside the command, for reports that must not depend on a
//! running server: the same folds the projection runner does, over a read-only view.

use std::sync::Arc;

use ticketflow_events::{AnyEvent, RecordedEvent};
use ticketflow_projections::ReadModel;
use ticketflow_store::{Filter, ReadOnlyStore};

use crate::progress::{Progress, Unwatched};

/// How many events one read asks for.
const PAGE: usize = 2_000;

/// What a fold went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Folded {
    /// The last position folded (the head when the fold started).
    pub head: u64,
    /// Events handed to the read models.
    pub events: u64,
    /// Events this build cannot decode (a newer schema); the write model skipped them too.
    pub unreadable: u64,
}

/// Hands one recorded event to every read model; false when its payload does not decode.
pub fn apply(models: &[Arc<dyn ReadModel>], event: &RecordedEvent) -> bool {
    match AnyEvent::from_recorded(event) {
        Ok(decoded) => {
            for model in models {
                model.apply(event, &decoded);
            }
            true
        }
        Err(_) => false,
    }
}

/// Folds every event of the log that passes `filter`, up to the head recorded when the fold
/// starts (one consistent prefix even while a server appends), showing progress.
pub fn fold_log(
    store: &ReadOnlyStore,
    filter: &Filter,
    models: &[Arc<dyn ReadModel>],
) -> anyhow::Result<Folded> {
    let head = store.head()?;
    let mut progress = Progress::new("reading", head, Unwatched::Quiet);
    let mut folded = Folded {
        head,
        ..Folded::default()
    };
    let mut from = 1;
    while from <= head {
        let page = store.read_all(from, filter, PAGE, head)?;
        let Some(last) = page.last() else {
            break;
        };
        from = last.global_position + 1;
        for event in &page {
            if apply(models, event) {
                folded.events += 1;
            } else {
                folded.unreadable += 1;
            }
        }
        progress.set(from - 1);
    }
    progress.finish();
    Ok(folded)
}
