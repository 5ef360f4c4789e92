//! `ticketflow tokens issue|list|revoke`: bearer tokens for the HTTP API.

use std::path::PathBuf;

use ticketflow_access::{TokenStore, role_from_parts};

/// What to do with tokens.
#[derive(clap::Subcommand, Debug)]
pub enum TokensCommand {
    /// Issue a new token and print it once (only its SHA-256 is stored).
    Issue {
        /// The role: customer, support-agent, business-consultant, technical-services,
        /// product-management, managed-services, sales, auditor, operator, integrator.
        #[arg(long)]
        role: String,
        /// A customer's organisation.
        #[arg(long)]
        organisation: Option<String>,
        /// A support agent's region: dach or international.
        #[arg(long)]
        region: Option<String>,
        /// An integrator may see the free text of confidential tickets.
        #[arg(long)]
        confidential_text: bool,
        /// The token's name; also the actor id its commands are recorded under.
        #[arg(long)]
        name: String,
        /// The data directory.
        #[arg(long, default_value = "./ticketflow-data")]
        data_dir: PathBuf,
    },
    /// List every token (never the secrets).
    List {
        /// The data directory.
        #[arg(long, default_value = "./ticketflow-data")]
        data_dir: PathBuf,
    },
    /// Revoke a token by name; it stops working with the next request.
    Revoke {
        /// The token's name.
        name: String,
        /// The data directory.
        #[arg(long, default_value = "./ticketflow-data")]
        data_dir: PathBuf,
    },
}

fn open(dir: &std::path::Path) -> anyhow::Result<TokenStore> {
    std::fs::create_dir_all(dir)?;
    Ok(TokenStore::open_in(dir)?)
}

/// Runs a tokens subcommand.
pub fn run(command: TokensCommand) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match command {
        TokensCommand::Issue {
            role,
            organisation,
            region,
            confidential_text,
            name,
            data_dir,
        } => {
            let role = role_from_parts(
                &role,
                organisation.as_deref(),
                region.as_deref(),
                confidential_text,
            )?;
            let secret = open(&data_dir)?.issue(&name, &role, now)?;
            println!("{secret}");
            eprintln!(
                "token `{name}` ({}) issued; it is shown only this once",
                role.name()
            );
        }
        TokensCommand::List { data_dir } => {
            for t in open(&data_dir)?.list()? {
                let detail = serde_json::to_string(&t.role)?;
                println!(
                    "{:<24} {:<20} {:<48} created {}{}",
                    t.name,
                    t.role.name(),
                    detail,
                    t.created_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    t.revoked_at
                        .map(|r| format!(", REVOKED {}", r.format("%Y-%m-%dT%H:%M:%SZ")))
                        .unwrap_or_default()
                );
            }
        }
        TokensCommand::Revoke { name, data_dir } => {
            open(&data_dir)?.revoke(&name, now)?;
            println!("token `{name}` revoked");
        }
    }
    Ok(())
}
