//! Long streams read in pieces: the SQLite store reads the first events of a stream on the
//! calling thread and the rest on the blocking pool, in two halves when it is long; small
//! reads of the log run on the calling thread too. Every combination of start, direction
//! and count must answer exactly what the in-memory store answers, with the stream spread
//! over the bulk-written index and the unindexed tail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ticketflow_events::RecordedEvent;
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    Direction, EventStore, ExpectedVersion, Filter, MemoryStore, SqliteOptions, SqliteStore,
    StreamRead,
};

fn key(v: &[RecordedEvent]) -> Vec<(u64, u64, [u8; 32])> {
    v.iter()
        .map(|e| (e.stream_version, e.global_position, e.hash.0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_streams_read_in_pieces_answer_like_memory() {
    for index_every in [7, 4096] {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions {
            stream_index_every: index_every,
            ..SqliteOptions::default()
        };
        let sqlite = SqliteStore::open(dir.path().join("long.db"), options).unwrap();
        let memory = MemoryStore::new();
        let long = stream("ticket-SD-1");
        let other = stream("ticket-SD-2");
        // 2,200 events (more than a split read needs) in appends of 1–7, interleaved with
        // another stream's events.
        let mut written = 0u8;
        while memory.stream_version(&long).await.unwrap().unwrap_or(0) < 2200 {
            let n = 1 + (written % 7) as usize;
            written = written.wrapping_add(1);
            for (id, n) in [(&long, n), (&other, 1)] {
                let events: Vec<_> = (0..n).map(|i| event("A", &[written, i as u8])).collect();
                let a = sqlite
                    .append(id, ExpectedVersion::Any, events.clone())
                    .await
                    .unwrap();
                let b = memory
                    .append(id, ExpectedVersion::Any, events)
                    .await
                    .unwrap();
                assert_eq!(a, b);
            }
        }
        let last = memory.stream_version(&long).await.unwrap().unwrap();
        assert_eq!(sqlite.stream_version(&long).await.unwrap(), Some(last));
        let froms = [
            0,
            1,
            2,
            32,
            33,
            128,
            129,
            150,
            1100,
            2047,
            2048,
            2049,
            last - 1,
            last,
            last + 1,
        ];
        let counts = [0, 1, 32, 33, 128, 129, 200, 2047, 2048, 2049, usize::MAX];
        for from in froms.into_iter().chain([StreamRead::LAST]) {
            for max_count in counts {
                for direction in [Direction::Forward, Direction::Backward] {
                    let read = StreamRead {
                        from,
                        direction,
                        max_count,
                    };
                    let x = sqlite.read_stream(&long, read).await.unwrap();
                    let y = memory.read_stream(&long, read).await.unwrap();
                    assert_eq!(key(&x), key(&y), "every {index_every}: {read:?}");
                }
            }
        }
        // Small reads of the log (on the calling thread) and large ones (in halves).
        let end = memory.last_position().await.unwrap();
        for from in [0, 1, 2, end / 2, end - 1, end, end + 1] {
            for max_count in [0, 1, 5, 32, 33, 128, 129, 2047, 2048, 5000] {
                let x = sqlite.read_all(from, &Filter::all(), max_count).await;
                let y = memory.read_all(from, &Filter::all(), max_count).await;
                assert_eq!(
                    key(&x.unwrap()),
                    key(&y.unwrap()),
                    "every {index_every}: read_all({from}, {max_count})"
                );
            }
        }
        sqlite.close().await;
    }
}
