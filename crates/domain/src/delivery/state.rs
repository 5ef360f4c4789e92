//! The state of one delivery, its step in the workflow and how events change it.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ticketflow_events::delivery::{
    CloudEnvironment, DeliveryEvent, DeliveryPath, DeliverySharing, DocumentLink, PatchVersion,
};
use ticketflow_events::{DeliveryKey, OrganisationId, TicketKey, Timestamp};

/// The status a delivery ticket shows on the desk (domain.md §2.6).
///
/// The seeds name four: the whole preparation phase is `Planned`, and the delivery stays so
/// until the package is provided or installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryStatus {
    /// Being prepared, or released and waiting to go out.
    Planned,
    /// Customer- or third-party-hosted: the package is on SFTP.
    Delivered,
    /// Vendor-hosted: staging was updated.
    StageInstallationCompleted,
    /// Vendor-hosted: production was updated.
    InstallationCompleted,
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeliveryStatus::Planned => "Planned",
            DeliveryStatus::Delivered => "Delivered",
            DeliveryStatus::StageInstallationCompleted => "Stage installation completed",
            DeliveryStatus::InstallationCompleted => "Installation completed",
        })
    }
}

/// Where a delivery is in its workflow: finer than [`DeliveryStatus`], because the preparation
/// phase has six steps that must happen in order while the status stays `Planned`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryStep {
    /// The delivery does not exist yet.
    #[default]
    NotPlanned,
    /// Created; the merge is not scheduled yet.
    Planned,
    /// The merge is scheduled and the estimated delivery date known.
    MergeScheduled,
    /// The standard patch is merged into the delivery codeline.
    MergeCompleted,
    /// The included changes were checked complete.
    ChangesConfirmed,
    /// The codeline is closed.
    CodelineClosed,
    /// The package is built.
    PackageBuilt,
    /// Installed and tested on the reference system.
    ReferenceTested,
    /// Released by support; waiting to be provided or installed.
    Released,
    /// Provided on SFTP (final).
    Delivered,
    /// Vendor-hosted: the maintenance window is announced.
    MaintenanceAnnounced,
    /// Vendor-hosted: staging updated.
    StageInstallationCompleted,
    /// Vendor-hosted: production updated (final).
    InstallationCompleted,
}

impl DeliveryStep {
    /// The status the desk shows in this step (`None` before the delivery exists).
    pub fn status(self) -> Option<DeliveryStatus> {
        match self {
            DeliveryStep::NotPlanned => None,
            DeliveryStep::Delivered => Some(DeliveryStatus::Delivered),
            DeliveryStep::StageInstallationCompleted => {
                Some(DeliveryStatus::StageInstallationCompleted)
            }
            DeliveryStep::InstallationCompleted => Some(DeliveryStatus::InstallationCompleted),
            _ => Some(DeliveryStatus::Planned),
        }
    }

    /// True while tickets may still join or leave: before the codeline is closed.
    pub fn accepts_ticket_changes(self) -> bool {
        DeliveryStep::Planned <= self && self <= DeliveryStep::ChangesConfirmed
    }
}

/// Shows the status and, while `Planned`, the step, e.g. `Planned (merge scheduled)`.
impl fmt::Display for DeliveryStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = match self {
            DeliveryStep::NotPlanned => return f.write_str("not planned yet"),
            DeliveryStep::Planned => "merge not scheduled",
            DeliveryStep::MergeScheduled => "merge scheduled",
            DeliveryStep::MergeCompleted => "merge done",
            DeliveryStep::ChangesConfirmed => "changes checked complete",
            DeliveryStep::CodelineClosed => "codeline closed",
            DeliveryStep::PackageBuilt => "package built",
            DeliveryStep::ReferenceTested => "tested on the reference system",
            DeliveryStep::Released => "released",
            DeliveryStep::MaintenanceAnnounced => "maintenance announced",
            DeliveryStep::Delivered
            | DeliveryStep::StageInstallationCompleted
            | DeliveryStep::InstallationCompleted => "",
        };
        match self.status() {
            Some(status) if detail.is_empty() => write!(f, "{status}"),
            Some(status) => write!(f, "{status} ({detail})"),
            None => f.write_str(detail),
        }
    }
}

/// One delivery ticket: the fold of its events. `Default` is "not planned yet".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delivery {
    /// The delivery ticket's key, once planned.
    pub key: Option<DeliveryKey>,
    /// Where the delivery is in its workflow.
    pub step: DeliveryStep,
    /// The patch version delivered.
    pub version: Option<PatchVersion>,
    /// Where the customer's system runs.
    pub cloud_environment: Option<CloudEnvironment>,
    /// The customer organisation.
    pub organisation: Option<OrganisationId>,
    /// Who besides support sees the ticket.
    pub shared_with: DeliverySharing,
    /// Accompanying documents, in the order linked.
    pub documents: Vec<DocumentLink>,
    /// Included service-desk tickets, in the order included.
    pub tickets: Vec<TicketKey>,
    /// The scheduled merge day.
    pub merge_on: Option<NaiveDate>,
    /// The current estimated delivery date.
    pub estimated_delivery_on: Option<NaiveDate>,
    /// How often the merge or the estimated delivery date moved.
    pub date_moves: u32,
    /// When the delivery was released.
    pub released_at: Option<Timestamp>,
    /// Where the package was provided (customer- or third-party-hosted).
    pub package_location: Option<String>,
    /// The announced maintenance window (vendor-hosted).
    pub maintenance_window_starts_at: Option<Timestamp>,
    /// When staging was updated.
    pub stage_installed_at: Option<Timestamp>,
    /// When production was updated.
    pub installed_at: Option<Timestamp>,
    /// When the included tickets counted as delivered: the package was provided, or the first
    /// of staging and production was updated.
    pub delivered_at: Option<Timestamp>,
}

impl Delivery {
    /// The status the desk shows (`None` before the delivery exists).
    pub fn status(&self) -> Option<DeliveryStatus> {
        self.step.status()
    }

    /// The delivery path, once planned.
    pub fn path(&self) -> Option<DeliveryPath> {
        self.cloud_environment.map(CloudEnvironment::delivery_path)
    }

    /// The key as text for messages, or `(not planned)`.
    pub fn label(&self) -> String {
        self.key
            .as_ref()
            .map_or_else(|| "(not planned)".to_owned(), |k| k.to_string())
    }

    /// True when the ticket is included.
    pub fn includes(&self, ticket: &TicketKey) -> bool {
        self.tickets.contains(ticket)
    }

    /// The commands accepted in the current step (roles and field checks aside), in workflow
    /// order. Refusals quote this list.
    pub fn allowed_commands(&self) -> Vec<&'static str> {
        use DeliveryStep as S;
        const MOVE_ESTIMATE: &str = "move_estimated_delivery_date";
        let mut allowed = match self.step {
            S::NotPlanned => vec!["plan_delivery"],
            S::Planned => vec!["schedule_merge"],
            S::MergeScheduled => vec!["move_merge", "complete_merge"],
            S::MergeCompleted => vec![MOVE_ESTIMATE, "confirm_changes_complete"],
            S::ChangesConfirmed => vec![MOVE_ESTIMATE, "close_codeline"],
            S::CodelineClosed => vec![MOVE_ESTIMATE, "build_package"],
            S::PackageBuilt => vec![MOVE_ESTIMATE, "pass_reference_test"],
            S::ReferenceTested => vec![MOVE_ESTIMATE, "release"],
            S::Released => match self.path() {
                Some(DeliveryPath::PackageProvided) => vec![MOVE_ESTIMATE, "provide_package"],
                Some(DeliveryPath::VendorInstallation) | None => {
                    vec![MOVE_ESTIMATE, "announce_maintenance"]
                }
            },
            S::MaintenanceAnnounced => vec![
                "announce_maintenance",
                "complete_stage_installation",
                "complete_installation",
            ],
            S::StageInstallationCompleted => vec!["announce_maintenance", "complete_installation"],
            S::Delivered | S::InstallationCompleted => vec![],
        };
        if self.step.accepts_ticket_changes() {
            allowed.extend(["include_ticket", "remove_ticket"]);
        }
        if self.step != S::NotPlanned {
            allowed.push("link_document");
        }
        allowed
    }

    /// Folds one event into the state (the body of [`crate::Aggregate::evolve`]).
    pub(crate) fn apply(&mut self, event: &DeliveryEvent) {
        use DeliveryEvent as E;
        match event {
            E::DeliveryPlanned(e) => {
                self.key = Some(e.delivery.clone());
                self.step = DeliveryStep::Planned;
                self.version = Some(e.version.clone());
                self.cloud_environment = Some(e.cloud_environment);
                self.organisation = Some(e.organisation.clone());
                self.shared_with = e.shared_with;
                self.documents = e.documents.clone();
                self.tickets = e.tickets.clone();
            }
            E::DeliveryMergeScheduled(e) => {
                self.step = DeliveryStep::MergeScheduled;
                self.merge_on = Some(e.merge_on);
                self.estimated_delivery_on = Some(e.estimated_delivery_on);
            }
            E::DeliveryMergeMoved(e) => {
                self.merge_on = Some(e.new_merge_on);
                self.estimated_delivery_on = Some(e.new_estimated_delivery_on);
                self.date_moves += 1;
            }
            E::DeliveryEstimateMoved(e) => {
                self.estimated_delivery_on = Some(e.new_estimated_delivery_on);
                self.date_moves += 1;
            }
            E::DeliveryMergeCompleted(_) => self.step = DeliveryStep::MergeCompleted,
            E::DeliveryChangesConfirmed(_) => self.step = DeliveryStep::ChangesConfirmed,
            E::DeliveryCodelineClosed(_) => self.step = DeliveryStep::CodelineClosed,
            E::DeliveryPackageBuilt(_) => self.step = DeliveryStep::PackageBuilt,
            E::DeliveryReferenceTestPassed(_) => self.step = DeliveryStep::ReferenceTested,
            E::DeliveryReleased(e) => {
                self.step = DeliveryStep::Released;
                self.released_at = Some(e.at);
            }
            E::DeliveryPackageProvided(e) => {
                self.step = DeliveryStep::Delivered;
                self.package_location = Some(e.location.clone());
                self.delivered_at.get_or_insert(e.at);
            }
            E::DeliveryMaintenanceAnnounced(e) => {
                // Announcing again moves the window; after staging it announces the production
                // window, and the status stays `Stage installation completed`.
                if self.step == DeliveryStep::Released {
                    self.step = DeliveryStep::MaintenanceAnnounced;
                }
                self.maintenance_window_starts_at = Some(e.window_starts_at);
            }
            E::DeliveryStageInstallationCompleted(e) => {
                self.step = DeliveryStep::StageInstallationCompleted;
                self.stage_installed_at = Some(e.at);
                self.delivered_at.get_or_insert(e.at);
            }
            E::DeliveryInstallationCompleted(e) => {
                self.step = DeliveryStep::InstallationCompleted;
                self.installed_at = Some(e.at);
                self.delivered_at.get_or_insert(e.at);
            }
            E::DeliveryTicketIncluded(e) => {
                if !self.includes(&e.ticket) {
                    self.tickets.push(e.ticket.clone());
                }
            }
            E::DeliveryTicketRemoved(e) => self.tickets.retain(|t| *t != e.ticket),
            E::DeliveryDocumentLinked(e) => self.documents.push(e.document.clone()),
        }
    }
}
