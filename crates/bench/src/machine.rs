//! The machine every figure was taken on: cores, load, and how long the disk under the data
//! directory takes to make a small write durable.
//!
//! The load average is read at the start and at the end of a run, and the fdatasync probe
//! runs at both moments too: on a shared machine the disk's latency can change tenfold from
//! one minute to the next, and a durable append can never be faster than one fdatasync.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::BenchError;
use crate::stats::percentile_us;

/// What the machine looked like at one moment of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineSnapshot {
    /// When it was taken (RFC 3339, UTC).
    pub at: String,
    /// CPUs this process may run on.
    pub cores: usize,
    /// CPU model, from `/proc/cpuinfo` (empty where unavailable).
    pub cpu: String,
    /// Operating-system kernel release (empty where unavailable).
    pub kernel: String,
    /// 1-, 5- and 15-minute load averages from `/proc/loadavg` (`None` where unavailable).
    pub load_average: Option<[f64; 3]>,
    /// The fdatasync probe in the data directory.
    pub fdatasync: DiskProbe,
}

/// `writes` × (write 256 bytes + `fdatasync`) to one file: what every commit of a single
/// small event pays at least.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskProbe {
    /// Durable writes measured.
    pub writes: usize,
    /// Median latency of one write + fdatasync, microseconds.
    pub p50_us: f64,
    /// 99th-percentile latency, microseconds.
    pub p99_us: f64,
}

/// Takes a snapshot: reads the system's facts and probes the disk under `dir` with
/// `writes` durable 256-byte writes (a file created and removed in `dir`).
pub fn snapshot(dir: &Path, writes: usize) -> Result<MachineSnapshot, BenchError> {
    Ok(MachineSnapshot {
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu: cpu_model(),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default(),
        load_average: load_average(),
        fdatasync: probe_fdatasync(dir, writes)?,
    })
}

/// The 1-, 5- and 15-minute load averages, where the system publishes them.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default()
}

/// Measures `writes` × (write 256 B + fdatasync) in a fresh file in `dir`.
pub fn probe_fdatasync(dir: &Path, writes: usize) -> Result<DiskProbe, BenchError> {
    let path = dir.join("fdatasync-probe");
    let mut file = std::fs::File::create(&path).map_err(BenchError::io(&path))?;
    let block = [7u8; 256];
    let mut latencies: Vec<Duration> = Vec::with_capacity(writes);
    for _ in 0..writes.max(1) {
        let started = Instant::now();
        file.write_all(&block).map_err(BenchError::io(&path))?;
        file.sync_data().map_err(BenchError::io(&path))?;
        latencies.push(started.elapsed());
    }
    drop(file);
    std::fs::remove_file(&path).map_err(BenchError::io(&path))?;
    latencies.sort_unstable();
    Ok(DiskProbe {
        writes: latencies.len(),
        p50_us: percentile_us(&latencies, 0.50),
        p99_us: percentile_us(&latencies, 0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_names_the_cores_and_probes_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let s = snapshot(dir.path(), 5).unwrap();
        assert!(s.cores >= 1);
        assert_eq!(s.fdatasync.writes, 5);
        assert!(s.fdatasync.p50_us > 0.0);
        assert!(!dir.path().join("fdatasync-probe").exists());
    }
}
