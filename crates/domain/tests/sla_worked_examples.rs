//! The worked examples of docs/sla.md, each exactly as written there. All times are Berlin
//! local time (the default contract time zone); November is CET (UTC+1).

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDateTime, TimeDelta, TimeZone};
use ticketflow_domain::calendar::RegionCalendars;
use ticketflow_domain::sla::{ClockState, SlaFact, SlaFactKind, SlaPolicy, SlaReport, evaluate};
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::Priority;

use SlaFactKind::*;

fn cet(s: &str) -> Timestamp {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::Berlin
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .to_utc()
}

fn fact(at: &str, kind: SlaFactKind) -> SlaFact {
    SlaFact::new(cet(at), kind)
}

fn prio(p: Priority) -> SlaFactKind {
    SlaFactKind::PrioritySet { priority: p }
}

fn eval(facts: &[SlaFact], now: &str) -> SlaReport {
    evaluate(
        facts,
        &SlaPolicy::default(),
        &RegionCalendars::standard(),
        cet(now),
    )
}

fn h(hours: i64) -> TimeDelta {
    TimeDelta::hours(hours)
}

fn min(minutes: i64) -> TimeDelta {
    TimeDelta::minutes(minutes)
}

/// Example 1 — a P3 incident across a weekend.
#[test]
fn example_p3_reaction_across_a_weekend() {
    let mut facts = vec![
        fact("2026-11-27 22:00", Received),
        fact("2026-11-27 22:00", prio(Priority::P3)),
    ];
    // Sunday noon: only Friday 22:00–24:00 has counted.
    let r = eval(&facts, "2026-11-29 12:00").reaction.unwrap();
    assert_eq!(r.elapsed, h(2));
    assert_eq!(r.remaining, Some(h(2)));
    assert!(!r.at_risk);
    assert_eq!(r.due_at, Some(cet("2026-11-30 02:00")));
    // Monday 01:00: 3 h of 4 h = 75 % → at risk.
    let r = eval(&facts, "2026-11-30 01:00").reaction.unwrap();
    assert_eq!(r.elapsed, h(3));
    assert!(r.at_risk);
    // Accepted Monday 01:30: 3 h 30 min, met.
    facts.push(fact("2026-11-30 01:30", Accepted));
    let r = eval(&facts, "2026-11-30 09:00").reaction.unwrap();
    assert_eq!(r.state, ClockState::Stopped);
    assert_eq!(r.elapsed, h(3) + min(30));
    assert_eq!(r.met, Some(true));
}

/// Example 2 — a P4 incident over Christmas (25 December is a DACH holiday).
#[test]
fn example_p4_reaction_over_a_holiday() {
    let mut facts = vec![
        fact("2026-12-24 09:00", Received),
        fact("2026-12-24 09:00", prio(Priority::P4)),
    ];
    let r = eval(&facts, "2026-12-27 12:00").reaction.unwrap();
    assert_eq!(r.elapsed, h(15));
    assert_eq!(r.remaining, Some(h(9)));
    assert_eq!(r.due_at, Some(cet("2026-12-28 09:00")));
    facts.push(fact("2026-12-28 10:00", Accepted));
    let r = eval(&facts, "2026-12-28 12:00").reaction.unwrap();
    assert_eq!(r.elapsed, h(25));
    assert!(r.breached);
    assert_eq!(r.met, Some(false));
}

/// Example 3 — a P2 incident with a clarification pause overnight.
#[test]
fn example_p2_restoration_with_a_clarification_pause() {
    let mut facts = vec![
        fact("2026-11-24 09:00", Received),
        fact("2026-11-24 09:00", prio(Priority::P2)),
        fact("2026-11-24 09:20", Accepted),
        fact("2026-11-24 11:20", Paused),
    ];
    let r = eval(&facts, "2026-11-24 15:00");
    assert_eq!(r.reaction.as_ref().unwrap().elapsed, min(20));
    assert_eq!(r.reaction.as_ref().unwrap().met, Some(true));
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.state, ClockState::Paused);
    assert_eq!(restoration.elapsed, h(2));
    assert_eq!(restoration.paused, h(3) + min(40));
    assert_eq!(restoration.due_at, None);
    facts.push(fact("2026-11-25 08:00", Resumed));
    facts.push(fact("2026-11-25 12:00", WorkaroundProvided));
    let r = eval(&facts, "2026-11-25 18:00");
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.state, ClockState::Stopped);
    assert_eq!(restoration.elapsed, h(6));
    assert_eq!(restoration.paused, h(20) + min(40));
    assert_eq!(restoration.met, Some(true));
}

/// Example 4 — a P3 incident raised to P2 during restoration.
#[test]
fn example_reprioritisation_from_p3_to_p2() {
    let facts = vec![
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P3)),
        fact("2026-11-23 09:30", Accepted),
        fact("2026-11-23 15:30", prio(Priority::P2)),
    ];
    let r = eval(&facts, "2026-11-23 16:00");
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.elapsed, h(6) + min(30));
    assert_eq!(restoration.target, Some(h(8)));
    assert!(restoration.at_risk);
    assert_eq!(restoration.due_at, Some(cet("2026-11-23 17:30")));
    let r = eval(&facts, "2026-11-23 18:00");
    let reaction = r.reaction.as_ref().unwrap();
    assert_eq!(
        (reaction.priority, reaction.met),
        (Some(Priority::P3), Some(true))
    );
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.elapsed, h(8) + min(30));
    assert!(restoration.breached);
    let segments: Vec<_> = restoration
        .segments
        .iter()
        .map(|s| (s.priority, s.start, s.end, s.elapsed, s.breached))
        .collect();
    assert_eq!(
        segments,
        vec![
            (
                Some(Priority::P3),
                cet("2026-11-23 09:30"),
                cet("2026-11-23 15:30"),
                h(6),
                false
            ),
            (
                Some(Priority::P2),
                cet("2026-11-23 15:30"),
                cet("2026-11-23 18:00"),
                min(150),
                true
            ),
        ]
    );
}

/// Example 5 — a P1 incident on a Saturday night.
#[test]
fn example_p1_at_night_on_a_weekend() {
    let mut facts = vec![
        fact("2026-11-28 02:10", Received),
        fact("2026-11-28 02:10", prio(Priority::P1)),
    ];
    let r = eval(&facts, "2026-11-28 02:20").reaction.unwrap();
    assert_eq!(r.due_at, Some(cet("2026-11-28 02:40")));
    facts.push(fact("2026-11-28 02:25", Accepted));
    let r = eval(&facts, "2026-11-28 05:30");
    assert_eq!(r.reaction.as_ref().unwrap().elapsed, min(15));
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.elapsed, h(3) + min(5));
    assert!(restoration.at_risk);
    assert_eq!(restoration.due_at, Some(cet("2026-11-28 06:25")));
    facts.push(fact("2026-11-28 05:55", Resolved));
    let r = eval(&facts, "2026-11-28 12:00");
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.elapsed, h(3) + min(30));
    assert_eq!(restoration.met, Some(true));
}

/// Example 6 — a resolved P3 ticket reopened on a Friday evening.
#[test]
fn example_reopened_ticket_counts_a_second_cycle() {
    let facts = vec![
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P3)),
        fact("2026-11-23 10:00", Accepted),
        fact("2026-11-24 10:00", Resolved),
        fact("2026-11-27 20:00", Reopened),
    ];
    let r = eval(&facts, "2026-11-30 06:00");
    assert_eq!(r.restoration.len(), 2);
    assert_eq!(r.restoration[0].elapsed, h(24));
    assert_eq!(r.restoration[0].met, Some(true));
    assert_eq!(r.restoration[1].cycle, 2);
    assert_eq!(r.restoration[1].elapsed, h(10));
    assert_eq!(r.restoration[1].state, ClockState::Running);
}
