#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_desk::*;
use chrono::{Duration, TimeZone, Utc};
use ticketflow_domain::ticket::TicketCommand;
use ticketflow_events::ticket::{ForwardTarget, ResolutionOutcome, SharedWith};

fn book(desk: &mut Desk, key: &str, department: Department, minutes: u32) {
    let performed_on = desk.now.date_naive();
    desk.ticket(
        &agent(),
        key,
        TicketCommand::BookEffort {
            department,
            minutes,
            performed_on,
        },
    );
}

fn acme() -> OrganisationId {
    OrganisationId("acme".into())
}

const MARCH: Month = Month {
    year: 2026,
    month: 3,
};
const APRIL: Month = Month {
    year: 2026,
    month: 4,
};

/// SD-1: a consulting request forwarded to Managed Services, worked on in March and April
/// and closed in April; SD-2: a free support request with effort.
fn billing_desk() -> Desk {
    let mut desk = Desk::new();
    desk.open_request(&jane(), "SD-1", "Configure SSO", SharedWith::Organisation);
    desk.ticket(
        &agent(),
        "SD-1",
        TicketCommand::Classify {
            ticket_type: TicketType::ConsultingRequest,
        },
    );
    desk.ticket(
        &agent(),
        "SD-1",
        TicketCommand::Forward {
            to: ForwardTarget::ManagedServices,
        },
    );
    desk.open_request(
        &jane(),
        "SD-2",
        "Where is the manual",
        SharedWith::Organisation,
    );
    desk.ticket(
        &agent(),
        "SD-2",
        TicketCommand::Classify {
            ticket_type: TicketType::SupportRequest,
        },
    );
    desk.advance(Duration::days(3));
    book(&mut desk, "SD-1", Department::ManagedServices, 120);
    book(&mut desk, "SD-1", Department::Support, 30);
    book(&mut desk, "SD-2", Department::Support, 45);
    desk.now = Utc.with_ymd_and_hms(2026, 4, 2, 10, 0, 0).unwrap();
    book(&mut desk, "SD-1", Department::ManagedServices, 60);
    book(&mut desk, "SD-1", Department::Support, 15);
    desk
}

#[test]
fn department_efforts_are_billed_in_the_month_performed() {
    let desk = billing_desk();
    let billing = Billing::new();
    desk.feed(&billing);
    let march = billing.statement(&acme(), MARCH);
    assert_eq!(
        march.by_department,
        BTreeMap::from([(Department::ManagedServices, 120)])
    );
    assert_eq!(march.lines[0].basis, BillingBasis::MonthPerformed);
    let april = billing.statement(&acme(), APRIL);
    assert_eq!(april.total_minutes, 60);
    assert_eq!(
        billing.deferred_support(&acme()),
        [DeferredSupport {
            ticket: "SD-1".parse().unwrap(),
            minutes: 45
        }]
    );
}

#[test]
fn support_efforts_are_billed_in_the_month_the_ticket_was_closed() {
    let mut desk = billing_desk();
    desk.ticket(
        &agent(),
        "SD-1",
        TicketCommand::Resolve {
            outcome: ResolutionOutcome::Answered,
            note: "configured".into(),
            reclassify_as: None,
        },
    );
    desk.ticket(&jane(), "SD-1", TicketCommand::Close { comment: None });
    let billing = Billing::new();
    desk.feed(&billing);
    let april = billing.statement(&acme(), APRIL);
    assert_eq!(
        april.by_department,
        BTreeMap::from([(Department::Support, 45), (Department::ManagedServices, 60)])
    );
    assert_eq!(
        april.by_ticket,
        BTreeMap::from([("SD-1".parse().unwrap(), 105)])
    );
    assert!(
        april
            .lines
            .iter()
            .filter(|l| l.department == Department::Support)
            .all(|l| l.basis == BillingBasis::MonthClosed)
    );
    assert_eq!(billing.statement(&acme(), MARCH).total_minutes, 120);
    assert!(billing.deferred_support(&acme()).is_empty());
    assert_eq!(billing.statements(APRIL).len(), 1);
}

#[test]
fn free_support_requests_are_not_billed() {
    let desk = billing_desk();
    let billing = Billing::new();
    desk.feed(&billing);
    assert!(
        !billing
            .statement(&acme(), MARCH)
            .by_ticket
            .contains_key(&"SD-2".parse::<TicketKey>().unwrap())
    );
    let everything = Billing::with_policy(BillingPolicy {
        billable_types: vec![TicketType::ConsultingRequest, TicketType::SupportRequest],
    });
    desk.feed(&everything);
    assert!(
        everything
            .deferred_support(&acme())
            .iter()
            .any(|d| d.ticket.as_str() == "SD-2")
    );
}
