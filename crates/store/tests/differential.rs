//! The SQLite store and the in-memory store, driven with the same random operations
//! (appends with every kind of expected version, retries of earlier appends, reused ids,
//! reads), answer exactly the same and end with the same log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ticketflow_events::NewEvent;
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    AppendOutcome, Direction, EventStore, ExpectedVersion, Filter, MemoryStore, SqliteOptions,
    SqliteStore, StoreError, StreamRead,
};

/// Errors compared by kind and the facts they name, not by path.
fn shape(r: &Result<AppendOutcome, StoreError>) -> String {
    match r {
        Ok(o) => format!("{o:?}"),
        Err(StoreError::WrongExpectedVersion {
            expected, actual, ..
        }) => {
            format!("wrong {expected:?} {actual:?}")
        }
        Err(StoreError::IdempotencyConflict { event_id, .. }) => format!("conflict {event_id}"),
        Err(e) => format!("other {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_memory_answer_the_same() {
    for seed in 0..4u64 {
        let dir = tempfile::tempdir().unwrap();
        // Odd seeds write the stream index every few events, so reads span index and tail.
        let options = SqliteOptions {
            stream_index_every: if seed % 2 == 1 { 1 + seed } else { 4096 },
            ..SqliteOptions::default()
        };
        let sqlite = SqliteStore::open(dir.path().join("d.db"), options.clone()).unwrap();
        let memory = MemoryStore::new();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut sent: Vec<(String, Vec<NewEvent>)> = Vec::new();
        for step in 0..300 {
            let s = format!("ticket-SD-{}", rng.random_range(1..6));
            let id = stream(&s);
            let (target, events) = match rng.random_range(0..10) {
                // Retry an earlier append unchanged.
                0 | 1 if !sent.is_empty() => sent[rng.random_range(0..sent.len())].clone(),
                // Reuse one earlier id in a new append.
                2 if !sent.is_empty() => {
                    let old = &sent[rng.random_range(0..sent.len())].1;
                    (s.clone(), vec![old[0].clone(), event("B", b"new")])
                }
                _ => {
                    let n = rng.random_range(1..4);
                    (
                        s.clone(),
                        (0..n).map(|i| event("A", &[i, step as u8])).collect(),
                    )
                }
            };
            let target_id = stream(&target);
            let current = memory
                .stream_version(&target_id)
                .await
                .unwrap()
                .unwrap_or(0);
            let expected = match rng.random_range(0..4) {
                0 => ExpectedVersion::Any,
                1 => ExpectedVersion::NoStream,
                2 => ExpectedVersion::Exact(current),
                _ => ExpectedVersion::Exact(current + rng.random_range(0..2) + 1),
            };
            let a = sqlite.append(&target_id, expected, events.clone()).await;
            let b = memory.append(&target_id, expected, events.clone()).await;
            assert_eq!(
                shape(&a),
                shape(&b),
                "seed {seed} step {step}: {expected:?} on {target}"
            );
            if a.is_ok() {
                sent.push((target, events));
            }
            if step % 50 == 0 {
                let read = StreamRead {
                    from: StreamRead::LAST,
                    direction: Direction::Backward,
                    max_count: 3,
                };
                let x = sqlite.read_stream(&id, read).await.unwrap();
                let y = memory.read_stream(&id, read).await.unwrap();
                let key = |v: &Vec<ticketflow_events::RecordedEvent>| {
                    v.iter()
                        .map(|e| (e.event_id, e.stream_version, e.global_position, e.hash))
                        .collect::<Vec<_>>()
                };
                assert_eq!(key(&x), key(&y));
                for _ in 0..6 {
                    let read = StreamRead {
                        from: rng.random_range(0..12),
                        direction: if rng.random_bool(0.5) {
                            Direction::Forward
                        } else {
                            Direction::Backward
                        },
                        max_count: rng.random_range(0..8),
                    };
                    let x = sqlite.read_stream(&id, read).await.unwrap();
                    let y = memory.read_stream(&id, read).await.unwrap();
                    assert_eq!(key(&x), key(&y), "seed {seed} step {step}: {read:?}");
                }
            }
        }
        let x = sqlite
            .read_all(0, &Filter::all(), usize::MAX)
            .await
            .unwrap();
        let y = memory
            .read_all(0, &Filter::all(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(x.len(), y.len());
        for (a, b) in x.iter().zip(&y) {
            assert_eq!(
                (
                    &a.stream_id,
                    a.stream_version,
                    a.global_position,
                    a.event_id,
                    a.hash,
                    a.prev_hash
                ),
                (
                    &b.stream_id,
                    b.stream_version,
                    b.global_position,
                    b.event_id,
                    b.hash,
                    b.prev_hash
                )
            );
        }
        assert!(sqlite.verify().await.unwrap().is_intact());
        sqlite.close().await;
        drop(sqlite);
        // Reopened (tail rebuilt from the file), every stream reads the same both ways.
        let sqlite = SqliteStore::open(dir.path().join("d.db"), options).unwrap();
        for n in 1..6 {
            let id = stream(&format!("ticket-SD-{n}"));
            for read in [
                StreamRead::forwards(usize::MAX),
                StreamRead::backwards(usize::MAX),
            ] {
                let x = sqlite.read_stream(&id, read).await.unwrap();
                let y = memory.read_stream(&id, read).await.unwrap();
                let key = |v: &Vec<ticketflow_events::RecordedEvent>| {
                    v.iter()
                        .map(|e| (e.event_id, e.stream_version, e.global_position, e.hash))
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    key(&x),
                    key(&y),
                    "seed {seed} after reopening: {read:?} of {id}"
                );
            }
            assert_eq!(
                sqlite.stream_version(&id).await.unwrap(),
                memory.stream_version(&id).await.unwrap()
            );
        }
        sqlite.close().await;
    }
}
