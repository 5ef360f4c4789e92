//! Email intake (in progress).
