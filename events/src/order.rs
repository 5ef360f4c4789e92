//! Events of the order aggregate. (Placeholder vocabulary, to be completed.)

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// A customisation order was placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderPlaced {
    /// When.
    pub at: Timestamp,
}

crate::payload!(OrderPlaced = 1);

crate::event_set! {
    /// Every event of a order stream.
    pub enum OrderEvent in "order" {
        OrderPlaced,
    }
}
