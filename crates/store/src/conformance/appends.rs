//! Appends: positions, versions, expected-version rules, idempotency and refusals.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{all_events, event, stream};
use crate::{AppendOutcome, EventStore, ExpectedVersion, StoreError};
use ticketflow_events::RecordedEvent;

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
