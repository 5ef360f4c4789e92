//! Store benchmarks: durable append throughput with 1, 8 and 64 concurrent writers, the
//! disk's own fdatasync latency beside it, read-stream latency and read-all throughput.
//!
//! Run with `cargo bench -p ticketflow-store --bench store`; figures are recorded in
//! docs/performance.md. Files live in a temporary directory on the same disk as `/tmp`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore, StreamRead,
};

/// About the size of a real workflow event: ~300 bytes of payload.
const PAYLOAD: [u8; 300] = [0x5a; 300];

/// A ~300-byte event with a time-ordered (UUIDv7) id, as the engine generates them: ordered
/// ids keep the idempotency index append-only instead of touching a random page per event.
fn bench_event() -> ticketflow_events::NewEvent {
    let mut e = event("TicketNoted", &PAYLOAD);
    e.event_id = uuid::Uuid::now_v7();
    e
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn fdatasync(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut file = std::fs::File::create(dir.path().join("probe")).unwrap();
    let mut g = c.benchmark_group("disk");
    g.sample_size(50);
    g.bench_function("write_256B_fdatasync", |b| {
        b.iter(|| {
            file.write_all(&[7u8; 256]).unwrap();
            file.sync_data().unwrap();
        })
    });
    g.finish();
}

fn append(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("append");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(1));
    for writers in [1usize, 8, 64] {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::open(dir.path().join("bench.db"), SqliteOptions::default()).unwrap();
        let streams: Arc<Vec<_>> = Arc::new(
            (0..writers)
                .map(|w| stream(&format!("ticket-SD-{}", w + 1)))
                .collect(),
        );
        g.bench_with_input(
            BenchmarkId::new("writers", writers),
            &writers,
            |b, &writers| {
                b.to_async(&rt).iter_custom(|iters| {
                    let store = store.clone();
                    let streams = streams.clone();
                    async move {
                        let per_writer = iters.div_ceil(writers as u64);
                        let start = Instant::now();
                        let tasks: Vec<_> = (0..writers)
                            .map(|w| {
                                let store = store.clone();
                                let streams = streams.clone();
                                tokio::spawn(async move {
                                    for _ in 0..per_writer {
                                        store
                                            .append(
                                                &streams[w],
                                                ExpectedVersion::Any,
                                                vec![bench_event()],
                                            )
                                            .await
                                            .unwrap();
                                    }
                                })
                            })
                            .collect();
                        for t in tasks {
                            t.await.unwrap();
                        }
                        // Report per event actually written.
                        start
                            .elapsed()
                            .mul_f64(iters as f64 / (per_writer * writers as u64) as f64)
                    }
                })
            },
        );
        rt.block_on(store.close());
    }
    g.finish();
}

fn reads(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("reads.db"), SqliteOptions::default()).unwrap();
    const TOTAL: u64 = 200_000;
    rt.block_on(async {
        // 2,000 streams of 100 events each, written in big appends.
        for s in 0..(TOTAL / 100) {
            let events = (0..100).map(|_| bench_event()).collect();
            store
                .append(
                    &stream(&format!("ticket-SD-{}", s + 1)),
                    ExpectedVersion::NoStream,
                    events,
                )
                .await
                .unwrap();
        }
    });
    let mut g = c.benchmark_group("read");
    g.sample_size(30);
    let probe = stream("ticket-SD-1000");
    g.bench_function("stream_100_events", |b| {
        b.to_async(&rt).iter(|| async {
            let events = store
                .read_stream(&probe, StreamRead::forwards(1000))
                .await
                .unwrap();
            assert_eq!(events.len(), 100);
        })
    });
    g.throughput(Throughput::Elements(TOTAL));
    g.sample_size(10);
    g.bench_function("all_200k_events_pages_of_1000", |b| {
        b.to_async(&rt).iter(|| async {
            let mut from = 1;
            let mut n = 0;
            loop {
                let page = store.read_all(from, &Filter::all(), 1000).await.unwrap();
                let Some(last) = page.last() else { break };
                from = last.global_position + 1;
                n += page.len();
            }
            assert_eq!(n as u64, TOTAL);
        })
    });
    g.finish();
    rt.block_on(store.close());
}

/// The criterion group, in a module so its generated function can go without a doc comment.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, fdatasync, append, reads);
}
criterion_main!(group::benches);
