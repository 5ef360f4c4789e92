//! Recording a routed email through the engine, exactly once per Message-ID.
//!
//! * A **comment** is executed on the named ticket with the idempotency key
//!   `email:<sender>:<Message-ID>`; the engine answers a redelivery with the recorded outcome.
//! * A **new request** needs a ticket key first. The engine's idempotency is per stream, so
//!   before allocating a key intake looks for a `TicketOpened` whose event id is the one the
//!   engine derives from that stream and this key: found means the mail was already taken in,
//!   and the same command is replayed on that ticket. Otherwise the next free number after
//!   the highest ticket or delivery key in the log is tried with "the stream must not exist"
//!   (when the highest key is at the top of the range, e.g. someone opened `SD-999999999`,
//!   the lowest free number instead); a key taken meanwhile by another writer moves on to the
//!   next free number.
//!
//! The look-up reads the opening events of the log (one short row per ticket), which is fine
//! for mail volumes; opens are serialised within a process so the same mail arriving twice at
//! once is still recorded once. Two *processes* taking in the same mail at the same instant
//! could each open a ticket — run intake in one process (the server).

use ticketflow_domain::ticket::policy::TicketPolicy;
use ticketflow_engine::command::derived_event_id;
use ticketflow_engine::{CommandError, CommandOptions, CommandOutcome, Engine};
use ticketflow_events::TicketKey;
use ticketflow_events::ticket::Attachment;
use ticketflow_store::{EventStore, Filter};

use crate::contacts::ContactDirectory;
use crate::error::IntakeError;
use crate::mail::parse;
use crate::routing::{IntakeCommand, Intent, route};

/// The prefix of ticket keys intake allocates (`SD-1042`).
pub const TICKET_PREFIX: &str = "SD";

/// How many taken keys in a row intake skips before giving up.
const KEY_ATTEMPTS: u32 = 20;

/// Serialises the look-up-then-open of new requests within this process.
static OPENING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What an email became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The ticket opened or commented on.
    pub ticket: TicketKey,
    /// True when the email opened a new ticket.
    pub opened: bool,
    /// The engine's answer; `outcome.replayed` is true when the same Message-ID had already
    /// been recorded and nothing new was written.
    pub outcome: CommandOutcome,
}

/// Executes a routed email on `engine` (see the module documentation for how duplicates are
/// recognised). Texts and attachment lists are first fitted to the desk's limits: an email
/// was already sent, so it is shortened rather than refused.
pub async fn deliver(engine: &Engine, command: &IntakeCommand) -> Result<Delivered, IntakeError> {
    let command = fit_to_policy(command, &engine.config().ticket);
    let keyed = CommandOptions::with_key(command.idempotency_key.clone());
    match &command.intent {
        Intent::Comment { ticket, .. } => {
            let exists = engine
                .store()
                .stream_version(&ticket.stream_id())
                .await
                .map_err(CommandError::from)?
                .is_some();
            if !exists {
                return Err(IntakeError::UnknownTicket {
                    ticket: ticket.clone(),
                });
            }
            let outcome = engine
                .execute(&command.addressed(ticket), &command.actor, &keyed)
                .await?;
            Ok(Delivered {
                ticket: ticket.clone(),
                opened: false,
                outcome,
            })
        }
        Intent::OpenRequest { .. } => {
            let _opening = OPENING.lock().await;
            let scan = scan_openings(engine.store().as_ref(), &command.idempotency_key).await?;
            if let Some(ticket) = scan.already_opened {
                let outcome = engine
                    .execute(&command.addressed(&ticket), &command.actor, &keyed)
                    .await?;
                return Ok(Delivered {
                    ticket,
                    opened: true,
                    outcome,
                });
            }
            let mut number = scan.first_candidate();
            for _ in 0..KEY_ATTEMPTS {
                while scan.taken.contains(&number) {
                    number += 1;
                }
                let ticket =
                    TicketKey::new(TICKET_PREFIX, number).map_err(|e| IntakeError::NoKey {
                        reason: e.to_string(),
                    })?;
                let options = CommandOptions {
                    expected_version: Some(0),
                    ..keyed.clone()
                };
                match engine
                    .execute(&command.addressed(&ticket), &command.actor, &options)
                    .await
                {
                    Ok(outcome) => {
                        return Ok(Delivered {
                            ticket,
                            opened: true,
                            outcome,
                        });
                    }
                    Err(CommandError::Conflict { .. }) => number += 1,
                    Err(e) => return Err(e.into()),
                }
            }
            Err(IntakeError::NoKey {
                reason: format!(
                    "{KEY_ATTEMPTS} keys in a row from {TICKET_PREFIX}-{} on were taken",
                    scan.first_candidate()
                ),
            })
        }
    }
}

/// Parses, routes and delivers one raw message: what `POST /intake/email` and
/// `ticketflow intake FILE` do.
pub async fn take_in(
    engine: &Engine,
    directory: &ContactDirectory,
    raw: &[u8],
) -> Result<Delivered, IntakeError> {
    let mail = parse(raw)?;
    let command = route(&mail, directory)?;
    deliver(engine, &command).await
}

/// The highest number a key may carry (keys have 1 to 9 digits).
const HIGHEST_NUMBER: u64 = 999_999_999;

/// What the log says about opened tickets.
struct Openings {
    /// The numbers of ticket and delivery keys with [`TICKET_PREFIX`].
    taken: std::collections::BTreeSet<u64>,
    /// The ticket this idempotency key already opened, if any.
    already_opened: Option<TicketKey>,
}

impl Openings {
    /// Where the search for a free number starts: after the highest number in use, or — when
    /// someone used up the top of the range (e.g. opened `SD-999999999` by hand) — at the
    /// lowest free number, so one high key never stops intake.
    fn first_candidate(&self) -> u64 {
        let highest = self.taken.last().copied().unwrap_or(0);
        if highest.saturating_add(KEY_ATTEMPTS.into()) <= HIGHEST_NUMBER {
            return highest + 1;
        }
        (1..=HIGHEST_NUMBER)
            .find(|n| !self.taken.contains(n))
            .unwrap_or(HIGHEST_NUMBER)
    }
}

async fn scan_openings(store: &dyn EventStore, key: &str) -> Result<Openings, IntakeError> {
    const PAGE: usize = 1000;
    let filter = Filter {
        event_types: vec!["TicketOpened".into(), "DeliveryPlanned".into()],
        ..Filter::default()
    };
    let mut scan = Openings {
        taken: std::collections::BTreeSet::new(),
        already_opened: None,
    };
    let mut from = 1;
    loop {
        let page = store
            .read_all(from, &filter, PAGE)
            .await
            .map_err(CommandError::from)?;
        for event in &page {
            let Some(entity) = event.stream_id.entity() else {
                continue;
            };
            if let Some(number) = entity
                .strip_prefix(TICKET_PREFIX)
                .and_then(|rest| rest.strip_prefix('-'))
                .and_then(|n| n.parse::<u64>().ok())
            {
                scan.taken.insert(number);
            }
            if event.event_type == "TicketOpened"
                && event.event_id == derived_event_id(&event.stream_id, key, 0)
            {
                scan.already_opened = entity.parse().ok();
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE => from = last.global_position + 1,
            _ => return Ok(scan),
        }
    }
}

/// Shortens what would exceed the desk's limits: the comment text, attachment names, and
/// attachment lists (files beyond the limit are named in the text instead).
fn fit_to_policy(command: &IntakeCommand, policy: &TicketPolicy) -> IntakeCommand {
    let mut command = command.clone();
    let fit_attachments = |attachments: &mut Vec<Attachment>, text: &mut String| {
        for a in attachments.iter_mut() {
            a.name = a.name.chars().take(policy.max_summary_chars).collect();
        }
        if attachments.len() > policy.max_attachments {
            let rest: Vec<String> = attachments
                .split_off(policy.max_attachments)
                .into_iter()
                .map(|a| {
                    format!(
                        "{} ({} bytes, sha256 {})",
                        a.name, a.size_bytes, a.content_hash
                    )
                })
                .collect();
            text.push_str(&format!(
                "\n\n[{} further attachments were not recorded: {}]",
                rest.len(),
                rest.join("; ")
            ));
        }
    };
    match &mut command.intent {
        Intent::Comment {
            text, attachments, ..
        } => {
            fit_attachments(attachments, text);
            if text.trim().is_empty() {
                *text = "(empty message)".into();
            }
            *text = text.chars().take(policy.max_text_chars).collect();
        }
        Intent::OpenRequest { email, .. } => {
            fit_attachments(&mut email.attachments, &mut email.body)
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openings(taken: &[u64]) -> Openings {
        Openings {
            taken: taken.iter().copied().collect(),
            already_opened: None,
        }
    }

    #[test]
    fn a_new_request_gets_the_number_after_the_highest_in_use() {
        assert_eq!(openings(&[]).first_candidate(), 1);
        assert_eq!(openings(&[1, 2, 7]).first_candidate(), 8);
    }

    #[test]
    fn a_key_at_the_top_of_the_range_does_not_stop_intake() {
        assert_eq!(openings(&[1, 2, HIGHEST_NUMBER]).first_candidate(), 3);
    }
}
