//! Engine benchmarks: command latency (load from cache + tail, decide, encode, durable append)
//! on SQLite and in memory, and how fast the scheduler works through a jump of months.
//!
//! Run with `cargo bench -p ticketflow-engine --bench commands`. Besides criterion's figures it
//! prints p50 / p99 of single-command latency measured over 2,000 sequential commands, the
//! figure docs/performance.md asks for (read-model updates are the projection runner's part
//! and are not included here).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use criterion::Criterion;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_domain::ticket::{PortalForm, TicketCommand};
use ticketflow_engine::{CommandOptions, Engine, Scheduler, SimulatedClock};
use ticketflow_events::ticket::{AffectedSystem, CommentVisibility, SharedWith, TicketType};
use ticketflow_events::{Actor, OrganisationId, Region, Role, TicketKey, Timestamp};
use ticketflow_store::{EventStore, MemoryStore, SqliteOptions, SqliteStore};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn t0() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

fn jane() -> Actor {
    Actor {
        id: "jane@acme".into(),
        role: Role::Customer {
            organisation: OrganisationId("acme".into()),
        },
    }
}

fn agent() -> Actor {
    Actor {
        id: "anna".into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

fn open(key: &TicketKey) -> AddressedCommand {
    AddressedCommand::Ticket(
        key.clone(),
        TicketCommand::OpenFromPortal {
            key: key.clone(),
            region: Region::Dach,
            extended_support_budget: false,
            form: PortalForm {
                ticket_type: TicketType::Incident,
                summary: "Login fails".into(),
                description: "Nobody can log in since 8:00.".into(),
                share_with: Some(SharedWith::Organisation),
                affected_system: Some(AffectedSystem::Production),
                system_reachable: Some(true),
                url: Some("https://lms.acme.example/login".into()),
                customer_reference: None,
                attachments: vec![],
                confidential: false,
            },
        },
    )
}

fn comment(key: &TicketKey) -> AddressedCommand {
    AddressedCommand::Ticket(
        key.clone(),
        TicketCommand::AddComment {
            text: "Any news?".into(),
            visibility: CommentVisibility::Public,
            attachments: vec![],
        },
    )
}

/// An engine with `tickets` open tickets.
fn desk(
    rt: &tokio::runtime::Runtime,
    store: Arc<dyn EventStore>,
    tickets: u64,
) -> (Engine, Vec<TicketKey>) {
    let clock = SimulatedClock::new(t0());
    let engine = Engine::new(store, DeskConfig::default(), Arc::new(clock));
    let keys: Vec<TicketKey> = (1..=tickets)
        .map(|n| TicketKey::new("SD", n).unwrap())
        .collect();
    rt.block_on(async {
        for key in &keys {
            engine
                .execute(&open(key), &jane(), &CommandOptions::default())
                .await
                .unwrap();
        }
    });
    (engine, keys)
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "{name}: p50 {:?}, p99 {:?} over {} commands",
        at(0.50),
        at(0.99),
        samples.len()
    );
}

fn latency_percentiles(rt: &tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(dir.path().join("events.db"), SqliteOptions::default()).unwrap();
    for (name, store) in [
        ("sqlite", Arc::new(sqlite) as Arc<dyn EventStore>),
        ("memory", Arc::new(MemoryStore::new())),
    ] {
        let (engine, keys) = desk(rt, store, 100);
        let samples = rt.block_on(async {
            let mut samples = Vec::new();
            for i in 0..2000 {
                let key = &keys[i % keys.len()];
                let start = Instant::now();
                engine
                    .execute(&comment(key), &jane(), &CommandOptions::default())
                    .await
                    .unwrap();
                samples.push(start.elapsed());
            }
            samples
        });
        percentiles(&format!("command latency ({name})"), samples);
    }
}

fn command_latency(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(dir.path().join("events.db"), SqliteOptions::default()).unwrap();
    let mut g = c.benchmark_group("command");
    g.sample_size(50);
    for (name, store) in [
        ("sqlite", Arc::new(sqlite) as Arc<dyn EventStore>),
        ("memory", Arc::new(MemoryStore::new())),
    ] {
        let (engine, keys) = desk(rt, store, 100);
        let mut i = 0usize;
        g.bench_function(format!("add_comment/{name}"), |b| {
            b.to_async(rt).iter(|| {
                i += 1;
                let key = keys[i % keys.len()].clone();
                let engine = engine.clone();
                async move {
                    engine
                        .execute(&comment(&key), &jane(), &CommandOptions::default())
                        .await
                        .unwrap()
                }
            })
        });
    }
    g.finish();
}

/// 200 tickets in clarification, then a jump of 60 days: 800 timers fired in time order.
fn scheduler_jump(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut g = c.benchmark_group("scheduler");
    g.sample_size(10);
    g.bench_function("jump_60_days_800_timers/memory", |b| {
        b.iter_batched(
            || {
                let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
                let clock = SimulatedClock::new(t0());
                let engine = Engine::new(store, DeskConfig::default(), Arc::new(clock.clone()));
                rt.block_on(async {
                    for n in 1..=200 {
                        let key = TicketKey::new("SD", n).unwrap();
                        let none = CommandOptions::default();
                        engine.execute(&open(&key), &jane(), &none).await.unwrap();
                        let ask = AddressedCommand::Ticket(
                            key,
                            TicketCommand::RequestClarification {
                                question: "Which course?".into(),
                            },
                        );
                        engine.execute(&ask, &agent(), &none).await.unwrap();
                    }
                });
                (engine, clock)
            },
            |(engine, clock)| {
                rt.block_on(async {
                    let mut scheduler = Scheduler::start(engine).await.unwrap();
                    let fired = scheduler
                        .advance_to(&clock, t0() + TimeDelta::days(60))
                        .await
                        .unwrap();
                    assert_eq!(fired.len(), 800);
                })
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn main() {
    let rt = runtime();
    latency_percentiles(&rt);
    let mut c = Criterion::default().configure_from_args();
    command_latency(&mut c, &rt);
    scheduler_jump(&mut c, &rt);
    c.final_summary();
}
