//! `serve --demo`: a living desk at once. If the store is empty, a generated scenario whose
//! time ends now is run through the engine on a simulated clock (timers and process managers
//! firing in between), then the server switches to the system clock. Demo tokens for each
//! kind of user are issued and printed only on the start that loaded the demo (secrets are
//! never stored, so they cannot be shown again); later starts leave the tokens alone — a
//! revoked demo token stays revoked — and say how to issue new ones.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{Datelike, Duration, TimeZone, Utc};
use ticketflow_domain::DeskConfig;
use ticketflow_engine::Simulation;
use ticketflow_events::{OrganisationId, Region, Role};
use ticketflow_scenario::{ScenarioConfig, generate};
use ticketflow_store::{EventStore, SqliteOptions, SqliteStore};

use crate::error::ServerError;
use crate::state::{AppState, STORE_FILE, ServerConfig};

/// The demo's scenario: 6 customers over 3 months, ending about now.
pub fn scenario(now: chrono::DateTime<Utc>) -> ScenarioConfig {
    let back = now - Duration::days(100);
    let monday =
        back.date_naive() - chrono::Days::new(u64::from(back.weekday().num_days_from_monday()));
    let start = Utc.from_utc_datetime(&monday.and_hms_opt(0, 0, 0).unwrap_or_default());
    ScenarioConfig {
        customers: 6,
        months: 3,
        tickets_per_customer_per_month: 6.0,
        start,
        ..ScenarioConfig::default()
    }
}

/// The organisation of the demo customer token (the scenario's first customer).
pub const DEMO_ORGANISATION: &str = "northwind-01";

/// Loads the demo scenario if the store in the data directory is empty; answers whether it
/// did.
pub async fn load_if_empty(config: &ServerConfig) -> Result<bool, ServerError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServerError::Io {
        path: config.data_dir.clone(),
        source,
    })?;
    let store = Arc::new(SqliteStore::open(
        config.data_dir.join(STORE_FILE),
        SqliteOptions::default(),
    )?);
    if store.last_position().await? > 0 {
        store.close().await;
        return Ok(false);
    }
    let now = Utc::now();
    let scenario = scenario(now);
    let script = generate(&scenario);
    eprintln!(
        "loading the demo: {} commands of {} customers over {} months…",
        script.len(),
        scenario.customers,
        scenario.months
    );
    let mut simulation = Simulation::new(store.clone(), DeskConfig::default(), scenario.start)
        .await
        .map_err(|e| ServerError::Demo(e.to_string()))?;
    let mut report = simulation
        .run(&script)
        .await
        .map_err(|e| ServerError::Demo(e.to_string()))?;
    simulation
        .advance_to(now.max(simulation_now(&simulation)), &mut report)
        .await
        .map_err(|e| ServerError::Demo(e.to_string()))?;
    eprintln!(
        "loaded {} events ({} commands refused)",
        report.events_recorded(),
        report.refused_lines().len()
    );
    store.close().await;
    Ok(true)
}

fn simulation_now(simulation: &Simulation) -> chrono::DateTime<Utc> {
    ticketflow_engine::Clock::now(simulation.clock())
}

/// Writes `DIR/contacts.toml` for the demo's organisations unless the file exists, so email
/// intake works out of the box: each organisation `NAME-NN` takes mail from the domain
/// `NAME-NN.example`, and each of its scenario contacts `kim@NAME-NN` writes as
/// `kim@NAME-NN.example` (so their mails are theirs on the tickets).
pub fn write_contacts_if_missing(config: &ServerConfig) -> Result<(), ServerError> {
    let path = config.data_dir.join(ticketflow_intake::CONTACTS_FILE);
    if path.exists() {
        return Ok(());
    }
    let text = demo_contacts(&scenario(Utc::now()));
    std::fs::write(&path, text).map_err(|source| ServerError::Io { path, source })
}

/// The contact directory (TOML) of a scenario's organisations and contacts.
pub fn demo_contacts(config: &ScenarioConfig) -> String {
    use std::fmt::Write as _;
    let mut root = ticketflow_scenario::random::SplitMix64::new(config.seed);
    let mut customer_rng = root.fork();
    let mut text = String::from(
        "# The demo's customer organisations (written by `serve --demo`; edit freely).\n# See docs/email-intake.md.\n",
    );
    for i in 0..config.customers {
        let customer = ticketflow_scenario::cast::Customer::generate(i, &mut customer_rng.fork());
        let org = &customer.organisation.0;
        let region = match customer.region {
            Region::Dach => "dach",
            Region::International => "international",
        };
        let _ = write!(
            text,
            "\n[[organisation]]\nid = \"{org}\"\nregion = \"{region}\"\nextended_support_budget = {}\ndomains = [\"{org}.example\"]\n",
            customer.extended_support_budget
        );
        for contact in &customer.contacts {
            let _ = write!(
                text,
                "\n[[contact]]\nemail = \"{}.example\"\norganisation = \"{org}\"\nid = \"{}\"\n",
                contact.id, contact.id
            );
        }
    }
    text
}

/// The demo tokens: name and role.
pub fn demo_roles() -> Vec<(&'static str, Role)> {
    vec![
        (
            "demo-customer",
            Role::Customer {
                organisation: OrganisationId(DEMO_ORGANISATION.to_owned()),
            },
        ),
        (
            "demo-agent",
            Role::SupportAgent {
                region: Region::Dach,
            },
        ),
        ("demo-auditor", Role::Auditor),
        ("demo-operator", Role::Operator),
        (
            "demo-integrator",
            Role::Integrator {
                confidential_text: false,
            },
        ),
    ]
}

/// Prints how to get started; `just_loaded` (the demo data was loaded by this start) also
/// issues the demo tokens and prints their secrets. On later starts the tokens are left as
/// they are, so a revoked one stays revoked, and no secret is printed again.
pub fn print_welcome(
    state: &AppState,
    address: SocketAddr,
    just_loaded: bool,
) -> Result<(), ServerError> {
    println!(
        "Ticketflow demo — a service desk with three months of history, on the system clock now."
    );
    println!("API: http://{address}   (OpenAPI: http://{address}/openapi.json)");
    if !just_loaded {
        println!(
            "The demo data was loaded on an earlier start; its tokens were printed then. Issue a new one with e.g."
        );
        println!(
            "  ticketflow tokens issue --name NAME --role support-agent --region dach --data-dir {}",
            state.config.data_dir.display()
        );
        return Ok(());
    }
    println!("Tokens (shown only this once):");
    let mut first = None;
    for (name, role) in demo_roles() {
        let secret = state.tokens.reissue(name, &role, Utc::now())?;
        println!("  {:<16} {:<22} {secret}", name, role.name());
        if first.is_none() {
            first = Some(secret);
        }
    }
    if let Some(token) = first {
        println!("Try: curl -H 'Authorization: Bearer {token}' http://{address}/tickets");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_demo_contact_directory_covers_every_demo_organisation() {
        let config = scenario(Utc::now());
        let text = demo_contacts(&config);
        let directory = ticketflow_intake::ContactDirectory::from_toml(&text).unwrap();
        let contact = directory.find("someone@northwind-01.example").unwrap();
        assert_eq!(contact.organisation.id.0, DEMO_ORGANISATION);
        assert_eq!(text.matches("[[organisation]]").count(), config.customers);
    }
}
