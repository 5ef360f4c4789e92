//! The import log: `DATA_DIR/imports.jsonl`, one JSON object per `import` run.
//!
//! The event envelope has no free metadata field and the store's format must not change, so
//! imported events are marked by two facts that are already in the envelope plus this log:
//!
//! * every event recorded for a script line carries the import's id as its
//!   `correlation_id` (covered by the hash chain), and so do the process managers' follow-ups,
//!   which continue the correlation of the event that triggered them;
//! * the log records, per run, the range of global positions the run appended — which also
//!   covers the timers that fired during the import (the scheduler gives those no
//!   correlation);
//! * and, visible on every event, the business time (`occurred_at`, the line's time) lies
//!   before the store time (`recorded_at`, when the import ran).
//!
//! The import id is derived from the file's SHA-256, so running the same file again resumes
//! the same import and every run of it is listed under one id.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use ticketflow_events::{RecordedEvent, Timestamp};
use uuid::Uuid;

/// The import log's file name inside a data directory.
pub const IMPORT_LOG_FILE: &str = "imports.jsonl";

/// One run of `ticketflow import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRun {
    /// The import's id: the correlation id of every event recorded for its lines.
    pub import_id: Uuid,
    /// The file imported, as given.
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Command lines in the file.
    pub lines: usize,
    /// Wall-clock time the run started.
    pub started_at: Timestamp,
    /// Wall-clock time the run ended.
    pub finished_at: Timestamp,
    /// First global position this run appended (`None` when it appended nothing).
    pub first_position: Option<u64>,
    /// Last global position this run appended.
    pub last_position: Option<u64>,
    /// Lines whose events this run recorded.
    pub recorded_lines: usize,
    /// Lines an earlier run had recorded already.
    pub replayed_lines: usize,
    /// Lines the domain refused (nothing recorded for them).
    pub refused_lines: usize,
    /// `complete`, or what stopped the run.
    pub outcome: String,
}

impl ImportRun {
    /// The id of an import of a file with this SHA-256: the same file is the same import.
    pub fn id_for(sha256: &str) -> Uuid {
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("ticketflow:import:{sha256}").as_bytes(),
        )
    }

    fn appended(&self, position: u64) -> bool {
        matches!((self.first_position, self.last_position),
            (Some(first), Some(last)) if (first..=last).contains(&position))
    }
}

/// Every import run recorded in a data directory.
#[derive(Debug, Clone, Default)]
pub struct ImportLog {
    runs: Vec<ImportRun>,
}

impl ImportLog {
    /// The log's path in `data_dir`.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(IMPORT_LOG_FILE)
    }

    /// Reads the log (empty when there is none).
    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        let path = Self::path(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        let mut runs = Vec::with_capacity(lines.len());
        for (n, &(i, line)) in lines.iter().enumerate() {
            match serde_json::from_str(line) {
                Ok(run) => runs.push(run),
                // A crash during `import` can leave the last record half written; that run's
                // events are still marked by their correlation id, so the rest of the log
                // stays usable.
                Err(e) if n + 1 == lines.len() => eprintln!(
                    "ticketflow: warning: {} line {}: skipping an incomplete last import record ({e}); it was probably cut off by a crash during `ticketflow import`",
                    path.display(),
                    i + 1
                ),
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "{} line {}: not an import record (the file is written by `ticketflow import`; do not edit it)",
                            path.display(),
                            i + 1
                        )
                    });
                }
            }
        }
        Ok(ImportLog { runs })
    }

    /// Appends a run to the log and flushes it to disk.
    pub fn append(data_dir: &Path, run: &ImportRun) -> anyhow::Result<()> {
        let path = Self::path(data_dir);
        let mut line = serde_json::to_string(run)?;
        line.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        drop_torn_tail(&mut file).with_context(|| format!("repairing {}", path.display()))?;
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", path.display()))
    }

    /// The import an event came from, if any: by its correlation id, else by the positions a
    /// run appended.
    pub fn import_of(&self, event: &RecordedEvent) -> Option<&ImportRun> {
        self.runs
            .iter()
            .find(|r| r.import_id == event.correlation_id)
            .or_else(|| self.runs.iter().find(|r| r.appended(event.global_position)))
    }
}

/// Cuts a last record that a crash left without its newline, so the next record starts on
/// a line of its own instead of turning the torn one into an unreadable line in the middle.
fn drop_torn_tail(file: &mut std::fs::File) -> std::io::Result<()> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut text = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut text)?;
    if text.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    file.set_len(keep as u64)?;
    file.sync_all()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ticketflow_events::StreamId;

    fn run(id: Uuid, positions: Option<(u64, u64)>) -> ImportRun {
        ImportRun {
            import_id: id,
            file: "past.jsonl".to_owned(),
            sha256: "00".to_owned(),
            lines: 1,
            started_at: Timestamp::default(),
            finished_at: Timestamp::default(),
            first_position: positions.map(|p| p.0),
            last_position: positions.map(|p| p.1),
            recorded_lines: 1,
            replayed_lines: 0,
            refused_lines: 0,
            outcome: "complete".to_owned(),
        }
    }

    fn event(position: u64, correlation_id: Uuid) -> RecordedEvent {
        let stream: StreamId = "ticket-SD-1".parse().unwrap();
        RecordedEvent {
            stream_id: stream,
            stream_version: position,
            global_position: position,
            event_id: Uuid::new_v4(),
            event_type: "TicketOpened".to_owned(),
            schema_version: 1,
            recorded_at: Timestamp::default(),
            occurred_at: Timestamp::default(),
            actor: "system:scheduler".to_owned(),
            correlation_id,
            causation_id: None,
            payload: Vec::new(),
            prev_hash: ticketflow_events::Hash::ZERO,
            hash: ticketflow_events::Hash::ZERO,
        }
    }

    #[test]
    fn an_event_is_imported_by_its_correlation_id_or_by_the_positions_a_run_appended() {
        let dir = tempfile::tempdir().unwrap();
        let id = ImportRun::id_for("abc");
        assert_eq!(
            id,
            ImportRun::id_for("abc"),
            "the same file is the same import"
        );
        assert_ne!(id, ImportRun::id_for("abd"));
        ImportLog::append(dir.path(), &run(id, Some((3, 5)))).unwrap();
        ImportLog::append(dir.path(), &run(id, None)).unwrap();
        let log = ImportLog::load(dir.path()).unwrap();
        assert!(log.import_of(&event(1, id)).is_some(), "by correlation id");
        assert!(
            log.import_of(&event(4, Uuid::new_v4())).is_some(),
            "by position"
        );
        assert!(log.import_of(&event(6, Uuid::new_v4())).is_none());
        assert!(
            ImportLog::load(&dir.path().join("none"))
                .unwrap()
                .import_of(&event(4, id))
                .is_none()
        );

        std::fs::write(ImportLog::path(dir.path()), "{not json}\n{}\n").unwrap();
        let err = ImportLog::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn a_torn_last_record_is_skipped_and_the_next_run_starts_on_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let first = ImportRun::id_for("first");
        ImportLog::append(dir.path(), &run(first, Some((1, 2)))).unwrap();
        // A crash while the second run was written: half a record, no newline.
        let mut torn = serde_json::to_string(&run(ImportRun::id_for("second"), None)).unwrap();
        torn.truncate(torn.len() / 2);
        let path = ImportLog::path(dir.path());
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&torn);
        std::fs::write(&path, text).unwrap();

        let log = ImportLog::load(dir.path()).unwrap();
        assert_eq!(log.runs.len(), 1);
        assert!(log.import_of(&event(1, first)).is_some());

        let third = ImportRun::id_for("third");
        ImportLog::append(dir.path(), &run(third, Some((3, 4)))).unwrap();
        let log = ImportLog::load(dir.path()).unwrap();
        assert_eq!(log.runs.len(), 2);
        assert!(log.import_of(&event(9, third)).is_some());
    }
}
