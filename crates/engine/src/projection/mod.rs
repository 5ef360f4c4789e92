//! The projection runner. (Placeholder, to be completed.)
