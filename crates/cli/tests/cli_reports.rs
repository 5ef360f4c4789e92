//! Support leads' and everyone's commands: `sla report` (table, CSV, JSON, what-if) on an
//! imported history, and `simulate`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::*;
use serde_json::Value;

const AT: &str = "2026-03-10T00:00:00Z";

#[test]
fn the_sla_report_groups_by_customer_priority_and_month_in_three_formats() {
    let (_tmp, dir) = imported();
    let table = ok(&["sla", "report", "--data-dir", arg(&dir), "--at", AT]);
    assert!(table.contains("clocks at 2026-03-10 00:00:00Z"), "{table}");
    let p1 = table
        .lines()
        .find(|l| l.starts_with("acme             P1"))
        .unwrap();
    assert!(p1.contains("2026-03"), "{p1}");
    assert!(p1.contains("0.0%"), "{p1}");
    assert!(p1.contains("1h35"), "{p1}");

    let csv = ok(&[
        "sla",
        "report",
        "--data-dir",
        arg(&dir),
        "--at",
        AT,
        "--format",
        "csv",
    ]);
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("customer,priority,period,tickets,open,breached"));
    assert_eq!(rows[1], "acme,P1,2026-03,1,0,0,0,0.0000,900,900,5700,5700");
    assert!(rows[2].starts_with("acme,P3,2026-03,1,1,0,"), "{csv}");

    let json: Value = serde_json::from_str(&ok(&[
        "sla",
        "report",
        "--data-dir",
        arg(&dir),
        "--at",
        AT,
        "--format",
        "json",
        "--priority",
        "p1",
        "--month",
        "2026-03",
    ]))
    .unwrap();
    let groups = json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["stored"]["tickets"], 1);
    assert_eq!(groups[0]["stored"]["restoration"]["p50_seconds"], 5700);

    let other_month = ok(&[
        "sla",
        "report",
        "--data-dir",
        arg(&dir),
        "--at",
        AT,
        "--month",
        "2026-04",
    ]);
    assert!(other_month.contains("no tickets"), "{other_month}");
    let by_customer = ok(&[
        "sla",
        "report",
        "--data-dir",
        arg(&dir),
        "--at",
        AT,
        "--group-by",
        "customer",
        "--customer",
        "acme",
        "--format",
        "csv",
    ]);
    assert!(
        by_customer
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("acme,*,*,2,1,0,"),
        "{by_customer}"
    );
}

#[test]
fn what_if_scores_the_same_history_under_another_policy_side_by_side() {
    let (_tmp, dir) = imported();
    let policy = what_if_policy();
    let csv = ok(&[
        "sla",
        "report",
        "--data-dir",
        arg(&dir),
        "--at",
        AT,
        "--format",
        "csv",
        "--what-if",
        arg(&policy),
    ]);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let p1: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let column = |name: &str| p1[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!((column("breached"), column("what_if_breached")), ("0", "1"));
    assert_eq!(column("what_if_breach_rate"), "1.0000");

    let table = ok(&[
        "sla",
        "report",
        "--data-dir",
        arg(&dir),
        "--at",
        AT,
        "--what-if",
        arg(&policy),
    ]);
    assert!(
        table.contains("what-if: the same tickets scored under"),
        "{table}"
    );
    assert!(table.contains("100.0%"), "{table}");

    let bad = dir.join("bad-policy.json");
    std::fs::write(&bad, r#"{"default": {"at_risk_percent": 0}}"#).unwrap();
    fails(
        &[
            "sla",
            "report",
            "--data-dir",
            arg(&dir),
            "--what-if",
            arg(&bad),
        ],
        2,
        "at_risk_percent",
    );
}

#[test]
fn simulate_prints_the_events_and_the_read_models() {
    let script = outage_script();
    let text = ok(&["simulate", arg(&script)]);
    assert!(text.contains("TicketWorkaroundProvided"), "{text}");
    assert!(text.contains("Tickets at 2026-03-03 08:41:00Z"), "{text}");
    assert!(
        text.contains("SD-1 P1  restoration  target     4h00"),
        "{text}"
    );
    assert!(
        text.contains("9 steps, 16 events, 0 line(s) refused"),
        "{text}"
    );

    let later = ok(&[
        "simulate",
        arg(&script),
        "--until",
        "2026-03-20T00:00:00Z",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&later).unwrap();
    assert_eq!(json["end"], "2026-03-20T00:00:00Z");
    let tickets = json["read_models"]["ticket_overview"].as_array().unwrap();
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0]["status"], "closed");
    assert_eq!(json["read_models"]["sla"].as_array().unwrap().len(), 2);
    assert!(json["events"].as_array().unwrap().len() >= 16);
    assert_eq!(json["refused"].as_array().unwrap().len(), 0);
}

#[test]
fn refused_lines_are_named_by_their_file_line() {
    let tmp = tempfile::tempdir().unwrap();
    let script = std::fs::read_to_string(outage_script()).unwrap();
    // Closing SD-2 right after its priority is refused: it is not resolved yet.
    let refused = script.trim_end().to_owned()
        + "\n"
        + r#"{"at":"2026-03-03T09:00:00Z","actor":{"id":"jane@acme","role":"customer","organisation":"acme"},"target":"ticket-SD-2","command":{"command":"close"}}"#
        + "\n";
    let file = tmp.path().join("refused.jsonl");
    std::fs::write(&file, refused).unwrap();

    let simulated = ok(&["simulate", arg(&file)]);
    assert!(simulated.contains("1 line(s) refused"), "{simulated}");
    assert!(simulated.contains("line 12 refused: "), "{simulated}");

    let dir = tmp.path().join("data");
    let out = ticketflow(&["import", arg(&file), "--data-dir", arg(&dir)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("line 12 refused: "));
    assert!(
        text(&out.stderr).contains("1 line(s) of"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("the first: line 12"));
    assert!(ok(&["verify", "--data-dir", arg(&dir)]).starts_with("intact: 16 events"));
}

#[test]
fn a_fixed_script_imported_again_records_only_what_is_new() {
    let tmp = tempfile::tempdir().unwrap();
    let script = std::fs::read_to_string(outage_script()).unwrap();
    let close = r#"{"at":"2026-03-03T12:00:00Z","actor":{"id":"jane@acme","role":"customer","organisation":"acme"},"target":"ticket-SD-2","command":{"command":"close"}}"#;
    let resolve = r#"{"at":"2026-03-03T11:00:00Z","actor":{"id":"anna","role":"support-agent","region":"dach"},"target":"ticket-SD-2","command":{"command":"resolve","outcome":"misconfiguration","note":"Export template misconfigured."}}"#;
    let file = tmp.path().join("past.jsonl");
    let dir = tmp.path().join("data");
    std::fs::write(&file, format!("{}\n{close}\n", script.trim_end())).unwrap();
    let first = ticketflow(&["import", arg(&file), "--data-dir", arg(&dir)]);
    assert_eq!(first.status.code(), Some(1), "the close is refused");

    // The missing line goes in before the refused one; every later line moves down.
    std::fs::write(
        &file,
        format!("{}\n{resolve}\n{close}\n", script.trim_end()),
    )
    .unwrap();
    let second = ok(&["import", arg(&file), "--data-dir", arg(&dir)]);
    assert!(
        second.contains("2 recorded now, 9 already recorded, 0 refused"),
        "{second}"
    );
    let history: Value = serde_json::from_str(&ok(&[
        "history",
        "SD-2",
        "--data-dir",
        arg(&dir),
        "--format",
        "json",
    ]))
    .unwrap();
    let opened = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "TicketOpened")
        .count();
    assert_eq!(opened, 1);
    assert_eq!(history["state"]["status"], "closed");
}
