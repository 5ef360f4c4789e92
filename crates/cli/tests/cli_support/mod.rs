//! Running the real `ticketflow` binary on real temporary directories.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The small script every test imports or simulates: a P1 outage restored after 1h35 of its
/// clock and a P3 defect still open.
pub fn outage_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/outage.jsonl")
}

/// The documented what-if policy (P1 restoration cut to 1 hour).
pub fn what_if_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/sla-policy-what-if.toml")
}

/// Runs the binary with `args`.
pub fn ticketflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticketflow"))
        .args(args)
        .output()
        .expect("the ticketflow binary runs")
}

/// Runs the binary and insists on success; answers stdout.
pub fn ok(args: &[&str]) -> String {
    let out = ticketflow(args);
    assert!(
        out.status.success(),
        "ticketflow {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A data directory with the outage script imported.
pub fn imported() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&["import", arg(&outage_script()), "--data-dir", arg(&dir)]);
    (tmp, dir)
}

/// Asserts a failure with exit code `code` and one readable line on stderr containing
/// `expected`.
pub fn fails(args: &[&str], code: i32, expected: &str) {
    let out = ticketflow(args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("ticketflow: "), "{stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
}
