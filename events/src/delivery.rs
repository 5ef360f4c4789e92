//! Events of the delivery aggregate (domain.md §2.6).
//!
//! A delivery ticket follows one patch package from planning to the customer: the preparation
//! phase (merge, check of the included changes, codeline closed, package built, tested on the
//! reference system, released) and then one of two paths, chosen by where the customer's system
//! is hosted: the package is provided on SFTP (customer- or third-party-hosted systems), or the
//! vendor installs it in announced maintenance windows, staging first if there is one.
//!
//! The value types the events carry ([`PatchVersion`], [`CloudEnvironment`],
//! [`DeliverySharing`], [`DocumentLink`]) live here beside them because they are part of the
//! contract integrators read.

mod values;

pub use values::{
    CloudEnvironment, DeliveryPath, DeliverySharing, DocumentLink, PatchVersion, PatchVersionError,
};

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DeliveryKey, OrganisationId, TicketKey, Timestamp};

/// Support planned a delivery: the delivery ticket was created, status `Planned`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryPlanned {
    /// When.
    pub at: Timestamp,
    /// The delivery ticket's key.
    pub delivery: DeliveryKey,
    /// The patch version delivered.
    pub version: PatchVersion,
    /// Where the customer's system runs; decides the delivery path.
    pub cloud_environment: CloudEnvironment,
    /// The customer organisation the delivery is for.
    pub organisation: OrganisationId,
    /// Who besides support sees the ticket.
    pub shared_with: DeliverySharing,
    /// Accompanying documents known at planning time.
    #[serde(default)]
    pub documents: Vec<DocumentLink>,
    /// Service-desk tickets expected in the delivery, in the order given.
    #[serde(default)]
    pub tickets: Vec<TicketKey>,
}

/// The merge of the standard patch into the delivery codeline was scheduled, which gives the
/// estimated delivery date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryMergeScheduled {
    /// When.
    pub at: Timestamp,
    /// The day the merge is planned for.
    pub merge_on: NaiveDate,
    /// The estimated delivery date that follows from it (an estimate, not a promise).
    pub estimated_delivery_on: NaiveDate,
}

/// The scheduled merge was moved. Every move is recorded with the old and new dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryMergeMoved {
    /// When.
    pub at: Timestamp,
    /// The merge day before the move.
    pub old_merge_on: NaiveDate,
    /// The merge day after the move.
    pub new_merge_on: NaiveDate,
    /// The estimated delivery date before the move.
    pub old_estimated_delivery_on: NaiveDate,
    /// The estimated delivery date after the move.
    pub new_estimated_delivery_on: NaiveDate,
    /// Why it moved, as told to the customer.
    pub reason: String,
}

/// The estimated delivery date moved after the merge was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryEstimateMoved {
    /// When.
    pub at: Timestamp,
    /// The estimated delivery date before the move.
    pub old_estimated_delivery_on: NaiveDate,
    /// The estimated delivery date after the move.
    pub new_estimated_delivery_on: NaiveDate,
    /// Why it moved, as told to the customer.
    pub reason: String,
}

/// The standard patch was merged into the delivery codeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryMergeCompleted {
    /// When.
    pub at: Timestamp,
}

/// Support checked that every change meant for the delivery is complete and in the codeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryChangesConfirmed {
    /// When.
    pub at: Timestamp,
}

/// The delivery codeline was closed: no more changes, no more tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryCodelineClosed {
    /// When.
    pub at: Timestamp,
}

/// The delivery package was built from the closed codeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryPackageBuilt {
    /// When.
    pub at: Timestamp,
}

/// The package was installed on the reference system and its tests passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryReferenceTestPassed {
    /// When.
    pub at: Timestamp,
}

/// Support released the delivery; the preparation phase is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryReleased {
    /// When.
    pub at: Timestamp,
}

/// The package was provided on SFTP for download: the delivery is `Delivered`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryPackageProvided {
    /// When.
    pub at: Timestamp,
    /// Where the customer downloads it, e.g. an SFTP path.
    pub location: String,
}

/// Support announced the maintenance window in which the vendor installs the delivery.
/// Announcing again moves the window (or announces the production window after staging).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryMaintenanceAnnounced {
    /// When.
    pub at: Timestamp,
    /// When the maintenance window starts.
    pub window_starts_at: Timestamp,
}

/// The staging system was updated: status `Stage installation completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryStageInstallationCompleted {
    /// When.
    pub at: Timestamp,
}

/// The production system was updated: status `Installation completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryInstallationCompleted {
    /// When.
    pub at: Timestamp,
}

/// A service-desk ticket's changes were included in the delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryTicketIncluded {
    /// When.
    pub at: Timestamp,
    /// The included ticket.
    pub ticket: TicketKey,
}

/// A service-desk ticket was taken out of the delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryTicketRemoved {
    /// When.
    pub at: Timestamp,
    /// The removed ticket.
    pub ticket: TicketKey,
    /// Why, e.g. "fix not complete, moves to the next patch".
    pub reason: String,
}

/// A document link was added to the delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryDocumentLinked {
    /// When.
    pub at: Timestamp,
    /// The document.
    pub document: DocumentLink,
}

crate::payload!(
    DeliveryPlanned = 1,
    DeliveryMergeScheduled = 1,
    DeliveryMergeMoved = 1,
    DeliveryEstimateMoved = 1,
    DeliveryMergeCompleted = 1,
    DeliveryChangesConfirmed = 1,
    DeliveryCodelineClosed = 1,
    DeliveryPackageBuilt = 1,
    DeliveryReferenceTestPassed = 1,
    DeliveryReleased = 1,
    DeliveryPackageProvided = 1,
    DeliveryMaintenanceAnnounced = 1,
    DeliveryStageInstallationCompleted = 1,
    DeliveryInstallationCompleted = 1,
    DeliveryTicketIncluded = 1,
    DeliveryTicketRemoved = 1,
    DeliveryDocumentLinked = 1,
);

crate::event_set! {
    /// Every event of a delivery stream.
    pub enum DeliveryEvent in "delivery" {
        DeliveryPlanned,
        DeliveryMergeScheduled,
        DeliveryMergeMoved,
        DeliveryEstimateMoved,
        DeliveryMergeCompleted,
        DeliveryChangesConfirmed,
        DeliveryCodelineClosed,
        DeliveryPackageBuilt,
        DeliveryReferenceTestPassed,
        DeliveryReleased,
        DeliveryPackageProvided,
        DeliveryMaintenanceAnnounced,
        DeliveryStageInstallationCompleted,
        DeliveryInstallationCompleted,
        DeliveryTicketIncluded,
        DeliveryTicketRemoved,
        DeliveryDocumentLinked,
    }
}

impl DeliveryEvent {
    /// Business time of the event (every payload carries it as `at`).
    pub fn at(&self) -> Timestamp {
        match self {
            DeliveryEvent::DeliveryPlanned(e) => e.at,
            DeliveryEvent::DeliveryMergeScheduled(e) => e.at,
            DeliveryEvent::DeliveryMergeMoved(e) => e.at,
            DeliveryEvent::DeliveryEstimateMoved(e) => e.at,
            DeliveryEvent::DeliveryMergeCompleted(e) => e.at,
            DeliveryEvent::DeliveryChangesConfirmed(e) => e.at,
            DeliveryEvent::DeliveryCodelineClosed(e) => e.at,
            DeliveryEvent::DeliveryPackageBuilt(e) => e.at,
            DeliveryEvent::DeliveryReferenceTestPassed(e) => e.at,
            DeliveryEvent::DeliveryReleased(e) => e.at,
            DeliveryEvent::DeliveryPackageProvided(e) => e.at,
            DeliveryEvent::DeliveryMaintenanceAnnounced(e) => e.at,
            DeliveryEvent::DeliveryStageInstallationCompleted(e) => e.at,
            DeliveryEvent::DeliveryInstallationCompleted(e) => e.at,
            DeliveryEvent::DeliveryTicketIncluded(e) => e.at,
            DeliveryEvent::DeliveryTicketRemoved(e) => e.at,
            DeliveryEvent::DeliveryDocumentLinked(e) => e.at,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::EventSet;
    use std::collections::BTreeSet;

    fn at() -> Timestamp {
        chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn examples() -> Vec<DeliveryEvent> {
        let ticket: TicketKey = "SD-1042".parse().unwrap();
        let doc = DocumentLink {
            title: "Release notes".into(),
            url: "https://docs.example/rn.pdf".into(),
        };
        vec![
            DeliveryPlanned {
                at: at(),
                delivery: "SD-2001".parse().unwrap(),
                version: "14.21.3.1".parse().unwrap(),
                cloud_environment: CloudEnvironment::DedicatedCloud,
                organisation: OrganisationId("acme".into()),
                shared_with: DeliverySharing::Organisation,
                documents: vec![doc.clone()],
                tickets: vec![ticket.clone()],
            }
            .into(),
            DeliveryMergeScheduled {
                at: at(),
                merge_on: day(1),
                estimated_delivery_on: day(14),
            }
            .into(),
            DeliveryMergeMoved {
                at: at(),
                old_merge_on: day(1),
                new_merge_on: day(3),
                old_estimated_delivery_on: day(14),
                new_estimated_delivery_on: day(16),
                reason: "standard patch late".into(),
            }
            .into(),
            DeliveryEstimateMoved {
                at: at(),
                old_estimated_delivery_on: day(16),
                new_estimated_delivery_on: day(18),
                reason: "tests found a regression".into(),
            }
            .into(),
            DeliveryMergeCompleted { at: at() }.into(),
            DeliveryChangesConfirmed { at: at() }.into(),
            DeliveryCodelineClosed { at: at() }.into(),
            DeliveryPackageBuilt { at: at() }.into(),
            DeliveryReferenceTestPassed { at: at() }.into(),
            DeliveryReleased { at: at() }.into(),
            DeliveryPackageProvided {
                at: at(),
                location: "sftp://sftp.example/acme/14.21.3.1.zip".into(),
            }
            .into(),
            DeliveryMaintenanceAnnounced {
                at: at(),
                window_starts_at: at(),
            }
            .into(),
            DeliveryStageInstallationCompleted { at: at() }.into(),
            DeliveryInstallationCompleted { at: at() }.into(),
            DeliveryTicketIncluded {
                at: at(),
                ticket: ticket.clone(),
            }
            .into(),
            DeliveryTicketRemoved {
                at: at(),
                ticket,
                reason: "not ready".into(),
            }
            .into(),
            DeliveryDocumentLinked {
                at: at(),
                document: doc,
            }
            .into(),
        ]
    }

    #[test]
    fn examples_cover_every_event_type() {
        let covered: BTreeSet<&str> = examples().iter().map(|e| e.event_type()).collect();
        let declared: BTreeSet<&str> = DeliveryEvent::event_types()
            .iter()
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(covered, declared);
    }

    #[test]
    fn every_event_round_trips_through_the_codec() {
        for event in examples() {
            let bytes = event.encode().unwrap();
            let back =
                DeliveryEvent::decode(event.event_type(), event.schema_version(), &bytes).unwrap();
            assert_eq!(back, event);
        }
    }

    #[test]
    fn patch_version_accepts_dotted_numbers_only() {
        for good in ["14.21.3.1", "14.21", "1.2.3.4.5.6"] {
            assert!(good.parse::<PatchVersion>().is_ok(), "{good} refused");
        }
        for bad in [
            "",
            "14",
            "CUSTOM",
            "14..1",
            "14.a",
            "1.2.3.4.5.6.7",
            "14.1234567",
        ] {
            assert!(bad.parse::<PatchVersion>().is_err(), "{bad} accepted");
        }
        assert!(serde_json::from_str::<PatchVersion>("\"x.y\"").is_err());
    }

    #[test]
    fn hosting_decides_the_delivery_path() {
        assert_eq!(
            CloudEnvironment::CustomerHosted.delivery_path(),
            DeliveryPath::PackageProvided
        );
        assert_eq!(
            CloudEnvironment::ThirdPartyHosted.delivery_path(),
            DeliveryPath::PackageProvided
        );
        assert_eq!(
            CloudEnvironment::DedicatedCloud.delivery_path(),
            DeliveryPath::VendorInstallation
        );
        assert_eq!(
            CloudEnvironment::VendorPatchManaged.delivery_path(),
            DeliveryPath::VendorInstallation
        );
    }
}
