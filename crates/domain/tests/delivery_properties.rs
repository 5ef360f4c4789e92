//! Property tests of the delivery aggregate over random command sequences:
//! (1) state = fold of every emitted event, (2) a refused command emits nothing and leaves the
//! state unchanged, (3) every emitted event round-trips through the codec.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use ticketflow_domain::delivery::{Delivery, DeliveryCommand, DeliveryStep, follow_ups};
use ticketflow_domain::{Aggregate, Context, DeskConfig, fold};
use ticketflow_events::delivery::{CloudEnvironment, DeliveryEvent, DeliverySharing, DocumentLink};
use ticketflow_events::{Actor, EventSet, OrganisationId, Region, Role, TicketKey, Timestamp};

fn start() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn day(offset: i64) -> NaiveDate {
    start().date_naive() + Duration::days(offset)
}

fn ticket(n: u64) -> TicketKey {
    TicketKey::new("SD", n).unwrap()
}

fn environment() -> impl Strategy<Value = CloudEnvironment> {
    prop_oneof![
        Just(CloudEnvironment::DedicatedCloud),
        Just(CloudEnvironment::CustomerHosted),
        Just(CloudEnvironment::ThirdPartyHosted),
        Just(CloudEnvironment::VendorPatchManaged),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("  ".to_owned()),
        Just("late".to_owned())
    ]
}

fn document() -> impl Strategy<Value = DocumentLink> {
    (
        prop_oneof![Just(""), Just("Release notes")],
        prop_oneof![
            Just("https://docs.example/a.pdf"),
            Just("sftp://sftp.example/b.pdf"),
            Just("ftp://nope"),
        ],
    )
        .prop_map(|(title, url)| DocumentLink {
            title: title.into(),
            url: url.into(),
        })
}

fn command() -> impl Strategy<Value = DeliveryCommand> {
    prop_oneof![
        2 => (
            environment(),
            proptest::collection::vec(1u64..5, 0..4),
            proptest::collection::vec(document(), 0..2),
        )
            .prop_map(|(env, tickets, documents)| DeliveryCommand::PlanDelivery {
                delivery: "SD-2001".parse().unwrap(),
                version: "14.21.3.1".parse().unwrap(),
                cloud_environment: env,
                organisation: OrganisationId("acme".into()),
                shared_with: DeliverySharing::Organisation,
                documents,
                tickets: tickets.into_iter().map(ticket).collect(),
            }),
        2 => (-3i64..20, -3i64..30).prop_map(|(m, e)| DeliveryCommand::ScheduleMerge {
            merge_on: day(m),
            estimated_delivery_on: day(e),
        }),
        1 => (-3i64..20, -3i64..30, text()).prop_map(|(m, e, reason)| DeliveryCommand::MoveMerge {
            merge_on: day(m),
            estimated_delivery_on: day(e),
            reason,
        }),
        1 => (-3i64..30, text()).prop_map(|(e, reason)| {
            DeliveryCommand::MoveEstimatedDeliveryDate {
                estimated_delivery_on: day(e),
                reason,
            }
        }),
        3 => Just(DeliveryCommand::CompleteMerge {}),
        3 => Just(DeliveryCommand::ConfirmChangesComplete {}),
        3 => Just(DeliveryCommand::CloseCodeline {}),
        3 => Just(DeliveryCommand::BuildPackage {}),
        3 => Just(DeliveryCommand::PassReferenceTest {}),
        3 => Just(DeliveryCommand::Release {}),
        2 => text().prop_map(|location| DeliveryCommand::ProvidePackage { location }),
        2 => (-5i64..100).prop_map(|h| DeliveryCommand::AnnounceMaintenance {
            window_starts_at: start() + Duration::hours(h),
        }),
        2 => Just(DeliveryCommand::CompleteStageInstallation {}),
        2 => Just(DeliveryCommand::CompleteInstallation {}),
        2 => (1u64..6).prop_map(|n| DeliveryCommand::IncludeTicket { ticket: ticket(n) }),
        2 => (1u64..6, text()).prop_map(|(n, reason)| DeliveryCommand::RemoveTicket {
            ticket: ticket(n),
            reason,
        }),
        1 => document().prop_map(|document| DeliveryCommand::LinkDocument { document }),
    ]
}

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        8 => Just(Actor {
            id: "anna".into(),
            role: Role::SupportAgent { region: Region::International },
        }),
        1 => Just(Actor::system("process-manager")),
        1 => Just(Actor {
            id: "jane".into(),
            role: Role::Customer { organisation: OrganisationId("acme".into()) },
        }),
    ]
}

/// The commands that walk a delivery of the given hosting to its end, with valid fields.
fn happy_path(env: CloudEnvironment) -> Vec<DeliveryCommand> {
    vec![
        DeliveryCommand::PlanDelivery {
            delivery: "SD-2001".parse().unwrap(),
            version: "14.21.3.1".parse().unwrap(),
            cloud_environment: env,
            organisation: OrganisationId("acme".into()),
            shared_with: DeliverySharing::Nobody,
            documents: vec![],
            tickets: vec![ticket(1), ticket(2)],
        },
        DeliveryCommand::ScheduleMerge {
            merge_on: day(5),
            estimated_delivery_on: day(20),
        },
        DeliveryCommand::CompleteMerge {},
        DeliveryCommand::ConfirmChangesComplete {},
        DeliveryCommand::CloseCodeline {},
        DeliveryCommand::BuildPackage {},
        DeliveryCommand::PassReferenceTest {},
        DeliveryCommand::Release {},
        DeliveryCommand::ProvidePackage {
            location: "sftp://sftp.example/acme/".into(),
        },
        DeliveryCommand::AnnounceMaintenance {
            window_starts_at: start() + Duration::hours(200),
        },
        DeliveryCommand::CompleteStageInstallation {},
        DeliveryCommand::CompleteInstallation {},
    ]
}

/// A random sequence: the happy path of a random hosting, with each step kept 9 times in 10,
/// and random commands (valid or not, by support or not) inserted anywhere. Pure random
/// sequences rarely get past the first steps; this one reaches every status.
fn sequence() -> impl Strategy<Value = Vec<(Actor, DeliveryCommand)>> {
    (
        environment(),
        proptest::collection::vec(proptest::bool::weighted(0.9), 12),
        proptest::collection::vec((any::<prop::sample::Index>(), actor(), command()), 0..30),
    )
        .prop_map(|(env, keep, noise)| {
            let support = Actor {
                id: "anna".into(),
                role: Role::SupportAgent {
                    region: Region::Dach,
                },
            };
            let mut commands: Vec<(Actor, DeliveryCommand)> = happy_path(env)
                .into_iter()
                .zip(keep)
                .filter(|(_, keep)| *keep)
                .map(|(command, _)| (support.clone(), command))
                .collect();
            for (at, actor, command) in noise {
                let position = at.index(commands.len() + 1);
                commands.insert(position, (actor, command));
            }
            commands
        })
}

/// One decision of a run: the state before, what was decided, the state after.
struct Step {
    before: Delivery,
    outcome: Result<Vec<DeliveryEvent>, String>,
    after: Delivery,
}

fn run(commands: &[(Actor, DeliveryCommand)]) -> (Delivery, Vec<DeliveryEvent>, Vec<Step>) {
    let config = DeskConfig::default();
    let mut state = Delivery::default();
    let mut all = Vec::new();
    let mut steps = Vec::new();
    for (i, (actor, command)) in commands.iter().enumerate() {
        let ctx = Context {
            now: start() + Duration::hours(i as i64),
            actor,
            config: &config,
        };
        let before = state.clone();
        let outcome = state.decide(command, &ctx).map_err(|e| e.to_string());
        if let Ok(events) = &outcome {
            for e in events {
                state.evolve(e);
            }
            all.extend(events.iter().cloned());
        }
        steps.push(Step {
            before,
            outcome,
            after: state.clone(),
        });
    }
    (state, all, steps)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn state_equals_the_fold_of_all_emitted_events(commands in sequence()) {
        let (state, events, _) = run(&commands);
        prop_assert_eq!(state, fold::<Delivery>(&events));
    }

    #[test]
    fn a_refused_command_emits_nothing_and_leaves_the_state_unchanged(commands in sequence()) {
        let (_, _, steps) = run(&commands);
        for step in steps {
            match step.outcome {
                Err(message) => {
                    prop_assert_eq!(&step.before, &step.after, "refused: {}", message);
                    prop_assert!(!message.is_empty());
                }
                Ok(events) => prop_assert!(!events.is_empty(), "accepted command emitted nothing"),
            }
        }
    }

    #[test]
    fn a_delivery_delivers_each_ticket_at_most_once(commands in sequence()) {
        let (_, _, steps) = run(&commands);
        let mut delivered = std::collections::BTreeSet::new();
        for step in steps {
            for event in step.outcome.unwrap_or_default() {
                for follow_up in follow_ups(&step.before, &event) {
                    prop_assert!(delivered.insert(follow_up.clone()), "{:?} twice", follow_up);
                }
            }
        }
    }

    #[test]
    fn every_emitted_event_round_trips_through_the_codec(commands in sequence()) {
        let (_, events, _) = run(&commands);
        for event in events {
            let bytes = event.encode().unwrap();
            let back = DeliveryEvent::decode(event.event_type(), event.schema_version(), &bytes)
                .unwrap();
            prop_assert_eq!(back, event);
        }
    }
}

/// Guards the generator: without it the properties above would only ever see the first steps.
#[test]
fn random_sequences_reach_every_final_status() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut reached = std::collections::BTreeSet::new();
    for _ in 0..256 {
        let commands = sequence().new_tree(&mut runner).unwrap().current();
        reached.insert(run(&commands).0.step);
    }
    for step in [
        DeliveryStep::Delivered,
        DeliveryStep::StageInstallationCompleted,
        DeliveryStep::InstallationCompleted,
    ] {
        assert!(reached.contains(&step), "{step} never reached: {reached:?}");
    }
}
