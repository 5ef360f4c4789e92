//! A full disk, for real: the test mounts a small tmpfs (needs root; skipped with a message
//! otherwise), fills it through the store, and checks that the error is clear, nothing
//! acknowledged is lost, nothing is half-written, and appends resume once space is freed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use ticketflow_store::conformance::{event, stream};
use ticketflow_store::{
    AppendOutcome, EventStore, ExpectedVersion, Filter, SqliteOptions, SqliteStore, StoreError,
};

/// A tmpfs mounted for the test and unmounted however the test ends.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Option<SmallDisk> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then(|| SmallDisk {
            dir: dir.to_owned(),
        })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy unmount: still detaches if a file on it is open when a test fails.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_appends_clearly_and_loses_nothing() {
    let base = tempfile::tempdir().unwrap();
    let mount_point = base.path().join("disk");
    std::fs::create_dir(&mount_point).unwrap();
    let Some(disk) = SmallDisk::mount(&mount_point, "3m") else {
        eprintln!(
            "SKIPPED a_full_disk_fails_appends_clearly_and_loses_nothing: cannot mount a tmpfs (needs root / CAP_SYS_ADMIN)"
        );
        return;
    };
    let path = mount_point.join("events.db");
    // A filler file to delete later, freeing space without touching the store.
    std::fs::write(mount_point.join("filler"), vec![0u8; 512 * 1024]).unwrap();

    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let mut acknowledged: Vec<(AppendOutcome, uuid::Uuid)> = Vec::new();
    let mut full_error = None;
    'fill: for round in 0..10_000u32 {
        let appends = (0..8).map(|w| {
            let store = store.clone();
            async move {
                let e = event("TicketNoted", &[(round % 251) as u8; 2000]);
                let id = e.event_id;
                let r = store
                    .append(
                        &stream(&format!("ticket-SD-{}", w + 1)),
                        ExpectedVersion::Any,
                        vec![e, event("TicketNoted", &[1; 2000])],
                    )
                    .await;
                (r, id)
            }
        });
        for (r, id) in futures::future::join_all(appends).await {
            match r {
                Ok(o) => acknowledged.push((o, id)),
                Err(e) => {
                    full_error = Some(e);
                    break 'fill;
                }
            }
        }
    }
    let err = full_error.expect("the 3 MiB disk never filled up");
    assert!(
        matches!(err, StoreError::DiskFull { .. }),
        "expected DiskFull, got: {err}"
    );
    assert!(err.to_string().contains("full"), "{err}");
    assert!(!acknowledged.is_empty());

    // Reads still work and everything acknowledged is there, in place.
    let all = store.read_all(0, &Filter::all(), usize::MAX).await.unwrap();
    for (o, id) in &acknowledged {
        let e = &all[(o.first_position - 1) as usize];
        assert_eq!(e.event_id, *id);
        assert_eq!(e.stream_version, o.first_version);
        assert_eq!(
            all[(o.last_position - 1) as usize].stream_version,
            o.last_version
        );
    }
    // Nothing half-written: every append is whole (2 events), positions gap-free.
    assert_eq!(all.len() % 2, 0);
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.first_break);

    // Still full: further appends fail the same way, and change nothing.
    let before = store.last_position().await.unwrap();
    let again = store
        .append(
            &stream("ticket-SD-1"),
            ExpectedVersion::Any,
            vec![event("TicketNoted", &[2; 4000])],
        )
        .await;
    if let Err(e) = &again {
        assert!(matches!(e, StoreError::DiskFull { .. }), "{e}");
        assert_eq!(store.last_position().await.unwrap(), before);
    }

    // Free space: appends resume where they stopped.
    std::fs::remove_file(mount_point.join("filler")).unwrap();
    let r = store
        .append(
            &stream("ticket-SD-1"),
            ExpectedVersion::Any,
            vec![event("TicketNoted", b"after")],
        )
        .await
        .unwrap();
    assert_eq!(r.first_position, store.last_position().await.unwrap());
    store.close().await;

    // Reopen: all acknowledged events are still there and the log verifies.
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.first_break);
    assert_eq!(report.head_position, r.last_position);
    store.close().await;
    drop(store);
    drop(disk);
}
