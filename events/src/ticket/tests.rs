//! Examples of every ticket event: each round-trips through the codec, and together they cover
//! the whole vocabulary.

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::{Department, EventSet, OrganisationId, Region};

fn at() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0)
        .single()
        .unwrap_or_default()
}

fn attachment() -> Attachment {
    Attachment {
        name: "screenshot.png".into(),
        size_bytes: 52_311,
        content_hash: "ab".repeat(32),
    }
}

fn examples() -> Vec<TicketEvent> {
    let at = at();
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
    vec![
        TicketOpened {
            at,
            key: "SD-1042".parse().unwrap(),
            channel: IntakeChannel::Portal,
            ticket_type: TicketType::Incident,
            organisation: OrganisationId("acme".into()),
            region: Region::Dach,
            creator: "jane@acme".into(),
            summary: "Login fails".into(),
            description: "Since this morning nobody can log in.".into(),
            shared_with: SharedWith::Organisation,
            affected_system: Some(AffectedSystem::Production),
            system_reachable: Some(false),
            url: Some("https://lms.acme.example/login".into()),
            customer_reference: Some("ACME-77".into()),
            attachments: vec![attachment()],
            confidential: true,
            extended_support_budget: true,
        }
        .into(),
        TicketAccepted {
            at,
            agent: "anna".into(),
        }
        .into(),
        TicketClassified {
            at,
            from: TicketType::Incident,
            to: TicketType::SoftwareDefect,
        }
        .into(),
        TicketReclassified {
            at,
            from: TicketType::SoftwareDefect,
            to: TicketType::SupportRequest,
            reason: "standard behaviour".into(),
        }
        .into(),
        TicketPrioritised {
            at,
            from: Some(Priority::P3),
            to: Priority::P2,
        }
        .into(),
        TicketPriorityCleared {
            at,
            from: Priority::P4,
        }
        .into(),
        TicketStatusChanged {
            at,
            from: TicketStatus::Open,
            to: TicketStatus::InProgress,
        }
        .into(),
        TicketClarificationRequested {
            at,
            question: "Which browser?".into(),
        }
        .into(),
        TicketWorkResumed { at }.into(),
        TicketDefectReproduced {
            at,
            reference_system: "ref-acme-14.21".into(),
        }
        .into(),
        TicketWorkaroundProvided {
            at,
            description: "Use the SSO link.".into(),
        }
        .into(),
        TicketResolved {
            at,
            outcome: ResolutionOutcome::Misconfiguration,
            note: "Mail server setting fixed.".into(),
        }
        .into(),
        TicketReadyForDelivery {
            at,
            delivery_version: "14.21.3.1".parse().unwrap(),
        }
        .into(),
        TicketDeliveryVersionChanged {
            at,
            from: "14.21.3.1".parse().unwrap(),
            to: DeliveryVersion::custom(),
        }
        .into(),
        TicketDelivered {
            at,
            delivery: "SD-2001".parse().unwrap(),
        }
        .into(),
        TicketForwarded {
            at,
            to: ForwardTarget::ManagedServices,
        }
        .into(),
        TicketScopingWorkshopHeld {
            at,
            held_on: day,
            note: "two use cases".into(),
        }
        .into(),
        TicketEstimateRequested { at }.into(),
        TicketEstimateProvided {
            at,
            effort_hours: 40,
            valid_until: at,
        }
        .into(),
        TicketOrdered {
            at,
            order: Some("CO-7".parse().unwrap()),
        }
        .into(),
        TicketConceptApproved { at }.into(),
        TicketImplementationCommissioned { at }.into(),
        TicketReopened {
            at,
            reason: "still failing".into(),
        }
        .into(),
        TicketClosed {
            at,
            reason: CloseReason::ClarificationUnanswered,
            timer: Some(TimerId(4)),
        }
        .into(),
        TicketCommented {
            at,
            author: "anna".into(),
            author_kind: CommentAuthorKind::Vendor,
            visibility: CommentVisibility::Internal,
            text: "Looks like the cache.".into(),
            attachments: vec![attachment()],
        }
        .into(),
        TicketAttachmentsAdded {
            at,
            attachments: vec![attachment()],
        }
        .into(),
        TicketSharingChanged {
            at,
            shared_with: SharedWith::Nobody,
        }
        .into(),
        TicketConfidentialityChanged {
            at,
            confidential: true,
            region: Region::International,
        }
        .into(),
        TicketNotificationsChanged {
            at,
            person: "jane@acme".into(),
            enabled: false,
        }
        .into(),
        TicketEffortBooked {
            at,
            department: Department::ManagedServices,
            minutes: 90,
            performed_on: day,
            booked_by: "max".into(),
        }
        .into(),
        TicketEscalated {
            at,
            level: EscalationLevel::TeamLead,
            reason: EscalationReason::RestorationTimeExceeded,
            by: "jane@acme".into(),
        }
        .into(),
        TicketSupportBudgetRecorded {
            at,
            available: true,
        }
        .into(),
        TicketTimersScheduled {
            at,
            timers: vec![
                ScheduledTimer {
                    id: TimerId(1),
                    kind: TimerKind::ClarificationReminder { number: 1 },
                    due_at: at,
                },
                ScheduledTimer {
                    id: TimerId(2),
                    kind: TimerKind::EstimationExpiry,
                    due_at: at,
                },
            ],
        }
        .into(),
        TicketTimersCancelled {
            at,
            timers: vec![TimerId(1), TimerId(2)],
        }
        .into(),
        TicketClarificationReminderSent {
            at,
            timer: TimerId(1),
            number: 1,
        }
        .into(),
        TicketSlaNoticeRecorded {
            at,
            clock: SlaNoticeClock::Restoration,
            kind: SlaNoticeKind::AtRisk,
            cycle: 1,
        }
        .into(),
    ]
}

#[test]
fn examples_cover_every_event_type() {
    let covered: BTreeSet<&str> = examples().iter().map(|e| e.event_type()).collect();
    let declared: BTreeSet<&str> = TicketEvent::event_types().iter().map(|(t, _)| *t).collect();
    assert_eq!(covered, declared);
}

#[test]
fn every_event_round_trips_through_the_codec() {
    for event in examples() {
        let bytes = event.encode().unwrap();
        let back = TicketEvent::decode(event.event_type(), event.schema_version(), &bytes).unwrap();
        assert_eq!(back, event);
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<TicketEvent>(&json).unwrap(), event);
    }
}

#[test]
fn every_event_reports_its_business_time() {
    for event in examples() {
        assert_eq!(event.at(), at());
    }
}

/// `TicketCommented` version 1 exactly as a version-1 build wrote it (MessagePack, fields by
/// name): `{at, author: "jane@acme", by_customer: true, internal: false, text: "Any news?"}`.
const TICKET_COMMENTED_V1: &str = "85a26174b4323032362d30332d30325430393a33303a30305aa6617574686f72a96a616e654061636d65ab62795f637573746f6d6572c3a8696e7465726e616cc2a474657874a9416e79206e6577733f";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn ticket_commented_version_1_is_upcast_to_version_2() {
    let event = TicketEvent::decode("TicketCommented", 1, &hex(TICKET_COMMENTED_V1)).unwrap();
    assert_eq!(
        event,
        TicketEvent::TicketCommented(TicketCommented {
            at: at(),
            author: "jane@acme".into(),
            author_kind: CommentAuthorKind::Customer,
            visibility: CommentVisibility::Public,
            text: "Any news?".into(),
            attachments: vec![],
        })
    );
    assert_eq!(event.schema_version(), 2);
}

#[test]
fn ticket_commented_version_1_bytes_match_the_legacy_shape() {
    let v1 = legacy::TicketCommentedV1 {
        at: at(),
        author: "jane@acme".into(),
        by_customer: true,
        internal: false,
        text: "Any news?".into(),
    };
    let bytes = rmp_serde::to_vec_named(&v1).unwrap();
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(text, TICKET_COMMENTED_V1);
}

#[test]
fn internal_v1_comment_becomes_internal_visibility() {
    let v1 = legacy::TicketCommentedV1 {
        at: at(),
        author: "anna".into(),
        by_customer: false,
        internal: true,
        text: "note".into(),
    };
    let bytes = rmp_serde::to_vec_named(&v1).unwrap();
    let TicketEvent::TicketCommented(c) =
        TicketEvent::decode("TicketCommented", 1, &bytes).unwrap()
    else {
        panic!("not a comment");
    };
    assert_eq!(c.visibility, CommentVisibility::Internal);
    assert_eq!(c.author_kind, CommentAuthorKind::Vendor);
}

#[test]
fn unknown_ticket_commented_versions_are_refused() {
    assert!(TicketEvent::decode("TicketCommented", 3, &[]).is_err());
    assert!(TicketEvent::decode("TicketCommented", 0, &[]).is_err());
}

#[test]
fn delivery_version_accepts_patch_versions_and_custom() {
    for ok in ["14.21.3.1", "0.0.0.0", "CUSTOM", "10.1.20.300"] {
        assert!(ok.parse::<DeliveryVersion>().is_ok(), "{ok} refused");
    }
    for bad in ["14", "1.2.3.4.5.6.7", "custom", "14.x.3.1", "", "1..2.3"] {
        let err = bad.parse::<DeliveryVersion>().unwrap_err();
        assert!(err.to_string().contains("14.21.3.1"), "{err}");
    }
    assert!(serde_json::from_str::<DeliveryVersion>("\"1\"").is_err());
}
