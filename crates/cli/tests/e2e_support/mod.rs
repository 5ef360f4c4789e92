//! The end-to-end harness: the real `ticketflow` binary on port 0 in a temporary data
//! directory, tokens issued through `ticketflow tokens issue`, HTTP through reqwest and a
//! small SSE reader. One server per test file keeps the suite's runtime modest.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A guard against a hung test, never an assertion about time.
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// A running server.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// Issued tokens by name.
    pub tokens: HashMap<String, String>,
    /// The HTTP client.
    pub http: reqwest::Client,
    /// What the server printed on stdout before `listening on` (the demo's welcome).
    pub banner: Vec<String>,
}

/// The `ticketflow` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ticketflow")
}

/// Issues a token with the CLI; `role_args` like `["--role", "customer", "--organisation", "acme"]`.
pub fn issue(dir: &Path, name: &str, role_args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(["tokens", "issue", "--name", name, "--data-dir"])
        .arg(dir)
        .args(role_args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tokens issue {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl Server {
    /// Starts `ticketflow serve --port 0` with `extra` flags after issuing `tokens`
    /// (name, role flags).
    pub fn start(extra: &[&str], tokens: &[(&str, &[&str])]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let issued = tokens
            .iter()
            .map(|(name, args)| ((*name).to_owned(), issue(dir.path(), name, args)))
            .collect();
        Self::start_in(dir, extra, issued)
    }

    /// Starts the server in an existing data directory.
    pub fn start_in(
        dir: tempfile::TempDir,
        extra: &[&str],
        tokens: HashMap<String, String>,
    ) -> Server {
        Self::start_in_on(dir, 0, extra, tokens)
    }

    /// Starts the server in an existing data directory on a given port (0: a free one).
    pub fn start_in_on(
        dir: tempfile::TempDir,
        port: u16,
        extra: &[&str],
        tokens: HashMap<String, String>,
    ) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--port", &port.to_string(), "--data-dir"])
            .arg(dir.path())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut banner = Vec::new();
        let base = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("listening on ") {
                break rest.trim().to_owned();
            }
            banner.push(line);
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            dir,
            tokens,
            http: reqwest::Client::builder()
                .timeout(HANG_GUARD)
                .build()
                .unwrap(),
            banner,
        }
    }

    /// The data directory's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// A request as `token` (a name in `tokens`, or `None` for no header).
    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(name) = token {
            let secret = self.tokens.get(name).map_or(name, String::as_str);
            r = r.bearer_auth(secret);
        }
        r
    }

    /// GET as `token`: status and JSON body (Null if not JSON).
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        send(self.request(Method::GET, path, Some(token))).await
    }

    /// POST JSON as `token`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        send(self.request(Method::POST, path, Some(token)).json(body)).await
    }

    /// The last position in the log, read through an auditor's view of the metrics… or the
    /// operator token `ops`.
    pub async fn log_position(&self) -> u64 {
        let text = self
            .request(Method::GET, "/metrics", Some("ops"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("ticketflow_log_position "))
            .and_then(|v| v.trim().parse().ok())
            .expect("metrics carry ticketflow_log_position")
    }

    /// Moves a simulated clock to `to` (operator token `ops`).
    pub async fn advance_to(&self, to: &str) -> Value {
        let (status, body) = self
            .post("/clock/advance", "ops", &serde_json::json!({ "to": to }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Stops the server with SIGTERM and waits for it (graceful shutdown).
    pub fn stop(mut self) -> tempfile::TempDir {
        terminate(&self.child);
        let _ = self.child.wait();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }
}

fn terminate(child: &Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends and answers status and JSON body (Null when the body is not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// One SSE event as read off the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// `id:`.
    pub id: Option<String>,
    /// `event:`.
    pub event: Option<String>,
    /// `data:` lines joined.
    pub data: String,
}

/// A minimal SSE reader over a streaming response.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    /// Opens `path` as `token`, optionally with `Last-Event-ID`.
    pub async fn open(
        server: &Server,
        path: &str,
        token: &str,
        last_event_id: Option<u64>,
    ) -> SseReader {
        let mut r = server
            .http
            .get(format!("{}{}", server.base, path))
            .bearer_auth(server.tokens.get(token).map_or(token, String::as_str))
            .timeout(Duration::from_secs(3600));
        if let Some(id) = last_event_id {
            r = r.header("Last-Event-ID", id.to_string());
        }
        let response = r.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments and heartbeats skipped); `None` when the stream ended.
    pub async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    id: None,
                    event: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().to_owned());
                        any = true;
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event.event = Some(v.trim().to_owned());
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !event.data.is_empty() {
                            event.data.push('\n');
                        }
                        event.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    }
                }
                if any {
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout(HANG_GUARD, self.response.chunk())
                .await
                .expect("the SSE stream hung")
                .ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
