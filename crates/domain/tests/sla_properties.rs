//! Property tests of the SLA evaluation over random ticket histories.

#![allow(clippy::unwrap_used)]

use chrono::{TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use ticketflow_domain::calendar::RegionCalendars;
use ticketflow_domain::sla::{ClockState, SlaFact, SlaFactKind, SlaPolicy, evaluate};
use ticketflow_events::Timestamp;
use ticketflow_events::ticket::Priority;

fn start() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 12, 20, 0, 0, 0).unwrap()
}

fn priority() -> impl Strategy<Value = Priority> {
    proptest::sample::select(Priority::ALL.to_vec())
}

fn kind() -> impl Strategy<Value = SlaFactKind> {
    prop_oneof![
        priority().prop_map(|priority| SlaFactKind::PrioritySet { priority }),
        Just(SlaFactKind::Accepted),
        Just(SlaFactKind::Paused),
        Just(SlaFactKind::Resumed),
        Just(SlaFactKind::WorkaroundProvided),
        Just(SlaFactKind::Resolved),
        Just(SlaFactKind::Reopened),
        Just(SlaFactKind::NotApplicable),
        Just(SlaFactKind::Applicable),
    ]
}

/// A history starting with receipt and a priority, then facts at non-decreasing times
/// (gaps up to 3 days) over Christmas 2026.
fn history() -> impl Strategy<Value = Vec<SlaFact>> {
    (
        priority(),
        0i64..86_400,
        proptest::collection::vec((0i64..3 * 86_400, kind()), 0..14),
    )
        .prop_map(|(p, offset, steps)| {
            let mut at = start() + TimeDelta::seconds(offset);
            let mut facts = vec![
                SlaFact::new(at, SlaFactKind::Received),
                SlaFact::new(at, SlaFactKind::PrioritySet { priority: p }),
            ];
            for (gap, kind) in steps {
                at += TimeDelta::seconds(gap);
                facts.push(SlaFact::new(at, kind));
            }
            facts
        })
}

fn policy() -> impl Strategy<Value = SlaPolicy> {
    (any::<bool>(), any::<bool>()).prop_map(|(pause_reaction, resolution_only)| SlaPolicy {
        pause_reaction,
        restored_by: if resolution_only {
            ticketflow_domain::sla::RestoredBy::ResolutionOnly
        } else {
            ticketflow_domain::sla::RestoredBy::WorkaroundOrResolution
        },
        ..SlaPolicy::default()
    })
}

fn now_after(facts: &[SlaFact], extra: i64) -> Timestamp {
    facts.last().map_or(start(), |f| f.at) + TimeDelta::seconds(extra)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn elapsed_plus_paused_never_exceeds_wall_time(facts in history(), policy in policy(), extra in 0i64..5 * 86_400) {
        let now = now_after(&facts, extra);
        let report = evaluate(&facts, &policy, &RegionCalendars::standard(), now);
        for clock in report.clocks() {
            let wall = clock.stopped_at.unwrap_or(now) - clock.started_at;
            prop_assert!(clock.elapsed >= TimeDelta::zero());
            prop_assert!(clock.paused >= TimeDelta::zero());
            prop_assert!(clock.elapsed + clock.paused <= wall, "{clock:?}");
            let sum = clock.segments.iter().fold(TimeDelta::zero(), |a, s| a + s.elapsed);
            prop_assert_eq!(sum, clock.elapsed);
        }
    }

    #[test]
    fn on_24x7_paused_intervals_never_count(facts in history(), extra in 0i64..5 * 86_400) {
        // With only 24x7 priorities, restoration elapsed is exactly wall time minus pauses.
        let facts: Vec<SlaFact> = facts
            .into_iter()
            .map(|f| match f.kind {
                SlaFactKind::PrioritySet { priority } if !priority.is_critical() => SlaFact::new(
                    f.at,
                    SlaFactKind::PrioritySet { priority: Priority::P2 },
                ),
                _ => f,
            })
            .collect();
        let now = now_after(&facts, extra);
        let report = evaluate(&facts, &SlaPolicy::default(), &RegionCalendars::standard(), now);
        for clock in &report.restoration {
            let wall = clock.stopped_at.unwrap_or(now) - clock.started_at;
            prop_assert_eq!(clock.elapsed + clock.paused, wall);
        }
    }

    #[test]
    fn elapsed_never_decreases_as_time_passes(facts in history(), policy in policy(), a in 0i64..4 * 86_400, b in 0i64..4 * 86_400) {
        let t0 = facts[0].at;
        let (early, late) = (t0 + TimeDelta::seconds(a.min(b)), t0 + TimeDelta::seconds(a.max(b)));
        let cal = RegionCalendars::standard();
        let r1 = evaluate(&facts, &policy, &cal, early);
        let r2 = evaluate(&facts, &policy, &cal, late);
        let c1: Vec<_> = r1.clocks().collect();
        let c2: Vec<_> = r2.clocks().collect();
        prop_assert!(c1.len() <= c2.len());
        for (x, y) in c1.iter().zip(&c2) {
            prop_assert_eq!(x.started_at, y.started_at);
            prop_assert!(x.elapsed <= y.elapsed);
            // A breach is never undone by time passing alone (priority may change, so only
            // for clocks whose priority stayed the same).
            if x.priority == y.priority && x.breached {
                prop_assert!(y.breached);
            }
        }
    }

    #[test]
    fn the_report_is_a_function_of_the_facts_known_at_now(facts in history(), policy in policy(), cut in 0usize..16, extra in 0i64..86_400) {
        let cut = cut.min(facts.len());
        let now = facts[cut.saturating_sub(1)].at + TimeDelta::seconds(extra);
        let known: Vec<SlaFact> = facts.iter().copied().filter(|f| f.at <= now).collect();
        let cal = RegionCalendars::standard();
        prop_assert_eq!(evaluate(&facts, &policy, &cal, now), evaluate(&known, &policy, &cal, now));
    }

    #[test]
    fn flags_are_consistent(facts in history(), policy in policy(), extra in 0i64..5 * 86_400) {
        let now = now_after(&facts, extra);
        let report = evaluate(&facts, &policy, &RegionCalendars::standard(), now);
        for clock in report.clocks() {
            prop_assert!(!(clock.at_risk && clock.breached));
            prop_assert_eq!(clock.met.is_some(), clock.state == ClockState::Stopped && clock.target.is_some());
            if let (Some(met), true) = (clock.met, clock.target.is_some()) {
                prop_assert_eq!(met, !clock.breached);
            }
            if let Some(due) = clock.due_at {
                prop_assert!(due > now);
                prop_assert_eq!(clock.state, ClockState::Running);
            }
            prop_assert_eq!(clock.remaining, clock.target.map(|t| t - clock.elapsed));
        }
        // At most one restoration cycle runs, and it is the last.
        let open = report.restoration.iter().filter(|c| c.stopped_at.is_none()).count();
        prop_assert!(open <= 1);
        if open == 1 {
            prop_assert!(report.restoration.last().is_some_and(|c| c.stopped_at.is_none()));
        }
    }
}

proptest! {
    #[test]
    fn any_text_parses_as_a_target_duration_or_gives_an_error(text in "\\PC{0,30}") {
        let _ = text.parse::<ticketflow_domain::sla::TargetDuration>();
    }
}
