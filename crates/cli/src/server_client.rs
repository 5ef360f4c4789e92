//! Talking to a running server: the online commands (`subscribe`, `projections`,
//! `webhooks`, `intake`) share the `--url` and `--token` flags and turn the server's problem
//! details into one readable line.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

use crate::error::CliError;

/// The environment variable read when `--token` is not given.
pub const TOKEN_ENV: &str = "TICKETFLOW_TOKEN";

/// Where the server is and who is asking.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The bearer token (default: the environment variable TICKETFLOW_TOKEN).
    #[arg(long)]
    pub token: Option<String>,
}

/// An HTTP client for one server and token.
#[derive(Debug, Clone)]
pub struct ServerClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl ServerClient {
    /// A client from the flags; fails when no token is given either way.
    pub fn new(args: &ServerArgs) -> Result<Self, CliError> {
        let token = args
            .token
            .clone()
            .or_else(|| std::env::var(TOKEN_ENV).ok())
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "this command talks to the server and needs a token: pass --token or set {TOKEN_ENV} (issue one with `ticketflow tokens issue`)"
                ))
            })?;
        let base = args.url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(CliError::Usage(format!(
                "--url `{base}` is not an http:// or https:// address"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| CliError::Usage(format!("cannot set up the HTTP client: {e}")))?;
        Ok(ServerClient {
            base,
            token: token.trim().to_owned(),
            http,
        })
    }

    /// A request to `path` with the bearer token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// Sends `request`; answers the JSON body of a 2xx (Null when empty), or the error.
    pub async fn send(&self, request: RequestBuilder) -> Result<Value, CliError> {
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| self.unreachable(&e))?;
        if status.is_success() {
            return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
        }
        Err(refusal(status, &text))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Value, CliError> {
        self.send(self.request(Method::GET, path)).await
    }

    /// The error for a request that got no answer.
    pub fn unreachable(&self, e: &reqwest::Error) -> CliError {
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            reason = format!("{reason}: {s}");
            source = s.source();
        }
        CliError::Unreachable {
            url: self.base.clone(),
            reason,
        }
    }
}

/// The error for a non-2xx answer: the problem's `detail` when the body is problem details.
pub fn refusal(status: StatusCode, body: &str) -> CliError {
    let detail = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            let text: String = body.chars().take(200).collect();
            if text.trim().is_empty() {
                status.canonical_reason().unwrap_or("error").to_owned()
            } else {
                text
            }
        });
    CliError::Refused {
        status: status.as_u16(),
        detail,
    }
}
