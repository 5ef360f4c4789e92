//! # The delivery aggregate (domain.md §2.6)
//!
//! A delivery ticket follows one patch package to one customer. Support plans it with its
//! patch version, cloud environment, customer organisation, accompanying documents and the
//! service-desk tickets it includes; then walks it through the preparation phase, in order:
//!
//! 1. merge scheduled (gives the estimated delivery date; moves are recorded with a reason),
//! 2. merge done, 3. included changes checked complete, 4. codeline closed,
//! 5. package built, 6. installed and tested on the reference system, 7. released.
//!
//! The status stays `Planned` throughout; [`DeliveryStep`] tells the steps apart. After the
//! release the hosting decides the path: customer- or third-party-hosted systems get the
//! package on SFTP (`Delivered`); vendor-hosted systems get a maintenance window, then staging
//! (`Stage installation completed`, if there is a staging system) and production
//! (`Installation completed`).
//!
//! What the delivery means for its tickets is not written into them here: [`follow_ups`]
//! tells the process manager which ticket commands to issue.

mod command;
mod decide;
mod error;
mod follow_up;
mod state;

pub use command::DeliveryCommand;
pub use error::DeliveryError;
pub use follow_up::{FollowUp, follow_ups};
pub use state::{Delivery, DeliveryStatus, DeliveryStep};

use ticketflow_events::delivery::DeliveryEvent;

use crate::{Aggregate, Context};

impl Aggregate for Delivery {
    type Command = DeliveryCommand;
    type Event = DeliveryEvent;
    type Error = DeliveryError;

    fn decide(
        &self,
        command: &DeliveryCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<DeliveryEvent>, DeliveryError> {
        self.decide_command(command, ctx)
    }

    fn evolve(&mut self, event: &DeliveryEvent) {
        self.apply(event);
    }
}
