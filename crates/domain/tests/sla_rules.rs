//! One test per SLA rule of domain.md §2.7 (and per decision docs/sla.md documents).

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDateTime, TimeDelta, TimeZone};
use ticketflow_domain::calendar::{CalendarKind, RegionCalendars};
use ticketflow_domain::sla::{
    ClockState, PolicyError, RestoredBy, SlaFact, SlaFactKind, SlaPolicy, SlaPolicyBook, SlaReport,
    TargetDuration, evaluate,
};
use ticketflow_events::ticket::Priority;
use ticketflow_events::{OrganisationId, Region, Timestamp};

/// Local time in Berlin, e.g. `"2026-11-23 09:00"`.
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

use SlaFactKind::*;

#[test]
fn default_targets_follow_the_table_of_section_2_7() {
    let t = SlaPolicy::default().targets;
    let row = |p| {
        let r = t.get(p);
        (
            r.calendar,
            r.reaction.to_string(),
            r.restoration.to_string(),
        )
    };
    assert_eq!(
        row(Priority::P1),
        (CalendarKind::AroundTheClock, "30min".into(), "4h".into())
    );
    assert_eq!(
        row(Priority::P2),
        (CalendarKind::AroundTheClock, "1h".into(), "8h".into())
    );
    assert_eq!(
        row(Priority::P3),
        (CalendarKind::DeskHours, "4h".into(), "5d".into())
    );
    assert_eq!(
        row(Priority::P4),
        (CalendarKind::DeskHours, "1d".into(), "20d".into())
    );
    assert_eq!(SlaPolicy::default().at_risk_percent, 75);
    assert_eq!(
        SlaPolicy::default().restored_by,
        RestoredBy::WorkaroundOrResolution
    );
    assert!(SlaPolicy::default().pause_restoration);
}

#[test]
fn reaction_time_runs_from_receipt_until_acceptance() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
        fact("2026-11-23 09:40", Accepted),
    ];
    let r = eval(&facts, "2026-11-23 12:00");
    let reaction = r.reaction.unwrap();
    assert_eq!(reaction.state, ClockState::Stopped);
    assert_eq!(reaction.elapsed, TimeDelta::minutes(40));
    assert_eq!(reaction.met, Some(true));
    assert_eq!(r.restoration[0].started_at, cet("2026-11-23 09:40"));
}

#[test]
fn reaction_time_runs_before_classification_and_the_first_priority_applies_from_receipt() {
    // Received Friday 20:00, classified P3 on Monday 02:00: desk hours count from receipt.
    let facts = [
        fact("2026-11-27 20:00", Received),
        fact("2026-11-30 02:00", prio(Priority::P3)),
    ];
    let before = eval(&facts, "2026-11-28 20:00");
    let reaction = before.reaction.unwrap();
    assert_eq!(reaction.priority, None);
    assert_eq!(reaction.target, None);
    assert_eq!(
        reaction.elapsed,
        TimeDelta::hours(24),
        "24x7 while unprioritised"
    );
    let after = eval(&facts, "2026-11-30 02:00");
    let reaction = after.reaction.unwrap();
    assert_eq!(reaction.segments.len(), 1);
    assert_eq!(reaction.segments[0].priority, Some(Priority::P3));
    assert_eq!(
        reaction.elapsed,
        TimeDelta::hours(6),
        "4 h Friday + 2 h Monday"
    );
    assert!(reaction.breached);
}

#[test]
fn restoration_time_runs_from_acceptance_until_the_first_of_workaround_or_resolved() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P1)),
        fact("2026-11-23 09:10", Accepted),
        fact("2026-11-23 11:10", WorkaroundProvided),
        fact("2026-11-23 18:00", Resolved),
    ];
    let r = eval(&facts, "2026-11-24 00:00");
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.stopped_at, Some(cet("2026-11-23 11:10")));
    assert_eq!(restoration.elapsed, TimeDelta::hours(2));
    assert_eq!(restoration.met, Some(true));
    assert_eq!(r.restoration.len(), 1);
}

#[test]
fn restoration_can_be_configured_to_end_only_at_resolution() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P1)),
        fact("2026-11-23 09:10", Accepted),
        fact("2026-11-23 11:10", WorkaroundProvided),
        fact("2026-11-23 18:00", Resolved),
    ];
    let policy = SlaPolicy {
        restored_by: RestoredBy::ResolutionOnly,
        ..SlaPolicy::default()
    };
    let r = evaluate(
        &facts,
        &policy,
        &RegionCalendars::standard(),
        cet("2026-11-24 00:00"),
    );
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.stopped_at, Some(cet("2026-11-23 18:00")));
    assert!(restoration.breached);
    assert_eq!(restoration.met, Some(false));
}

#[test]
fn restoration_pauses_while_waiting_for_clarification() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
        fact("2026-11-23 09:00", Accepted),
        fact("2026-11-23 10:00", Paused),
        fact("2026-11-23 15:00", Resumed),
        fact("2026-11-23 16:00", Paused),
    ];
    let r = eval(&facts, "2026-11-23 20:00");
    let restoration = r.current_restoration().unwrap();
    assert_eq!(restoration.state, ClockState::Paused);
    assert_eq!(restoration.elapsed, TimeDelta::hours(2));
    assert_eq!(restoration.paused, TimeDelta::hours(9));
    assert_eq!(restoration.due_at, None, "no due time while waiting");
}

#[test]
fn reaction_does_not_pause_by_default() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
        fact("2026-11-23 09:30", Paused),
    ];
    let r = eval(&facts, "2026-11-23 11:00");
    let reaction = r.reaction.unwrap();
    assert_eq!(reaction.state, ClockState::Running);
    assert_eq!(reaction.elapsed, TimeDelta::hours(2));
    assert!(reaction.breached);
    let policy = SlaPolicy {
        pause_reaction: true,
        ..SlaPolicy::default()
    };
    let r = evaluate(
        &facts,
        &policy,
        &RegionCalendars::standard(),
        cet("2026-11-23 11:00"),
    );
    assert_eq!(r.reaction.unwrap().elapsed, TimeDelta::minutes(30));
}

#[test]
fn p1_and_p2_count_around_the_clock_and_p3_p4_count_desk_hours() {
    // Saturday 10:00 to Sunday 10:00.
    for (p, expected) in [
        (Priority::P1, TimeDelta::hours(24)),
        (Priority::P2, TimeDelta::hours(24)),
        (Priority::P3, TimeDelta::zero()),
        (Priority::P4, TimeDelta::zero()),
    ] {
        let facts = [
            fact("2026-11-28 10:00", Received),
            fact("2026-11-28 10:00", prio(p)),
        ];
        let r = eval(&facts, "2026-11-29 10:00");
        assert_eq!(r.reaction.unwrap().elapsed, expected, "{p}");
    }
}

#[test]
fn an_sla_is_at_risk_from_75_percent_of_its_target() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
    ];
    // P2 reaction 1 h: at risk from 45 min.
    assert!(!eval(&facts, "2026-11-23 09:44").reaction.unwrap().at_risk);
    let r = eval(&facts, "2026-11-23 09:45");
    assert!(r.reaction.as_ref().unwrap().at_risk);
    assert!(r.is_at_risk());
    assert_eq!(r.reaction.unwrap().due_at, Some(cet("2026-11-23 10:00")));
}

#[test]
fn an_sla_is_breached_past_100_percent_not_at_exactly_100() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
    ];
    let at_target = eval(&facts, "2026-11-23 10:00").reaction.unwrap();
    assert!(!at_target.breached);
    assert!(at_target.at_risk);
    assert_eq!(at_target.remaining, Some(TimeDelta::zero()));
    let past = eval(&facts, "2026-11-23 10:01");
    let reaction = past.reaction.as_ref().unwrap();
    assert!(reaction.breached);
    assert!(!reaction.at_risk, "breached is not at risk any more");
    assert_eq!(reaction.remaining, Some(TimeDelta::minutes(-1)));
    assert!(past.is_breached());
}

#[test]
fn reprioritising_retargets_the_running_sla_and_keeps_the_time_counted() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P4)),
        fact("2026-11-23 09:20", prio(Priority::P2)),
    ];
    let reaction = eval(&facts, "2026-11-23 09:50").reaction.unwrap();
    assert_eq!(reaction.priority, Some(Priority::P2));
    assert_eq!(reaction.target, Some(TimeDelta::hours(1)));
    assert_eq!(reaction.elapsed, TimeDelta::minutes(50));
    assert_eq!(reaction.segments.len(), 2);
    assert_eq!(reaction.segments[0].priority, Some(Priority::P4));
    assert_eq!(reaction.segments[0].elapsed, TimeDelta::minutes(20));
    assert_eq!(reaction.segments[1].priority, Some(Priority::P2));
    assert_eq!(reaction.due_at, Some(cet("2026-11-23 10:00")));
}

#[test]
fn reprioritising_after_the_clock_stopped_changes_nothing() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P3)),
        fact("2026-11-23 11:00", Accepted),
        fact("2026-11-23 12:00", prio(Priority::P1)),
    ];
    let r = eval(&facts, "2026-11-23 13:00");
    let reaction = r.reaction.unwrap();
    assert_eq!(reaction.priority, Some(Priority::P3));
    assert_eq!(reaction.met, Some(true));
    assert_eq!(r.priority, Some(Priority::P1));
    assert_eq!(r.restoration[0].segments.len(), 2);
}

#[test]
fn a_reopened_ticket_starts_a_new_restoration_cycle() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
        fact("2026-11-23 09:30", Accepted),
        fact("2026-11-23 12:30", Resolved),
        fact("2026-11-24 08:00", Reopened),
        fact("2026-11-24 09:00", Accepted),
    ];
    let r = eval(&facts, "2026-11-24 10:00");
    assert_eq!(r.restoration.len(), 2);
    assert_eq!(r.restoration[0].cycle, 1);
    assert_eq!(r.restoration[0].met, Some(true));
    assert_eq!(r.restoration[1].cycle, 2);
    assert_eq!(r.restoration[1].started_at, cet("2026-11-24 08:00"));
    assert_eq!(r.restoration[1].elapsed, TimeDelta::hours(2));
    assert_eq!(r.restoration[1].state, ClockState::Running);
}

#[test]
fn a_ticket_reclassified_as_a_non_defect_is_not_covered() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P1)),
        fact("2026-11-23 12:00", NotApplicable),
    ];
    let r = eval(&facts, "2026-11-23 13:00");
    assert!(!r.applicable);
    assert!(
        r.reaction.as_ref().unwrap().breached,
        "the clock is still reported"
    );
    assert!(!r.is_breached());
    let again = [facts.as_slice(), &[fact("2026-11-23 12:30", Applicable)]].concat();
    assert!(eval(&again, "2026-11-23 13:00").is_breached());
}

#[test]
fn facts_after_now_are_ignored_so_history_can_be_replayed() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
        fact("2026-11-23 09:30", Accepted),
        fact("2026-11-23 10:30", Resolved),
    ];
    let r = eval(&facts, "2026-11-23 09:15");
    assert_eq!(r.reaction.unwrap().state, ClockState::Running);
    assert!(r.restoration.is_empty());
}

#[test]
fn facts_out_of_time_order_never_run_a_clock_backwards() {
    let facts = [
        fact("2026-11-23 09:00", Received),
        fact("2026-11-23 09:00", prio(Priority::P2)),
        fact("2026-11-23 10:00", Paused),
        fact("2026-11-23 09:30", Resumed),
    ];
    let r = eval(&facts, "2026-11-23 11:00");
    assert_eq!(r.reaction.unwrap().elapsed, TimeDelta::hours(2));
}

#[test]
fn desk_hours_use_the_contracts_time_zone_and_region() {
    // A Melbourne contract: Friday 23:00 in Melbourne is already Saturday.
    let book = SlaPolicyBook::from_json(
        r#"{ "contracts": { "koala": { "region": "international", "time_zone": "Australia/Melbourne" } } }"#,
    )
    .unwrap();
    let policy = book.policy_for(&OrganisationId("koala".into()));
    assert_eq!(policy.region, Region::International);
    let received: Timestamp = "2026-11-27T12:00:00Z".parse().unwrap(); // Fri 23:00 AEDT
    let facts = [
        SlaFact::new(received, Received),
        SlaFact::new(received, prio(Priority::P3)),
    ];
    let now: Timestamp = "2026-11-28T12:00:00Z".parse().unwrap(); // Sat 23:00 AEDT
    let r = evaluate(&facts, &policy, &RegionCalendars::standard(), now);
    assert_eq!(r.reaction.unwrap().elapsed, TimeDelta::hours(1));
    let koala = OrganisationId("koala".into());
    let r = book.evaluate(&koala, &facts, &RegionCalendars::standard(), now);
    assert_eq!(r.reaction.unwrap().elapsed, TimeDelta::hours(1));
    // The same instants under the default (Berlin) policy: Friday 13:00 → Saturday 13:00.
    let r = evaluate(&facts, &book.default, &RegionCalendars::standard(), now);
    assert_eq!(r.reaction.unwrap().elapsed, TimeDelta::hours(11));
}

#[test]
fn a_contract_override_inherits_the_default_policy() {
    let book = SlaPolicyBook::from_json(
        r#"{ "default": { "time_zone": "Europe/Vienna", "at_risk_percent": 80 },
             "contracts": { "acme": { "targets": { "P1": { "reaction": "15min" } } } } }"#,
    )
    .unwrap();
    let acme = book.policy_for(&OrganisationId("acme".into()));
    assert_eq!(acme.time_zone, chrono_tz::Europe::Vienna);
    assert_eq!(acme.at_risk_percent, 80);
    assert_eq!(acme.targets.p1.reaction, TargetDuration::minutes(15));
    assert_eq!(acme.targets.p1.restoration, TargetDuration::hours(4));
    let other = book.policy_for(&OrganisationId("globex".into()));
    assert_eq!(other, book.default);
    // Round trip through JSON.
    let json = serde_json::to_string(&book).unwrap();
    assert_eq!(SlaPolicyBook::from_json(&json).unwrap(), book);
}

#[test]
fn policy_files_with_invalid_values_are_refused_with_the_reason() {
    let err =
        SlaPolicyBook::from_json(r#"{ "contracts": { "acme": { "at_risk_percent": 120 } } }"#)
            .unwrap_err();
    assert!(matches!(err, PolicyError::Contract { .. }));
    assert_eq!(
        err.to_string(),
        "the SLA contract of `acme` is invalid: `at_risk_percent` is 120; it must be a percentage between 1 and 100"
    );
    let err = SlaPolicyBook::from_json(r#"{ "default": { "targets": { "P1": { "calendar": "24x7", "reaction": "soon", "restoration": "4h" } } } }"#)
        .unwrap_err();
    assert!(
        err.to_string().contains("`soon` is not a duration"),
        "{err}"
    );
    let err =
        SlaPolicyBook::from_json(r#"{ "default": { "time_zone": "Mars/Olympus" } }"#).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let err = SlaPolicyBook::from_json(r#"{ "defaults": {} }"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `defaults`"),
        "{err}"
    );
}

#[test]
fn the_policy_file_shown_in_the_documentation_loads_and_spells_out_the_defaults() {
    let doc = include_str!("../../../docs/sla.md");
    let start = doc.find("```json\n").unwrap() + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let book = SlaPolicyBook::from_json(&doc[start..end]).unwrap();
    assert_eq!(book.default, SlaPolicy::default());
    let koala = book.policy_for(&OrganisationId("koala-university".into()));
    assert_eq!(koala.time_zone, chrono_tz::Australia::Melbourne);
    let acme = book.policy_for(&OrganisationId("acme".into()));
    assert_eq!(acme.restored_by, RestoredBy::ResolutionOnly);
}
