//! Folding a big page of the log on both cores while catching up or rebuilding.

use std::cmp::Reverse;
use std::time::Instant;

use parking_lot::Mutex;

use super::pipeline::Entry;
use super::read_ahead::PageEvent;

/// Folds `page` into every read model, the read models shared out between this thread and one
/// more: each thread takes the next read model not yet taken and folds the whole page into
/// it, so a read model sees the page's events in order, on one thread, exactly once.
///
/// Read models differ a lot in cost (the notifications outbox costs several times what the
/// order board does), so a fixed split leaves one core idle while the other finishes. They
/// are handed out costliest first, by how long each took on the previous big page, which is
/// the classic longest-first schedule: with eight read models on two cores, both finish
/// within about one small read model of each other.
pub(super) fn fold_page(entries: &mut [Entry], page: &[PageEvent]) {
    let mut queue: Vec<&mut Entry> = entries.iter_mut().collect();
    queue.sort_by_key(|entry| Reverse(entry.page_cost));
    let queue = Mutex::new(queue.into_iter());
    let work = || {
        loop {
            let Some(entry) = queue.lock().next() else {
                break;
            };
            let started = Instant::now();
            for event in page {
                entry.fold(&event.envelope, &event.decoding);
            }
            entry.page_cost = started.elapsed();
        }
    };
    std::thread::scope(|scope| {
        scope.spawn(work);
        work();
    });
}
