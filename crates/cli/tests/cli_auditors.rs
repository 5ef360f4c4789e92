//! Auditors' and operators' commands on real data directories: `history` (with and without
//! `--as-of`), `import` (original times, the imported marker, resuming), `backup` → `restore`
//! → `verify`, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::*;
use serde_json::Value;

fn history_json(dir: &std::path::Path, key: &str, extra: &[&str]) -> Value {
    let mut args = vec!["history", key, "--data-dir", arg(dir), "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&args)).unwrap()
}

#[test]
fn history_shows_the_timeline_and_the_state_as_of_an_instant() {
    let (_tmp, dir) = imported();
    let now = ok(&["history", "SD-1", "--data-dir", arg(&dir)]);
    assert!(now.starts_with("History of ticket SD-1\n"), "{now}");
    assert!(now.contains("TicketWorkaroundProvided"), "{now}");
    assert!(now.contains("support-agent:anna"), "{now}");
    assert!(now.contains("priority set to P1"), "{now}");
    assert!(now.contains("status                     closed"), "{now}");

    let before = ok(&[
        "history",
        "SD-1",
        "--data-dir",
        arg(&dir),
        "--as-of",
        "2026-03-02T02:00:00Z",
    ]);
    assert!(before.contains("as of 2026-03-02 02:00:00Z"), "{before}");
    assert!(before.contains("TicketPrioritised"), "{before}");
    assert!(!before.contains("TicketResolved"), "{before}");
    assert!(before.contains("later event(s) not shown"), "{before}");
    assert!(
        before.contains("status                     open"),
        "{before}"
    );
    assert!(
        before.contains("workaround_provided        false"),
        "{before}"
    );

    let json = history_json(&dir, "SD-1", &["--as-of", "2026-03-02T04:00:00Z"]);
    assert_eq!(json["state"]["status"], "open");
    assert_eq!(json["state"]["workaround_provided"], true);
    let types: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(types.last(), Some(&"TicketWorkaroundProvided"));

    // Before the ticket existed there is no state, but the key is still known.
    let early = history_json(&dir, "SD-1", &["--as-of", "2026-03-01"]);
    assert_eq!(early["state"], Value::Null);
    assert_eq!(early["events"].as_array().unwrap().len(), 0);
}

#[test]
fn import_keeps_original_times_marks_the_events_and_records_nothing_twice() {
    let (_tmp, dir) = imported();
    let log = std::fs::read_to_string(dir.join("imports.jsonl")).unwrap();
    let run: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(run["outcome"], "complete");
    assert_eq!(run["recorded_lines"], 9);

    let json = history_json(&dir, "SD-1", &[]);
    let first = &json["events"][0];
    assert_eq!(first["event_type"], "TicketOpened");
    assert_eq!(first["occurred_at"], "2026-03-02T01:10:00Z");
    assert_ne!(first["recorded_at"], first["occurred_at"]);
    assert_eq!(first["imported_by"], run["import_id"]);
    assert_eq!(first["actor"], "customer:jane@acme");
    let text = ok(&["history", "SD-1", "--data-dir", arg(&dir)]);
    assert!(text.contains("[imported, recorded "), "{text}");

    let before = ok(&["verify", "--data-dir", arg(&dir)]);
    let again = ok(&["import", arg(&outage_script()), "--data-dir", arg(&dir)]);
    assert!(
        again.contains("0 recorded now, 9 already recorded, 0 refused"),
        "{again}"
    );
    assert!(again.contains("nothing new recorded"), "{again}");
    assert_eq!(ok(&["verify", "--data-dir", arg(&dir)]), before);
    assert_eq!(history_json(&dir, "SD-1", &[])["events"], json["events"]);
}

#[test]
fn a_backup_restores_into_an_empty_directory_and_verifies_intact() {
    let (tmp, dir) = imported();
    let backup = tmp.path().join("evidence.sqlite");
    let out = ok(&["backup", "--data-dir", arg(&dir), "--to", arg(&backup)]);
    assert!(out.contains("16 events in 2 streams"), "{out}");
    assert!(out.contains("sha256 "), "{out}");
    fails(
        &["backup", "--data-dir", arg(&dir), "--to", arg(&backup)],
        2,
        "already exists",
    );

    let restored = tmp.path().join("restored");
    let out = ok(&[
        "restore",
        "--from",
        arg(&backup),
        "--data-dir",
        arg(&restored),
    ]);
    assert!(out.contains("every hash link intact"), "{out}");
    assert!(ok(&["verify", "--data-dir", arg(&restored)]).starts_with("intact: 16 events"));
    assert_eq!(
        history_json(&restored, "SD-1", &[])["events"],
        history_json(&dir, "SD-1", &[])["events"]
    );

    // A data directory with data is not overwritten without --force.
    fails(
        &["restore", "--from", arg(&backup), "--data-dir", arg(&dir)],
        2,
        "is not empty",
    );
    ok(&[
        "restore",
        "--from",
        arg(&backup),
        "--data-dir",
        arg(&dir),
        "--force",
    ]);
    assert!(
        dir.join("imports.jsonl").is_file(),
        "the backup's import log came along"
    );

    // A backup without an import log beside it replaces the import log too: the old one
    // described the replaced log, so it must not credit restored events to its imports.
    std::fs::remove_file(tmp.path().join("evidence.sqlite.imports.jsonl")).unwrap();
    ok(&[
        "restore",
        "--from",
        arg(&backup),
        "--data-dir",
        arg(&dir),
        "--force",
    ]);
    assert!(!dir.join("imports.jsonl").exists());

    // A tampered backup is refused: the answer is no (exit 1), nothing restored.
    let conn = rusqlite::Connection::open(&backup).unwrap();
    conn.execute(
        "UPDATE events SET actor = 'customer:mallory' WHERE position = 3",
        [],
    )
    .unwrap();
    drop(conn);
    let elsewhere = tmp.path().join("elsewhere");
    fails(
        &[
            "restore",
            "--from",
            arg(&backup),
            "--data-dir",
            arg(&elsewhere),
        ],
        1,
        "is not intact",
    );
    assert!(!elsewhere.join("events.sqlite").exists());
}

#[test]
fn a_failed_restore_leaves_the_existing_data_directory_untouched() {
    let (tmp, dir) = imported();
    let backup = tmp.path().join("evidence.sqlite");
    ok(&["backup", "--data-dir", arg(&dir), "--to", arg(&backup)]);
    let before = ok(&["verify", "--data-dir", arg(&dir)]);
    let files = |dir: &std::path::Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let listing = files(&dir);
    let restore_forced = |from: &std::path::Path| {
        ticketflow(&[
            "restore",
            "--from",
            arg(from),
            "--data-dir",
            arg(&dir),
            "--force",
        ])
    };

    // A truncated backup: refused, the old log and its snapshots stay.
    let bytes = std::fs::read(&backup).unwrap();
    let truncated = tmp.path().join("truncated.sqlite");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert!(!restore_forced(&truncated).status.success());
    assert_eq!(files(&dir), listing);
    assert_eq!(ok(&["verify", "--data-dir", arg(&dir)]), before);

    // An intact backup whose copy cannot be written (the copy's place is taken by a
    // directory): the old log was not removed first.
    let blocker = dir.join("events.sqlite.restoring");
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("keep"), b"x").unwrap();
    let out = restore_forced(&backup);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(dir.join("events.sqlite").is_file());
    assert_eq!(ok(&["verify", "--data-dir", arg(&dir)]), before);
    std::fs::remove_dir_all(&blocker).unwrap();
    assert_eq!(files(&dir), listing);

    // And with the way clear, the same restore succeeds.
    assert!(restore_forced(&backup).status.success());
    assert_eq!(ok(&["verify", "--data-dir", arg(&dir)]), before);
}

#[test]
fn history_reads_past_an_import_record_cut_off_by_a_crash() {
    let (_tmp, dir) = imported();
    let expected = history_json(&dir, "SD-1", &[])["events"].clone();
    let log = dir.join("imports.jsonl");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{\"import_id\":\"00000000-0000");
    std::fs::write(&log, text).unwrap();
    assert_eq!(history_json(&dir, "SD-1", &[])["events"], expected);
}

#[test]
fn bad_input_exits_2_with_one_readable_line() {
    let (tmp, dir) = imported();
    fails(
        &["history", "SD-99", "--data-dir", arg(&dir)],
        2,
        "SD-99 is not in the store",
    );
    fails(
        &["history", "../etc", "--data-dir", arg(&dir)],
        2,
        "is not a ticket, order or delivery key",
    );
    let missing = tmp.path().join("nothing-here");
    fails(
        &["history", "SD-1", "--data-dir", arg(&missing)],
        2,
        "no store at",
    );
    fails(
        &[
            "import",
            arg(&tmp.path().join("missing.jsonl")),
            "--data-dir",
            arg(&dir),
        ],
        2,
        "cannot read",
    );
    let script = std::fs::read_to_string(outage_script()).unwrap();
    let mut lines: Vec<&str> = script.lines().collect();
    lines[3] = "{\"at\": \"2026-03-02T01:26:00Z\", \"actor\": ";
    let broken = tmp.path().join("broken.jsonl");
    std::fs::write(&broken, lines.join("\n")).unwrap();
    fails(
        &["import", arg(&broken), "--data-dir", arg(&dir)],
        2,
        "line 4",
    );
    fails(&["simulate", arg(&broken)], 2, "line 4");

    let truncated = tmp.path().join("truncated");
    std::fs::create_dir_all(&truncated).unwrap();
    let bytes = std::fs::read(dir.join("events.sqlite")).unwrap();
    std::fs::write(truncated.join("events.sqlite"), &bytes[..bytes.len() / 3]).unwrap();
    fails(
        &["history", "SD-1", "--data-dir", arg(&truncated)],
        2,
        "damaged",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_reports_and_backups_read_while_a_writer_holds_the_store() {
    use std::sync::Arc;
    use ticketflow_domain::DeskConfig;
    use ticketflow_domain::script::ScriptLine;
    use ticketflow_engine::Simulation;
    use ticketflow_store::{SqliteOptions, SqliteStore};

    let (tmp, dir) = imported();
    // The running server's role: the one writer of the file, kept open throughout.
    let store =
        Arc::new(SqliteStore::open(dir.join("events.sqlite"), SqliteOptions::default()).unwrap());
    let comment = ScriptLine::parse(
        r#"{"at":"2026-03-03T09:00:00Z","actor":{"id":"anna","role":"support-agent","region":"dach"},"target":"ticket-SD-2","command":{"command":"add_comment","text":"Looking into it."}}"#,
        1,
    )
    .unwrap();
    let at = comment.at;
    let mut desk = Simulation::new(store.clone(), DeskConfig::default(), at)
        .await
        .unwrap();
    desk.run(&[comment]).await.unwrap();

    let dir2 = dir.clone();
    let backup = tmp.path().join("online.sqlite");
    let backup2 = backup.clone();
    let (history, report, copied) = tokio::task::spawn_blocking(move || {
        (
            ok(&["history", "SD-2", "--data-dir", arg(&dir2)]),
            ok(&["sla", "report", "--data-dir", arg(&dir2), "--format", "csv"]),
            ok(&["backup", "--data-dir", arg(&dir2), "--to", arg(&backup2)]),
        )
    })
    .await
    .unwrap();
    assert!(history.contains("comment by anna"), "{history}");
    assert!(report.contains("acme,P3,2026-03,1,1,"), "{report}");
    assert!(copied.contains("17 events in 2 streams"), "{copied}");
    store.close().await;
    assert!(ok(&["verify", "--data-dir", arg(&dir)]).starts_with("intact: 17 events"));
}

#[test]
fn history_finds_orders_and_deliveries_of_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    ok(&["demo", "--data-dir", arg(&dir)]);
    let order = ok(&["history", "CO-1", "--data-dir", arg(&dir)]);
    assert!(order.starts_with("History of order CO-1"), "{order}");
    assert!(
        order.contains("phase                      closed"),
        "{order}"
    );
    let delivery = ok(&["history", "SD-2001", "--data-dir", arg(&dir)]);
    assert!(
        delivery.starts_with("History of delivery SD-2001"),
        "{delivery}"
    );
    assert!(delivery.contains("SD-1001"), "{delivery}");
    let by_stream = ok(&["history", "delivery-SD-2001", "--data-dir", arg(&dir)]);
    assert_eq!(by_stream, delivery);
}

#[test]
fn timers_fired_during_an_import_are_part_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let script = outage_script();
    let out = ok(&[
        "import",
        arg(&script),
        "--data-dir",
        arg(&dir),
        "--until",
        "2026-04-01",
    ]);
    assert!(out.contains("events at positions 1–18"), "{out}");
    let json = history_json(&dir, "SD-2", &[]);
    let events = json["events"].as_array().unwrap();
    let fired = events.last().unwrap();
    assert_eq!(fired["actor"], "system:scheduler");
    assert_eq!(fired["event_type"], "TicketSlaNoticeRecorded");
    assert_eq!(fired["occurred_at"], "2026-03-10T08:40:00Z");
    assert_eq!(fired["imported_by"], events[0]["imported_by"]);
    assert!(fired["imported_by"].is_string());
}
