//! The PostgreSQL peers of Ticketflow, each driven the way its users drive it:
//!
//! * `message-db` — Eventide's message store: `write_message(id, stream_name, type, data,
//!   metadata, expected_version)` and `get_stream_messages(stream_name, position, batch_size)`,
//!   installed by `run.sh` from the npm package `@eventide/message-db`.
//! * `cqrs-es` — the cqrs-es framework with its PostgreSQL repository `postgres-es` (sqlx):
//!   `PersistedEventStore::commit` (the durable append of an aggregate's new events) and
//!   `load_aggregate` (read and apply every event).
//! * `plain-pg` — what a team would write itself: an `events` table with a unique
//!   `(stream, version)` index, one prepared `INSERT` per event (the index is the optimistic
//!   concurrency check), one prepared `SELECT ... ORDER BY version` per load.
//!
//! Usage (normally from run.sh): `ticketflow-peers-postgres --port 54329 --out samples.jsonl
//! --settings-out pg.txt [--smoke]`. PostgreSQL must listen on 127.0.0.1 with trust auth and
//! have message-db installed in the `message_store` database.

#[path = "../../common/measure.rs"]
#[allow(dead_code)] // shared with ../ticketflow, which uses all of it
mod measure;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventStore};
use cqrs_es::{Aggregate, DomainEvent, EventStore as _};
use futures::FutureExt;
use measure::{AppendOp, LOAD_STREAMS, LoadOp, Plan, STREAM_SIZES, WRITERS};
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use tokio_postgres::{Client, NoTls, Statement};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port = measure::arg("--port").unwrap_or_else(|| "54329".to_owned());
    let out = measure::arg("--out").context("pass --out <samples.jsonl>")?;
    let plan = Plan::new(measure::flag("--smoke"));
    let only = measure::arg("--only");
    let wants = |s: &str| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == s));

    let admin = connect(&port, "postgres", "postgres", None).await?;
    if let Some(path) = measure::arg("--settings-out") {
        std::fs::write(&path, settings(&admin).await?)?;
    }
    // The first round starts from empty databases; later rounds add fresh streams to them,
    // as a store in production grows.
    let first = measure::run() == 0;
    for db in ["plain", "cqrs"].into_iter().filter(|_| first) {
        // Two statements: DROP DATABASE refuses to run inside the implicit transaction of a
        // multi-statement batch.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .await?;
    }

    let mut samples = Vec::new();
    if wants("message-db") {
        samples.extend(message_db(&port, &plan).await?);
        settle(&admin).await?;
    }
    if wants("cqrs-es") {
        samples.extend(cqrs(&port, &plan).await?);
        settle(&admin).await?;
    }
    if wants("plain-pg") {
        samples.extend(plain(&port, &plan).await?);
        settle(&admin).await?;
    }
    measure::write_samples(out.as_ref(), &samples)
}

/// Writes the buffers the last system dirtied before the next system's turn.
///
/// PostgreSQL's checkpointer spreads the writing of dirty buffers over minutes, so without
/// this the data of one peer's appends is still being written while the next system (the
/// next peer, or Ticketflow after the peers) measures — on the same disk. A `CHECKPOINT`
/// between turns makes every turn start from a quiet disk; it is not part of any figure.
async fn settle(admin: &Client) -> anyhow::Result<()> {
    admin
        .batch_execute("CHECKPOINT")
        .await
        .context("running CHECKPOINT between two systems' turns")
}

async fn connect(
    port: &str,
    user: &str,
    db: &str,
    options: Option<&str>,
) -> anyhow::Result<Client> {
    let mut cfg = tokio_postgres::Config::new();
    cfg.host("127.0.0.1")
        .port(port.parse()?)
        .user(user)
        .dbname(db);
    if let Some(o) = options {
        cfg.options(o);
    }
    let (client, conn) = cfg
        .connect(NoTls)
        .await
        .with_context(|| format!("connecting to PostgreSQL on 127.0.0.1:{port} as {user}/{db}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

/// The server's version and durability settings, for the report.
async fn settings(c: &Client) -> anyhow::Result<String> {
    let mut parts = vec![
        c.query_one("SHOW server_version", &[])
            .await?
            .get::<_, String>(0),
    ];
    for s in [
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
        "full_page_writes",
        "shared_buffers",
        "max_connections",
    ] {
        let v: String = c.query_one(&format!("SHOW {s}"), &[]).await?.get(0);
        parts.push(format!("{s}={v}"));
    }
    Ok(format!("PostgreSQL {}", parts.join(", ")))
}

/// One connection per writer (64 at most), each with the statement it runs prepared.
async fn clients(
    port: &str,
    user: &str,
    db: &str,
    options: Option<&str>,
    sql: &str,
) -> anyhow::Result<Arc<Vec<(Client, Statement)>>> {
    let mut v = Vec::new();
    for _ in 0..WRITERS.iter().copied().max().unwrap_or(1) {
        let c = connect(port, user, db, options).await?;
        let st = c.prepare(sql).await?;
        v.push((c, st));
    }
    Ok(Arc::new(v))
}

fn metadata(seq: u64) -> String {
    format!(
        "{{\"correlationId\":\"{}\",\"actor\":\"agent:a.keller\",\"seq\":{seq}}}",
        measure::event_id()
    )
}

const MDB_OPTIONS: &str = "-c search_path=message_store,public";
const MDB_WRITE: &str = "SELECT message_store.write_message($1::text, $2::text, $3::text, $4::text::jsonb, $5::text::jsonb, $6::bigint)";

async fn message_db(port: &str, plan: &Plan) -> anyhow::Result<Vec<Sample>> {
    let name = "message-db";
    let conns = clients(
        port,
        "message_store",
        "message_store",
        Some(MDB_OPTIONS),
        MDB_WRITE,
    )
    .await?;
    let mut samples = measure::measure_appends(name, plan, |writers, round| {
        let conns = conns.clone();
        async move {
            let op: AppendOp = Arc::new(move |w, seq| {
                let conns = conns.clone();
                async move {
                    let (c, st) = &conns[w];
                    let id = measure::event_id().to_string();
                    let stream = measure::append_stream_name(writers, round, w);
                    // message-db versions start at 0; -1 means "no stream yet".
                    let expected = seq as i64 - 1;
                    c.query_one(
                        st,
                        &[
                            &id,
                            &stream,
                            &"TicketNoted",
                            &measure::payload(w, seq),
                            &metadata(seq),
                            &expected,
                        ],
                    )
                    .await?;
                    Ok(())
                }
                .boxed()
            });
            Ok(op)
        }
    })
    .await?;
    drop(conns);

    let c = connect(port, "message_store", "message_store", Some(MDB_OPTIONS)).await?;
    let write = c.prepare(MDB_WRITE).await?;
    for size in STREAM_SIZES {
        for i in 0..LOAD_STREAMS {
            c.batch_execute("BEGIN").await?;
            for seq in 0..size as u64 {
                let stream = format!("ticket-{}", measure::load_stream_name(size, i));
                let id = measure::event_id().to_string();
                let expected: Option<i64> = None;
                c.query_one(
                    &write,
                    &[
                        &id,
                        &stream,
                        &"TicketNoted",
                        &measure::payload(i, seq),
                        &metadata(seq),
                        &expected,
                    ],
                )
                .await?;
            }
            c.batch_execute("COMMIT").await?;
        }
    }
    let read = c
        .prepare("SELECT * FROM message_store.get_stream_messages($1::text, 0, 1000)")
        .await?;
    let c = Arc::new((c, read));
    let op: LoadOp = Arc::new(move |size, i| {
        let c = c.clone();
        async move {
            let stream = format!("ticket-{}", measure::load_stream_name(size, i));
            let rows = c.0.query(&c.1, &[&stream]).await?;
            Ok(rows.len())
        }
        .boxed()
    });
    samples.extend(measure::measure_loads(name, plan, op).await?);
    Ok(samples)
}

use measure::Sample;

const PLAIN_SCHEMA: &str = "
CREATE TABLE events (
    position    bigserial   PRIMARY KEY,
    stream      text        NOT NULL,
    version     bigint      NOT NULL,
    event_id    uuid        NOT NULL UNIQUE,
    type        text        NOT NULL,
    data        jsonb       NOT NULL,
    metadata    jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX events_stream_version ON events (stream, version);";
const PLAIN_INSERT: &str = "INSERT INTO events (stream, version, event_id, type, data, metadata) VALUES ($1, $2, $3::text::uuid, $4, $5::text::jsonb, $6::text::jsonb)";

async fn plain(port: &str, plan: &Plan) -> anyhow::Result<Vec<Sample>> {
    let name = "plain-pg";
    let c = connect(port, "postgres", "plain", None).await?;
    if measure::run() == 0 {
        c.batch_execute(PLAIN_SCHEMA).await?;
    }
    let conns = clients(port, "postgres", "plain", None, PLAIN_INSERT).await?;
    let mut samples = measure::measure_appends(name, plan, |writers, round| {
        let conns = conns.clone();
        async move {
            let op: AppendOp = Arc::new(move |w, seq| {
                let conns = conns.clone();
                async move {
                    let (c, st) = &conns[w];
                    let stream = measure::append_stream_name(writers, round, w);
                    // The unique (stream, version) index refuses a concurrent writer that
                    // expected the same version: optimistic concurrency.
                    let version = seq as i64 + 1;
                    let id = measure::event_id().to_string();
                    c.execute(
                        st,
                        &[
                            &stream,
                            &version,
                            &id,
                            &"TicketNoted",
                            &measure::payload(w, seq),
                            &metadata(seq),
                        ],
                    )
                    .await?;
                    Ok(())
                }
                .boxed()
            });
            Ok(op)
        }
    })
    .await?;
    drop(conns);

    let insert = c.prepare(PLAIN_INSERT).await?;
    for size in STREAM_SIZES {
        for i in 0..LOAD_STREAMS {
            c.batch_execute("BEGIN").await?;
            for seq in 0..size as u64 {
                let stream = measure::load_stream_name(size, i);
                let version = seq as i64 + 1;
                let id = measure::event_id().to_string();
                c.execute(
                    &insert,
                    &[
                        &stream,
                        &version,
                        &id,
                        &"TicketNoted",
                        &measure::payload(i, seq),
                        &metadata(seq),
                    ],
                )
                .await?;
            }
            c.batch_execute("COMMIT").await?;
        }
    }
    let read = c
        .prepare("SELECT position, version, event_id::text, type, data::text, metadata::text, recorded_at::text FROM events WHERE stream = $1 ORDER BY version")
        .await?;
    let c = Arc::new((c, read));
    let op: LoadOp = Arc::new(move |size, i| {
        let c = c.clone();
        async move {
            let rows =
                c.0.query(&c.1, &[&measure::load_stream_name(size, i)])
                    .await?;
            Ok(rows.len())
        }
        .boxed()
    });
    samples.extend(measure::measure_loads(name, plan, op).await?);
    Ok(samples)
}

/// The cqrs-es aggregate: a ticket that counts its notes. Commands are not used; the bench
/// measures the event store under the framework (commit and load), not `handle`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Ticket {
    notes: usize,
    last_note_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum TicketEvent {
    Noted(serde_json::Value),
}

impl DomainEvent for TicketEvent {
    fn event_type(&self) -> String {
        "TicketNoted".to_owned()
    }
    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

impl Aggregate for Ticket {
    const TYPE: &'static str = "Ticket";
    type Command = ();
    type Event = TicketEvent;
    type Error = std::io::Error;
    type Services = ();

    async fn handle(
        &mut self,
        _command: (),
        _services: &(),
        _sink: &cqrs_es::event_sink::EventSink<Self>,
    ) -> Result<(), std::io::Error> {
        Ok(())
    }

    fn apply(&mut self, event: TicketEvent) {
        let TicketEvent::Noted(v) = event;
        self.notes += 1;
        self.last_note_bytes = v.to_string().len();
    }
}

type CqrsStore = PersistedEventStore<PostgresEventRepository, Ticket>;

const CQRS_SCHEMA: &str = "
CREATE TABLE events (
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        json                         NOT NULL,
    metadata       json                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
CREATE TABLE snapshots (
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          json                                 NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);";

fn note(w: usize, seq: u64) -> anyhow::Result<TicketEvent> {
    Ok(TicketEvent::Noted(serde_json::from_str(
        &measure::payload(w, seq),
    )?))
}

fn cqrs_meta(seq: u64) -> HashMap<String, String> {
    HashMap::from([
        ("correlationId".to_owned(), measure::event_id().to_string()),
        ("actor".to_owned(), "agent:a.keller".to_owned()),
        ("seq".to_owned(), seq.to_string()),
    ])
}

fn context(id: String, current_sequence: usize) -> EventStoreAggregateContext<Ticket> {
    EventStoreAggregateContext {
        aggregate_id: id,
        aggregate: Ticket::default(),
        current_sequence,
        current_snapshot: None,
    }
}

async fn cqrs(port: &str, plan: &Plan) -> anyhow::Result<Vec<Sample>> {
    let name = "cqrs-es";
    if measure::run() == 0 {
        connect(port, "postgres", "cqrs", None)
            .await?
            .batch_execute(CQRS_SCHEMA)
            .await?;
    }
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(WRITERS.iter().copied().max().unwrap_or(1) as u32 + 2)
        .connect(&format!("postgres://postgres@127.0.0.1:{port}/cqrs"))
        .await?;
    let store: Arc<CqrsStore> = Arc::new(PersistedEventStore::new_event_store(
        PostgresEventRepository::new(pool),
    ));
    let mut samples = measure::measure_appends(name, plan, |writers, round| {
        let store = store.clone();
        async move {
            let op: AppendOp = Arc::new(move |w, seq| {
                let store = store.clone();
                async move {
                    // The context a command handler holds after loading the aggregate: its
                    // id and last sequence; commit writes the new events in one transaction,
                    // and the primary key on (type, id, sequence) refuses a concurrent writer.
                    let ctx = context(measure::append_stream_name(writers, round, w), seq as usize);
                    store
                        .commit(vec![note(w, seq)?], ctx, cqrs_meta(seq))
                        .await
                        .map_err(|e| anyhow!("cqrs-es commit failed: {e}"))?;
                    Ok(())
                }
                .boxed()
            });
            Ok(op)
        }
    })
    .await?;

    for size in STREAM_SIZES {
        for i in 0..LOAD_STREAMS {
            let events = (0..size as u64)
                .map(|seq| note(i, seq))
                .collect::<anyhow::Result<Vec<_>>>()?;
            store
                .commit(
                    events,
                    context(measure::load_stream_name(size, i), 0),
                    cqrs_meta(0),
                )
                .await
                .map_err(|e| anyhow!("cqrs-es commit failed: {e}"))?;
        }
    }
    let op: LoadOp = Arc::new(move |size, i| {
        let store = store.clone();
        async move {
            let ctx = store
                .load_aggregate(&measure::load_stream_name(size, i))
                .await
                .map_err(|e| anyhow!("cqrs-es load failed: {e}"))?;
            Ok(ctx.aggregate.notes)
        }
        .boxed()
    });
    samples.extend(measure::measure_loads(name, plan, op).await?);
    Ok(samples)
}
