//! The checked-in `schemas/` directory must match the Rust types: this is the drift check CI
//! runs through `cargo test`.

use std::collections::BTreeSet;

use ticketflow_events::AnyEvent;
use ticketflow_schemas::{INDEX_FILE, WRITE_COMMAND, check, default_dir, generate};

#[test]
fn checked_in_schemas_match_the_rust_types() {
    let drift = match check(&default_dir()) {
        Ok(drift) => drift,
        Err(e) => panic!("{e}"),
    };
    let report: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(
        drift.is_empty(),
        "the JSON Schemas are out of date:\n  {}\nrun `{WRITE_COMMAND}` and commit the result",
        report.join("\n  ")
    );
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate(), generate());
}

#[test]
fn the_index_lists_every_event_type_once() {
    let files = generate();
    let Some(index) = files.get(INDEX_FILE) else {
        panic!("{INDEX_FILE} not generated");
    };
    let index: serde_json::Value = match serde_json::from_str(index) {
        Ok(v) => v,
        Err(e) => panic!("{INDEX_FILE} is not JSON: {e}"),
    };
    let listed: Vec<(String, u64)> = index["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| {
                    (
                        e["type"].as_str().unwrap_or_default().to_owned(),
                        e["schema_version"].as_u64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let expected: BTreeSet<(String, u64)> = AnyEvent::event_types()
        .map(|(t, v)| (t.to_owned(), u64::from(v)))
        .collect();
    assert_eq!(listed.len(), expected.len(), "duplicates in the index");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn every_schema_file_is_json_with_sorted_keys() {
    for (name, content) in generate() {
        let value: serde_json::Value = match serde_json::from_str(&content) {
            Ok(v) => v,
            Err(e) => panic!("{name} is not JSON: {e}"),
        };
        assert!(content.ends_with('\n'), "{name} lacks a final newline");
        assert_sorted(name, &value);
    }
}

fn assert_sorted(name: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let keys: Vec<&String> = map.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "{name}: keys not sorted");
            map.values().for_each(|v| assert_sorted(name, v));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| assert_sorted(name, v)),
        _ => {}
    }
}
