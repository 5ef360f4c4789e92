//! Subscriptions: catch-up, switch-over to live, idle subscribers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures::StreamExt;
use ticketflow_events::RecordedEvent;

use super::{event, stream};
use crate::{EventStore, ExpectedVersion, Filter};

async fn collect<S: EventStore>(
    sub: &mut crate::Subscription,
    n: usize,
    _store: &S,
) -> Vec<RecordedEvent> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(20), sub.next())
            .await
            .expect("subscription stalled: an event never arrived")
            .expect("subscription ended early")
            .expect("subscription failed");
        out.push(next);
    }
    out
}

/// Catch-up then live, with appends racing the switch-over: no gap, no duplicate.
pub async fn subscription_switch_over<S: EventStore + Clone + 'static>(store: S) {
    let s = stream("ticket-SD-13");
    for i in 0..25u8 {
        store
            .append(&s, ExpectedVersion::Any, vec![event("A", &[i])])
            .await
            .unwrap();
    }
    let mut sub = store.subscribe_all(5, Filter::all());
    let mut filtered = store.subscribe_all(0, Filter::category("order"));
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..60u8 {
                let target = if i % 3 == 0 {
                    stream("order-CO-13")
                } else {
                    stream("ticket-SD-13")
                };
                store
                    .append(&target, ExpectedVersion::Any, vec![event("B", &[i])])
                    .await
                    .unwrap();
                if i % 7 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let got = collect(&mut sub, 80, &store).await;
    writer.await.unwrap();
    let positions: Vec<u64> = got.iter().map(|e| e.global_position).collect();
    assert_eq!(
        positions,
        (6..=85).collect::<Vec<_>>(),
        "gap or duplicate at the switch-over"
    );
    let orders = collect(&mut filtered, 20, &store).await;
    assert!(orders.iter().all(|e| e.stream_id.category() == "order"));
    assert!(
        orders
            .windows(2)
            .all(|w| w[0].global_position < w[1].global_position)
    );

    // A subscription from the head sees only what comes next.
    let head = store.last_position().await.unwrap();
    let mut live = store.subscribe_all(head, Filter::all());
    let r = store
        .append(&s, ExpectedVersion::Any, vec![event("C", b"")])
        .await
        .unwrap();
    let next = collect(&mut live, 1, &store).await;
    assert_eq!(next[0].global_position, r.first_position);
}

/// A subscriber that stops reading never holds up appends, and later resumes without gaps.
pub async fn slow_subscriber_does_not_block_writers<S: EventStore + Clone + 'static>(store: S) {
    let s = stream("ticket-SD-15");
    let mut idle = store.subscribe_all(0, Filter::all());
    store
        .append(&s, ExpectedVersion::Any, vec![event("A", b"")])
        .await
        .unwrap();
    assert_eq!(collect(&mut idle, 1, &store).await[0].global_position, 1);
    // The subscriber is now live and stops reading while 3,000 events are appended.
    tokio::time::timeout(Duration::from_secs(60), async {
        for i in 0..300u32 {
            let batch = (0..10).map(|_| event("B", &i.to_be_bytes())).collect();
            store.append(&s, ExpectedVersion::Any, batch).await.unwrap();
        }
    })
    .await
    .expect("appends stalled behind an idle subscriber");
    let rest = collect(&mut idle, 3000, &store).await;
    assert!(
        rest.iter()
            .enumerate()
            .all(|(i, e)| e.global_position == i as u64 + 2)
    );
}
