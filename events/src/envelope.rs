//! The envelope the store records around every event.
//!
//! A [`NewEvent`] is what a writer hands to the store; the store turns it into a
//! [`RecordedEvent`] by assigning the stream version, the global position, the recording time
//! and the hash that chains it to the stream's previous event. The payload stays opaque here:
//! the store never needs to understand it, which keeps it payload-agnostic.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{StreamId, Timestamp};

/// A SHA-256 digest, written as 64 lower-case hex digits on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct Hash(#[schemars(with = "String")] pub [u8; 32]);

impl Hash {
    /// The hash that precedes the first event of every chain.
    pub const ZERO: Hash = Hash([0; 32]);

    /// Hex representation.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl TryFrom<String> for Hash {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(format!(
                "a hash is 64 hex digits, got {} characters",
                s.len()
            ));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).map_err(|_| "a hash is hex digits".to_owned())?;
            out[i] = u8::from_str_radix(text, 16).map_err(|_| format!("`{text}` is not hex"))?;
        }
        Ok(Hash(out))
    }
}

impl From<Hash> for String {
    fn from(h: Hash) -> String {
        h.to_hex()
    }
}

/// An event as a writer hands it to the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewEvent {
    /// Unique id; also the idempotency key: appending the same id twice records it once.
    pub event_id: Uuid,
    /// Stable type name, e.g. `TicketOpened`.
    pub event_type: String,
    /// Schema version of the payload.
    pub schema_version: u16,
    /// Business time: when it happened (differs from recording time for imports).
    pub occurred_at: Timestamp,
    /// Who caused it, as `role:id`.
    pub actor: String,
    /// Groups every event caused by one request or process.
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
    /// The payload, MessagePack with fields by name (see [`crate::codec`]).
    #[serde(with = "payload_bytes")]
    #[schemars(
        with = "String",
        description = "MessagePack payload, base64-free hex in JSON"
    )]
    pub payload: Vec<u8>,
}

/// An event as the store recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordedEvent {
    /// The stream, e.g. `ticket-SD-1042`; its category is the part before the first `-`.
    pub stream_id: StreamId,
    /// Position in the stream, contiguous from 1.
    pub stream_version: u64,
    /// Position in the whole log, strictly increasing in commit order, gap-free for readers.
    pub global_position: u64,
    /// Unique id, the idempotency key.
    pub event_id: Uuid,
    /// Stable type name, e.g. `TicketOpened`.
    pub event_type: String,
    /// Schema version of the payload as written.
    pub schema_version: u16,
    /// Store time: when the store committed it.
    pub recorded_at: Timestamp,
    /// Business time: when it happened.
    pub occurred_at: Timestamp,
    /// Who caused it, as `role:id`.
    pub actor: String,
    /// Groups every event caused by one request or process.
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
    /// The payload, MessagePack with fields by name.
    #[serde(with = "payload_bytes")]
    #[schemars(with = "String", description = "MessagePack payload as hex in JSON")]
    pub payload: Vec<u8>,
    /// Hash of the stream's previous event ([`Hash::ZERO`] for version 1).
    pub prev_hash: Hash,
    /// Hash of this event: SHA-256 over `prev_hash` and the canonical encoding of every other
    /// field except `global_position` and `recorded_at` (see [`RecordedEvent::compute_hash`]).
    pub hash: Hash,
}

impl RecordedEvent {
    /// Computes the chained hash of an event from its content and the previous hash.
    ///
    /// Every field an auditor relies on is covered, each length-prefixed so no two different
    /// events share an encoding. The global position and recording time are left out on
    /// purpose: they belong to the global log, which the store chains separately, and leaving
    /// them out lets a stream be copied to another store and still verify.
    pub fn compute_hash(
        prev: &Hash,
        stream_id: &StreamId,
        stream_version: u64,
        e: &NewEvent,
    ) -> Hash {
        let mut h = Sha256::new();
        h.update(b"ticketflow-event-v1");
        h.update(prev.0);
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(stream_id.as_str().as_bytes());
        field(&stream_version.to_be_bytes());
        field(e.event_id.as_bytes());
        field(e.event_type.as_bytes());
        field(&e.schema_version.to_be_bytes());
        field(&e.occurred_at.timestamp_micros().to_be_bytes());
        field(e.actor.as_bytes());
        field(e.correlation_id.as_bytes());
        field(e.causation_id.as_ref().map_or(&[][..], |c| c.as_bytes()));
        field(&e.payload);
        Hash(h.finalize().into())
    }

    /// The [`NewEvent`] this record was made from.
    pub fn to_new_event(&self) -> NewEvent {
        NewEvent {
            event_id: self.event_id,
            event_type: self.event_type.clone(),
            schema_version: self.schema_version,
            occurred_at: self.occurred_at,
            actor: self.actor.clone(),
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            payload: self.payload.clone(),
        }
    }

    /// True when `hash` matches the content and `prev_hash`.
    pub fn hash_is_valid(&self) -> bool {
        Self::compute_hash(
            &self.prev_hash,
            &self.stream_id,
            self.stream_version,
            &self.to_new_event(),
        ) == self.hash
    }
}

/// Payload bytes as a hex string in human-readable formats (JSON), a binary otherwise
/// (MessagePack): use with `#[serde(with = "ticketflow_events::envelope::payload_bytes")]`
/// wherever recorded payloads are kept, e.g. in read-model snapshots.
pub mod payload_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the bytes (hex text for JSON, a binary for MessagePack).
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            s.serialize_str(&text)
        } else {
            s.serialize_bytes(bytes)
        }
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            if text.len() % 2 != 0 {
                return Err(serde::de::Error::custom(
                    "payload hex has an odd number of digits",
                ));
            }
            (0..text.len())
                .step_by(2)
                .map(|i| {
                    text.get(i..i + 2)
                        .and_then(|p| u8::from_str_radix(p, 16).ok())
                        .ok_or_else(|| serde::de::Error::custom("payload is not hex"))
                })
                .collect()
        } else {
            serde_bytes_compat::deserialize(d)
        }
    }

    mod serde_bytes_compat {
        use serde::Deserializer;
        use serde::de::{self, SeqAccess, Visitor};

        struct BytesVisitor;
        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(out)
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
            d.deserialize_byte_buf(BytesVisitor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewEvent {
        NewEvent {
            event_id: Uuid::from_u128(1),
            event_type: "TicketOpened".into(),
            schema_version: 1,
            occurred_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            actor: "customer:jane".into(),
            correlation_id: Uuid::from_u128(2),
            causation_id: None,
            payload: vec![1, 2, 3],
        }
    }

    #[test]
    fn hash_changes_with_every_covered_field() {
        let stream: StreamId = "ticket-SD-1".parse().unwrap();
        let base = RecordedEvent::compute_hash(&Hash::ZERO, &stream, 1, &sample());
        let mut e = sample();
        e.payload = vec![1, 2, 4];
        assert_ne!(
            base,
            RecordedEvent::compute_hash(&Hash::ZERO, &stream, 1, &e)
        );
        let mut e = sample();
        e.actor = "customer:john".into();
        assert_ne!(
            base,
            RecordedEvent::compute_hash(&Hash::ZERO, &stream, 1, &e)
        );
        assert_ne!(
            base,
            RecordedEvent::compute_hash(&Hash::ZERO, &stream, 2, &sample())
        );
        assert_ne!(
            base,
            RecordedEvent::compute_hash(&Hash([1; 32]), &stream, 1, &sample())
        );
    }

    #[test]
    fn hash_round_trips_as_hex() {
        let h = Hash([0xab; 32]);
        let text = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Hash>(&text).unwrap(), h);
        assert!(serde_json::from_str::<Hash>("\"zz\"").is_err());
    }

    #[test]
    fn envelope_round_trips_through_json_and_msgpack() {
        let stream: StreamId = "ticket-SD-1".parse().unwrap();
        let e = sample();
        let hash = RecordedEvent::compute_hash(&Hash::ZERO, &stream, 1, &e);
        let r = RecordedEvent {
            stream_id: stream,
            stream_version: 1,
            global_position: 7,
            event_id: e.event_id,
            event_type: e.event_type.clone(),
            schema_version: 1,
            recorded_at: e.occurred_at,
            occurred_at: e.occurred_at,
            actor: e.actor.clone(),
            correlation_id: e.correlation_id,
            causation_id: None,
            payload: e.payload.clone(),
            prev_hash: Hash::ZERO,
            hash,
        };
        assert!(r.hash_is_valid());
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<RecordedEvent>(&json).unwrap(), r);
        let mp = rmp_serde::to_vec_named(&r).unwrap();
        assert_eq!(rmp_serde::from_slice::<RecordedEvent>(&mp).unwrap(), r);
    }
}
