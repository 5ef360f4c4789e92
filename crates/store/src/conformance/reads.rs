//! Reads: one stream both ways, the whole log with filters.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{event, stream};
use crate::{EventStore, ExpectedVersion, Filter, StreamRead};
use ticketflow_events::RecordedEvent;

/// Forwards and backwards from a version, bounded.
pub async fn read_stream_both_ways<S: EventStore>(store: S) {
    let s = stream("ticket-SD-7");
    for i in 0..10u8 {
        store
            .append(&s, ExpectedVersion::Any, vec![event("A", &[i])])
            .await
            .unwrap();
        store
            .append(
                &stream("ticket-SD-8"),
                ExpectedVersion::Any,
                vec![event("A", &[i])],
            )
            .await
            .unwrap();
    }
    let versions = |v: Vec<RecordedEvent>| v.iter().map(|e| e.stream_version).collect::<Vec<_>>();
    let all = store
        .read_stream(&s, StreamRead::forwards(100))
        .await
        .unwrap();
    assert_eq!(versions(all.clone()), (1..=10).collect::<Vec<_>>());
    assert!(all.iter().all(|e| e.stream_id == s));
    let read = |from, direction, max_count| StreamRead {
        from,
        direction,
        max_count,
    };
    use crate::Direction::{Backward, Forward};
    assert_eq!(
        versions(store.read_stream(&s, read(4, Forward, 3)).await.unwrap()),
        vec![4, 5, 6]
    );
    assert_eq!(
        versions(
            store
                .read_stream(&s, StreamRead::backwards(3))
                .await
                .unwrap()
        ),
        vec![10, 9, 8]
    );
    assert_eq!(
        versions(store.read_stream(&s, read(5, Backward, 2)).await.unwrap()),
        vec![5, 4]
    );
    assert_eq!(
        versions(store.read_stream(&s, read(11, Forward, 5)).await.unwrap()),
        Vec::<u64>::new()
    );
    assert_eq!(
        versions(store.read_stream(&s, read(0, Backward, 5)).await.unwrap()),
        Vec::<u64>::new()
    );
    assert_eq!(
        versions(store.read_stream(&s, read(30, Backward, 2)).await.unwrap()),
        vec![10, 9]
    );
    assert!(
        store
            .read_stream(&stream("ticket-SD-99"), StreamRead::forwards(5))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Read-all from a position, with category, type and stream filters.
pub async fn read_all_with_filters<S: EventStore>(store: S) {
    let t1 = stream("ticket-SD-10");
    let t2 = stream("ticket-SD-11");
    let o1 = stream("order-CO-10");
    store
        .append(
            &t1,
            ExpectedVersion::Any,
            vec![event("TicketOpened", b""), event("TicketClassified", b"")],
        )
        .await
        .unwrap();
    store
        .append(&o1, ExpectedVersion::Any, vec![event("OrderPlaced", b"")])
        .await
        .unwrap();
    store
        .append(&t2, ExpectedVersion::Any, vec![event("TicketOpened", b"")])
        .await
        .unwrap();
    store
        .append(&o1, ExpectedVersion::Any, vec![event("OrderApproved", b"")])
        .await
        .unwrap();
    store
        .append(&t1, ExpectedVersion::Any, vec![event("TicketClosed", b"")])
        .await
        .unwrap();
    let positions = |v: Vec<RecordedEvent>| v.iter().map(|e| e.global_position).collect::<Vec<_>>();
    assert_eq!(
        positions(store.read_all(0, &Filter::all(), 100).await.unwrap()),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        positions(store.read_all(3, &Filter::all(), 2).await.unwrap()),
        vec![3, 4]
    );
    assert_eq!(
        positions(store.read_all(7, &Filter::all(), 2).await.unwrap()),
        Vec::<u64>::new()
    );
    assert_eq!(
        positions(
            store
                .read_all(0, &Filter::category("ticket"), 100)
                .await
                .unwrap()
        ),
        vec![1, 2, 4, 6]
    );
    assert_eq!(
        positions(
            store
                .read_all(3, &Filter::category("order"), 100)
                .await
                .unwrap()
        ),
        vec![3, 5]
    );
    assert_eq!(
        positions(
            store
                .read_all(0, &Filter::category("tick"), 100)
                .await
                .unwrap()
        ),
        Vec::<u64>::new()
    );
    assert_eq!(
        positions(
            store
                .read_all(0, &Filter::event_type("TicketOpened"), 100)
                .await
                .unwrap()
        ),
        vec![1, 4]
    );
    assert_eq!(
        positions(
            store
                .read_all(0, &Filter::stream(t1.clone()), 100)
                .await
                .unwrap()
        ),
        vec![1, 2, 6]
    );
    assert_eq!(
        positions(
            store
                .read_all(2, &Filter::stream(t1.clone()), 1)
                .await
                .unwrap()
        ),
        vec![2]
    );
    assert_eq!(
        positions(
            store
                .read_all(0, &Filter::category("ticket"), 2)
                .await
                .unwrap()
        ),
        vec![1, 2]
    );
    let combined = Filter {
        categories: vec!["ticket".into(), "order".into()],
        event_types: vec![
            "TicketOpened".into(),
            "OrderApproved".into(),
            "TicketClosed".into(),
        ],
        streams: vec![t1.clone(), o1.clone()],
    };
    assert_eq!(
        positions(store.read_all(0, &combined, 100).await.unwrap()),
        vec![1, 5, 6]
    );
}
