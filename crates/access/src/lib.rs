//! # Access control for Ticketflow
//!
//! Two halves, both free of HTTP so the server, the CLI and tests share them:
//!
//! * [`tokens`] — bearer tokens. `ticketflow tokens issue` prints a new secret once; only its
//!   SHA-256 is stored (in `DATA_DIR/access.sqlite`) with the token's name, role and dates.
//!   The server looks every request's token up by hash, so a revoked token stops working at
//!   once, without a restart, even when another process (the CLI) revoked it.
//! * [`policy`] — what a [`Principal`] may see and do: pure functions over the principal's
//!   role and a few facts about the ticket, unit-tested as a table.

pub mod policy;
pub mod tokens;

pub use policy::{
    Action, TicketFacts, Visibility, may, may_see_ticket, redact_free_text, redacts_free_text,
};
pub use tokens::{
    ACCESS_FILE, AccessError, Principal, TOKEN_PREFIX, TokenInfo, TokenStore, role_from_parts,
};
