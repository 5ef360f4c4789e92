//! Many writers at once, racing writers, and a verified log afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ticketflow_events::StreamId;

use super::{all_events, event, stream};
use crate::{EventStore, ExpectedVersion, StoreError};

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
