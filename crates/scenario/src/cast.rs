//! Who takes part: the customer organisations with their contracts and contacts, and the
//! vendor's staff by role and region.

use ticketflow_events::delivery::CloudEnvironment;
use ticketflow_events::{Actor, OrganisationId, Region, Role};

use crate::random::SplitMix64;

/// Names the generated organisations are built from (with a running number, so any number of
/// customers gets unique ids).
const ORGANISATION_NAMES: [&str; 12] = [
    "northwind",
    "globex",
    "initech",
    "umbrella",
    "stark",
    "wayne",
    "tyrell",
    "hooli",
    "vandelay",
    "soylent",
    "wonka",
    "cyberdyne",
];

const CONTACT_NAMES: [&str; 8] = ["kim", "lea", "omar", "ines", "paul", "yuki", "sara", "tom"];

/// A customer organisation and what its contract says.
#[derive(Debug, Clone)]
pub struct Customer {
    /// The organisation id, e.g. `globex-02`.
    pub organisation: OrganisationId,
    /// The region whose agents handle its tickets and whose holidays apply.
    pub region: Region,
    /// Whether consulting requests may be forwarded (billable time and material).
    pub extended_support_budget: bool,
    /// Whether it has its own codeline (customer-specific customisations, `CUSTOM` fixes).
    pub own_codeline: bool,
    /// Whether it has a test environment (orders deliver there first).
    pub test_environment: bool,
    /// Where its system runs: decides the delivery path.
    pub hosting: CloudEnvironment,
    /// Its support-entitled contacts (customer actors); the first opens most tickets.
    pub contacts: Vec<Actor>,
}

impl Customer {
    /// Builds customer number `index`. The first four cover every combination the stories
    /// need (both regions, with and without budget, codeline, test environment, each hosting);
    /// the rest are drawn at random.
    pub fn generate(index: usize, rng: &mut SplitMix64) -> Customer {
        let name = ORGANISATION_NAMES[index % ORGANISATION_NAMES.len()];
        let organisation = OrganisationId(format!("{name}-{:02}", index + 1));
        let (region, budget, codeline, test, hosting) = match index {
            0 => (
                Region::Dach,
                true,
                true,
                true,
                CloudEnvironment::DedicatedCloud,
            ),
            1 => (
                Region::International,
                false,
                true,
                false,
                CloudEnvironment::CustomerHosted,
            ),
            2 => (
                Region::Dach,
                true,
                false,
                true,
                CloudEnvironment::VendorPatchManaged,
            ),
            3 => (
                Region::International,
                true,
                true,
                true,
                CloudEnvironment::ThirdPartyHosted,
            ),
            _ => (
                if rng.chance(0.5) {
                    Region::Dach
                } else {
                    Region::International
                },
                rng.chance(0.6),
                rng.chance(0.5),
                rng.chance(0.6),
                *rng.pick(&[
                    CloudEnvironment::DedicatedCloud,
                    CloudEnvironment::DedicatedCloud,
                    CloudEnvironment::VendorPatchManaged,
                    CloudEnvironment::CustomerHosted,
                    CloudEnvironment::ThirdPartyHosted,
                ]),
            ),
        };
        let contact_count = 2 + rng.below(3);
        let first = rng.below(CONTACT_NAMES.len());
        let contacts = (0..contact_count)
            .map(|i| Actor {
                id: format!(
                    "{}@{}",
                    CONTACT_NAMES[(first + i) % CONTACT_NAMES.len()],
                    organisation
                ),
                role: Role::Customer {
                    organisation: organisation.clone(),
                },
            })
            .collect();
        Customer {
            organisation,
            region,
            extended_support_budget: budget,
            own_codeline: codeline,
            test_environment: test,
            hosting,
            contacts,
        }
    }

    /// The contact who opens most tickets.
    pub fn main_contact(&self) -> &Actor {
        &self.contacts[0]
    }

    /// Another contact of the organisation (the second, or the first if there is one).
    pub fn colleague(&self) -> &Actor {
        self.contacts.get(1).unwrap_or(&self.contacts[0])
    }
}

/// The vendor's staff, one set of people per role (support agents per region).
#[derive(Debug, Clone)]
pub struct Staff {
    dach_agents: Vec<Actor>,
    international_agents: Vec<Actor>,
    /// Developers (technical services).
    pub developers: Vec<Actor>,
    /// Business consultants.
    pub consultants: Vec<Actor>,
    /// Managed services.
    pub managed_services: Actor,
    /// Product management.
    pub product_manager: Actor,
    /// Sales / account management.
    pub sales: Actor,
    /// The email adapter that turns mails into tickets.
    pub email_adapter: Actor,
}

fn person(id: &str, role: Role) -> Actor {
    Actor {
        id: id.to_owned(),
        role,
    }
}

impl Default for Staff {
    fn default() -> Self {
        let agent = |id: &str, region| person(id, Role::SupportAgent { region });
        Staff {
            // Saarbrücken and Graz; Sibiu, London, Singapore and Melbourne.
            dach_agents: vec![
                agent("anna@vendor", Region::Dach),
                agent("georg@vendor", Region::Dach),
                agent("lena@vendor", Region::Dach),
            ],
            international_agents: vec![
                agent("ioana@vendor", Region::International),
                agent("liam@vendor", Region::International),
                agent("mei@vendor", Region::International),
                agent("jack@vendor", Region::International),
            ],
            developers: vec![
                person("dev.ana@vendor", Role::TechnicalServices),
                person("dev.bo@vendor", Role::TechnicalServices),
                person("dev.cem@vendor", Role::TechnicalServices),
            ],
            consultants: vec![
                person("clara@vendor", Role::BusinessConsultant),
                person("felix@vendor", Role::BusinessConsultant),
            ],
            managed_services: person("max@vendor", Role::ManagedServices),
            product_manager: person("pia@vendor", Role::ProductManagement),
            sales: person("sam@vendor", Role::Sales),
            email_adapter: Actor::system("email-adapter"),
        }
    }
}

impl Staff {
    /// The support agents of a region (they may read the region's confidential tickets).
    pub fn agents(&self, region: Region) -> &[Actor] {
        match region {
            Region::Dach => &self.dach_agents,
            Region::International => &self.international_agents,
        }
    }
}
