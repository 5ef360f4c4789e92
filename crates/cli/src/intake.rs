//! `ticketflow intake FILE`: posts a raw RFC 5322 message to a running server's
//! `POST /intake/email` (operator token: the mail gateway's) and prints what it became.

use std::path::Path;

use reqwest::Method;

use crate::error::CliError;
use crate::server_client::{ServerArgs, ServerClient};

/// Posts the mail in `file` (`-` reads standard input).
pub async fn run(file: &Path, server: &ServerArgs) -> anyhow::Result<()> {
    let client = ServerClient::new(server)?;
    let raw = if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|source| {
            CliError::ReadFile {
                path: file.to_owned(),
                source,
            }
        })?;
        bytes
    } else {
        std::fs::read(file).map_err(|source| CliError::ReadFile {
            path: file.to_owned(),
            source,
        })?
    };
    let answer = client
        .send(
            client
                .request(Method::POST, "/intake/email")
                .header("content-type", "message/rfc822")
                .body(raw),
        )
        .await?;
    let ticket = answer["ticket"].as_str().unwrap_or("?");
    let what = match answer["outcome"].as_str() {
        Some("opened") => format!("opened {ticket}"),
        _ => format!("commented on {ticket}"),
    };
    if answer["replayed"] == true {
        crate::out!("{what} (this mail was taken in before; nothing new was recorded)");
    } else {
        crate::out!("{what}");
    }
    Ok(())
}
