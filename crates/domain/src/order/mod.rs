//! The customisation order aggregate. (Placeholder, to be completed.)

use serde::{Deserialize, Serialize};

/// Customisation order deadlines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderPolicy {}
