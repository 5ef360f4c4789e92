//! How long and how often each workload is measured: the full run for the documentation
//! (a few minutes), or the quick run CI uses as a smoke test (well under a minute).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ticketflow_scenario::ScenarioConfig;

/// Concurrent writers of the durable-append workload (as in the peer harness).
pub const WRITERS: [usize; 3] = [1, 8, 64];
/// Ticket lengths of the load workload, in events (as in the peer harness).
pub const TICKET_SIZES: [usize; 3] = [10, 100, 1000];
/// Tickets of each length written before loading, loaded round-robin (as in the peer harness).
pub const LOAD_TICKETS: usize = 5;

/// Durations, repetitions and sizes of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `full` or `quick`.
    pub name: String,
    /// The scenario whose events are the payloads and whose desk is rebuilt and served.
    pub scenario: ScenarioConfig,
    /// Repetitions of every workload; the report gives the median and range over them.
    pub repetitions: usize,
    /// Untimed appends before the repetitions of each writer count.
    #[serde(with = "seconds")]
    pub append_warmup: Duration,
    /// Durable appends per repetition.
    #[serde(with = "seconds")]
    pub append_time: Duration,
    /// Ticket loads per repetition and ticket length.
    #[serde(with = "seconds")]
    pub load_time: Duration,
    /// Appends whose arrival at an SSE client is timed, per repetition.
    pub sse_events: usize,
    /// Concurrent HTTP clients of the command-throughput workload.
    pub http_clients: usize,
    /// Commands sent per repetition of the HTTP workload: for this long.
    #[serde(with = "seconds")]
    pub http_time: Duration,
    /// Durable writes of each fdatasync probe.
    pub probe_writes: usize,
}

impl Plan {
    /// The full run: the default scenario (about 23,000 events, 1,300 tickets), five
    /// repetitions; appends and loads last as long as in the peer harness (3 s and 1.5 s
    /// per repetition after a 0.5 s warm-up); two to three minutes on two cores.
    pub fn full() -> Plan {
        Plan {
            name: "full".into(),
            scenario: ScenarioConfig::default(),
            repetitions: 5,
            append_warmup: Duration::from_millis(500),
            append_time: Duration::from_secs(3),
            load_time: Duration::from_millis(1500),
            sse_events: 500,
            http_clients: 16,
            http_time: Duration::from_secs(3),
            probe_writes: 300,
        }
    }

    /// The quick run: the small scenario (a few hundred tickets' worth of events is not
    /// needed to show that every workload works), one repetition each, fractions of a
    /// second per repetition.
    pub fn quick() -> Plan {
        Plan {
            name: "quick".into(),
            scenario: ScenarioConfig::small(),
            repetitions: 1,
            append_warmup: Duration::from_millis(50),
            append_time: Duration::from_millis(300),
            load_time: Duration::from_millis(200),
            sse_events: 30,
            http_clients: 4,
            http_time: Duration::from_millis(500),
            probe_writes: 30,
        }
    }
}

/// Durations as seconds (a float) in JSON, the unit a reader of the report expects.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}
