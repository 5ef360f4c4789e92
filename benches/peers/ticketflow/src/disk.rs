//! The physical limits of the disk the stores write to: how long one small durable write
//! takes (write + fdatasync of 256 bytes, what every commit of a single event pays at least),
//! and how fast it takes data sequentially when every MiB is made durable.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::measure::{Plan, Sample, sample};

/// Runs both probes `plan.reps` times in `dir` and answers their samples.
pub fn measure(dir: &Path, plan: &Plan) -> anyhow::Result<Vec<Sample>> {
    let mut out = Vec::new();
    let (seconds, mib) = if plan.append_seconds < 1.0 {
        (0.3, 8)
    } else {
        (2.0, 256)
    };
    for rep in 0..plan.reps {
        let path = dir.join("fdatasync-probe");
        let mut f = std::fs::File::create(&path)?;
        let block = [7u8; 256];
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds);
        let mut lat = Vec::new();
        while Instant::now() < deadline {
            let t = Instant::now();
            f.write_all(&block)?;
            f.sync_data()?;
            lat.push(t.elapsed());
        }
        let s = sample(
            "disk",
            "fdatasync-256B",
            crate::measure::run() + rep,
            lat,
            start.elapsed(),
        );
        eprintln!(
            "      disk fdatasync-256B rep {rep}: p50 {:.0} µs  p99 {:.0} µs",
            s.p50_us, s.p99_us
        );
        out.push(s);
        drop(f);
        std::fs::remove_file(&path)?;

        let path = dir.join("bandwidth-probe");
        let mut f = std::fs::File::create(&path)?;
        let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i * 31 % 251) as u8).collect();
        let start = Instant::now();
        let mut lat = Vec::new();
        for _ in 0..mib {
            let t = Instant::now();
            f.write_all(&chunk)?;
            f.sync_data()?;
            lat.push(t.elapsed());
        }
        let s = sample(
            "disk",
            "write-1MiB-fdatasync",
            crate::measure::run() + rep,
            lat,
            start.elapsed(),
        );
        eprintln!(
            "      disk write-1MiB-fdatasync rep {rep}: {:.0} MiB/s",
            s.per_s
        );
        out.push(s);
        drop(f);
        std::fs::remove_file(&path)?;
    }
    Ok(out)
}
