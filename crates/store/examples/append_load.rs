//! A load generator for profiling appends: `WRITERS` concurrent writers append single
//! ~300-byte events for `SECONDS` and the achieved rate is printed.
//!
//! `cargo run -p ticketflow-store --profile bench --example append_load -- 64 5 [dir]`
//!
//! It first probes the disk's fdatasync latency in the same directory, so the append figures
//! can be read against what the disk allows at that moment (the machine may be shared).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{EventStore, ExpectedVersion, SqliteOptions, SqliteStore};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let writers: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir_in(args.get(3).map_or("/tmp", |s| s.as_str())).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let probe = fdatasync_probe(dir.path(), 300);
    println!(
        "disk: write 256 B + fdatasync p50 {:.0} µs, p90 {:.0} µs (300 rounds, same directory)",
        probe.0, probe.1
    );
    rt.block_on(async move {
        let store = SqliteStore::open(dir.path().join("load.db"), {
            let mut o = SqliteOptions::default();
            if let Some(v) = std::env::var("TF_INDEX").ok().and_then(|v| v.parse().ok()) { o.stream_index_every = v; }
            if let Some(v) = std::env::var("TF_CKPT").ok().and_then(|v| v.parse().ok()) { o.checkpoint_frames = v; }
            o
        }).unwrap();
        let done = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let store = store.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    let s = stream(&format!("ticket-SD-{}", w + 1));
                    while Instant::now() < deadline {
                        store
                            .append(&s, ExpectedVersion::Any, vec![{ let mut e = event("TicketNoted", &[0x5a; 300]); if std::env::var("V7").is_ok() { e.event_id = uuid::Uuid::now_v7(); } e }])
                            .await
                            .unwrap();
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let start = Instant::now();
        for t in tasks {
            t.await.unwrap();
        }
        let n = done.load(Ordering::Relaxed);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{writers} writers: {n} appends in {secs:.2} s = {:.0} events/s, {:.1} µs per append per writer",
            n as f64 / secs,
            secs * 1e6 * writers as f64 / n as f64
        );
        let st = store.writer_stats();
        println!(
            "  {} commits, {:.1} events/commit, per commit: {:.0} µs statements + {:.0} µs COMMIT",
            st.commits,
            st.events as f64 / st.commits.max(1) as f64,
            st.write_micros as f64 / st.commits.max(1) as f64,
            st.commit_micros as f64 / st.commits.max(1) as f64
        );
        println!(
            "  {} fdatasyncs of the WAL (syncer or inline), {:.0} µs each, {:.1} commits per fdatasync; {} checkpoints, {:.0} µs each",
            st.syncs,
            st.sync_micros as f64 / st.syncs.max(1) as f64,
            st.commits as f64 / st.syncs.max(1) as f64,
            st.checkpoints,
            st.checkpoint_micros as f64 / st.checkpoints.max(1) as f64
        );
        println!(
            "  {} background checkpoints, {:.0} µs each; {} bulk stream-index writes, {:.0} µs each",
            st.background_checkpoints,
            st.background_checkpoint_micros as f64 / st.background_checkpoints.max(1) as f64,
            st.index_writes,
            st.index_micros as f64 / st.index_writes.max(1) as f64
        );
        store.close().await;
    });
}

/// p50 and p90 of appending 256 bytes to a file and fdatasync-ing it, in µs: the disk's own
/// durable-write latency, to compare single-writer append latency with.
fn fdatasync_probe(dir: &std::path::Path, rounds: usize) -> (f64, f64) {
    let mut file = std::fs::File::create(dir.join("probe")).unwrap();
    let mut micros: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            file.write_all(&[7u8; 256]).unwrap();
            file.sync_data().unwrap();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    micros.sort_by(f64::total_cmp);
    (micros[rounds / 2], micros[rounds * 9 / 10])
}
