//! # Ticketflow email intake
//!
//! Turns a raw RFC 5322 message into a ticket command (domain.md §2.1):
//!
//! 1. [`parse`] reads sender, subject, Message-ID, date, a text body (text/plain preferred,
//!    else HTML with the markup stripped) and attachment metadata (name, media type, size,
//!    SHA-256 — the content is never kept). Over-large, empty and header-less input is
//!    refused with a clear [`IntakeError`].
//! 2. [`route`] looks the sender up in the [`ContactDirectory`] (`DIR/contacts.toml`) and
//!    decides: a subject carrying a ticket key (`Re: [SD-1042] …`) is a public comment on
//!    that ticket by the contact; anything else opens a new Request from email, shared with
//!    the contact's organisation. Unknown senders are refused.
//! 3. [`deliver`] executes it on the [`ticketflow_engine::Engine`] with the Message-ID as the
//!    idempotency key, so the same mail delivered twice is recorded once.
//!
//! [`take_in`] does all three in one call.
//!
//! ```no_run
//! # async fn demo(engine: &ticketflow_engine::Engine, raw: &[u8]) -> Result<(), ticketflow_intake::IntakeError> {
//! use ticketflow_intake::{ContactDirectory, deliver, parse, route};
//!
//! let directory = ContactDirectory::load("ticketflow-data")?;
//! let mail = parse(raw)?;
//! let command = route(&mail, &directory)?;
//! let delivered = deliver(engine, &command).await?;
//! println!("{} {}", if delivered.opened { "opened" } else { "commented on" }, delivered.ticket);
//! # Ok(())
//! # }
//! ```

pub mod contacts;
pub mod error;
pub mod mail;
pub mod routing;
pub mod submission;

pub use contacts::{CONTACTS_FILE, Contact, ContactDirectory, Organisation};
pub use error::IntakeError;
pub use mail::{
    AttachmentMeta, BodySource, InboundMail, MAX_MESSAGE_BYTES, parse, parse_with_limit,
};
pub use routing::{INTAKE_ACTOR_ID, IntakeCommand, Intent, route};
pub use submission::{Delivered, TICKET_PREFIX, deliver, take_in};
