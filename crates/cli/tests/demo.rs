//! The main job end to end: the real `ticketflow` binary on a real store in a temporary
//! directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn ticketflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticketflow"))
        .args(args)
        .output()
        .expect("the ticketflow binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_demo_runs_the_whole_scenario_and_leaves_a_verifiable_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    let data = data.to_str().unwrap();
    let out = ticketflow(&["demo", "--data-dir", data]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {}\n{stdout}",
        text(&out.stderr)
    );
    // The delivery process moved the included defect on, and its auto-close timer fired.
    assert!(
        stdout.contains("system:scheduler             ticket-SD-1001         record_delivery"),
        "{stdout}"
    );
    assert!(
        stdout.contains("system:scheduler             ticket-SD-1001         fire_timer"),
        "{stdout}"
    );
    assert!(stdout.contains("order-CO-1             close"), "{stdout}");
    // The scheduler told support leads when the P3 restoration clock went at risk and breached.
    assert!(
        stdout.contains("ticket-SD-1001         record_sla_notice"),
        "{stdout}"
    );
    // The SLA figures of both defects, including the P3 restoration breach.
    assert!(stdout.contains("SD-1001 P3  restoration"), "{stdout}");
    assert!(stdout.contains("BREACHED"), "{stdout}");
    assert!(stdout.contains("SD-1003 P1  restoration"), "{stdout}");
    assert!(stdout.contains("every hash link intact"), "{stdout}");

    let verified = ticketflow(&["verify", "--data-dir", data]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    assert!(text(&verified.stdout).starts_with("intact:"));

    // A second demo into the same directory is refused instead of mixing histories.
    let again = ticketflow(&["demo", "--data-dir", data]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("already holds a store"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn verify_without_a_store_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let out = ticketflow(&["verify", "--data-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no store at"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bad_script_line_is_named_and_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bad.jsonl");
    std::fs::write(&script, "# comment\n{\"at\": \"yesterday\"}\n").unwrap();
    let data = dir.path().join("desk");
    let out = ticketflow(&[
        "demo",
        "--data-dir",
        data.to_str().unwrap(),
        "--script",
        script.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 2"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !data.exists(),
        "no store is created for a script that does not parse"
    );
}

#[test]
fn the_built_in_script_is_printable_and_parses() {
    let out = ticketflow(&["demo", "--print-script"]);
    assert!(out.status.success());
    let script = text(&out.stdout);
    assert!(
        ticketflow_domain::script::ScriptLine::parse_all(&script)
            .unwrap()
            .len()
            > 40
    );
}

#[test]
fn verify_names_the_first_broken_link_of_a_tampered_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    let out = ticketflow(&["demo", "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Someone rewrites who did something, straight in the database file.
    let db = rusqlite::Connection::open(data.join("events.sqlite")).unwrap();
    db.execute(
        "UPDATE events SET actor = 'support-agent:mallory' WHERE position = 9",
        [],
    )
    .unwrap();
    drop(db);
    let verified = ticketflow(&["verify", "--data-dir", data.to_str().unwrap()]);
    assert_eq!(
        verified.status.code(),
        Some(1),
        "{}",
        text(&verified.stderr)
    );
    let stdout = text(&verified.stdout);
    assert!(stdout.starts_with("BROKEN"), "{stdout}");
    assert!(stdout.contains("position: 9"), "{stdout}");
}
