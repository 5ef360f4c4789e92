//! The payload codec: MessagePack via `rmp-serde`, fields written by name, stable type names,
//! schema versions and upcasting.
//!
//! # Why fields by name
//! `rmp_serde::to_vec_named` writes every struct as a map keyed by field name. A reader that
//! knows a newer struct with an extra `#[serde(default)]` field still reads old payloads, and
//! an old reader skips fields it does not know. Positional encoding would break both.
//!
//! # Why schema versions and upcasters
//! Adding an optional field needs no new version. Renaming, retyping or splitting a field does:
//! the payload type's [`Payload::VERSION`] goes up, and its [`Payload::upcast`] reads every
//! older version and turns it into the current shape. Stored events are never rewritten — the
//! log is append-only and hash-chained — so upcasting happens on every read.
//!
//! # Type names
//! Every payload struct *is* its event type: the struct name is the stable type name written
//! into the envelope (`TicketOpened`, `OrderConceptApproved`, …). Names are unique across all
//! aggregates, so an integrator can filter on a type without knowing the category.

use crate::{RecordedEvent, delivery::DeliveryEvent, order::OrderEvent, ticket::TicketEvent};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a payload could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The type name is not part of the vocabulary.
    #[error("unknown event type `{event_type}`; known types are listed in schemas/events.json")]
    UnknownEventType {
        /// The type name found.
        event_type: String,
    },
    /// The payload was written by a newer version of Ticketflow.
    #[error(
        "event type `{event_type}` has schema version {found}, but this build reads versions 1 to {supported}; upgrade Ticketflow before reading this log"
    )]
    NewerSchemaVersion {
        /// The type name.
        event_type: &'static str,
        /// The version found in the envelope.
        found: u16,
        /// The newest version this build knows.
        supported: u16,
    },
    /// A version this build cannot upcast (never written by any release, or 0).
    #[error(
        "event type `{event_type}` has schema version {found}, which no release of Ticketflow wrote (current is {supported})"
    )]
    UnknownSchemaVersion {
        /// The type name.
        event_type: &'static str,
        /// The version found in the envelope.
        found: u16,
        /// The newest version this build knows.
        supported: u16,
    },
    /// The bytes are not a valid payload of the named type and version.
    #[error(
        "payload of `{event_type}` (schema version {version}) is corrupt or malformed: {reason}"
    )]
    Malformed {
        /// The type name.
        event_type: &'static str,
        /// The version being decoded.
        version: u16,
        /// What the decoder said.
        reason: String,
    },
    /// Serialisation failed (should not happen for well-formed events).
    #[error("could not encode `{event_type}`: {reason}")]
    Encode {
        /// The type name.
        event_type: &'static str,
        /// What the encoder said.
        reason: String,
    },
}

/// One event type: a payload struct with a stable name and a schema version.
///
/// Implement it with [`payload!`](crate::payload) unless the type has older versions to
/// upcast; then implement [`Payload::upcast`] by hand.
pub trait Payload: Serialize + DeserializeOwned + Sized {
    /// The stable type name written into the envelope. Equal to the struct name.
    const TYPE: &'static str;
    /// The current schema version, starting at 1.
    const VERSION: u16;

    /// Reads a payload written at an older `version` (1 ≤ version < [`Self::VERSION`]) and
    /// returns it in the current shape. Types that never changed keep the default, which
    /// refuses every older version.
    fn upcast(version: u16, bytes: &[u8]) -> Result<Self, CodecError> {
        let _ = bytes;
        Err(CodecError::UnknownSchemaVersion {
            event_type: Self::TYPE,
            found: version,
            supported: Self::VERSION,
        })
    }
}

/// Implements [`Payload`] for structs whose schema never changed in an incompatible way.
///
/// ```ignore
/// payload!(TicketOpened = 1, TicketClassified = 1);
/// ```
#[macro_export]
macro_rules! payload {
    ($($ty:ident = $version:literal),+ $(,)?) => {
        $(impl $crate::codec::Payload for $ty {
            const TYPE: &'static str = stringify!($ty);
            const VERSION: u16 = $version;
        })+
    };
}

/// Encodes a payload as MessagePack with fields by name.
pub fn encode_payload<P: Payload>(payload: &P) -> Result<Vec<u8>, CodecError> {
    rmp_serde::to_vec_named(payload).map_err(|e| CodecError::Encode {
        event_type: P::TYPE,
        reason: e.to_string(),
    })
}

/// Decodes MessagePack bytes as the given version of `P`, upcasting older versions.
pub fn decode_payload<P: Payload>(version: u16, bytes: &[u8]) -> Result<P, CodecError> {
    if version == P::VERSION {
        decode_as::<P>(P::TYPE, version, bytes)
    } else if version > P::VERSION {
        Err(CodecError::NewerSchemaVersion {
            event_type: P::TYPE,
            found: version,
            supported: P::VERSION,
        })
    } else if version == 0 {
        Err(CodecError::UnknownSchemaVersion {
            event_type: P::TYPE,
            found: version,
            supported: P::VERSION,
        })
    } else {
        P::upcast(version, bytes)
    }
}

/// Decodes bytes as exactly the type `T` (a current or a legacy shape), for upcasters.
pub fn decode_as<T: DeserializeOwned>(
    event_type: &'static str,
    version: u16,
    bytes: &[u8],
) -> Result<T, CodecError> {
    rmp_serde::from_slice(bytes).map_err(|e| CodecError::Malformed {
        event_type,
        version,
        reason: e.to_string(),
    })
}

/// The events of one aggregate kind, as a closed enum with one variant per event type.
pub trait EventSet: Sized {
    /// The stream category these events live in (`ticket`, `order`, `delivery`).
    const CATEGORY: &'static str;
    /// The stable type name of this event.
    fn event_type(&self) -> &'static str;
    /// The current schema version of this event's type.
    fn schema_version(&self) -> u16;
    /// The payload as MessagePack with fields by name.
    fn encode(&self) -> Result<Vec<u8>, CodecError>;
    /// Reads a payload of the named type and version, upcasting older versions.
    fn decode(event_type: &str, schema_version: u16, payload: &[u8]) -> Result<Self, CodecError>;
    /// Every type name of this set with its current schema version.
    fn event_types() -> &'static [(&'static str, u16)];
}

/// Declares an aggregate's event enum: one variant per payload struct, named like it.
///
/// The enum's JSON form is `{"type": "TicketOpened", "data": {...}}`.
#[macro_export]
macro_rules! event_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $category:literal {
            $($(#[$vmeta:meta])* $variant:ident),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(tag = "type", content = "data")]
        pub enum $name {
            $($(#[$vmeta])*
            #[doc = concat!("The [`", stringify!($variant), "`] event.")]
            $variant($variant),)+
        }

        impl $crate::codec::EventSet for $name {
            const CATEGORY: &'static str = $category;

            fn event_type(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$variant as $crate::codec::Payload>::TYPE,)+
                }
            }

            fn schema_version(&self) -> u16 {
                match self {
                    $(Self::$variant(_) => <$variant as $crate::codec::Payload>::VERSION,)+
                }
            }

            fn encode(&self) -> Result<Vec<u8>, $crate::codec::CodecError> {
                match self {
                    $(Self::$variant(p) => $crate::codec::encode_payload(p),)+
                }
            }

            fn decode(
                event_type: &str,
                schema_version: u16,
                payload: &[u8],
            ) -> Result<Self, $crate::codec::CodecError> {
                $(if event_type == <$variant as $crate::codec::Payload>::TYPE {
                    return $crate::codec::decode_payload::<$variant>(schema_version, payload)
                        .map(Self::$variant);
                })+
                Err($crate::codec::CodecError::UnknownEventType {
                    event_type: event_type.chars().take(64).collect(),
                })
            }

            fn event_types() -> &'static [(&'static str, u16)] {
                &[$((
                    <$variant as $crate::codec::Payload>::TYPE,
                    <$variant as $crate::codec::Payload>::VERSION,
                ),)+]
            }
        }

        $(impl From<$variant> for $name {
            fn from(p: $variant) -> Self {
                Self::$variant(p)
            }
        })+
    };
}

/// Any event of the vocabulary, for readers that see the whole log.
// Variants differ in size while some vocabularies are still small; boxing every event for
// that would cost an allocation per event read.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AnyEvent {
    /// An event of a ticket stream.
    Ticket(TicketEvent),
    /// An event of a customisation order stream.
    Order(OrderEvent),
    /// An event of a delivery stream.
    Delivery(DeliveryEvent),
}

impl AnyEvent {
    /// Decodes a payload by its type name alone (type names are unique across aggregates).
    pub fn decode(
        event_type: &str,
        schema_version: u16,
        payload: &[u8],
    ) -> Result<Self, CodecError> {
        if TicketEvent::event_types()
            .iter()
            .any(|(t, _)| *t == event_type)
        {
            TicketEvent::decode(event_type, schema_version, payload).map(AnyEvent::Ticket)
        } else if OrderEvent::event_types()
            .iter()
            .any(|(t, _)| *t == event_type)
        {
            OrderEvent::decode(event_type, schema_version, payload).map(AnyEvent::Order)
        } else {
            DeliveryEvent::decode(event_type, schema_version, payload).map(AnyEvent::Delivery)
        }
    }

    /// Decodes the payload of a recorded event.
    pub fn from_recorded(event: &RecordedEvent) -> Result<Self, CodecError> {
        Self::decode(&event.event_type, event.schema_version, &event.payload)
    }

    /// Every type name of the vocabulary with its current schema version.
    pub fn event_types() -> impl Iterator<Item = (&'static str, u16)> {
        TicketEvent::event_types()
            .iter()
            .chain(OrderEvent::event_types())
            .chain(DeliveryEvent::event_types())
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn type_names_are_unique_across_aggregates() {
        let mut seen = HashSet::new();
        for (name, version) in AnyEvent::event_types() {
            assert!(seen.insert(name), "event type {name} declared twice");
            assert!(version >= 1, "{name} has schema version 0");
        }
    }

    #[test]
    fn unknown_type_is_refused_by_name() {
        let err = AnyEvent::decode("NoSuchEvent", 1, &[]).unwrap_err();
        assert!(err.to_string().contains("NoSuchEvent"), "{err}");
    }
}
