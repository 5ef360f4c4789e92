//! The contact directory: who may write to the desk, for which organisation.
//!
//! Loaded from `DIR/contacts.toml` (TOML, chosen because operators edit it by hand and it
//! allows comments):
//!
//! ```toml
//! [[organisation]]
//! id = "acme"                      # the organisation id used on tickets
//! region = "dach"                  # dach | international (from the contract)
//! extended_support_budget = false  # from the contract (default false)
//! domains = ["acme.example"]       # anyone at these domains is a contact of acme
//!
//! [[contact]]
//! email = "ann@partner.example"    # a single address (wins over a domain)
//! organisation = "acme"
//! id = "ann"                       # optional; the contact's id on tickets (default: the address)
//! ```
//!
//! An address is looked up exactly first (case-insensitive), then by its domain. A sender
//! found neither way is refused: the desk does not take mail from strangers.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use ticketflow_events::{OrganisationId, Region};

use crate::error::IntakeError;

/// The file name of the directory inside the data directory.
pub const CONTACTS_FILE: &str = "contacts.toml";

/// A customer organisation as intake needs it (from the contract).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// The organisation id used on tickets.
    pub id: OrganisationId,
    /// The support region of the contract.
    pub region: Region,
    /// Whether the contract includes an extended support budget.
    #[serde(default)]
    pub extended_support_budget: bool,
    /// Mail domains whose every address is a contact of this organisation.
    #[serde(default)]
    pub domains: Vec<String>,
}

/// One listed address.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactEntry {
    /// The address.
    pub email: String,
    /// The organisation id it belongs to.
    pub organisation: OrganisationId,
    /// The contact's id on tickets (default: the address, lower-cased).
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    #[serde(default)]
    organisation: Vec<Organisation>,
    #[serde(default)]
    contact: Vec<ContactEntry>,
}

/// A sender found in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The contact's id on tickets: the creator of tickets they open, the actor id of their
    /// comments.
    pub id: String,
    /// Their organisation and its contract.
    pub organisation: Organisation,
}

/// Who may write to the desk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDirectory {
    organisations: HashMap<OrganisationId, Organisation>,
    by_address: HashMap<String, (String, OrganisationId)>,
    by_domain: HashMap<String, OrganisationId>,
}

impl ContactDirectory {
    /// Reads `dir/contacts.toml`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, IntakeError> {
        Self::load_file(dir.as_ref().join(CONTACTS_FILE))
    }

    /// Reads a directory file at any path.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self, IntakeError> {
        let path = path.as_ref();
        let error = |reason: String| IntakeError::Directory {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        Self::from_toml(&text).map_err(|e| match e {
            IntakeError::Directory { reason, .. } => error(reason),
            other => other,
        })
    }

    /// Reads a directory from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, IntakeError> {
        let error = |reason: String| IntakeError::Directory {
            path: "(text)".into(),
            reason,
        };
        let file: DirectoryFile = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        let mut directory = ContactDirectory::default();
        for org in file.organisation {
            for domain in &org.domains {
                directory.by_domain.insert(
                    domain.trim().trim_start_matches('@').to_lowercase(),
                    org.id.clone(),
                );
            }
            if directory
                .organisations
                .insert(org.id.clone(), org.clone())
                .is_some()
            {
                return Err(error(format!("organisation `{}` is listed twice", org.id)));
            }
        }
        for contact in file.contact {
            if !directory.organisations.contains_key(&contact.organisation) {
                return Err(error(format!(
                    "contact `{}` belongs to organisation `{}`, which is not listed under [[organisation]]",
                    contact.email, contact.organisation
                )));
            }
            let address = contact.email.trim().to_lowercase();
            let id = contact.id.unwrap_or_else(|| address.clone());
            directory
                .by_address
                .insert(address, (id, contact.organisation));
        }
        Ok(directory)
    }

    /// The contact writing from `address`, if known (exact address first, then domain).
    pub fn find(&self, address: &str) -> Option<Contact> {
        let address = address.trim().to_lowercase();
        let (id, organisation) = match self.by_address.get(&address) {
            Some((id, org)) => (id.clone(), org),
            None => {
                let (_, domain) = address.rsplit_once('@')?;
                (address.clone(), self.by_domain.get(domain)?)
            }
        };
        Some(Contact {
            id,
            organisation: self.organisations.get(organisation)?.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
        [[organisation]]
        id = "acme"
        region = "dach"
        domains = ["acme.example"]

        [[organisation]]
        id = "globex"
        region = "international"
        extended_support_budget = true

        [[contact]]
        email = "Bob@Partner.example"
        organisation = "globex"
        id = "bob"
    "#;

    #[test]
    fn addresses_are_found_exactly_or_by_domain_ignoring_case() {
        let d = ContactDirectory::from_toml(TOML).unwrap();
        let ann = d.find("Ann@ACME.example").unwrap();
        assert_eq!(
            (ann.id.as_str(), ann.organisation.id.0.as_str()),
            ("ann@acme.example", "acme")
        );
        let bob = d.find("bob@partner.example").unwrap();
        assert_eq!(bob.id, "bob");
        assert!(bob.organisation.extended_support_budget);
        assert_eq!(d.find("eve@evil.example"), None);
        assert_eq!(d.find("not-an-address"), None);
    }

    #[test]
    fn a_contact_of_an_unlisted_organisation_is_refused() {
        let text = "[[contact]]\nemail = \"x@y.example\"\norganisation = \"nope\"\n";
        let err = ContactDirectory::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("not listed"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused_with_their_position() {
        let err = ContactDirectory::from_toml(
            "[[organisation]]\nid = \"a\"\nregion = \"dach\"\ncolour = 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("colour"), "{err}");
    }
}
