//! How read models write and read their snapshots.
//!
//! A snapshot is MessagePack (fields by name) wrapping the read model's state with its name and
//! version, so that a snapshot handed to the wrong read model, or written by another version of
//! the fold, is refused instead of silently misread. Concurrent maps are written as lists
//! sorted by key: the same state always gives the same bytes, which is what lets the property
//! tests compare "rebuilt from scratch" with "maintained incrementally" byte for byte.

use std::hash::{BuildHasher, Hash};

use dashmap::DashMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::SnapshotError;

#[derive(Serialize)]
struct Written<'a, T> {
    model: &'a str,
    version: u32,
    state: &'a T,
}

#[derive(serde::Deserialize)]
struct Read<T> {
    model: String,
    version: u32,
    state: T,
}

/// Encodes `state` as the snapshot of read model `name` at `version`.
pub(crate) fn write<T: Serialize>(
    name: &'static str,
    version: u32,
    state: &T,
) -> Result<Vec<u8>, SnapshotError> {
    rmp_serde::to_vec_named(&Written {
        model: name,
        version,
        state,
    })
    .map_err(|e| SnapshotError::Write {
        name,
        reason: e.to_string(),
    })
}

/// Decodes a snapshot written by [`write`] for the same name and version.
pub(crate) fn read<T: DeserializeOwned>(
    name: &'static str,
    version: u32,
    bytes: &[u8],
) -> Result<T, SnapshotError> {
    let read: Read<T> = rmp_serde::from_slice(bytes).map_err(|e| SnapshotError::Read {
        name,
        reason: e.to_string(),
    })?;
    if read.model != name || read.version != version {
        return Err(SnapshotError::Read {
            name,
            reason: format!(
                "it was written by read model `{}` version {}, expected version {version}",
                read.model, read.version
            ),
        });
    }
    Ok(read.state)
}

/// The entries of a concurrent map, sorted by key, for a deterministic snapshot.
pub(crate) fn sorted<K, V, S>(map: &DashMap<K, V, S>) -> Vec<(K, V)>
where
    K: Eq + Hash + Ord + Clone,
    V: Clone,
    S: BuildHasher + Clone,
{
    let mut entries: Vec<(K, V)> = map
        .iter()
        .map(|e| (e.key().clone(), e.value().clone()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// Replaces the content of a concurrent map with `entries`.
pub(crate) fn refill<K: Eq + Hash, V, S: BuildHasher + Clone>(
    map: &DashMap<K, V, S>,
    entries: Vec<(K, V)>,
) {
    map.clear();
    for (k, v) in entries {
        map.insert(k, v);
    }
}
