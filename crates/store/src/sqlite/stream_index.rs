//! The deferred stream index: which positions hold which stream's versions.
//!
//! The store file (since format 2) keeps the `events` table append-only and indexes streams
//! in a separate table, written **in bulk** by the writer every [`INDEX_EVERY`] events
//! instead of once per event; since format 3 that table, `stream_chunks`, packs each
//! stream's new positions into one row per bulk write ([`super::chunks`]). The events after
//! the last bulk (the *tail*, `position > head.indexed`) are indexed in memory only, by the
//! [`Tail`] below, which the writer extends after every commit and every reader consults.
//!
//! # Why
//!
//! With one index entry per event, a commit of 64 appends to 64 streams dirtied 64 leaf
//! pages of the stream index (each stream's entries sit together), ~250 KiB of WAL frames
//! for ~20 KiB of events; the flush of those frames was the bound of concurrent appends.
//! Written in bulk, each stream's leaf is dirtied once per few thousand events; packed into
//! chunks, a bulk write inserts one row per stream instead of one per event.
//!
//! # Why it is sound
//!
//! * **Uniqueness of (stream, version)** no longer rests on a unique index checked at every
//!   insert but on the single writer: it is the only thread that writes, it assigns each
//!   stream's next version from the head it knows (its cache, the tail, or the file, always
//!   read inside its own transaction), and an append whose expected version does not match
//!   that head is refused. Reads check that every event the index names is the version of
//!   the stream it is named as, so a writer bug could not go unnoticed, and `verify`
//!   checks every stream's versions are contiguous and chained.
//! * **Crashes**: the bulk insert and the head's `indexed` mark are one transaction, so after
//!   any crash the file says exactly which positions are indexed; on open the tail is rebuilt
//!   from the events after that mark (at most a few thousand rows).
//! * **Readers never miss an event**: a reader reads the durable head first, then the tail,
//!   then queries SQLite. The writer adds a batch to the tail right after its COMMIT, before
//!   the head can name it, and removes entries from the tail only after the bulk commit that
//!   indexed them, so every durable event is in the tail the reader copied or in the index
//!   its later SQLite snapshot sees (or both: readers drop the duplicates by version).

use std::collections::HashMap;

use parking_lot::RwLock;
use rusqlite::Connection;
use ticketflow_events::StreamId;

use super::chunks;

/// Events between two bulk writes of the stream index.
pub const INDEX_EVERY: u64 = 1024;

/// One stream's unindexed versions, ascending: (version, position).
pub type Entries = Vec<(u64, u64)>;

/// The unindexed tail of the log, in memory: shared by the writer and the readers.
#[derive(Default)]
pub struct Tail {
    inner: RwLock<TailInner>,
}

#[derive(Default)]
struct TailInner {
    /// Every position up to this one is in the stream index (`stream_chunks`).
    indexed: u64,
    streams: HashMap<StreamId, Entries>,
    events: u64,
}

impl Tail {
    /// Rebuilds the tail from the events after the file's `indexed` mark.
    pub fn load(conn: &Connection) -> rusqlite::Result<Tail> {
        let indexed: i64 =
            conn.query_row("SELECT indexed FROM head WHERE id = 1", [], |r| r.get(0))?;
        let indexed = indexed.max(0) as u64;
        let mut inner = TailInner {
            indexed,
            ..TailInner::default()
        };
        let mut stmt = conn.prepare(
            "SELECT stream_id, stream_version, position FROM events WHERE position > ?1 ORDER BY position",
        )?;
        let mut rows = stmt.query([indexed as i64])?;
        while let Some(row) = rows.next()? {
            let stream: String = row.get(0)?;
            let version: i64 = row.get(1)?;
            let position: i64 = row.get(2)?;
            // A row whose stream id does not parse is reported by verify; the tail skips it
            // like the old index would have served it under a name no caller can ask for.
            if let Ok(stream) = stream.parse::<StreamId>() {
                inner
                    .streams
                    .entry(stream)
                    .or_default()
                    .push((version.max(0) as u64, position.max(0) as u64));
                inner.events += 1;
            }
        }
        Ok(Tail {
            inner: RwLock::new(inner),
        })
    }

    /// A stream's unindexed entries with positions up to `durable`.
    pub fn entries(&self, stream: &StreamId, durable: u64) -> Entries {
        let inner = self.inner.read();
        inner.streams.get(stream).map_or_else(Vec::new, |e| {
            e.iter().copied().filter(|&(_, p)| p <= durable).collect()
        })
    }

    /// The newest unindexed (version, position) of a stream, whatever its durability: for
    /// the writer, which sees its own commits.
    pub fn last(&self, stream: &StreamId) -> Option<(u64, u64)> {
        self.inner
            .read()
            .streams
            .get(stream)
            .and_then(|e| e.last().copied())
    }

    /// Adds a committed batch's entries (in position order).
    pub fn extend(&self, added: impl IntoIterator<Item = (StreamId, u64, u64)>) {
        let mut inner = self.inner.write();
        for (stream, version, position) in added {
            inner
                .streams
                .entry(stream)
                .or_default()
                .push((version, position));
            inner.events += 1;
        }
    }

    /// Unindexed events held.
    pub fn len(&self) -> u64 {
        self.inner.read().events
    }

    /// True when everything is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the tail wholesale (after a failed commit the writer re-reads the file).
    pub fn replace(&self, other: Tail) {
        *self.inner.write() = other.inner.into_inner();
    }

    /// Writes every unindexed entry up to `position` into the stream index ([`chunks`]) in one
    /// transaction with the head's `indexed` mark; only after that commit are they dropped
    /// from memory. Answers the number of entries written.
    pub fn write_bulk(&self, conn: &mut Connection, position: u64) -> rusqlite::Result<u64> {
        let mut batch: Vec<(StreamId, Entries)> = {
            let inner = self.inner.read();
            inner
                .streams
                .iter()
                .map(|(s, e)| {
                    let upto: Entries = e.iter().copied().filter(|&(_, p)| p <= position).collect();
                    (s.clone(), upto)
                })
                .filter(|(_, e)| !e.is_empty())
                .collect()
        };
        // Key order: each leaf of the index is visited once.
        batch.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let tx = conn.transaction()?;
        for (stream, entries) in &batch {
            chunks::insert(&tx, stream, entries)?;
        }
        tx.prepare_cached("UPDATE head SET indexed = MAX(indexed, ?1) WHERE id = 1")?
            .execute([position as i64])?;
        tx.commit()?;
        let mut inner = self.inner.write();
        inner.indexed = inner.indexed.max(position);
        let mut left = 0;
        inner.streams.retain(|_, e| {
            e.retain(|&(_, p)| p > position);
            left += e.len() as u64;
            !e.is_empty()
        });
        inner.events = left;
        Ok(batch.iter().map(|(_, e)| e.len() as u64).sum())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_indexed_mark_never_moves_backwards() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite");
        let (mut conn, _, _) = super::super::schema::open_writer(&path, true).unwrap();
        let tail = Tail::load(&conn).unwrap();
        tail.write_bulk(&mut conn, 5).unwrap();
        tail.write_bulk(&mut conn, 3).unwrap();
        let indexed: i64 = conn
            .query_row("SELECT indexed FROM head WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(indexed, 5);
        assert_eq!(Tail::load(&conn).unwrap().inner.read().indexed, 5);
        assert_eq!(tail.inner.read().indexed, 5);
    }
}
