//! The delivery aggregate. (Placeholder, to be completed.)
