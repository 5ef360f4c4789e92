//! Delivery cycles: every customer receives a patch delivery roughly every three weeks.
//!
//! Each cycle is planned the moment the previous one's codeline closes, so at any time
//! exactly one delivery per customer accepts ticket changes (`Planned` up to "changes
//! confirmed"): fixes reported ready are included there — explicitly by support for a patch
//! version, by the engine's delivery process manager for `CUSTOM`. The cycle then walks the
//! whole preparation phase (merge scheduled, sometimes moved; merge done; changes confirmed;
//! codeline closed; package built; reference test; sometimes the estimated date moves;
//! released with release notes linked) and ends on the customer's delivery path: package on
//! SFTP for customer- and third-party-hosted systems; maintenance window (sometimes moved),
//! staging and production for Dedicated Cloud; production only for patch-managed systems.
//!
//! The calendar is planned first, with all its times, so that ticket stories know when the
//! delivery that carries their fix goes out; the delivery lines are written last, once the
//! stories have said which tickets join a delivery when it is planned.

use chrono::{Duration, NaiveDate};
use ticketflow_domain::delivery::DeliveryCommand;
use ticketflow_domain::script::AddressedCommand;
use ticketflow_events::delivery::{CloudEnvironment, DeliverySharing, DocumentLink, PatchVersion};
use ticketflow_events::{Actor, DeliveryKey, TicketKey, Timestamp};

use crate::activity::Activity;
use crate::clock::{at, office, weekday_on_or_after};

/// How a delivery reaches the customer, with its times.
#[derive(Debug, Clone)]
enum Finish {
    /// Customer- or third-party-hosted: the package is put on SFTP.
    Package { provided_at: Timestamp },
    /// Vendor-hosted: maintenance window, optionally staging, then production.
    Installation {
        announced_at: Timestamp,
        window: Timestamp,
        moved_window: Option<(Timestamp, Timestamp)>,
        staging_at: Option<Timestamp>,
        production_at: Timestamp,
    },
}

/// One delivery of one customer, with every step's time.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryCycle {
    /// The delivery ticket's key.
    pub key: DeliveryKey,
    /// Index of the customer.
    pub customer: usize,
    /// The patch version delivered.
    pub version: PatchVersion,
    /// When support plans it (from then on it accepts ticket changes).
    pub planned_at: Timestamp,
    /// When its codeline closes (no ticket joins afterwards).
    pub closed_at: Timestamp,
    /// When it counts as delivered: included tickets move on then.
    pub delivered_at: Timestamp,
    /// Tickets listed when the delivery is planned (fixes moved here from the previous one).
    pub planned_tickets: Vec<TicketKey>,
    merge_scheduled_at: Timestamp,
    merge_on: NaiveDate,
    estimated_on: NaiveDate,
    moved_merge: Option<(Timestamp, NaiveDate, NaiveDate)>,
    merged_at: Timestamp,
    confirmed_at: Timestamp,
    built_at: Timestamp,
    tested_at: Timestamp,
    moved_estimate: Option<(Timestamp, NaiveDate)>,
    released_at: Timestamp,
    finish: Finish,
}

/// Every customer's delivery cycles, in time order per customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeliveryCalendar {
    cycles: Vec<Vec<DeliveryCycle>>,
}

/// Margin before a codeline closes within which no fix is reported ready for it.
const CLOSING_MARGIN_HOURS: i64 = 3;

fn working_days_after(date: NaiveDate, n: i64) -> NaiveDate {
    let mut d = date;
    for _ in 0..n {
        d = weekday_on_or_after(d.succ_opt().unwrap_or(d));
    }
    d
}

fn hours(t: Timestamp, h: i64) -> Timestamp {
    t + Duration::hours(h)
}

impl DeliveryCalendar {
    /// Plans the cycles of every customer of `activity` from `start` until `until`.
    pub fn plan(activity: &mut Activity, start: Timestamp, until: Timestamp) -> DeliveryCalendar {
        let mut cycles = Vec::new();
        for customer in 0..activity.customers.len() {
            let mut list = Vec::new();
            let offset = activity.rng.between(0, 2 * 24 * 60);
            let mut planned_at = office(start + Duration::minutes(offset));
            let mut number = 0u32;
            while planned_at < until {
                let cycle = Self::cycle(activity, customer, number, planned_at);
                planned_at = hours(cycle.closed_at, 1);
                list.push(cycle);
                number += 1;
            }
            cycles.push(list);
        }
        DeliveryCalendar { cycles }
    }

    fn cycle(
        activity: &mut Activity,
        customer: usize,
        number: u32,
        planned_at: Timestamp,
    ) -> DeliveryCycle {
        let key = delivery_key(activity.new_ticket_key());
        let hosting = activity.customers[customer].hosting;
        let rng = &mut activity.rng;
        let version_text = format!(
            "14.{}.{}.{}",
            21 + number / 10,
            number % 10 + 1,
            customer + 1
        );
        let version = version_text
            .parse::<PatchVersion>()
            .unwrap_or_else(|_| fallback_version());
        let day = planned_at.date_naive();
        let merge_scheduled_at = at(working_days_after(day, 1), 9, rng.between(0, 59) as u32);
        let merge_on = working_days_after(day, rng.between(8, 11));
        let estimated_on = merge_on + Duration::days(rng.between(8, 12));
        let moved_merge = rng.chance(0.25).then(|| {
            let shift = rng.between(2, 4);
            (
                at(working_days_after(day, 3), 11, 0),
                weekday_on_or_after(merge_on + Duration::days(shift)),
                estimated_on + Duration::days(shift),
            )
        });
        let merge_day = moved_merge.map_or(merge_on, |(_, m, _)| m);
        let merged_at = at(merge_day, 10, rng.between(0, 59) as u32);
        let confirmed_at = at(working_days_after(merge_day, 1), 11, 0);
        let closed_at = at(working_days_after(merge_day, 2), 12, 0);
        let built_at = at(working_days_after(merge_day, 3), 10, 0);
        let tested_at = at(working_days_after(merge_day, 4), 14, 0);
        let current_estimate = moved_merge.map_or(estimated_on, |(_, _, e)| e);
        let moved_estimate = rng
            .chance(0.2)
            .then(|| (hours(tested_at, 1), current_estimate + Duration::days(4)));
        let released_at = at(working_days_after(merge_day, 5), 10, 0);
        let (finish, delivered_at) = match hosting {
            CloudEnvironment::CustomerHosted | CloudEnvironment::ThirdPartyHosted => {
                let provided_at = at(working_days_after(released_at.date_naive(), 1), 9, 30);
                (Finish::Package { provided_at }, provided_at)
            }
            env => {
                let announced_at = hours(released_at, 1);
                let window = at(released_at.date_naive() + Duration::days(3), 20, 0);
                let moved_window = rng
                    .chance(0.2)
                    .then(|| (hours(announced_at, 20), window + Duration::days(2)));
                let final_window = moved_window.map_or(window, |(_, w)| w);
                let staging = env == CloudEnvironment::DedicatedCloud;
                let staging_at = staging.then(|| hours(final_window, 2));
                let production_at = if staging {
                    hours(final_window, 3 * 24 + 2)
                } else {
                    hours(final_window, 2)
                };
                let delivered_at = staging_at.unwrap_or(production_at);
                (
                    Finish::Installation {
                        announced_at,
                        window,
                        moved_window,
                        staging_at,
                        production_at,
                    },
                    delivered_at,
                )
            }
        };
        DeliveryCycle {
            key,
            customer,
            version,
            planned_at,
            closed_at,
            delivered_at,
            planned_tickets: Vec::new(),
            merge_scheduled_at,
            merge_on,
            estimated_on,
            moved_merge,
            merged_at,
            confirmed_at,
            built_at,
            tested_at,
            moved_estimate,
            released_at,
            finish,
        }
    }

    /// The cycle of `customer` that accepts a fix reported at `t`, and the time to report it:
    /// `t` itself, or shortly after the next cycle is planned when `t` falls too close to a
    /// codeline closing. `None` past the planned calendar.
    pub fn slot(&self, customer: usize, t: Timestamp) -> Option<(usize, Timestamp)> {
        let list = self.cycles.get(customer)?;
        let index = list
            .iter()
            .position(|c| t < hours(c.closed_at, -CLOSING_MARGIN_HOURS))?;
        let cycle = &list[index];
        let earliest = cycle.planned_at + Duration::minutes(20);
        Some((index, t.max(earliest)))
    }

    /// The cycle `index` of `customer`.
    pub fn cycle_of(&self, customer: usize, index: usize) -> Option<&DeliveryCycle> {
        self.cycles.get(customer)?.get(index)
    }

    /// Lists `ticket` on cycle `index` of `customer` when it is planned.
    pub fn list_on_planning(&mut self, customer: usize, index: usize, ticket: TicketKey) {
        if let Some(cycle) = self
            .cycles
            .get_mut(customer)
            .and_then(|list| list.get_mut(index))
        {
            cycle.planned_tickets.push(ticket);
        }
    }

    /// Writes every cycle's lines into the script.
    pub fn write(&self, activity: &mut Activity) {
        for list in &self.cycles {
            for cycle in list {
                let customer = &activity.customers[cycle.customer];
                let agents = activity.staff.agents(customer.region);
                let agent = agents[cycle.customer % agents.len()].clone();
                let organisation = customer.organisation.clone();
                let hosting = customer.hosting;
                write_cycle(activity, cycle, &agent, organisation, hosting);
            }
        }
    }
}

/// Deliveries take their number from the service-desk sequence: the same text as a ticket key.
fn delivery_key(ticket: TicketKey) -> DeliveryKey {
    ticket
        .as_str()
        .parse()
        .unwrap_or_else(|_| fallback_delivery())
}

#[allow(clippy::expect_used)]
fn fallback_delivery() -> DeliveryKey {
    "SD-1".parse().expect("SD-1 is a valid delivery key")
}

#[allow(clippy::expect_used)]
fn fallback_version() -> PatchVersion {
    "14.21.1.1"
        .parse()
        .expect("14.21.1.1 is a valid patch version")
}

fn write_cycle(
    activity: &mut Activity,
    cycle: &DeliveryCycle,
    agent: &Actor,
    organisation: ticketflow_events::OrganisationId,
    hosting: CloudEnvironment,
) {
    let key = cycle.key.clone();
    let mut push = |t: Timestamp, command: DeliveryCommand| {
        activity.push(t, agent, AddressedCommand::Delivery(key.clone(), command));
    };
    let documents = if cycle.planned_tickets.is_empty() {
        Vec::new()
    } else {
        vec![DocumentLink {
            title: format!("Installation guide {}", cycle.version),
            url: format!("https://docs.vendor.example/install/{}", cycle.version),
        }]
    };
    push(
        cycle.planned_at,
        DeliveryCommand::PlanDelivery {
            delivery: cycle.key.clone(),
            version: cycle.version.clone(),
            cloud_environment: hosting,
            organisation,
            shared_with: DeliverySharing::Organisation,
            documents,
            tickets: cycle.planned_tickets.clone(),
        },
    );
    push(
        cycle.merge_scheduled_at,
        DeliveryCommand::ScheduleMerge {
            merge_on: cycle.merge_on,
            estimated_delivery_on: cycle.estimated_on,
        },
    );
    if let Some((t, merge_on, estimated_delivery_on)) = cycle.moved_merge {
        push(
            t,
            DeliveryCommand::MoveMerge {
                merge_on,
                estimated_delivery_on,
                reason: "The standard patch is released two days later than planned.".into(),
            },
        );
    }
    push(cycle.merged_at, DeliveryCommand::CompleteMerge {});
    push(
        cycle.confirmed_at,
        DeliveryCommand::ConfirmChangesComplete {},
    );
    push(cycle.closed_at, DeliveryCommand::CloseCodeline {});
    push(cycle.built_at, DeliveryCommand::BuildPackage {});
    push(cycle.tested_at, DeliveryCommand::PassReferenceTest {});
    if let Some((t, estimated_delivery_on)) = cycle.moved_estimate {
        push(
            t,
            DeliveryCommand::MoveEstimatedDeliveryDate {
                estimated_delivery_on,
                reason: "The reference test found a packaging issue; the build is repeated.".into(),
            },
        );
    }
    push(cycle.released_at, DeliveryCommand::Release {});
    push(
        cycle.released_at + Duration::minutes(5),
        DeliveryCommand::LinkDocument {
            document: DocumentLink {
                title: format!("Release notes {}", cycle.version),
                url: format!(
                    "https://docs.vendor.example/release-notes/{}",
                    cycle.version
                ),
            },
        },
    );
    match &cycle.finish {
        Finish::Package { provided_at } => push(
            *provided_at,
            DeliveryCommand::ProvidePackage {
                location: format!("sftp://sftp.vendor.example/outgoing/{}", cycle.version),
            },
        ),
        Finish::Installation {
            announced_at,
            window,
            moved_window,
            staging_at,
            production_at,
        } => {
            push(
                *announced_at,
                DeliveryCommand::AnnounceMaintenance {
                    window_starts_at: *window,
                },
            );
            if let Some((t, w)) = moved_window {
                push(
                    *t,
                    DeliveryCommand::AnnounceMaintenance {
                        window_starts_at: *w,
                    },
                );
            }
            if let Some(t) = staging_at {
                push(*t, DeliveryCommand::CompleteStageInstallation {});
            }
            push(*production_at, DeliveryCommand::CompleteInstallation {});
        }
    }
}
