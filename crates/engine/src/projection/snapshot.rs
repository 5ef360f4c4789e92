//! Snapshot files: a read model's state together with the checkpoint it reflects.
//!
//! # Layout
//!
//! ```text
//! "TFSNAP\0" 0x01 | header length (u32, little endian) | header | state
//! ```
//!
//! The header is MessagePack (rmp-serde, fields by name) and names the read model, its
//! version, the global position the state reflects, the length of the state bytes and a
//! SHA-256 over all of them. The state is whatever [`ReadModel::snapshot`](ticketflow_projections::ReadModel)
//! wrote.
//!
//! # Why one file
//!
//! The checkpoint lives in the same file as the state, so they can only be replaced together:
//! a read model restored from a snapshot never reflects an event past the position it resumes
//! from, and never misses one before it.
//!
//! # Why this write sequence
//!
//! A snapshot is written to `<name>.snapshot.tmp`, fsynced, renamed over `<name>.snapshot`,
//! and then the directory is fsynced. After a crash at any moment the directory holds either
//! the old snapshot or the new one, never a mix; a leftover temporary file is ignored and
//! overwritten next time.
//!
//! # Why damage means rebuild
//!
//! A snapshot is a cache of a fold over the log: the log can always recompute it. So a
//! truncated, foreign or corrupted file (checked by length and SHA-256) is reported as a
//! warning and the read model is rebuilt from position 0 — never a panic, never a refusal to
//! start.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::ProjectionError;

/// The first eight bytes of every snapshot file; the last byte is the layout version.
const MAGIC: &[u8; 8] = b"TFSNAP\0\x01";

/// What the header of a snapshot file records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHeader {
    /// The read model's name.
    pub name: String,
    /// The read model's version when the snapshot was written.
    pub version: u32,
    /// The global position of the last event the state reflects (the checkpoint).
    pub position: u64,
    /// Length of the state bytes.
    pub state_len: u64,
    /// SHA-256 over the name, version, position and state bytes, so a damaged header is
    /// caught as surely as damaged state.
    pub sha256: [u8; 32],
}

/// What was found where a read model's snapshot should be.
#[derive(Debug)]
pub(crate) enum Found {
    /// No snapshot yet: start from position 0.
    Missing,
    /// A sound snapshot of this read model at this version.
    Snapshot {
        /// The checkpoint.
        position: u64,
        /// The state to restore.
        state: Vec<u8>,
    },
    /// A sound snapshot written by another version of the read model.
    OtherVersion {
        /// The version in the file.
        found: u32,
    },
    /// The file cannot be used; the sentence says why.
    Unusable(String),
}

/// The snapshot file of read model `name` in `dir`.
pub fn snapshot_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.snapshot"))
}

/// Reads only the header of a snapshot file, e.g. for an operator's status report.
///
/// Fails with a sentence naming the file when it is missing or damaged.
pub fn read_header(path: &Path) -> Result<SnapshotHeader, String> {
    let bytes =
        fs::read(path).map_err(|e| format!("cannot read snapshot {}: {e}", path.display()))?;
    parse(&bytes)
        .map(|(header, _)| header)
        .map_err(|reason| format!("snapshot {} is unusable: {reason}", path.display()))
}

/// Splits a snapshot file into its header and state, checking everything but the name and
/// version (the caller decides what those mean).
fn parse(bytes: &[u8]) -> Result<(SnapshotHeader, &[u8]), String> {
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| "it does not start with the Ticketflow snapshot marker".to_owned())?;
    let (len, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| "it is truncated inside the header".to_owned())?;
    let len = u32::from_le_bytes(*len) as usize;
    if rest.len() < len {
        return Err("it is truncated inside the header".to_owned());
    }
    let (header, state) = rest.split_at(len);
    let header: SnapshotHeader =
        rmp_serde::from_slice(header).map_err(|e| format!("its header cannot be decoded ({e})"))?;
    if state.len() as u64 != header.state_len {
        return Err(format!(
            "its state has {} bytes but the header announces {} (truncated or appended to)",
            state.len(),
            header.state_len
        ));
    }
    if digest(&header.name, header.version, header.position, state) != header.sha256 {
        return Err("its content does not match the checksum in its header (corrupted)".to_owned());
    }
    Ok((header, state))
}

/// Looks for the snapshot of read model `name` at `version` in `dir`.
pub(crate) fn load(dir: &Path, name: &str, version: u32) -> Found {
    let path = snapshot_path(dir, name);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => return Found::Unusable(format!("it cannot be read ({e})")),
    };
    match parse(&bytes) {
        Err(reason) => Found::Unusable(reason),
        Ok((header, _)) if header.name != name => Found::Unusable(format!(
            "it belongs to read model `{}`, not `{name}`",
            header.name
        )),
        Ok((header, _)) if header.version != version => Found::OtherVersion {
            found: header.version,
        },
        Ok((header, state)) => Found::Snapshot {
            position: header.position,
            state: state.to_vec(),
        },
    }
}

/// Writes the snapshot of read model `name` atomically (temporary file, fsync, rename, fsync
/// of the directory).
pub(crate) fn save(
    dir: &Path,
    name: &str,
    version: u32,
    position: u64,
    state: &[u8],
) -> Result<(), ProjectionError> {
    let header = SnapshotHeader {
        name: name.to_owned(),
        version,
        position,
        state_len: state.len() as u64,
        sha256: digest(name, version, position, state),
    };
    let path = snapshot_path(dir, name);
    let header = rmp_serde::to_vec_named(&header).map_err(|e| ProjectionError::Snapshot {
        name: name.to_owned(),
        reason: format!("its header could not be encoded ({e})"),
    })?;
    let header_len = u32::try_from(header.len()).map_err(|_| ProjectionError::Snapshot {
        name: name.to_owned(),
        reason: "its header is larger than 4 GiB".to_owned(),
    })?;
    let tmp = dir.join(format!("{name}.snapshot.tmp"));
    let write = |file: &mut File| -> std::io::Result<()> {
        file.write_all(MAGIC)?;
        file.write_all(&header_len.to_le_bytes())?;
        file.write_all(&header)?;
        file.write_all(state)?;
        file.sync_all()
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| ProjectionError::io("create the snapshot file", &tmp, e))?;
    write(&mut file).map_err(|e| ProjectionError::io("write the snapshot file", &tmp, e))?;
    drop(file);
    fs::rename(&tmp, &path)
        .map_err(|e| ProjectionError::io("move the new snapshot into place at", &path, e))?;
    sync_dir(dir)
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), ProjectionError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| ProjectionError::io("fsync the snapshot directory", dir, e))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// The checksum of a snapshot: every field that decides what a restore means.
fn digest(name: &str, version: u32, position: u64, state: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((name.len() as u64).to_le_bytes());
    h.update(name.as_bytes());
    h.update(version.to_le_bytes());
    h.update(position.to_le_bytes());
    h.update(state);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_snapshot_reads_back_with_its_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "counter", 3, 42, b"state").unwrap();
        match load(dir.path(), "counter", 3) {
            Found::Snapshot { position, state } => {
                assert_eq!(position, 42);
                assert_eq!(state, b"state");
            }
            other => panic!("unexpected {other:?}"),
        }
        let header = read_header(&snapshot_path(dir.path(), "counter")).unwrap();
        assert_eq!((header.version, header.position), (3, 42));
    }

    #[test]
    fn another_version_is_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "counter", 3, 42, b"state").unwrap();
        assert!(matches!(
            load(dir.path(), "counter", 4),
            Found::OtherVersion { found: 3 }
        ));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_unusable() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "counter", 1, 7, b"some state bytes").unwrap();
        let path = snapshot_path(dir.path(), "counter");
        let good = fs::read(&path).unwrap();
        for len in 0..good.len() {
            fs::write(&path, &good[..len]).unwrap();
            assert!(
                matches!(load(dir.path(), "counter", 1), Found::Unusable(_)),
                "truncated to {len}"
            );
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            fs::write(&path, &bad).unwrap();
            assert!(
                !matches!(load(dir.path(), "counter", 1), Found::Snapshot { .. }),
                "byte {i} flipped"
            );
        }
    }

    #[test]
    fn a_missing_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path(), "counter", 1), Found::Missing));
    }
}
