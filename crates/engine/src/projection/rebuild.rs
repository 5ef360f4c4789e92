//! Online rebuild: a fresh shadow copy folds the log from position 0 in the background while
//! the current copy keeps answering queries and following the log.
//!
//! When the shadow reaches the end of the log it hands itself to the runner's task
//! ([`Control::Adopt`]). That task — the only one applying events to current copies — folds
//! the few events that arrived since into the shadow, installs it in the read model's
//! [`ProjectionHandle`](super::ProjectionHandle) and writes its checkpoint, all between two
//! live events. So the swap happens at one exact position: the new copy has seen every event
//! up to it, and the runner continues with it from there.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ticketflow_store::EventStore;
use tokio::sync::{mpsc, oneshot};

use super::error::ProjectionError;
use super::fold::apply_decoding;
use super::handle::Shadow;
use super::pipeline::Control;
use super::progress::Status;
use super::read_ahead::read_ahead;

/// Where a finished (or failed) rebuild is reported.
pub(crate) type Done = oneshot::Sender<Result<u64, ProjectionError>>;

/// A running online rebuild, returned by [`super::ProjectionRunner::rebuild`].
#[derive(Debug)]
pub struct RebuildHandle {
    name: &'static str,
    done: oneshot::Receiver<Result<u64, ProjectionError>>,
}

impl RebuildHandle {
    pub(crate) fn new(
        name: &'static str,
        done: oneshot::Receiver<Result<u64, ProjectionError>>,
    ) -> Self {
        RebuildHandle { name, done }
    }

    /// The read model being rebuilt.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Waits until the rebuilt copy was swapped in and answers the position at which it took
    /// over, or why the rebuild stopped (the current copy then keeps serving).
    pub async fn finished(self) -> Result<u64, ProjectionError> {
        self.done
            .await
            .unwrap_or_else(|_| Err(ProjectionError::stopped()))
    }
}

/// Everything the background fold needs.
pub(crate) struct ShadowBuild {
    pub store: Arc<dyn EventStore>,
    pub shadow: Shadow,
    pub page_size: usize,
    pub status: Arc<Status>,
    pub index: usize,
    pub control: mpsc::UnboundedSender<Control>,
    pub done: Done,
}

/// Folds the whole log into the shadow, then asks the runner's task to adopt it.
pub(crate) async fn run(build: ShadowBuild) {
    let ShadowBuild {
        store,
        shadow,
        page_size,
        status,
        index,
        control,
        done,
    } = build;
    let (mut pages, reader) = read_ahead(store, 1, page_size);
    let mut position = 0;
    while let Some(page) = pages.recv().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let _ = control.send(Control::ShadowFailed {
                    index,
                    error: e.into(),
                    done,
                });
                return;
            }
        };
        let span = tracing::debug_span!(
            "projection_rebuild_batch",
            read_model = status.name,
            from = position + 1,
            events = page.len()
        );
        let _enter = span.enter();
        for event in &page {
            let envelope = &event.envelope;
            if let Err(failure) = apply_decoding(shadow.model.as_ref(), envelope, &event.decoding) {
                reader.abort();
                let _ = control.send(Control::ShadowFailed {
                    index,
                    error: ProjectionError::RebuildFailed {
                        name: status.name,
                        failure,
                    },
                    done,
                });
                return;
            }
            position = envelope.global_position;
        }
        status.shadow_position.store(position, Ordering::Release);
    }
    let _ = control.send(Control::Adopt {
        index,
        shadow,
        position,
        done,
    });
}
