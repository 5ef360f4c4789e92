//! The concurrent maps read models keep their state in.
//!
//! Keys are short strings (ticket keys, stream ids) and small ids that come from our own log,
//! not from an attacker choosing collisions at query time, so the maps hash with `foldhash`
//! instead of the standard library's SipHash: a rebuild hashes every event's key into several
//! maps, and SipHash was a visible share of it. Iteration order is never observable: snapshots
//! sort the entries (see `snapshot::sorted`) and every query sorts its answer.

use dashmap::DashMap;

/// A concurrent map hashed with `foldhash`.
pub(crate) type Map<K, V> = DashMap<K, V, foldhash::fast::RandomState>;
