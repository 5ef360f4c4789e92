//! SLA policy and evaluation. (Placeholder, to be completed.)
