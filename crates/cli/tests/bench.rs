//! `ticketflow bench --quick --format json` end to end: the real binary, real stores in a
//! temporary directory, a real loopback server. A behaviour check — every workload produced
//! a positive figure — never a timed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn the_quick_bench_produces_a_positive_figure_for_every_workload() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bench");
    let out = Command::new(env!("CARGO_BIN_EXE_ticketflow"))
        .args(["bench", "--quick", "--format", "json", "--data-dir"])
        .arg(&data)
        .output()
        .expect("the ticketflow binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let workloads = report["workloads"].as_array().unwrap();
    let names: Vec<&str> = workloads
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "append-1",
            "append-8",
            "append-64",
            "load-10",
            "load-100",
            "load-1000",
            "rebuild",
            "sse-latency",
            "sse-after-ack",
            "http-commands"
        ]
    );
    for w in workloads {
        let name = w["name"].as_str().unwrap();
        assert!(
            w["throughput"]["median"].as_f64().unwrap() > 0.0,
            "{name}: {w}"
        );
        for rep in w["repetitions"].as_array().unwrap() {
            assert!(rep["count"].as_u64().unwrap() > 0, "{name}: {w}");
        }
        if name != "rebuild" {
            assert!(w["p50_us"]["median"].as_f64().unwrap() > 0.0, "{name}: {w}");
            assert!(w["p99_us"]["median"].as_f64().unwrap() > 0.0, "{name}: {w}");
        }
    }
    for when in ["start", "end"] {
        let machine = &report[when];
        assert!(machine["cores"].as_u64().unwrap() >= 1);
        assert!(machine["fdatasync"]["p50_us"].as_f64().unwrap() > 0.0);
    }
    assert!(report["scenario"]["events"].as_u64().unwrap() > 0);
    // The stores stay in a data directory the user named.
    assert!(data.join("desk").join("events.sqlite").exists());
}

#[test]
fn the_bench_refuses_a_data_directory_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("something"), b"x").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ticketflow"))
        .args(["bench", "--quick", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("the ticketflow binary runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not empty"), "{stderr}");
}
