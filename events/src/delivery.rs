//! Events of the delivery aggregate. (Placeholder vocabulary, to be completed.)

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// A delivery was planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryPlanned {
    /// When.
    pub at: Timestamp,
}

crate::payload!(DeliveryPlanned = 1);

crate::event_set! {
    /// Every event of a delivery stream.
    pub enum DeliveryEvent in "delivery" {
        DeliveryPlanned,
    }
}
