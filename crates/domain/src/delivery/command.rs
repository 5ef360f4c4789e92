//! What support (and the engine) can ask a delivery to do.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ticketflow_events::delivery::{CloudEnvironment, DeliverySharing, DocumentLink, PatchVersion};
use ticketflow_events::{DeliveryKey, OrganisationId, TicketKey, Timestamp};

/// A command to the delivery aggregate. The JSON form is `{"command": "schedule_merge", ...}`.
///
/// Commands carry no "now": business time comes in the [`crate::Context`]. They may carry
/// business dates (merge day, estimated delivery date, maintenance window).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum DeliveryCommand {
    /// Create the delivery ticket (support only). Status `Planned`.
    PlanDelivery {
        /// The delivery ticket's key, e.g. `SD-2001`.
        delivery: DeliveryKey,
        /// The patch version to deliver, e.g. `14.21.3.1`.
        version: PatchVersion,
        /// Where the customer's system runs; decides the delivery path.
        cloud_environment: CloudEnvironment,
        /// The customer organisation the delivery is for.
        organisation: OrganisationId,
        /// Who besides support sees the ticket; the organisation unless said otherwise.
        #[serde(default)]
        shared_with: DeliverySharing,
        /// Accompanying documents already known.
        #[serde(default)]
        documents: Vec<DocumentLink>,
        /// Service-desk tickets expected in the delivery.
        #[serde(default)]
        tickets: Vec<TicketKey>,
    },
    /// Schedule the merge of the standard patch into the delivery codeline; this gives the
    /// estimated delivery date.
    ScheduleMerge {
        /// The day of the merge.
        merge_on: NaiveDate,
        /// The estimated delivery date that follows (not before the merge, not in the past).
        estimated_delivery_on: NaiveDate,
    },
    /// Move the scheduled merge (and with it the estimated delivery date) before it is done.
    MoveMerge {
        /// The new merge day.
        merge_on: NaiveDate,
        /// The new estimated delivery date.
        estimated_delivery_on: NaiveDate,
        /// Why it moves, as told to the customer.
        reason: String,
    },
    /// Move the estimated delivery date after the merge, until the delivery goes out.
    MoveEstimatedDeliveryDate {
        /// The new estimated delivery date.
        estimated_delivery_on: NaiveDate,
        /// Why it moves, as told to the customer.
        reason: String,
    },
    /// Record that the merge is done.
    CompleteMerge {},
    /// Record that every change meant for the delivery was checked complete.
    ConfirmChangesComplete {},
    /// Close the delivery codeline: from now on no change and no ticket joins.
    CloseCodeline {},
    /// Record that the delivery package was built.
    BuildPackage {},
    /// Record that the package was installed and tested on the reference system.
    PassReferenceTest {},
    /// Release the delivery; ends the preparation phase.
    Release {},
    /// Customer- or third-party-hosted: the package is on SFTP. Status `Delivered`.
    ProvidePackage {
        /// Where the customer downloads it, e.g. an SFTP path.
        location: String,
    },
    /// Vendor-hosted: announce (or move) the maintenance window of the installation.
    AnnounceMaintenance {
        /// When the maintenance window starts (not in the past).
        window_starts_at: Timestamp,
    },
    /// Vendor-hosted: staging was updated. Status `Stage installation completed`.
    CompleteStageInstallation {},
    /// Vendor-hosted: production was updated. Status `Installation completed`.
    CompleteInstallation {},
    /// Include a service-desk ticket's changes (until the codeline is closed).
    IncludeTicket {
        /// The ticket.
        ticket: TicketKey,
    },
    /// Take a ticket out of the delivery (until the codeline is closed).
    RemoveTicket {
        /// The ticket.
        ticket: TicketKey,
        /// Why, e.g. "fix not complete, moves to the next patch".
        reason: String,
    },
    /// Add a link to an accompanying document (any time after planning).
    LinkDocument {
        /// The document.
        document: DocumentLink,
    },
}

impl DeliveryCommand {
    /// The snake_case name of every command, in workflow order.
    pub const NAMES: [&'static str; 17] = [
        "plan_delivery",
        "schedule_merge",
        "move_merge",
        "move_estimated_delivery_date",
        "complete_merge",
        "confirm_changes_complete",
        "close_codeline",
        "build_package",
        "pass_reference_test",
        "release",
        "provide_package",
        "announce_maintenance",
        "complete_stage_installation",
        "complete_installation",
        "include_ticket",
        "remove_ticket",
        "link_document",
    ];

    /// The command's snake_case name, as in its JSON form and in refusals.
    pub fn name(&self) -> &'static str {
        match self {
            DeliveryCommand::PlanDelivery { .. } => "plan_delivery",
            DeliveryCommand::ScheduleMerge { .. } => "schedule_merge",
            DeliveryCommand::MoveMerge { .. } => "move_merge",
            DeliveryCommand::MoveEstimatedDeliveryDate { .. } => "move_estimated_delivery_date",
            DeliveryCommand::CompleteMerge {} => "complete_merge",
            DeliveryCommand::ConfirmChangesComplete {} => "confirm_changes_complete",
            DeliveryCommand::CloseCodeline {} => "close_codeline",
            DeliveryCommand::BuildPackage {} => "build_package",
            DeliveryCommand::PassReferenceTest {} => "pass_reference_test",
            DeliveryCommand::Release {} => "release",
            DeliveryCommand::ProvidePackage { .. } => "provide_package",
            DeliveryCommand::AnnounceMaintenance { .. } => "announce_maintenance",
            DeliveryCommand::CompleteStageInstallation {} => "complete_stage_installation",
            DeliveryCommand::CompleteInstallation {} => "complete_installation",
            DeliveryCommand::IncludeTicket { .. } => "include_ticket",
            DeliveryCommand::RemoveTicket { .. } => "remove_ticket",
            DeliveryCommand::LinkDocument { .. } => "link_document",
        }
    }
}
