//! Workload 3 — a full rebuild of all eight read models from a warm store.
//!
//! The scenario's log is copied into a SQLite store on the data directory's disk
//! ([`prepare_desk`]) and read once so the operating system and SQLite caches are warm. Each repetition starts a
//! projection runner with every standard read model and no snapshots, and times it from
//! `start` until `wait_for(last position)`: store pages, one decode per event, all eight
//! read models applied (the same measurement as `cargo bench -p ticketflow-engine --bench
//! rebuild_all`). The snapshots written at shutdown are not timed.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use ticketflow_domain::DeskConfig;
use ticketflow_engine::projection::{ProjectionRunnerBuilder, RunnerConfig};
use ticketflow_projections::standard_read_models;
use ticketflow_store::{EventStore, Filter, SqliteOptions, SqliteStore};

use crate::corpus::Corpus;
use crate::error::BenchError;
use crate::stats::Repetition;

/// Writes the scenario's desk to `desk_dir/events.sqlite`: the log copied in order
/// ([`Corpus::fill`]) into a staging store under `/dev/shm` where it exists (else under
/// `staging_parent`), then backed up (`SqliteStore::backup`, fsynced) into `desk_dir`. The
/// copy in order is one append at a time; on memory-backed storage that takes about a
/// second for the default scenario instead of one disk flush per append.
pub async fn prepare_desk(
    corpus: &Corpus,
    desk_dir: &Path,
    staging_parent: &Path,
) -> Result<(), BenchError> {
    let shm = Path::new("/dev/shm");
    let staging = tempfile::tempdir_in(shm)
        .or_else(|_| tempfile::tempdir_in(staging_parent))
        .map_err(BenchError::io(staging_parent))?;
    let store = SqliteStore::open(
        staging.path().join("events.sqlite"),
        SqliteOptions::default(),
    )
    .map_err(BenchError::store("fill"))?;
    corpus.fill(&store).await?;
    let copied = store
        .backup(desk_dir.join("events.sqlite"))
        .await
        .map_err(BenchError::store("fill"));
    store.close().await;
    copied
}

/// Reads the whole log once (page cache, SQLite's own cache) and answers its last position.
pub async fn warm(store: &dyn EventStore) -> Result<u64, BenchError> {
    let mut from = 1;
    let mut last = 0;
    loop {
        let page = store
            .read_all(from, &Filter::all(), 10_000)
            .await
            .map_err(BenchError::store("rebuild"))?;
        match page.last() {
            Some(e) => {
                last = e.global_position;
                from = last + 1;
            }
            None => return Ok(last),
        }
    }
}

/// One full rebuild of every standard read model up to `last` (the log's last position),
/// with snapshots in a fresh directory under `scratch`; answers events folded per second.
pub async fn run(
    store: Arc<dyn EventStore>,
    scratch: &Path,
    last: u64,
) -> Result<Repetition, BenchError> {
    let snapshots = tempfile::tempdir_in(scratch).map_err(BenchError::io(scratch))?;
    let started = Instant::now();
    let mut builder = ProjectionRunnerBuilder::new(store, RunnerConfig::new(snapshots.path()));
    builder.register_all(|| standard_read_models(&DeskConfig::default()))?;
    let runner = builder.start().await?;
    runner.wait_for(last).await?;
    let took = started.elapsed();
    runner.shutdown().await?;
    Ok(Repetition::throughput(last, took))
}
