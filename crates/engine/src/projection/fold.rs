//! Folding one recorded event into one read model, with failures turned into values.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ticketflow_events::{AnyEvent, RecordedEvent};
use ticketflow_projections::{AggregateKey, Decoded, ReadModel};

use super::progress::ProjectionFailure;

/// An event decoded once for every read model: the payload and the aggregate key of its
/// stream, so that no read model decodes or parses either again.
#[derive(Debug)]
pub(crate) struct DecodedEvent {
    event: AnyEvent,
    key: Option<AggregateKey>,
}

impl DecodedEvent {
    /// What a read model is handed: the envelope with the decoded payload and key, borrowed.
    fn view<'a>(&'a self, envelope: &'a RecordedEvent) -> Decoded<'a> {
        Decoded {
            envelope,
            event: &self.event,
            key: self.key.as_ref(),
        }
    }
}

/// An event's decoding: the decoded event, or why no read model can fold it.
pub(crate) type Decoding = Result<DecodedEvent, ProjectionFailure>;

/// Decodes `event` (payload and key) for the read models that need it.
pub(crate) fn decode(event: &RecordedEvent) -> Decoding {
    let decoded = AnyEvent::from_recorded(event).map_err(|e| ProjectionFailure::Undecodable {
        position: event.global_position,
        event_type: event.event_type.clone(),
        reason: e.to_string(),
    })?;
    Ok(DecodedEvent {
        key: AggregateKey::of(event, &decoded),
        event: decoded,
    })
}

/// Applies a decoded event, turning a panic of the read model into a failure so that one
/// faulty read model cannot take the runner (and every other read model) down with it.
pub(crate) fn apply(
    model: &dyn ReadModel,
    envelope: &RecordedEvent,
    event: &DecodedEvent,
) -> Result<(), ProjectionFailure> {
    catch_unwind(AssertUnwindSafe(|| model.fold(&event.view(envelope)))).map_err(|panic| {
        ProjectionFailure::Panicked {
            position: envelope.global_position,
            event_type: envelope.event_type.clone(),
            message: panic_message(panic.as_ref()),
        }
    })
}

/// Applies an event as decoded ahead: a failed decoding is the read model's failure too.
pub(crate) fn apply_decoding(
    model: &dyn ReadModel,
    envelope: &RecordedEvent,
    decoding: &Decoding,
) -> Result<(), ProjectionFailure> {
    match decoding {
        Ok(decoded) => apply(model, envelope, decoded),
        Err(failure) => Err(failure.clone()),
    }
}

/// Decodes and applies one event.
pub(crate) fn fold_one(
    model: &dyn ReadModel,
    event: &RecordedEvent,
) -> Result<(), ProjectionFailure> {
    let decoded = decode(event)?;
    apply(model, event, &decoded)
}

/// The text of a panic payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}
