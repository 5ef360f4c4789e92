//! The people and machines that act on tickets and orders, and the organisations and regions
//! they belong to.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A customer organisation, e.g. `acme`. Free text chosen by the vendor; compared exactly.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct OrganisationId(pub String);

impl fmt::Display for OrganisationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A support region. Confidential tickets are readable only by support agents of the
/// ticket's region, and each region has its own working-day calendar (public holidays).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    /// Germany, Austria, Switzerland (sites Saarbrücken, Graz).
    Dach,
    /// Everything else (sites Sibiu, London, Singapore, Melbourne).
    International,
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Dach => "DACH",
            Region::International => "International",
        })
    }
}

/// A department of the vendor whose effort can be booked on a ticket (billing, §2.10).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Department {
    /// The service desk itself; billed at the end of the month the ticket was closed.
    Support,
    /// Technical Services (development).
    TechnicalServices,
    /// Managed Services (configuration, consulting).
    ManagedServices,
    /// Business consulting.
    BusinessConsulting,
    /// Product management.
    ProductManagement,
    /// Deployment / operations.
    Operations,
}

/// What an actor is allowed to do; carried with every command and checked by the domain where
/// a rule depends on who acts (e.g. only the customer closes a resolved ticket).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum Role {
    /// A support-entitled person of a customer organisation.
    Customer {
        /// The organisation the contact belongs to.
        organisation: OrganisationId,
    },
    /// Service desk staff of a region.
    SupportAgent {
        /// The agent's region.
        region: Region,
    },
    /// Owns customisation orders end to end.
    BusinessConsultant,
    /// Developers: estimate, implement, report fixes.
    TechnicalServices,
    /// Owns the standard product.
    ProductManagement,
    /// Configuration and consulting work.
    ManagedServices,
    /// Sales and account management: offers, orders.
    Sales,
    /// Read-only, everything, including full history.
    Auditor,
    /// Runs the system.
    Operator,
    /// A machine client subscribing to streams.
    Integrator {
        /// Whether the integrator may see free text of confidential tickets.
        confidential_text: bool,
    },
    /// The engine itself: timers and process managers.
    System,
}

impl Role {
    /// A short kebab-case name of the role, without its data.
    pub fn name(&self) -> &'static str {
        match self {
            Role::Customer { .. } => "customer",
            Role::SupportAgent { .. } => "support-agent",
            Role::BusinessConsultant => "business-consultant",
            Role::TechnicalServices => "technical-services",
            Role::ProductManagement => "product-management",
            Role::ManagedServices => "managed-services",
            Role::Sales => "sales",
            Role::Auditor => "auditor",
            Role::Operator => "operator",
            Role::Integrator { .. } => "integrator",
            Role::System => "system",
        }
    }

    /// True for every role that works for the vendor (everything but a customer contact).
    pub fn is_vendor_staff(&self) -> bool {
        !matches!(self, Role::Customer { .. })
    }
}

/// Who issued a command: an id (user name, token name, `scheduler`) and a role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Actor {
    /// A stable identifier of the person or machine, e.g. `anna@vendor` or `scheduler`.
    pub id: String,
    /// What the actor may do.
    #[serde(flatten)]
    pub role: Role,
}

impl Actor {
    /// The engine's own actor for timers and process managers.
    pub fn system(id: &str) -> Self {
        Actor {
            id: id.to_owned(),
            role: Role::System,
        }
    }

    /// How the actor is written into the envelope: `role:id`, e.g. `support-agent:anna`.
    pub fn envelope_label(&self) -> String {
        format!("{}:{}", self.role.name(), self.id)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.envelope_label())
    }
}
