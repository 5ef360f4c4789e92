//! # JSON Schemas of the Ticketflow contract
//!
//! Integrators who do not write Rust still need to know what a command, an event and the
//! envelope look like. This crate derives JSON Schemas from the Rust types themselves (with
//! `schemars`), so the schemas cannot describe anything the code does not do, and keeps the
//! checked-in copies under `schemas/` honest: [`check`] reports every file that is stale,
//! missing or left over, and a test in this crate runs it, so `cargo test` (and CI) fails when
//! someone changes a type without regenerating.
//!
//! Regenerate with `cargo run -p ticketflow-schemas -- write`.
//!
//! Output is deterministic: object keys are sorted at every level, files are produced in name
//! order, and the event index is sorted by category and type name. Two runs on any machine
//! produce the same bytes.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde_json::{Map, Value, json};
use ticketflow_events::delivery::DeliveryEvent;
use ticketflow_events::order::OrderEvent;
use ticketflow_events::ticket::TicketEvent;
use ticketflow_events::{EventSet, NewEvent, RecordedEvent};

/// The command that regenerates the checked-in schemas; quoted in every drift report.
pub const WRITE_COMMAND: &str = "cargo run -p ticketflow-schemas -- write";

/// The name of the event index file.
pub const INDEX_FILE: &str = "events.json";

/// The checked-in `schemas/` directory of this workspace.
pub fn default_dir() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/schemas -> workspace root.
    let root = crate_dir
        .ancestors()
        .nth(2)
        .map_or_else(|| crate_dir.join("..").join(".."), Path::to_path_buf);
    root.join("schemas")
}

/// Every schema file, by file name, as pretty-printed JSON with sorted keys and a final newline.
///
/// * `recorded-event.json`, `new-event.json` — the envelope;
/// * `ticket-event.json`, `order-event.json`, `delivery-event.json` — the event enums, each
///   `{"type": "<EventType>", "data": {...}}`;
/// * `ticket-command.json`, `order-command.json`, `delivery-command.json` — the command enums,
///   each `{"command": "<snake_case_name>", ...}`;
/// * [`INDEX_FILE`] — every event type with its schema version, category and schema file.
pub fn generate() -> BTreeMap<&'static str, String> {
    let mut files = BTreeMap::new();
    // The envelope.
    files.insert("recorded-event.json", schema::<RecordedEvent>());
    files.insert("new-event.json", schema::<NewEvent>());
    // Events.
    files.insert("ticket-event.json", schema::<TicketEvent>());
    files.insert("order-event.json", schema::<OrderEvent>());
    files.insert("delivery-event.json", schema::<DeliveryEvent>());
    // Commands.
    files.insert(
        "ticket-command.json",
        schema::<ticketflow_domain::ticket::TicketCommand>(),
    );
    files.insert(
        "order-command.json",
        schema::<ticketflow_domain::order::OrderCommand>(),
    );
    files.insert(
        "delivery-command.json",
        schema::<ticketflow_domain::delivery::DeliveryCommand>(),
    );
    files.insert(INDEX_FILE, event_index());
    files
}

/// The schema of one type, with sorted keys and a note that the file is generated.
fn schema<T: JsonSchema>() -> String {
    let mut value = schemars::schema_for!(T).to_value();
    if let Value::Object(map) = &mut value {
        map.insert("$comment".to_owned(), generated_note());
    }
    pretty(value)
}

fn generated_note() -> Value {
    Value::String(format!(
        "Generated from the Rust types by `{WRITE_COMMAND}`; do not edit."
    ))
}

/// The event index: which type names exist, at which schema version, in which category.
fn event_index() -> String {
    let mut entries = Vec::new();
    let mut add = |category: &str, file: &str, types: &[(&str, u16)]| {
        for (name, version) in types {
            entries.push((
                category.to_owned(),
                name.to_string(),
                *version,
                file.to_owned(),
            ));
        }
    };
    add(
        TicketEvent::CATEGORY,
        "ticket-event.json",
        TicketEvent::event_types(),
    );
    add(
        OrderEvent::CATEGORY,
        "order-event.json",
        OrderEvent::event_types(),
    );
    add(
        DeliveryEvent::CATEGORY,
        "delivery-event.json",
        DeliveryEvent::event_types(),
    );
    entries.sort();
    let events: Vec<Value> = entries
        .into_iter()
        .map(|(category, name, version, file)| {
            json!({
                "category": category,
                "schema": file,
                "schema_version": version,
                "type": name,
            })
        })
        .collect();
    pretty(json!({
        "$comment": generated_note(),
        "description": "Every event type of the Ticketflow vocabulary: its stable type name (the envelope's `event_type`), its current schema version, the stream category it is recorded in and the schema file describing its payload.",
        "events": events,
    }))
}

/// Pretty JSON with object keys sorted at every level, ending in a newline.
fn pretty(value: Value) -> String {
    format!("{:#}\n", sorted(value))
}

/// Rebuilds every object with its keys in sorted order, whether or not `serde_json` was built
/// with `preserve_order` (another crate in the build may turn it on).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// How a checked-in schema file differs from what the code generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file should exist but does not.
    Missing(String),
    /// The file exists but its content differs from the generated one.
    Stale(String),
    /// A `.json` file that no type generates (e.g. left over after a rename).
    Unexpected(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(name) => write!(f, "schemas/{name} is missing"),
            Drift::Stale(name) => write!(f, "schemas/{name} is stale (the Rust types changed)"),
            Drift::Unexpected(name) => {
                write!(
                    f,
                    "schemas/{name} is not generated by any type (left over?)"
                )
            }
        }
    }
}

/// Why the schema directory could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// Reading the directory or a file failed.
    #[error("cannot read {}: {source}; check that the path exists and is readable", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// Writing or removing a file failed.
    #[error("cannot write {}: {source}; check that the directory is writable", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
}

/// Compares `dir` with [`generate`]; an empty list means the checked-in schemas are current.
pub fn check(dir: &Path) -> Result<Vec<Drift>, SchemaError> {
    let generated = generate();
    let mut drift = Vec::new();
    for (name, content) in &generated {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == *content => {}
            Ok(_) => drift.push(Drift::Stale((*name).to_owned())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing((*name).to_owned()))
            }
            Err(source) => return Err(SchemaError::Read { path, source }),
        }
    }
    for name in json_files(dir)? {
        if !generated.contains_key(name.as_str()) {
            drift.push(Drift::Unexpected(name));
        }
    }
    Ok(drift)
}

/// Writes every generated file into `dir` (created if needed) and removes `.json` files no type
/// generates. Returns the drift it repaired (empty when everything was current).
pub fn write(dir: &Path) -> Result<Vec<Drift>, SchemaError> {
    std::fs::create_dir_all(dir).map_err(|source| SchemaError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let generated = generate();
    let mut changed = Vec::new();
    for (name, content) in &generated {
        let path = dir.join(name);
        let drift = match std::fs::read_to_string(&path) {
            Ok(existing) if existing == *content => continue,
            Ok(_) => Drift::Stale((*name).to_owned()),
            Err(_) => Drift::Missing((*name).to_owned()),
        };
        std::fs::write(&path, content).map_err(|source| SchemaError::Write { path, source })?;
        changed.push(drift);
    }
    for name in json_files(dir)? {
        if !generated.contains_key(name.as_str()) {
            let path = dir.join(&name);
            std::fs::remove_file(&path).map_err(|source| SchemaError::Write { path, source })?;
            changed.push(Drift::Unexpected(name));
        }
    }
    Ok(changed)
}

/// The `.json` files directly inside `dir`, sorted; none if `dir` does not exist.
fn json_files(dir: &Path) -> Result<Vec<String>, SchemaError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(SchemaError::Read {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| SchemaError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // `openapi.json` is the HTTP API's document, generated and drift-checked by the
        // server crate's own test (ticketflow-server), not by this crate.
        if name.ends_with(".json") && name != "openapi.json" {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}
