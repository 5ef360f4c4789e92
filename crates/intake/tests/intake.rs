//! Email intake end to end: real .eml fixtures through a real engine on a SQLite store in a
//! temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use ticketflow_domain::DeskConfig;
use ticketflow_domain::ticket::Ticket;
use ticketflow_engine::{Engine, SystemClock};
use ticketflow_events::ticket::{IntakeChannel, SharedWith, TicketEvent, TicketType};
use ticketflow_events::{AnyEvent, TicketKey};
use ticketflow_intake::{
    BodySource, ContactDirectory, IntakeError, deliver, parse, parse_with_limit, route,
};
use ticketflow_store::{EventStore, Filter, SqliteOptions, SqliteStore};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mail")
        .join(name);
    std::fs::read(path).unwrap()
}

fn directory() -> ContactDirectory {
    ContactDirectory::load_file(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mail/contacts.toml"),
    )
    .unwrap()
}

struct Desk {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    engine: Engine,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("events.sqlite"), SqliteOptions::default()).unwrap(),
    );
    let engine = Engine::new(store.clone(), DeskConfig::default(), Arc::new(SystemClock));
    Desk {
        _dir: dir,
        store,
        engine,
    }
}

impl Desk {
    async fn take_in(&self, name: &str) -> Result<ticketflow_intake::Delivered, IntakeError> {
        let mail = parse(&fixture(name))?;
        let command = route(&mail, &directory())?;
        deliver(&self.engine, &command).await
    }

    async fn events(&self) -> Vec<TicketEvent> {
        self.store
            .read_all(0, &Filter::all(), 1000)
            .await
            .unwrap()
            .iter()
            .map(|e| match AnyEvent::from_recorded(e).unwrap() {
                AnyEvent::Ticket(t) => t,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }
}

fn key(n: u64) -> TicketKey {
    TicketKey::new("SD", n).unwrap()
}

#[tokio::test]
async fn a_plain_mail_opens_a_request_shared_with_the_organisation() {
    let desk = desk();
    let delivered = desk.take_in("plain.eml").await.unwrap();
    assert!(delivered.opened);
    assert_eq!(delivered.ticket, key(1));
    let (ticket, _) = desk
        .engine
        .state::<Ticket>(&key(1).stream_id())
        .await
        .unwrap();
    assert_eq!(ticket.channel(), IntakeChannel::Email);
    assert_eq!(ticket.ticket_type(), TicketType::Request);
    assert_eq!(ticket.shared_with(), SharedWith::Organisation);
    assert_eq!(ticket.organisation().0, "acme");
    assert_eq!(ticket.creator(), "ann@acme.example");
    let events = desk.events().await;
    let [TicketEvent::TicketOpened(opened)] = events.as_slice() else {
        panic!("expected one TicketOpened, got {events:?}");
    };
    assert_eq!(opened.summary, "Printer on floor 3 jams every morning");
    assert!(
        opened
            .description
            .starts_with("Good morning,\n\nthe printer")
    );
    assert!(opened.description.ends_with("Grüße, Ann"));
}

#[tokio::test]
async fn the_same_mail_delivered_twice_is_recorded_once() {
    let desk = desk();
    let first = desk.take_in("plain.eml").await.unwrap();
    desk.take_in("multipart-attachment.eml").await.unwrap();
    let again = desk.take_in("plain.eml").await.unwrap();
    assert_eq!(again.ticket, first.ticket);
    assert!(again.outcome.replayed);
    let ids = |d: &ticketflow_intake::Delivered| {
        d.outcome
            .events
            .iter()
            .map(|e| (e.event_id, e.global_position))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(desk.store.last_position().await.unwrap(), 2);
}

#[tokio::test]
async fn attachments_are_kept_as_metadata_only() {
    let mail = parse(&fixture("multipart-attachment.eml")).unwrap();
    assert_eq!(
        mail.body,
        "The export stops with an error, see the attached report and screenshot."
    );
    let pdf = b"%PDF-1.4\nhello ticketflow\n%%EOF\n";
    let report = &mail.attachments[0];
    assert_eq!(report.name, "report.pdf");
    assert_eq!(report.media_type, "application/pdf");
    assert_eq!(report.size_bytes, pdf.len() as u64);
    assert_eq!(report.sha256, hex::encode(Sha256::digest(pdf)));
    let screenshot = &mail.attachments[1];
    assert_eq!(
        screenshot.name, "screen shot.png",
        "the path is dropped from the name"
    );
    assert_eq!(screenshot.media_type, "image/png");
    assert_eq!(screenshot.size_bytes, 1024);

    let desk = desk();
    desk.take_in("multipart-attachment.eml").await.unwrap();
    let events = desk.events().await;
    let [TicketEvent::TicketOpened(opened)] = events.as_slice() else {
        panic!("expected one TicketOpened, got {events:?}");
    };
    let names: Vec<_> = opened.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["report.pdf", "screen shot.png"]);
    assert_eq!(opened.attachments[0].content_hash, report.sha256);
}

#[tokio::test]
async fn an_html_only_mail_is_read_without_markup() {
    let mail = parse(&fixture("html-only.eml")).unwrap();
    assert_eq!(mail.body_source, BodySource::Html);
    assert!(mail.body.contains("cost centre"), "{}", mail.body);
    assert!(!mail.body.contains('<'), "{}", mail.body);
    assert_eq!(mail.from, "bob@partner.example");
    assert_eq!(mail.from_name.as_deref(), Some("Bob"));
    assert_eq!(mail.message_id, "html-0003@partner.example");
    let desk = desk();
    let delivered = desk.take_in("html-only.eml").await.unwrap();
    let (ticket, _) = desk
        .engine
        .state::<Ticket>(&delivered.ticket.stream_id())
        .await
        .unwrap();
    assert_eq!(ticket.organisation().0, "globex");
    assert_eq!(ticket.creator(), "bob");
    assert!(ticket.has_extended_support_budget());
}

#[tokio::test]
async fn a_reply_carrying_the_key_becomes_a_comment_by_the_contact() {
    let desk = desk();
    desk.take_in("plain.eml").await.unwrap();
    let reply = desk.take_in("reply-with-key.eml").await.unwrap();
    assert!(!reply.opened);
    assert_eq!(reply.ticket, key(1));
    let again = desk.take_in("reply-with-key.eml").await.unwrap();
    assert!(
        again.outcome.replayed,
        "the same reply twice is recorded once"
    );
    let events = desk.events().await;
    assert_eq!(events.len(), 2, "{events:?}");
    let TicketEvent::TicketCommented(comment) = &events[1] else {
        panic!("expected a comment, got {:?}", events[1]);
    };
    assert_eq!(comment.author, "ann@acme.example");
    assert_eq!(
        comment.text, "It happened again today, this time at 9.",
        "the quoted tail is dropped"
    );
}

#[tokio::test]
async fn a_reply_from_another_organisation_is_refused_by_the_domain() {
    let desk = desk();
    desk.take_in("plain.eml").await.unwrap();
    let raw = String::from_utf8(fixture("reply-with-key.eml"))
        .unwrap()
        .replace("ann@acme.example", "bob@partner.example")
        .replace("reply-0004", "reply-0104");
    let command = route(&parse(raw.as_bytes()).unwrap(), &directory()).unwrap();
    let err = deliver(&desk.engine, &command).await.unwrap_err();
    assert!(matches!(err, IntakeError::Command(_)), "{err}");
    assert!(err.is_caller_error());
    assert_eq!(desk.store.last_position().await.unwrap(), 1);
}

#[tokio::test]
async fn a_reply_to_an_unknown_ticket_is_refused() {
    let desk = desk();
    let err = desk.take_in("reply-unknown-ticket.eml").await.unwrap_err();
    assert!(
        matches!(&err, IntakeError::UnknownTicket { ticket } if *ticket == key(999)),
        "{err}"
    );
    assert!(err.to_string().contains("SD-999"));
    assert_eq!(desk.store.last_position().await.unwrap(), 0);
}

#[tokio::test]
async fn an_unknown_sender_is_refused() {
    let desk = desk();
    let err = desk.take_in("unknown-sender.eml").await.unwrap_err();
    assert!(
        matches!(&err, IntakeError::UnknownSender { sender } if sender == "eve@evil.example"),
        "{err}"
    );
    assert!(err.to_string().contains("contacts.toml"));
    assert_eq!(desk.store.last_position().await.unwrap(), 0);
}

#[test]
fn garbage_empty_and_sender_less_input_is_refused_clearly() {
    assert!(matches!(
        parse(&fixture("garbage.eml")),
        Err(IntakeError::Malformed { .. })
    ));
    assert!(matches!(parse(b""), Err(IntakeError::Malformed { .. })));
    assert!(matches!(
        parse(b" \r\n "),
        Err(IntakeError::Malformed { .. })
    ));
    assert!(matches!(
        parse(&fixture("no-from.eml")),
        Err(IntakeError::NoSender)
    ));
    let no_address = b"From: just a name\r\nSubject: x\r\n\r\nbody\r\n";
    assert!(matches!(parse(no_address), Err(IntakeError::NoSender)));
}

#[test]
fn a_huge_mail_is_refused_before_parsing() {
    let raw = fixture("plain.eml");
    let err = parse_with_limit(&raw, 100).unwrap_err();
    assert!(
        matches!(err, IntakeError::TooLarge { limit: 100, .. }),
        "{err}"
    );
    let mut huge = raw.clone();
    huge.resize(ticketflow_intake::MAX_MESSAGE_BYTES + 1, b'a');
    assert!(matches!(parse(&huge), Err(IntakeError::TooLarge { .. })));
}

#[test]
fn a_mail_without_message_id_is_keyed_by_its_content() {
    let raw = b"From: ann@acme.example\r\nSubject: hi\r\n\r\nbody\r\n";
    let a = parse(raw).unwrap();
    let b = parse(raw).unwrap();
    assert!(a.message_id.starts_with("sha256:"));
    assert_eq!(a.message_id, b.message_id);
}

#[tokio::test]
async fn new_requests_get_the_next_free_key_after_existing_tickets() {
    let desk = desk();
    let first = desk.take_in("plain.eml").await.unwrap();
    let second = desk.take_in("html-only.eml").await.unwrap();
    let third = desk.take_in("multipart-attachment.eml").await.unwrap();
    assert_eq!(
        [first.ticket, second.ticket, third.ticket],
        [key(1), key(2), key(3)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_mail_arriving_twice_at_once_opens_one_ticket() {
    let desk = desk();
    let raw = fixture("plain.eml");
    let directory = directory();
    let (a, b) = tokio::join!(
        ticketflow_intake::take_in(&desk.engine, &directory, &raw),
        ticketflow_intake::take_in(&desk.engine, &directory, &raw),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.ticket, b.ticket);
    assert!(
        a.outcome.replayed != b.outcome.replayed,
        "one records, the other replays"
    );
    assert_eq!(desk.store.last_position().await.unwrap(), 1);
}

#[tokio::test]
async fn another_sender_reusing_a_message_id_does_not_suppress_the_original() {
    let desk = desk();
    let first = desk.take_in("plain.eml").await.unwrap();
    let copy = String::from_utf8(fixture("plain.eml"))
        .unwrap()
        .replace("Ann@Acme.example", "bob@partner.example");
    let command = route(&parse(copy.as_bytes()).unwrap(), &directory()).unwrap();
    let other = deliver(&desk.engine, &command).await.unwrap();
    assert!(!other.outcome.replayed);
    assert_ne!(other.ticket, first.ticket);
    assert_eq!(desk.store.last_position().await.unwrap(), 2);
}
