#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone, Utc};
use ticketflow_domain::sla::{ClockState, TargetDuration};
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{Priority, SharedWith, TicketType};

use super::*;
use crate::Month;
use crate::test_desk::*;

fn key(k: &str) -> TicketKey {
    k.parse().unwrap()
}

/// An incident classified as a Non-Software Defect with `priority`, accepted after 20 min.
fn p_incident(desk: &mut Desk, who: &ticketflow_events::Actor, k: &str, priority: Priority) {
    desk.open_incident(who, k, "Environment down", SharedWith::Organisation);
    desk.advance(Duration::minutes(20));
    desk.ticket(
        &agent(),
        k,
        TicketCommand::Classify {
            ticket_type: TicketType::NonSoftwareDefect,
        },
    );
    desk.ticket(&agent(), k, TicketCommand::SetPriority { priority });
}

fn workaround() -> TicketCommand {
    TicketCommand::ProvideWorkaround {
        description: "restart the node".into(),
    }
}

fn strict_book() -> SlaPolicyBook {
    let mut book = SlaPolicyBook::default();
    book.default.targets.p1.restoration = TargetDuration::hours(1);
    book
}

#[test]
fn a_ticket_shows_its_clocks_at_the_instant_asked() {
    let mut desk = Desk::new();
    p_incident(&mut desk, &jane(), "SD-1", Priority::P1);
    let accepted = desk.now;
    let model = SlaOverview::new(&desk.config);
    desk.feed(&model);

    let sla = model
        .ticket(&key("SD-1"), accepted + Duration::minutes(190))
        .unwrap();
    let reaction = sla.report.reaction.as_ref().unwrap();
    assert_eq!(reaction.met, Some(true));
    assert_eq!(reaction.elapsed, Duration::minutes(20));
    let restoration = sla.report.current_restoration().unwrap();
    assert_eq!(restoration.state, ClockState::Running);
    assert!(restoration.at_risk, "3 h 10 min of 4 h is past 75 %");
    assert_eq!(restoration.remaining, Some(Duration::minutes(50)));

    let later = model
        .ticket(&key("SD-1"), accepted + Duration::hours(5))
        .unwrap();
    assert!(later.report.is_breached());
    assert_eq!(model.breached(accepted + Duration::hours(5)).len(), 1);
    assert_eq!(model.at_risk(accepted + Duration::minutes(190)).len(), 1);
}

#[test]
fn tickets_the_sla_does_not_cover_are_not_counted() {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "How to export", SharedWith::Nobody);
    desk.ticket(
        &agent(),
        "SD-1",
        TicketCommand::Classify {
            ticket_type: TicketType::SupportRequest,
        },
    );
    let model = SlaOverview::new(&desk.config);
    desk.feed(&model);
    assert!(
        !model
            .ticket(&key("SD-1"), desk.now)
            .unwrap()
            .report
            .applicable
    );
    assert!(model.tickets(&SlaFilter::default(), desk.now).is_empty());
}

#[test]
fn statistics_group_by_customer_priority_and_month() {
    let mut desk = Desk::new();
    let eve = customer("eve", "globex");
    p_incident(&mut desk, &jane(), "SD-1", Priority::P1);
    desk.advance(Duration::hours(5));
    desk.ticket(&agent(), "SD-1", workaround()); // restored after 5 h: breached
    p_incident(&mut desk, &john(), "SD-2", Priority::P1);
    desk.advance(Duration::hours(1));
    desk.ticket(&agent(), "SD-2", workaround()); // restored after 1 h: met
    p_incident(&mut desk, &eve, "SD-3", Priority::P2);
    let model = SlaOverview::new(&desk.config);
    desk.feed(&model);

    let stats = model.statistics(&SlaFilter::default(), SlaGrouping::default(), desk.now);
    assert_eq!(stats.len(), 2);
    let acme = &stats[0];
    assert_eq!(acme.customer, Some(OrganisationId("acme".into())));
    assert_eq!(acme.priority, Some(Priority::P1));
    assert_eq!(
        acme.period,
        Some(Month {
            year: 2026,
            month: 3
        })
    );
    assert_eq!((acme.tickets, acme.breached, acme.open), (2, 1, 0));
    assert!((acme.breach_rate - 0.5).abs() < f64::EPSILON);
    assert_eq!(acme.reaction.count, 2);
    assert_eq!(acme.reaction.p50_seconds, Some(20 * 60));
    assert_eq!(acme.restoration.p50_seconds, Some(3600));
    assert_eq!(acme.restoration.p90_seconds, Some(5 * 3600));
    let globex = &stats[1];
    assert_eq!(
        (globex.tickets, globex.open, globex.restoration.count),
        (1, 1, 0)
    );

    let all = model.statistics(
        &SlaFilter::default(),
        SlaGrouping {
            customer: false,
            priority: false,
            period: false,
        },
        desk.now,
    );
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].tickets, 3);
    let only_p2 = SlaFilter {
        priority: Some(Priority::P2),
        ..SlaFilter::default()
    };
    assert_eq!(model.tickets(&only_p2, desk.now).len(), 1);
    let april = SlaFilter {
        from: Some(Month {
            year: 2026,
            month: 4,
        }),
        ..SlaFilter::default()
    };
    assert!(model.tickets(&april, desk.now).is_empty());
}

#[test]
fn a_ticket_is_scored_against_the_policy_in_force_at_its_receipt() {
    let mut desk = Desk::new();
    p_incident(&mut desk, &jane(), "SD-1", Priority::P1);
    desk.advance(Duration::hours(2));
    desk.ticket(&agent(), "SD-1", workaround());
    let change = Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap();
    desk.now = change + Duration::days(1);
    p_incident(&mut desk, &jane(), "SD-2", Priority::P1);
    desk.advance(Duration::hours(2));
    desk.ticket(&agent(), "SD-2", workaround());
    let history = PolicyHistory::new(vec![
        PolicyVersion {
            effective_from: change,
            book: strict_book(),
        },
        PolicyVersion {
            effective_from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            book: SlaPolicyBook::default(),
        },
    ])
    .unwrap();
    let model = SlaOverview::with_policy_history(history, desk.config.calendars.clone());
    desk.feed(&model);
    assert!(
        !model
            .ticket(&key("SD-1"), desk.now)
            .unwrap()
            .report
            .is_breached(),
        "2 h of 4 h"
    );
    assert!(
        model
            .ticket(&key("SD-2"), desk.now)
            .unwrap()
            .report
            .is_breached(),
        "2 h of 1 h"
    );
    assert!(PolicyHistory::new(vec![]).is_err());
}

#[test]
fn what_if_scores_the_same_history_under_another_policy_without_changing_the_stored_one() {
    let mut desk = Desk::new();
    p_incident(&mut desk, &jane(), "SD-1", Priority::P1);
    desk.advance(Duration::hours(2));
    desk.ticket(&agent(), "SD-1", workaround());
    let model = SlaOverview::new(&desk.config);
    desk.feed(&model);
    let strict = strict_book();
    let what_if = model.what_if(&strict);
    assert!(
        what_if
            .ticket(&key("SD-1"), desk.now)
            .unwrap()
            .report
            .is_breached()
    );
    let stats = what_if.statistics(&SlaFilter::default(), SlaGrouping::default(), desk.now);
    assert_eq!(stats[0].breached, 1);
    assert!(
        !model
            .ticket(&key("SD-1"), desk.now)
            .unwrap()
            .report
            .is_breached()
    );
    assert_eq!(
        model.statistics(&SlaFilter::default(), SlaGrouping::default(), desk.now)[0].breached,
        0
    );
}
