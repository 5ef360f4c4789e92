//! The value types delivery events carry: patch version, cloud environment and the delivery
//! path it implies, sharing, document links.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A patch version that names a delivery, e.g. `14.21.3.1`.
///
/// Accepted: 2 to 6 dot-separated numbers of 1 to 6 digits each. Parsed on construction and on
/// deserialisation, so a version in an event or a command is always well formed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PatchVersion(String);

/// Written by hand so the schema carries the accepted shape as a pattern.
impl JsonSchema for PatchVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PatchVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A patch version, e.g. 14.21.3.1: 2 to 6 dot-separated numbers.",
            "type": "string",
            "pattern": "^[0-9]{1,6}(\\.[0-9]{1,6}){1,5}$"
        })
    }
}

/// A text that is not a patch version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a patch version: expected 2 to 6 dot-separated numbers, e.g. 14.21.3.1")]
pub struct PatchVersionError {
    /// The rejected input (truncated to 64 characters).
    pub given: String,
}

impl PatchVersion {
    /// The version as text, e.g. `14.21.3.1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for PatchVersion {
    type Err = PatchVersionError;
    fn from_str(s: &str) -> Result<Self, PatchVersionError> {
        let parts: Vec<&str> = s.split('.').collect();
        let ok = (2..=6).contains(&parts.len())
            && parts
                .iter()
                .all(|p| (1..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(PatchVersionError {
                given: s.chars().take(64).collect(),
            })
        }
    }
}

impl TryFrom<String> for PatchVersion {
    type Error = PatchVersionError;
    fn try_from(s: String) -> Result<Self, PatchVersionError> {
        s.parse()
    }
}

impl From<PatchVersion> for String {
    fn from(v: PatchVersion) -> String {
        v.0
    }
}

impl fmt::Display for PatchVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the customer's system runs, which decides how a released delivery reaches it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CloudEnvironment {
    /// The vendor's Dedicated Cloud: the vendor installs the delivery.
    DedicatedCloud,
    /// Hosted by the customer, who downloads the package from SFTP and installs it.
    CustomerHosted,
    /// Hosted by a third party for the customer, who downloads the package from SFTP.
    ThirdPartyHosted,
    /// Hosted by the customer or a third party, but the vendor was commissioned with patch
    /// management: the vendor installs the delivery as on its own cloud.
    VendorPatchManaged,
}

/// How a released delivery reaches the customer's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryPath {
    /// The package is provided on SFTP; the delivery is then `Delivered`.
    PackageProvided,
    /// The vendor announces a maintenance window and installs staging (if any), then
    /// production.
    VendorInstallation,
}

impl CloudEnvironment {
    /// The delivery path this hosting implies.
    pub fn delivery_path(self) -> DeliveryPath {
        match self {
            CloudEnvironment::CustomerHosted | CloudEnvironment::ThirdPartyHosted => {
                DeliveryPath::PackageProvided
            }
            CloudEnvironment::DedicatedCloud | CloudEnvironment::VendorPatchManaged => {
                DeliveryPath::VendorInstallation
            }
        }
    }
}

impl fmt::Display for CloudEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloudEnvironment::DedicatedCloud => "Dedicated Cloud",
            CloudEnvironment::CustomerHosted => "customer-hosted",
            CloudEnvironment::ThirdPartyHosted => "third-party-hosted",
            CloudEnvironment::VendorPatchManaged => "patch-managed by the vendor",
        })
    }
}

/// Who besides support sees a delivery ticket (domain.md §1: the organisation or nobody).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeliverySharing {
    /// Every support-entitled contact of the customer organisation sees it.
    #[default]
    Organisation,
    /// Only vendor staff see it.
    Nobody,
}

/// A link to a document that accompanies a delivery (release notes, installation guide…).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct DocumentLink {
    /// What the document is, e.g. `Release notes 14.21.3.1`.
    pub title: String,
    /// Where to download it (`https://`, `http://` or `sftp://`).
    pub url: String,
}
