//! The scheduler: time order over long jumps, restarts, and no timer ever firing twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use common::*;
use proptest::prelude::*;
use ticketflow_domain::DeskConfig;
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_engine::{CommandOptions, Engine, FireResult, Scheduler, SimulatedClock, WorkKind};
use ticketflow_events::delivery::CloudEnvironment;
use ticketflow_events::ticket::{TicketEvent, TicketStatus};
use ticketflow_events::{AnyEvent, EventSet, TicketKey, Timestamp};
use ticketflow_store::{EventStore, MemoryStore};

fn engine_on(store: Arc<dyn EventStore>, clock: &SimulatedClock) -> Engine {
    Engine::new(store, DeskConfig::default(), Arc::new(clock.clone()))
}

async fn run(
    engine: &Engine,
    clock: &SimulatedClock,
    lines: Vec<ticketflow_domain::script::ScriptLine>,
) {
    for l in lines {
        clock.set(l.at);
        engine
            .execute(&l.command, &l.actor, &CommandOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", l.command.name()));
    }
}

fn ask_clarification() -> TicketCommand {
    TicketCommand::RequestClarification {
        question: "Which course?".into(),
    }
}

/// Timer fire events per (ticket, timer id): reminders and timer closes.
async fn fire_counts(store: &dyn EventStore) -> BTreeMap<(String, u64), usize> {
    let mut counts = BTreeMap::new();
    for (recorded, event) in all_events(store).await {
        let timer = match event {
            AnyEvent::Ticket(TicketEvent::TicketClarificationReminderSent(e)) => Some(e.timer),
            AnyEvent::Ticket(TicketEvent::TicketClosed(e)) => e.timer,
            _ => None,
        };
        if let Some(timer) = timer {
            *counts
                .entry((recorded.stream_id.to_string(), timer.0))
                .or_insert(0) += 1;
        }
    }
    counts
}

#[tokio::test]
async fn a_months_long_jump_fires_every_due_timer_in_time_order() {
    for (name, store, _dir) in stores() {
        let clock = SimulatedClock::new(t0());
        let engine = engine_on(store.clone(), &clock);
        let (a, b, c) = (ticket(1), ticket(2), ticket(3));
        // A: clarification at day 0 → reminders at 10, 20, 30, close at 40.
        // B: resolved at day 5 → auto-close at 55.
        // C: a fix delivered at day 3 → the process manager resolves it at once, which starts
        //    its own 50-day auto-close (day 53), fired in the same jump.
        let mut lines = vec![
            line(t0(), jane(), open_incident(&a)),
            line(t0(), agent(), to_ticket(&a, ask_clarification())),
            line(t0(), jane(), open_incident(&b)),
            line(t0(), agent(), to_ticket(&b, classify_defect())),
            line(t0() + days(5), agent(), to_ticket(&b, resolve_no_defect())),
        ];
        lines.extend(defect_ready_for_delivery(&c, jane(), "14.21.3.1", t0()));
        let d = delivery(900);
        lines.push(line(
            t0() + days(1),
            agent(),
            to_delivery(
                &d,
                plan_delivery(
                    &d,
                    "acme",
                    vec![c.clone()],
                    CloudEnvironment::CustomerHosted,
                ),
            ),
        ));
        let day = |n| NaiveDate::from_ymd_opt(2026, 3, n).unwrap();
        lines.extend(walk_to_release(&d, t0() + days(2), day(4), day(5)));
        lines.push(line(
            t0() + days(3),
            agent(),
            to_delivery(
                &d,
                DeliveryCommand::ProvidePackage {
                    location: "sftp://x/acme".into(),
                },
            ),
        ));
        run(&engine, &clock, lines).await;

        let mut scheduler = Scheduler::start(engine.clone()).await.unwrap();
        let fired = scheduler
            .advance_to(&clock, t0() + days(180))
            .await
            .unwrap();
        let times: Vec<Timestamp> = fired.iter().map(|f| f.at).collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted, "{name}: fired out of order");
        for f in &fired {
            assert_eq!(
                f.at,
                f.work.due_at.max(t0() + days(3)),
                "{name}: {} fired late",
                f.work.key
            );
            assert!(matches!(f.result, FireResult::Recorded(_)), "{name}: {f:?}");
        }
        let summary: Vec<(String, i64)> = fired
            .iter()
            .map(|f| {
                (
                    f.work.command.stream_id().to_string(),
                    (f.at - t0()).num_days(),
                )
            })
            .collect();
        let expected: Vec<(String, i64)> = [
            ("ticket-SD-3", 3),
            ("ticket-SD-1", 10),
            ("ticket-SD-1", 20),
            ("ticket-SD-1", 30),
            ("ticket-SD-1", 40),
            ("ticket-SD-3", 53),
            ("ticket-SD-2", 55),
        ]
        .into_iter()
        .map(|(s, d)| (s.to_owned(), d))
        .collect();
        assert_eq!(summary, expected, "{name}");
        assert_eq!(fired[0].work.kind, WorkKind::TicketDelivered, "{name}");
        assert_eq!(clock_now(&clock), t0() + days(180), "{name}");
        for key in [&a, &b, &c] {
            let (state, _) = engine
                .state::<ticketflow_domain::ticket::Ticket>(&key.stream_id())
                .await
                .unwrap();
            assert_eq!(state.status(), TicketStatus::Closed, "{name}: {key}");
        }
        assert!(scheduler.view().due_work().is_empty(), "{name}");
        assert!(
            fire_counts(store.as_ref()).await.values().all(|n| *n == 1),
            "{name}"
        );
    }
}

fn clock_now(clock: &SimulatedClock) -> Timestamp {
    use ticketflow_engine::Clock;
    clock.now()
}

#[tokio::test]
async fn a_restarted_scheduler_rebuilds_its_view_and_fires_only_what_is_left() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let engine = engine_on(store.clone(), &clock);
    let a = ticket(1);
    run(
        &engine,
        &clock,
        vec![
            line(t0(), jane(), open_incident(&a)),
            line(t0(), agent(), to_ticket(&a, ask_clarification())),
        ],
    )
    .await;
    let mut scheduler = Scheduler::start(engine.clone()).await.unwrap();
    let fired = scheduler.advance_to(&clock, t0() + days(25)).await.unwrap();
    assert_eq!(fired.len(), 2);
    drop(scheduler);
    // A new process: fresh engine, fresh cache, view rebuilt from the store.
    let engine = engine_on(store.clone(), &clock);
    let mut scheduler = Scheduler::start(engine).await.unwrap();
    assert_eq!(scheduler.view().due_work().len(), 2);
    let fired = scheduler.advance_to(&clock, t0() + days(60)).await.unwrap();
    assert_eq!(fired.len(), 2);
    assert_eq!(fire_counts(store.as_ref()).await.len(), 4);
}

#[derive(Debug, Clone)]
enum Op {
    /// Move the clock this many days, firing what falls due.
    Advance(i64),
    /// Drop engine and scheduler; start again from the store.
    Restart,
    /// Offer every piece of work fired so far again, with its key, straight to the engine.
    Replay,
    /// Drop the engine's cache.
    ClearCache,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i64..30).prop_map(Op::Advance),
        1 => Just(Op::Restart),
        1 => Just(Op::Replay),
        1 => Just(Op::ClearCache),
    ]
}

/// For each ticket: `true` = clarification (4 timers), `false` = resolved (1 timer), and a
/// start offset in days.
fn desk() -> impl Strategy<Value = Vec<(bool, i64)>> {
    prop::collection::vec((any::<bool>(), 0i64..20), 1..5)
}

async fn restart_scenario(tickets: Vec<(bool, i64)>, ops: Vec<Op>) {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let mut engine = engine_on(store.clone(), &clock);
    let mut lines = Vec::new();
    for (i, (clarify, offset)) in tickets.iter().enumerate() {
        let key: TicketKey = ticket(i as u64 + 1);
        let at = t0() + days(*offset);
        lines.push(line(at, jane(), open_incident(&key)));
        if *clarify {
            lines.push(line(at, agent(), to_ticket(&key, ask_clarification())));
        } else {
            lines.push(line(at, agent(), to_ticket(&key, classify_defect())));
            lines.push(line(at, agent(), to_ticket(&key, resolve_no_defect())));
        }
    }
    lines.sort_by_key(|l| l.at);
    let mut scheduler = Scheduler::start(engine.clone()).await.unwrap();
    // The script runs with the scheduler interleaved, as in production.
    for l in lines {
        scheduler.advance_to(&clock, l.at).await.unwrap();
        engine
            .execute(&l.command, &l.actor, &CommandOptions::default())
            .await
            .unwrap();
    }
    let mut fired_work = Vec::new();
    for op in ops {
        match op {
            Op::Advance(d) => {
                let until = clock_now(&clock) + days(d);
                let fired = scheduler.advance_to(&clock, until).await.unwrap();
                fired_work.extend(fired.into_iter().map(|f| f.work));
            }
            Op::Restart => {
                engine = engine_on(store.clone(), &clock);
                scheduler = Scheduler::start(engine.clone()).await.unwrap();
            }
            Op::Replay => {
                let before = store.last_position().await.unwrap();
                for work in &fired_work {
                    let options = CommandOptions::with_key(work.key.clone());
                    let outcome = engine
                        .execute(
                            &work.command,
                            &ticketflow_events::Actor::system("scheduler"),
                            &options,
                        )
                        .await
                        .unwrap();
                    assert!(outcome.replayed, "{} was recorded again", work.key);
                }
                assert_eq!(store.last_position().await.unwrap(), before);
            }
            Op::ClearCache => engine.clear_cache(),
        }
        let counts = fire_counts(store.as_ref()).await;
        assert!(
            counts.values().all(|n| *n == 1),
            "a timer fired twice: {counts:?}"
        );
        // The incrementally maintained view equals one rebuilt from the store.
        scheduler.catch_up().await.unwrap();
        let mut rebuilt = ticketflow_engine::DueWorkView::default();
        rebuilt.catch_up(store.as_ref()).await.unwrap();
        assert_eq!(rebuilt.due_work(), scheduler.view().due_work());
    }
    // In the end every timer fires exactly once.
    let until = clock_now(&clock) + days(400);
    scheduler.advance_to(&clock, until).await.unwrap();
    let counts = fire_counts(store.as_ref()).await;
    let expected: usize = tickets.iter().map(|(c, _)| if *c { 4 } else { 1 }).sum();
    assert_eq!(counts.len(), expected, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let _ = TicketEvent::event_types();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_timer_fires_twice_over_random_restarts_and_replays(
        tickets in desk(),
        ops in prop::collection::vec(op(), 0..25),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(restart_scenario(tickets, ops));
    }
}

#[tokio::test]
async fn sla_notices_are_recorded_once_when_a_clock_becomes_at_risk_and_when_it_is_breached() {
    use ticketflow_events::ticket::{Priority, SlaNoticeClock, SlaNoticeKind};
    for (name, store, _dir) in stores() {
        let clock = SimulatedClock::new(t0());
        let engine = engine_on(store.clone(), &clock);
        let a = ticket(1);
        run(
            &engine,
            &clock,
            vec![
                line(t0(), jane(), open_incident(&a)),
                line(
                    t0(),
                    agent(),
                    to_ticket(
                        &a,
                        TicketCommand::Classify {
                            ticket_type: ticketflow_events::ticket::TicketType::NonSoftwareDefect,
                        },
                    ),
                ),
                line(
                    t0(),
                    agent(),
                    to_ticket(
                        &a,
                        TicketCommand::SetPriority {
                            priority: Priority::P1,
                        },
                    ),
                ),
            ],
        )
        .await;
        let mut scheduler = Scheduler::start(engine.clone()).await.unwrap();
        let fired = scheduler.advance_to(&clock, t0() + days(30)).await.unwrap();
        let notices: Vec<_> = fired
            .iter()
            .filter(|f| f.work.kind == WorkKind::SlaNotice)
            .map(|f| (f.work.command.clone(), f.at))
            .collect();
        assert_eq!(notices.len(), 2, "{name}: {fired:?}");
        let kinds: Vec<_> = notices
            .iter()
            .map(|(c, _)| match c {
                ticketflow_domain::script::AddressedCommand::Ticket(
                    _,
                    TicketCommand::RecordSlaNotice { clock, kind, cycle },
                ) => (*clock, *kind, *cycle),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (SlaNoticeClock::Restoration, SlaNoticeKind::AtRisk, 1),
                (SlaNoticeClock::Restoration, SlaNoticeKind::Breached, 1),
            ],
            "{name}"
        );
        let (risk_at, breach_at) = (notices[0].1, notices[1].1);
        assert!(
            t0() < risk_at && risk_at < breach_at,
            "{name}: {risk_at} {breach_at}"
        );
        // The ticket's SLA agrees with the instants the notices were recorded at.
        let events: Vec<TicketEvent> = all_events(store.as_ref())
            .await
            .into_iter()
            .filter_map(|(_, e)| match e {
                AnyEvent::Ticket(t) => Some(t),
                _ => None,
            })
            .collect();
        let config = DeskConfig::default();
        let sla = |at| {
            ticketflow_domain::sla::evaluate_ticket(&events, &config.sla, &config.calendars, at)
                .unwrap()
        };
        let restoration = |at| sla(at).current_restoration().cloned().unwrap();
        assert!(restoration(risk_at).at_risk, "{name}");
        assert!(
            !restoration(risk_at - chrono::TimeDelta::minutes(2)).at_risk,
            "{name}"
        );
        assert_eq!(
            restoration(t0() + chrono::TimeDelta::minutes(1)).due_at,
            Some(breach_at),
            "{name}"
        );
        // Nothing is owed any more, even after a restart.
        let engine = engine_on(store.clone(), &clock);
        let mut scheduler = Scheduler::start(engine).await.unwrap();
        assert!(scheduler.view().due_work().is_empty(), "{name}");
        assert!(scheduler.fire_due().await.unwrap().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn the_background_scheduler_fires_due_work_until_shut_down() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let clock = SimulatedClock::new(t0());
    let engine = engine_on(store.clone(), &clock);
    let a = ticket(1);
    run(
        &engine,
        &clock,
        vec![
            line(t0(), jane(), open_incident(&a)),
            line(t0(), agent(), to_ticket(&a, ask_clarification())),
        ],
    )
    .await;
    clock.set(t0() + days(45));
    let mut scheduler = Scheduler::start(engine).await.unwrap();
    let shutdown = tokio::time::sleep(std::time::Duration::from_millis(200));
    scheduler
        .run_until(std::time::Duration::from_millis(10), shutdown)
        .await
        .unwrap();
    assert_eq!(fire_counts(store.as_ref()).await.len(), 4);
}
