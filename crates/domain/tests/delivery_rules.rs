//! One test per rule of domain.md §2.6 (and the delivery parts of §2.4), named after the rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use ticketflow_domain::delivery::{
    Delivery, DeliveryCommand, DeliveryError, DeliveryStatus, DeliveryStep, FollowUp, follow_ups,
};
use ticketflow_domain::{Aggregate, Context, DeskConfig};
use ticketflow_events::delivery::{CloudEnvironment, DeliveryEvent, DeliverySharing, DocumentLink};
use ticketflow_events::{Actor, DeliveryKey, OrganisationId, Region, Role, TicketKey, Timestamp};

// ---------------------------------------------------------------- fixtures

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn support() -> Actor {
    Actor {
        id: "anna".into(),
        role: Role::SupportAgent {
            region: Region::Dach,
        },
    }
}

fn customer() -> Actor {
    Actor {
        id: "jane".into(),
        role: Role::Customer {
            organisation: OrganisationId("acme".into()),
        },
    }
}

fn ticket(n: u64) -> TicketKey {
    TicketKey::new("SD", n).unwrap()
}

fn key() -> DeliveryKey {
    "SD-2001".parse().unwrap()
}

fn doc(url: &str) -> DocumentLink {
    DocumentLink {
        title: "Release notes".into(),
        url: url.into(),
    }
}

fn plan(env: CloudEnvironment) -> DeliveryCommand {
    DeliveryCommand::PlanDelivery {
        delivery: key(),
        version: "14.21.3.1".parse().unwrap(),
        cloud_environment: env,
        organisation: OrganisationId("acme".into()),
        shared_with: DeliverySharing::Organisation,
        documents: vec![doc("https://docs.example/rn-14.21.3.1.pdf")],
        tickets: vec![ticket(1), ticket(2)],
    }
}

/// A delivery and the events it recorded, driven command by command as support would.
struct Scenario {
    state: Delivery,
    events: Vec<DeliveryEvent>,
    config: DeskConfig,
}

impl Scenario {
    fn new() -> Self {
        Scenario {
            state: Delivery::default(),
            events: Vec::new(),
            config: DeskConfig::default(),
        }
    }

    fn planned(env: CloudEnvironment) -> Self {
        let mut s = Self::new();
        s.ok(plan(env));
        s
    }

    /// Planned and walked up to (and including) the given preparation step.
    fn at_step(env: CloudEnvironment, step: DeliveryStep) -> Self {
        let mut s = Self::planned(env);
        let steps = [
            (
                DeliveryStep::MergeScheduled,
                DeliveryCommand::ScheduleMerge {
                    merge_on: day(1),
                    estimated_delivery_on: day(14),
                },
            ),
            (
                DeliveryStep::MergeCompleted,
                DeliveryCommand::CompleteMerge {},
            ),
            (
                DeliveryStep::ChangesConfirmed,
                DeliveryCommand::ConfirmChangesComplete {},
            ),
            (
                DeliveryStep::CodelineClosed,
                DeliveryCommand::CloseCodeline {},
            ),
            (DeliveryStep::PackageBuilt, DeliveryCommand::BuildPackage {}),
            (
                DeliveryStep::ReferenceTested,
                DeliveryCommand::PassReferenceTest {},
            ),
            (DeliveryStep::Released, DeliveryCommand::Release {}),
        ];
        for (reached, command) in steps {
            if s.state.step >= step {
                break;
            }
            s.ok(command);
            assert_eq!(s.state.step, reached);
        }
        s
    }

    fn try_as(
        &self,
        actor: &Actor,
        command: DeliveryCommand,
    ) -> Result<Vec<DeliveryEvent>, DeliveryError> {
        let ctx = Context {
            now: now(),
            actor,
            config: &self.config,
        };
        self.state.decide(&command, &ctx)
    }

    fn try_(&self, command: DeliveryCommand) -> Result<Vec<DeliveryEvent>, DeliveryError> {
        self.try_as(&support(), command)
    }

    fn ok_as(&mut self, actor: &Actor, command: DeliveryCommand) -> Vec<DeliveryEvent> {
        let events = self
            .try_as(actor, command.clone())
            .unwrap_or_else(|e| panic!("{} refused: {e}", command.name()));
        for e in &events {
            self.state.evolve(e);
        }
        self.events.extend(events.clone());
        events
    }

    fn ok(&mut self, command: DeliveryCommand) -> Vec<DeliveryEvent> {
        self.ok_as(&support(), command)
    }

    /// Applies the command and returns the follow-ups of its events.
    fn follow(&mut self, command: DeliveryCommand) -> Vec<FollowUp> {
        let before = self.state.clone();
        let events = self.ok(command);
        events.iter().flat_map(|e| follow_ups(&before, e)).collect()
    }

    fn refused(&self, command: DeliveryCommand) -> DeliveryError {
        let name = command.name();
        match self.try_(command) {
            Ok(events) => panic!("{name} accepted: {events:?}"),
            Err(e) => e,
        }
    }
}

fn delivered(tickets: &[u64]) -> Vec<FollowUp> {
    tickets
        .iter()
        .map(|n| FollowUp::TicketDelivered {
            ticket: ticket(*n),
            delivery: key(),
        })
        .collect()
}

fn assert_not_allowed(err: DeliveryError, step: DeliveryStep) {
    match err {
        DeliveryError::NotAllowed { status, .. } => assert_eq!(status, step),
        other => panic!("expected NotAllowed in {step}, got {other}"),
    }
}

// ---------------------------------------------------------------- creation

#[test]
fn deliveries_are_created_by_support_only() {
    let s = Scenario::new();
    let err = s
        .try_as(&customer(), plan(CloudEnvironment::CustomerHosted))
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Forbidden { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "`plan_delivery` may only be issued by a support agent; you act as `customer`"
    );
    let consultant = Actor {
        id: "bob".into(),
        role: Role::BusinessConsultant,
    };
    assert!(
        s.try_as(&consultant, plan(CloudEnvironment::CustomerHosted))
            .is_err()
    );
}

#[test]
fn a_planned_delivery_carries_version_environment_organisation_documents_tickets_and_sharing() {
    let s = Scenario::planned(CloudEnvironment::DedicatedCloud);
    let d = &s.state;
    assert_eq!(d.key, Some(key()));
    assert_eq!(d.status(), Some(DeliveryStatus::Planned));
    assert_eq!(d.version.as_ref().map(|v| v.as_str()), Some("14.21.3.1"));
    assert_eq!(d.cloud_environment, Some(CloudEnvironment::DedicatedCloud));
    assert_eq!(d.organisation, Some(OrganisationId("acme".into())));
    assert_eq!(d.shared_with, DeliverySharing::Organisation);
    assert_eq!(d.documents.len(), 1);
    assert_eq!(d.tickets, vec![ticket(1), ticket(2)]);
}

#[test]
fn a_delivery_is_planned_once() {
    let s = Scenario::planned(CloudEnvironment::CustomerHosted);
    assert_not_allowed(
        s.refused(plan(CloudEnvironment::CustomerHosted)),
        DeliveryStep::Planned,
    );
}

#[test]
fn a_delivery_lists_every_ticket_once() {
    let s = Scenario::new();
    let mut command = plan(CloudEnvironment::CustomerHosted);
    if let DeliveryCommand::PlanDelivery { tickets, .. } = &mut command {
        tickets.push(ticket(1));
    }
    let err = s.refused(command);
    assert!(err.to_string().contains("lists SD-1 twice"), "{err}");
}

#[test]
fn a_patch_version_is_dotted_numbers() {
    let json = r#"{"command":"plan_delivery","delivery":"SD-2001","version":"CUSTOM",
        "cloud_environment":"customer-hosted","organisation":"acme"}"#;
    let err = serde_json::from_str::<DeliveryCommand>(json).unwrap_err();
    assert!(err.to_string().contains("not a patch version"), "{err}");
}

// ---------------------------------------------------------------- merge and estimate

#[test]
fn scheduling_the_merge_gives_the_estimated_delivery_date() {
    let s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::MergeScheduled,
    );
    assert_eq!(s.state.merge_on, Some(day(1)));
    assert_eq!(s.state.estimated_delivery_on, Some(day(14)));
    assert_eq!(s.state.status(), Some(DeliveryStatus::Planned));
}

#[test]
fn the_estimated_delivery_date_does_not_precede_the_merge() {
    let s = Scenario::planned(CloudEnvironment::CustomerHosted);
    let err = s.refused(DeliveryCommand::ScheduleMerge {
        merge_on: day(10),
        estimated_delivery_on: day(9),
    });
    assert!(
        matches!(
            err,
            DeliveryError::Invalid {
                field: "estimated_delivery_on",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn the_estimated_delivery_date_is_not_in_the_past() {
    let s = Scenario::planned(CloudEnvironment::CustomerHosted);
    let err = s.refused(DeliveryCommand::ScheduleMerge {
        merge_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        estimated_delivery_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    });
    assert!(err.to_string().contains("in the past"), "{err}");
}

#[test]
fn every_merge_move_is_recorded_with_old_and_new_dates_and_a_reason() {
    let mut s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::MergeScheduled,
    );
    for (merge, estimate) in [(3, 16), (5, 18)] {
        let events = s.ok(DeliveryCommand::MoveMerge {
            merge_on: day(merge),
            estimated_delivery_on: day(estimate),
            reason: "standard patch is late".into(),
        });
        let [DeliveryEvent::DeliveryMergeMoved(moved)] = events.as_slice() else {
            panic!("expected one DeliveryMergeMoved, got {events:?}");
        };
        assert_eq!(moved.new_merge_on, day(merge));
        assert_eq!(moved.new_estimated_delivery_on, day(estimate));
        assert_eq!(moved.reason, "standard patch is late");
    }
    let moves: Vec<_> = s
        .events
        .iter()
        .filter_map(|e| match e {
            DeliveryEvent::DeliveryMergeMoved(m) => Some((m.old_merge_on, m.new_merge_on)),
            _ => None,
        })
        .collect();
    assert_eq!(moves, vec![(day(1), day(3)), (day(3), day(5))]);
    assert_eq!(s.state.date_moves, 2);
    assert_eq!(s.state.estimated_delivery_on, Some(day(18)));
}

#[test]
fn a_move_needs_a_reason() {
    let s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::MergeScheduled,
    );
    let err = s.refused(DeliveryCommand::MoveMerge {
        merge_on: day(3),
        estimated_delivery_on: day(16),
        reason: "   ".into(),
    });
    assert!(
        matches!(
            err,
            DeliveryError::Invalid {
                field: "reason",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_move_that_changes_nothing_is_refused() {
    let s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::MergeScheduled,
    );
    let err = s.refused(DeliveryCommand::MoveMerge {
        merge_on: day(1),
        estimated_delivery_on: day(14),
        reason: "no change".into(),
    });
    assert!(err.to_string().contains("already scheduled"), "{err}");
}

#[test]
fn the_estimated_delivery_date_moves_after_the_merge_until_the_delivery_goes_out() {
    let mut s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::MergeCompleted,
    );
    s.ok(DeliveryCommand::MoveEstimatedDeliveryDate {
        estimated_delivery_on: day(20),
        reason: "regression found on the reference system".into(),
    });
    assert_eq!(s.state.estimated_delivery_on, Some(day(20)));
    // The merge itself can no longer move once done.
    assert_not_allowed(
        s.refused(DeliveryCommand::MoveMerge {
            merge_on: day(3),
            estimated_delivery_on: day(20),
            reason: "x".into(),
        }),
        DeliveryStep::MergeCompleted,
    );
    let mut s = Scenario::at_step(CloudEnvironment::CustomerHosted, DeliveryStep::Released);
    s.ok(DeliveryCommand::ProvidePackage {
        location: "sftp://sftp.example/acme/".into(),
    });
    assert_not_allowed(
        s.refused(DeliveryCommand::MoveEstimatedDeliveryDate {
            estimated_delivery_on: day(21),
            reason: "too late".into(),
        }),
        DeliveryStep::Delivered,
    );
}

// ---------------------------------------------------------------- preparation phase

#[test]
fn the_preparation_steps_happen_in_order_and_the_status_stays_planned() {
    let s = Scenario::at_step(CloudEnvironment::CustomerHosted, DeliveryStep::Released);
    assert_eq!(s.state.step, DeliveryStep::Released);
    assert_eq!(s.state.status(), Some(DeliveryStatus::Planned));
    let types: Vec<_> = s
        .events
        .iter()
        .map(ticketflow_events::EventSet::event_type)
        .collect();
    assert_eq!(
        types,
        vec![
            "DeliveryPlanned",
            "DeliveryMergeScheduled",
            "DeliveryMergeCompleted",
            "DeliveryChangesConfirmed",
            "DeliveryCodelineClosed",
            "DeliveryPackageBuilt",
            "DeliveryReferenceTestPassed",
            "DeliveryReleased",
        ]
    );
}

#[test]
fn an_out_of_order_step_is_refused_naming_the_status_and_the_allowed_commands() {
    let s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::MergeScheduled,
    );
    let err = s.refused(DeliveryCommand::CloseCodeline {});
    assert_eq!(
        err.to_string(),
        "cannot `close_codeline` delivery SD-2001 in status `Planned (merge scheduled)`; \
         allowed in `Planned (merge scheduled)`: move_merge, complete_merge, include_ticket, \
         remove_ticket, link_document"
    );
}

#[test]
fn every_step_before_the_release_must_happen_first() {
    let skips = [
        (DeliveryStep::Planned, DeliveryCommand::CompleteMerge {}),
        (
            DeliveryStep::MergeScheduled,
            DeliveryCommand::ConfirmChangesComplete {},
        ),
        (
            DeliveryStep::MergeCompleted,
            DeliveryCommand::CloseCodeline {},
        ),
        (
            DeliveryStep::ChangesConfirmed,
            DeliveryCommand::BuildPackage {},
        ),
        (
            DeliveryStep::CodelineClosed,
            DeliveryCommand::PassReferenceTest {},
        ),
        (DeliveryStep::PackageBuilt, DeliveryCommand::Release {}),
        (
            DeliveryStep::ReferenceTested,
            DeliveryCommand::ProvidePackage {
                location: "sftp://x/".into(),
            },
        ),
    ];
    for (step, command) in skips {
        let s = Scenario::at_step(CloudEnvironment::CustomerHosted, step);
        assert_not_allowed(s.refused(command), step);
    }
}

#[test]
fn nothing_happens_to_a_delivery_that_was_not_planned() {
    let s = Scenario::new();
    let err = s.refused(DeliveryCommand::Release {});
    assert_eq!(
        err.to_string(),
        "cannot `release` delivery (not planned) in status `not planned yet`; \
         allowed in `not planned yet`: plan_delivery"
    );
}

#[test]
fn preparation_steps_are_recorded_by_support_only() {
    let s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::ReferenceTested,
    );
    let err = s
        .try_as(&customer(), DeliveryCommand::Release {})
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Forbidden { .. }), "{err}");
}

// ---------------------------------------------------------------- delivery paths

#[test]
fn customer_and_third_party_hosted_deliveries_are_delivered_when_the_package_is_on_sftp() {
    for env in [
        CloudEnvironment::CustomerHosted,
        CloudEnvironment::ThirdPartyHosted,
    ] {
        let mut s = Scenario::at_step(env, DeliveryStep::Released);
        assert_eq!(
            s.state.allowed_commands(),
            vec![
                "move_estimated_delivery_date",
                "provide_package",
                "link_document"
            ]
        );
        s.ok(DeliveryCommand::ProvidePackage {
            location: "sftp://sftp.example/acme/14.21.3.1.zip".into(),
        });
        assert_eq!(s.state.status(), Some(DeliveryStatus::Delivered));
        assert_eq!(s.state.delivered_at, Some(now()));
        assert_eq!(s.state.allowed_commands(), vec!["link_document"]);
    }
}

#[test]
fn a_provided_package_names_its_location() {
    let s = Scenario::at_step(CloudEnvironment::CustomerHosted, DeliveryStep::Released);
    let err = s.refused(DeliveryCommand::ProvidePackage {
        location: "".into(),
    });
    assert!(
        matches!(
            err,
            DeliveryError::Invalid {
                field: "location",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn hosting_decides_the_path_after_the_release() {
    let s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    assert_not_allowed(
        s.refused(DeliveryCommand::ProvidePackage {
            location: "sftp://x/".into(),
        }),
        DeliveryStep::Released,
    );
    let s = Scenario::at_step(CloudEnvironment::CustomerHosted, DeliveryStep::Released);
    assert_not_allowed(
        s.refused(DeliveryCommand::AnnounceMaintenance {
            window_starts_at: now() + Duration::days(2),
        }),
        DeliveryStep::Released,
    );
}

#[test]
fn vendor_hosted_deliveries_update_staging_then_production_after_the_maintenance_announcement() {
    for env in [
        CloudEnvironment::DedicatedCloud,
        CloudEnvironment::VendorPatchManaged,
    ] {
        let mut s = Scenario::at_step(env, DeliveryStep::Released);
        assert_not_allowed(
            s.refused(DeliveryCommand::CompleteStageInstallation {}),
            DeliveryStep::Released,
        );
        s.ok(DeliveryCommand::AnnounceMaintenance {
            window_starts_at: now() + Duration::days(2),
        });
        assert_eq!(s.state.step, DeliveryStep::MaintenanceAnnounced);
        assert_eq!(s.state.status(), Some(DeliveryStatus::Planned));
        s.ok(DeliveryCommand::CompleteStageInstallation {});
        assert_eq!(
            s.state.status(),
            Some(DeliveryStatus::StageInstallationCompleted)
        );
        assert_not_allowed(
            s.refused(DeliveryCommand::CompleteStageInstallation {}),
            DeliveryStep::StageInstallationCompleted,
        );
        s.ok(DeliveryCommand::CompleteInstallation {});
        assert_eq!(
            s.state.status(),
            Some(DeliveryStatus::InstallationCompleted)
        );
        assert_eq!(s.state.allowed_commands(), vec!["link_document"]);
    }
}

#[test]
fn production_is_updated_directly_when_there_is_no_staging_system() {
    let mut s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    s.ok(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() + Duration::days(2),
    });
    s.ok(DeliveryCommand::CompleteInstallation {});
    assert_eq!(
        s.state.status(),
        Some(DeliveryStatus::InstallationCompleted)
    );
    assert_eq!(s.state.stage_installed_at, None);
}

#[test]
fn announcing_maintenance_again_moves_the_window_and_keeps_the_status() {
    let mut s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    s.ok(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() + Duration::days(2),
    });
    s.ok(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() + Duration::days(3),
    });
    assert_eq!(s.state.step, DeliveryStep::MaintenanceAnnounced);
    s.ok(DeliveryCommand::CompleteStageInstallation {});
    s.ok(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() + Duration::days(9),
    });
    assert_eq!(
        s.state.status(),
        Some(DeliveryStatus::StageInstallationCompleted)
    );
    assert_eq!(
        s.state.maintenance_window_starts_at,
        Some(now() + Duration::days(9))
    );
}

#[test]
fn a_maintenance_window_is_not_in_the_past() {
    let s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    let err = s.refused(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() - Duration::hours(1),
    });
    assert!(
        matches!(
            err,
            DeliveryError::Invalid {
                field: "window_starts_at",
                ..
            }
        ),
        "{err}"
    );
}

// ---------------------------------------------------------------- tickets and documents

#[test]
fn tickets_are_included_and_removed_until_the_codeline_is_closed() {
    let mut s = Scenario::at_step(
        CloudEnvironment::CustomerHosted,
        DeliveryStep::ChangesConfirmed,
    );
    s.ok(DeliveryCommand::IncludeTicket { ticket: ticket(3) });
    s.ok(DeliveryCommand::RemoveTicket {
        ticket: ticket(1),
        reason: "fix not complete, moves to the next patch".into(),
    });
    assert_eq!(s.state.tickets, vec![ticket(2), ticket(3)]);
    s.ok(DeliveryCommand::CloseCodeline {});
    assert_not_allowed(
        s.refused(DeliveryCommand::IncludeTicket { ticket: ticket(4) }),
        DeliveryStep::CodelineClosed,
    );
    assert_not_allowed(
        s.refused(DeliveryCommand::RemoveTicket {
            ticket: ticket(2),
            reason: "late".into(),
        }),
        DeliveryStep::CodelineClosed,
    );
}

#[test]
fn a_ticket_is_included_once() {
    let s = Scenario::planned(CloudEnvironment::CustomerHosted);
    let err = s.refused(DeliveryCommand::IncludeTicket { ticket: ticket(1) });
    assert_eq!(
        err.to_string(),
        "ticket SD-1 is already included in delivery SD-2001; nothing to do"
    );
}

#[test]
fn only_an_included_ticket_can_be_removed_and_only_with_a_reason() {
    let s = Scenario::planned(CloudEnvironment::CustomerHosted);
    let err = s.refused(DeliveryCommand::RemoveTicket {
        ticket: ticket(9),
        reason: "x".into(),
    });
    assert_eq!(
        err.to_string(),
        "ticket SD-9 is not included in delivery SD-2001; included are: SD-1, SD-2"
    );
    let err = s.refused(DeliveryCommand::RemoveTicket {
        ticket: ticket(1),
        reason: "".into(),
    });
    assert!(
        matches!(
            err,
            DeliveryError::Invalid {
                field: "reason",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn the_engine_includes_custom_fixes_in_the_next_delivery() {
    let mut s = Scenario::planned(CloudEnvironment::CustomerHosted);
    s.ok_as(
        &Actor::system("process-manager"),
        DeliveryCommand::IncludeTicket { ticket: ticket(7) },
    );
    assert!(s.state.includes(&ticket(7)));
    let err = s
        .try_as(
            &Actor::system("process-manager"),
            DeliveryCommand::CloseCodeline {},
        )
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Forbidden { .. }), "{err}");
}

#[test]
fn documents_are_linked_any_time_after_planning_with_a_downloadable_url() {
    let mut s = Scenario::at_step(CloudEnvironment::CustomerHosted, DeliveryStep::Released);
    s.ok(DeliveryCommand::ProvidePackage {
        location: "sftp://sftp.example/acme/".into(),
    });
    s.ok(DeliveryCommand::LinkDocument {
        document: doc("sftp://sftp.example/acme/install-guide.pdf"),
    });
    assert_eq!(s.state.documents.len(), 2);
    for bad in [
        "",
        "ftp://x",
        "https://",
        "https://a b",
        "javascript:alert(1)",
    ] {
        let err = s.refused(DeliveryCommand::LinkDocument { document: doc(bad) });
        assert!(
            matches!(
                err,
                DeliveryError::Invalid {
                    field: "document.url",
                    ..
                }
            ),
            "{bad}: {err}"
        );
    }
    let err = s.refused(DeliveryCommand::LinkDocument {
        document: doc("sftp://sftp.example/acme/install-guide.pdf"),
    });
    assert!(err.to_string().contains("already linked"), "{err}");
}

// ---------------------------------------------------------------- follow-ups

#[test]
fn included_tickets_are_delivered_when_the_package_is_provided() {
    let mut s = Scenario::at_step(CloudEnvironment::CustomerHosted, DeliveryStep::Released);
    let follow = s.follow(DeliveryCommand::ProvidePackage {
        location: "sftp://sftp.example/acme/".into(),
    });
    assert_eq!(follow, delivered(&[1, 2]));
}

#[test]
fn included_tickets_are_delivered_when_staging_is_updated_and_not_again_with_production() {
    let mut s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    assert!(
        s.follow(DeliveryCommand::AnnounceMaintenance {
            window_starts_at: now() + Duration::days(1),
        })
        .is_empty()
    );
    assert_eq!(
        s.follow(DeliveryCommand::CompleteStageInstallation {}),
        delivered(&[1, 2])
    );
    assert!(
        s.follow(DeliveryCommand::CompleteInstallation {})
            .is_empty()
    );
}

#[test]
fn included_tickets_are_delivered_with_production_when_there_is_no_staging_system() {
    let mut s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    s.ok(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() + Duration::days(1),
    });
    assert_eq!(
        s.follow(DeliveryCommand::CompleteInstallation {}),
        delivered(&[1, 2])
    );
}

#[test]
fn follow_ups_are_the_same_from_the_state_before_or_after_the_event() {
    let mut s = Scenario::at_step(CloudEnvironment::DedicatedCloud, DeliveryStep::Released);
    s.ok(DeliveryCommand::AnnounceMaintenance {
        window_starts_at: now() + Duration::days(1),
    });
    for command in [
        DeliveryCommand::CompleteStageInstallation {},
        DeliveryCommand::CompleteInstallation {},
    ] {
        let before = s.state.clone();
        let events = s.ok(command);
        for e in &events {
            assert_eq!(follow_ups(&before, e), follow_ups(&s.state, e));
        }
    }
}

#[test]
fn removed_tickets_are_not_delivered_and_preparation_delivers_nothing() {
    let mut s = Scenario::planned(CloudEnvironment::CustomerHosted);
    let mut follow = s.follow(DeliveryCommand::RemoveTicket {
        ticket: ticket(1),
        reason: "not ready".into(),
    });
    follow.extend(s.follow(DeliveryCommand::ScheduleMerge {
        merge_on: day(1),
        estimated_delivery_on: day(14),
    }));
    for command in [
        DeliveryCommand::CompleteMerge {},
        DeliveryCommand::ConfirmChangesComplete {},
        DeliveryCommand::CloseCodeline {},
        DeliveryCommand::BuildPackage {},
        DeliveryCommand::PassReferenceTest {},
        DeliveryCommand::Release {},
    ] {
        follow.extend(s.follow(command));
    }
    assert!(follow.is_empty(), "{follow:?}");
    let follow = s.follow(DeliveryCommand::ProvidePackage {
        location: "sftp://sftp.example/acme/".into(),
    });
    assert_eq!(follow, delivered(&[2]));
}

// ---------------------------------------------------------------- command form

#[test]
fn commands_are_json_objects_tagged_with_their_snake_case_name() {
    for name in DeliveryCommand::NAMES {
        assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    }
    let command: DeliveryCommand = serde_json::from_str(r#"{"command":"complete_merge"}"#).unwrap();
    assert_eq!(command, DeliveryCommand::CompleteMerge {});
    let json = serde_json::to_value(DeliveryCommand::IncludeTicket { ticket: ticket(5) }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"command": "include_ticket", "ticket": "SD-5"})
    );
    assert_eq!(
        DeliveryCommand::IncludeTicket { ticket: ticket(5) }.name(),
        "include_ticket"
    );
}

#[test]
fn refusals_quote_real_command_names() {
    for env in [
        CloudEnvironment::CustomerHosted,
        CloudEnvironment::DedicatedCloud,
    ] {
        let mut s = Scenario::at_step(env, DeliveryStep::Released);
        if env == CloudEnvironment::DedicatedCloud {
            s.ok(DeliveryCommand::AnnounceMaintenance {
                window_starts_at: now() + Duration::days(1),
            });
        }
        let mut states = vec![Delivery::default()];
        states.extend(s.events.iter().scan(Delivery::default(), |state, event| {
            state.evolve(event);
            Some(state.clone())
        }));
        for state in states {
            for name in state.allowed_commands() {
                assert!(
                    DeliveryCommand::NAMES.contains(&name),
                    "{name} is not a command"
                );
            }
        }
    }
}
