//! Prometheus metrics, kept as plain atomics and maps (no exporter crate needed for text
//! format 0.0.4): requests by route and status, command latency, appended events, SSE
//! subscribers; projection positions and lag are read from the runner when scraped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

/// Upper bounds of the command latency histogram, in seconds.
pub const LATENCY_BUCKETS: [f64; 10] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    appended: AtomicU64,
    /// SSE connections open now.
    pub sse_subscribers: AtomicU64,
    /// SSE subscribers disconnected for lagging.
    pub sse_lagged: AtomicU64,
}

/// The `method` label for `method`: one of the standard HTTP methods, or `OTHER`.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("OTHER")
}

impl Metrics {
    /// Counts one answered request. A method outside the standard ones is counted as
    /// `OTHER`: the label comes from the client, and every new label value is a new series.
    pub fn request(&self, method: &str, route: &str, status: u16) {
        *self
            .requests
            .lock()
            .entry((method_label(method).to_owned(), route.to_owned(), status))
            .or_default() += 1;
    }

    /// Records one command's latency and how many events it appended.
    pub fn command(&self, took: Duration, appended: usize) {
        let secs = took.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        self.appended.fetch_add(appended as u64, Ordering::Relaxed);
    }

    /// The text exposition, followed by `extra` lines (projection figures).
    pub fn render(&self, log_position: u64, projections: &[(String, u64, u64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP ticketflow_http_requests_total HTTP requests answered, by route and status."
        );
        let _ = writeln!(out, "# TYPE ticketflow_http_requests_total counter");
        for ((method, route, status), n) in self.requests.lock().iter() {
            let _ = writeln!(
                out,
                "ticketflow_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP ticketflow_command_duration_seconds Time to decide and record a command."
        );
        let _ = writeln!(out, "# TYPE ticketflow_command_duration_seconds histogram");
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "ticketflow_command_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                self.latency_buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "ticketflow_command_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "ticketflow_command_duration_seconds_sum {}",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "ticketflow_command_duration_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP ticketflow_events_appended_total Events appended through the API."
        );
        let _ = writeln!(out, "# TYPE ticketflow_events_appended_total counter");
        let _ = writeln!(
            out,
            "ticketflow_events_appended_total {}",
            self.appended.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP ticketflow_log_position The last position in the event log."
        );
        let _ = writeln!(out, "# TYPE ticketflow_log_position gauge");
        let _ = writeln!(out, "ticketflow_log_position {log_position}");
        let _ = writeln!(
            out,
            "# HELP ticketflow_projection_position The last position a read model reflects."
        );
        let _ = writeln!(out, "# TYPE ticketflow_projection_position gauge");
        for (name, position, _) in projections {
            let _ = writeln!(
                out,
                "ticketflow_projection_position{{projection=\"{name}\"}} {position}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP ticketflow_projection_lag Events a read model is behind the log."
        );
        let _ = writeln!(out, "# TYPE ticketflow_projection_lag gauge");
        for (name, _, lag) in projections {
            let _ = writeln!(
                out,
                "ticketflow_projection_lag{{projection=\"{name}\"}} {lag}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP ticketflow_sse_subscribers SSE connections open now."
        );
        let _ = writeln!(out, "# TYPE ticketflow_sse_subscribers gauge");
        let _ = writeln!(
            out,
            "ticketflow_sse_subscribers {}",
            self.sse_subscribers.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP ticketflow_sse_lagged_total SSE subscribers disconnected for falling behind."
        );
        let _ = writeln!(out, "# TYPE ticketflow_sse_lagged_total counter");
        let _ = writeln!(
            out,
            "ticketflow_sse_lagged_total {}",
            self.sse_lagged.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        let metrics = Metrics::default();
        metrics.request("GET", "/tickets", 200);
        metrics.request("FROBNICATE", "/tickets", 405);
        metrics.request("X-RANDOM-1", "/tickets", 405);
        let requests = metrics.requests.lock();
        let methods: std::collections::BTreeSet<&str> =
            requests.keys().map(|(m, _, _)| m.as_str()).collect();
        assert_eq!(methods, ["GET", "OTHER"].into_iter().collect());
        assert_eq!(
            requests.get(&("OTHER".to_owned(), "/tickets".to_owned(), 405)),
            Some(&2)
        );
    }
}
