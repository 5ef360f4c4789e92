//! The conformance suite every [`EventStore`] backend must pass.
//!
//! A backend's test calls [`run_all`] with a factory that makes a fresh, empty store (or
//! calls the checks one by one to see them as separate tests):
//!
//! ```no_run
//! # async fn demo() {
//! ticketflow_store::conformance::run_all(|| async { ticketflow_store::MemoryStore::new() }).await;
//! # }
//! ```
//!
//! The checks panic with a message on the first violation, like any test assertion. They
//! cover positions, versions, expected-version rules, idempotency, stream and log reads with
//! filters, subscription switch-over, slow subscribers and concurrent writers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use ticketflow_events::{NewEvent, RecordedEvent, StreamId};
use uuid::Uuid;

use crate::{AppendOutcome, EventStore, ExpectedVersion, Filter, StoreError, StreamRead};

/// A test event of `event_type` with a fresh id and `payload`.
pub fn event(event_type: &str, payload: &[u8]) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        occurred_at: chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default(),
        actor: "agent:conformance".to_owned(),
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        payload: payload.to_vec(),
    }
}

/// A stream id from text (panics on invalid ids: test input only).
pub fn stream(id: &str) -> StreamId {
    id.parse().unwrap()
}

/// Runs every check, each on a fresh store from `factory`.
pub async fn run_all<S, F, Fut>(factory: F)
where
    S: EventStore + Clone + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    positions_and_versions(factory().await).await;
    expected_version_rules(factory().await).await;
    idempotent_retry(factory().await).await;
    read_stream_both_ways(factory().await).await;
    read_all_with_filters(factory().await).await;
    refuses_bad_appends(factory().await).await;
    subscription_switch_over(factory().await).await;
    slow_subscriber_does_not_block_writers(factory().await).await;
    concurrent_writers(factory().await).await;
    concurrent_conflicts(factory().await).await;
    verify_intact_log(factory().await).await;
}

async fn all_events<S: EventStore>(store: &S) -> Vec<RecordedEvent> {
    store.read_all(0, &Filter::all(), usize::MAX).await.unwrap()
}

/// Versions are contiguous per stream, positions global and gap-free, and the answer of an
/// append names both ranges.
pub async fn positions_and_versions<S: EventStore>(store: S) {
    assert_eq!(store.last_position().await.unwrap(), 0);
    let a = stream("ticket-SD-1");
    let b = stream("order-CO-1");
    let r1 = store
        .append(
            &a,
            ExpectedVersion::Any,
            vec![event("TicketOpened", b"1"), event("TicketClassified", b"2")],
        )
        .await
        .unwrap();
    assert_eq!(
        r1,
        AppendOutcome {
            first_version: 1,
            last_version: 2,
            first_position: 1,
            last_position: 2
        }
    );
    let r2 = store
        .append(&b, ExpectedVersion::Any, vec![event("OrderPlaced", b"3")])
        .await
        .unwrap();
    assert_eq!(
        r2,
        AppendOutcome {
            first_version: 1,
            last_version: 1,
            first_position: 3,
            last_position: 3
        }
    );
    let r3 = store
        .append(
            &a,
            ExpectedVersion::Any,
            vec![event("TicketResolved", b"4")],
        )
        .await
        .unwrap();
    assert_eq!(
        r3,
        AppendOutcome {
            first_version: 3,
            last_version: 3,
            first_position: 4,
            last_position: 4
        }
    );
    assert_eq!(store.last_position().await.unwrap(), 4);
    assert_eq!(store.stream_version(&a).await.unwrap(), Some(3));
    assert_eq!(store.stream_version(&b).await.unwrap(), Some(1));
    assert_eq!(
        store.stream_version(&stream("ticket-SD-9")).await.unwrap(),
        None
    );
    let all = all_events(&store).await;
    let positions: Vec<u64> = all.iter().map(|e| e.global_position).collect();
    assert_eq!(positions, vec![1, 2, 3, 4]);
    let versions: Vec<(String, u64)> = all
        .iter()
        .map(|e| (e.stream_id.to_string(), e.stream_version))
        .collect();
    assert_eq!(
        versions,
        vec![
            ("ticket-SD-1".to_owned(), 1),
            ("ticket-SD-1".to_owned(), 2),
            ("order-CO-1".to_owned(), 1),
            ("ticket-SD-1".to_owned(), 3)
        ]
    );
    // The stream chain links each event to its predecessor in the stream.
    assert_eq!(all[1].prev_hash, all[0].hash);
    assert_eq!(all[3].prev_hash, all[1].hash);
    assert!(all.iter().all(RecordedEvent::hash_is_valid));
    assert_eq!(all[2].payload, b"3");
    assert_eq!(all[0].event_type, "TicketOpened");
}

/// Any / NoStream / Exact, and a mismatch fails only that append, naming both versions.
pub async fn expected_version_rules<S: EventStore>(store: S) {
    let s = stream("ticket-SD-2");
    store
        .append(&s, ExpectedVersion::NoStream, vec![event("A", b"")])
        .await
        .unwrap();
    match store
        .append(&s, ExpectedVersion::NoStream, vec![event("A", b"")])
        .await
    {
        Err(StoreError::WrongExpectedVersion {
            expected, actual, ..
        }) => {
            assert_eq!(expected, ExpectedVersion::NoStream);
            assert_eq!(actual, Some(1));
        }
        other => panic!("NoStream on an existing stream must fail, got {other:?}"),
    }
    store
        .append(&s, ExpectedVersion::Exact(1), vec![event("A", b"")])
        .await
        .unwrap();
    let err = store
        .append(&s, ExpectedVersion::Exact(7), vec![event("A", b"")])
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("version 7") && text.contains("version 2"),
        "{text}"
    );
    assert!(err.is_caller_error());
    match store
        .append(
            &stream("ticket-SD-3"),
            ExpectedVersion::Exact(3),
            vec![event("A", b"")],
        )
        .await
    {
        Err(StoreError::WrongExpectedVersion { actual: None, .. }) => {}
        other => panic!("Exact(3) on a missing stream must fail with actual None, got {other:?}"),
    }
    store
        .append(
            &stream("ticket-SD-4"),
            ExpectedVersion::Exact(0),
            vec![event("A", b"")],
        )
        .await
        .unwrap();
    store
        .append(&s, ExpectedVersion::Any, vec![event("A", b"")])
        .await
        .unwrap();
    assert_eq!(store.stream_version(&s).await.unwrap(), Some(3));
    assert_eq!(
        store.stream_version(&stream("ticket-SD-3")).await.unwrap(),
        None
    );
    // Failed appends left nothing behind: positions are still gap-free.
    let positions: Vec<u64> = all_events(&store)
        .await
        .iter()
        .map(|e| e.global_position)
        .collect();
    assert_eq!(positions, vec![1, 2, 3, 4]);
}

/// The same append twice is recorded once and answered the same; reusing ids otherwise is
/// refused.
pub async fn idempotent_retry<S: EventStore>(store: S) {
    let s = stream("ticket-SD-5");
    store
        .append(&s, ExpectedVersion::Any, vec![event("A", b"x")])
        .await
        .unwrap();
    let batch = vec![event("B", b"1"), event("C", b"2")];
    let first = store
        .append(&s, ExpectedVersion::Exact(1), batch.clone())
        .await
        .unwrap();
    let again = store
        .append(&s, ExpectedVersion::Exact(1), batch.clone())
        .await
        .unwrap();
    assert_eq!(first, again, "a retry must be answered the same");
    let with_any = store
        .append(&s, ExpectedVersion::Any, batch.clone())
        .await
        .unwrap();
    assert_eq!(first, with_any);
    assert_eq!(store.last_position().await.unwrap(), 3);
    assert_eq!(store.stream_version(&s).await.unwrap(), Some(3));

    let mut altered = batch.clone();
    altered[1].payload = b"changed".to_vec();
    assert!(matches!(
        store.append(&s, ExpectedVersion::Any, altered).await,
        Err(StoreError::IdempotencyConflict { .. })
    ));
    assert!(matches!(
        store
            .append(&stream("ticket-SD-6"), ExpectedVersion::Any, batch.clone())
            .await,
        Err(StoreError::IdempotencyConflict { .. })
    ));
    let partial = vec![batch[0].clone(), event("D", b"3")];
    assert!(matches!(
        store.append(&s, ExpectedVersion::Any, partial).await,
        Err(StoreError::IdempotencyConflict { .. })
    ));
    assert_eq!(store.last_position().await.unwrap(), 3);

    // Concurrent retries of one append (e.g. two gateways) are also recorded once.
    let twice = vec![event("E", b"4")];
    let (x, y) = futures::join!(
        store.append(&s, ExpectedVersion::Any, twice.clone()),
        store.append(&s, ExpectedVersion::Any, twice.clone())
    );
    assert_eq!(x.unwrap(), y.unwrap());
    assert_eq!(store.last_position().await.unwrap(), 4);
}

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

/// Empty appends, repeated ids and oversized events are refused and change nothing.
pub async fn refuses_bad_appends<S: EventStore>(store: S) {
    let s = stream("ticket-SD-12");
    assert!(matches!(
        store.append(&s, ExpectedVersion::Any, vec![]).await,
        Err(StoreError::EmptyAppend { .. })
    ));
    let e = event("A", b"");
    assert!(matches!(
        store
            .append(&s, ExpectedVersion::Any, vec![e.clone(), e])
            .await,
        Err(StoreError::DuplicateIdInAppend { .. })
    ));
    let huge = event(
        "A",
        &vec![0u8; crate::AppendLimits::default().max_event_bytes + 1],
    );
    let err = store
        .append(&s, ExpectedVersion::Any, vec![huge])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::EventTooLarge { .. }), "{err}");
    assert!(err.to_string().contains("limit"), "{err}");
    assert_eq!(store.last_position().await.unwrap(), 0);
    assert_eq!(store.stream_version(&s).await.unwrap(), None);
}

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

/// Many writers at once: every append lands, versions contiguous, positions gap-free.
pub async fn concurrent_writers<S: EventStore + Clone + 'static>(store: S) {
    let writers = 16;
    let appends = 20;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let own = stream(&format!("ticket-SD-{}", 100 + w));
            let mut outcomes = Vec::new();
            for i in 0..appends {
                let r = store
                    .append(
                        &own,
                        ExpectedVersion::Exact(i * 2),
                        vec![event("A", b"a"), event("B", b"b")],
                    )
                    .await
                    .unwrap();
                assert_eq!(r.first_version, i * 2 + 1);
                assert_eq!(
                    r.last_position,
                    r.first_position + 1,
                    "one append's positions are contiguous"
                );
                outcomes.push(r);
                store
                    .append(
                        &stream("order-CO-1"),
                        ExpectedVersion::Any,
                        vec![event("S", b"s")],
                    )
                    .await
                    .unwrap();
            }
            outcomes
        }));
    }
    let mut acknowledged = HashSet::new();
    for t in tasks {
        for o in t.await.unwrap() {
            acknowledged.insert(o.first_position);
        }
    }
    let all = all_events(&store).await;
    let total = (writers * appends * 3) as usize;
    assert_eq!(all.len(), total);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(
            e.global_position,
            i as u64 + 1,
            "positions must be gap-free"
        );
    }
    let mut versions: HashMap<&StreamId, u64> = HashMap::new();
    for e in &all {
        let v = versions.entry(&e.stream_id).or_default();
        *v += 1;
        assert_eq!(
            e.stream_version, *v,
            "versions must be contiguous in {}",
            e.stream_id
        );
    }
    assert!(
        acknowledged
            .iter()
            .all(|p| all[(*p - 1) as usize].event_type == "A")
    );
    assert_eq!(
        store.stream_version(&stream("order-CO-1")).await.unwrap(),
        Some(writers * appends)
    );
}

/// Writers racing for the same version: exactly one wins, the others get the conflict.
pub async fn concurrent_conflicts<S: EventStore + Clone + 'static>(store: S) {
    let s = Arc::new(stream("ticket-SD-14"));
    let results = futures::future::join_all((0..8).map(|_| {
        let store = store.clone();
        let s = s.clone();
        async move {
            store
                .append(&s, ExpectedVersion::NoStream, vec![event("A", b"")])
                .await
        }
    }))
    .await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "exactly one NoStream append may win");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                r,
                StoreError::WrongExpectedVersion {
                    actual: Some(1),
                    ..
                }
            ),
            "{r}"
        );
    }
    assert_eq!(store.last_position().await.unwrap(), 1);
}

/// A log written through the trait verifies intact, and the report names its head.
pub async fn verify_intact_log<S: EventStore>(store: S) {
    let empty = store.verify().await.unwrap();
    assert!(empty.is_intact(), "{:?}", empty.first_break);
    assert_eq!(empty.head_position, 0);
    for i in 0..30u8 {
        let s = stream(&format!("ticket-SD-{}", 200 + i % 4));
        store
            .append(
                &s,
                ExpectedVersion::Any,
                vec![event("A", &[i]), event("B", &[i])],
            )
            .await
            .unwrap();
    }
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.first_break);
    assert_eq!(report.events_checked, 60);
    assert_eq!(report.streams, 4);
    assert_eq!(report.head_position, 60);
}
