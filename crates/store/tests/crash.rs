//! Durability, proven: a real child process appends with many concurrent writers and is
//! killed with SIGKILL at random moments; after every kill the store is reopened and checked.
//!
//! The child is this test binary re-executed with [`CHILD_ENV`] set: it runs the
//! `crash_child` test, which appends forever and prints `ACK ...` for each append *after*
//! `append` returned (flushed, one write per line). The parent only counts complete lines.
//!
//! After each kill the parent checks:
//! * every acknowledged append is there, at the positions and versions it was answered;
//! * nothing unacknowledged is half-visible: every append in the log is complete (all of its
//!   events, which share a correlation id and carry the append's size);
//! * versions are contiguous and positions gap-free, and both hash chains verify.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acks;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use acks::{Ack, parse};
use rand::Rng;
use ticketflow_events::StreamId;
use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore};
use uuid::Uuid;

const CHILD_ENV: &str = "TICKETFLOW_STORE_CRASH_CHILD";
const WRITERS: usize = 32;
const ROUNDS: usize = 24;

/// Entry point of the child process; a no-op in a normal test run.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        // Small intervals: bulk stream-index writes, background checkpoints and WAL restarts
        // happen many times in every round, so a kill lands in the middle of them too.
        let options = SqliteOptions {
            stream_index_every: 50,
            checkpoint_frames: 64,
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open(&path, options).unwrap();
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            let store = store.clone();
            tasks.push(tokio::spawn(async move { child_writer(store, w).await }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
}

async fn child_writer(store: SqliteStore, w: usize) {
    let own = stream(&format!("ticket-SD-{}", w + 1));
    let mut version = store.stream_version(&own).await.unwrap().unwrap_or(0);
    let mut n: u64 = 0;
    loop {
        n += 1;
        let size = (n % 4 + 1) as u8;
        let shared = n.is_multiple_of(3);
        let (target, expected) = if shared {
            (
                stream(&format!("order-CO-{}", n % 5 + 1)),
                ExpectedVersion::Any,
            )
        } else {
            (own.clone(), ExpectedVersion::Exact(version))
        };
        let correlation = Uuid::new_v4();
        let events = (0..size)
            .map(|i| {
                let mut e = event("TicketNoted", &[size; 300]);
                e.correlation_id = correlation;
                e.payload[1] = i;
                e
            })
            .collect();
        let o = store.append(&target, expected, events).await.unwrap();
        if !shared {
            version = o.last_version;
        }
        acks::acknowledge(correlation, &target, &o);
    }
}

/// Runs the child until a random moment, SIGKILLs it and answers its complete ACK lines.
fn run_and_kill(path: &std::path::Path, millis: u64) -> Vec<(Uuid, Ack)> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut acks = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                // A line cut by the kill has no newline: not acknowledged as far as we know.
                Ok(_) if line.last() != Some(&b'\n') => break,
                Ok(_) => {
                    if let Some(ack) = std::str::from_utf8(&line).ok().and_then(parse) {
                        acks.push(ack);
                    }
                }
            }
        }
        acks
    });
    std::thread::sleep(Duration::from_millis(millis));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut acked: HashMap<Uuid, Ack> = HashMap::new();
    let mut rng = rand::rng();
    let mut checked_up_to = 0;
    for round in 0..ROUNDS {
        let millis = rng.random_range(50..450);
        let acks = run_and_kill(&path, millis);
        let fresh = acks.len();
        for (c, a) in acks {
            assert!(
                acked.insert(c, a).is_none(),
                "an append was acknowledged twice"
            );
        }

        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        let all = store.read_all(0, &Filter::all(), usize::MAX).await.unwrap();
        // Positions gap-free, versions contiguous, stream chain linked, every round; content
        // hashes of the new events every round and the full verify (both chains, every hash)
        // every few rounds, because hashing is slow in debug builds.
        let mut heads: HashMap<&StreamId, (u64, ticketflow_events::Hash)> = HashMap::new();
        for (i, e) in all.iter().enumerate() {
            assert_eq!(
                e.global_position,
                i as u64 + 1,
                "round {round}: position gap"
            );
            let head = heads.entry(&e.stream_id).or_default();
            assert_eq!(
                e.stream_version,
                head.0 + 1,
                "round {round}: version gap in {}",
                e.stream_id
            );
            assert_eq!(
                e.prev_hash, head.1,
                "round {round}: stream chain broken at {}",
                e.global_position
            );
            *head = (e.stream_version, e.hash);
            if e.global_position > checked_up_to {
                assert!(
                    e.hash_is_valid(),
                    "round {round}: bad hash at {}",
                    e.global_position
                );
            }
        }
        checked_up_to = all.len() as u64;
        if round % 6 == 5 || round == ROUNDS - 1 {
            let report = store.verify().await.unwrap();
            assert!(
                report.is_intact(),
                "round {round}: {}",
                report.first_break.unwrap()
            );
            assert_eq!(all.len() as u64, report.head_position);
        }

        // Every acknowledged append is there, where it was answered.
        for (c, a) in &acked {
            for p in a.first_position..=a.last_position {
                let e = &all[(p - 1) as usize];
                assert_eq!(
                    e.correlation_id, *c,
                    "round {round}: acknowledged event at {p} missing"
                );
                assert_eq!(e.stream_id, a.stream);
                assert_eq!(e.stream_version, a.first_version + (p - a.first_position));
            }
            assert_eq!(
                a.last_version - a.first_version,
                a.last_position - a.first_position
            );
        }
        // Nothing half-visible: each append is whole and contiguous.
        let mut appends: HashMap<Uuid, Vec<u64>> = HashMap::new();
        for e in &all {
            appends
                .entry(e.correlation_id)
                .or_default()
                .push(e.global_position);
        }
        for (c, positions) in &appends {
            let first = &all[(positions[0] - 1) as usize];
            let size = first.payload[0] as usize;
            assert_eq!(
                positions.len(),
                size,
                "round {round}: append {c} is partly visible"
            );
            assert!(positions.windows(2).all(|w| w[1] == w[0] + 1));
        }
        let in_log_not_acked = appends.keys().filter(|c| !acked.contains_key(c)).count();
        eprintln!(
            "round {round}: killed after {millis} ms, {fresh} appends acknowledged, log has {} events in {} appends ({in_log_not_acked} durable but never acknowledged)",
            all.len(),
            appends.len()
        );
        store.close().await;
    }
    assert!(
        acked.len() >= ROUNDS * 5,
        "the child acknowledged only {} appends in {ROUNDS} rounds: the test did not exercise the store",
        acked.len()
    );
}
