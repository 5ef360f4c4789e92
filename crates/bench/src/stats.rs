//! How figures are computed: per-operation latency percentiles within one repetition, and
//! the median and range of a figure over the repetitions.
//!
//! Percentiles are taken exactly as the peer harness takes them
//! (`benches/peers/common/measure.rs`: the sorted sample at index `round((n - 1) × q)`), so
//! the figures of `ticketflow bench` and of `benches/peers/run.sh` can be compared.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Latency percentile in microseconds of sorted durations (`q` in 0..=1); 0 when empty.
pub fn percentile_us(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1e6
}

/// One repetition of one workload: the unit the spread is computed over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repetition {
    /// Operations per second of wall-clock time (events appended, tickets loaded, events
    /// folded, commands answered...; the workload's `unit` says which).
    pub per_s: f64,
    /// Median latency of one operation in microseconds, when the workload has latencies.
    pub p50_us: Option<f64>,
    /// 99th-percentile latency of one operation in microseconds, when it has latencies.
    pub p99_us: Option<f64>,
    /// Operations measured.
    pub count: u64,
    /// Wall-clock seconds the repetition took.
    pub seconds: f64,
}

impl Repetition {
    /// A repetition with per-operation latencies, `elapsed` being the wall time of all of them
    /// (concurrent operations overlap, so it is not their sum).
    pub fn from_latencies(mut latencies: Vec<Duration>, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        let seconds = elapsed.as_secs_f64().max(1e-9);
        Repetition {
            per_s: latencies.len() as f64 / seconds,
            p50_us: Some(percentile_us(&latencies, 0.50)),
            p99_us: Some(percentile_us(&latencies, 0.99)),
            count: latencies.len() as u64,
            seconds,
        }
    }

    /// A repetition that only has a throughput: `count` operations in `elapsed`.
    pub fn throughput(count: u64, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f64().max(1e-9);
        Repetition {
            per_s: count as f64 / seconds,
            p50_us: None,
            p99_us: None,
            count,
            seconds,
        }
    }
}

/// Median and range of one figure over the repetitions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The median (mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(mut values: Vec<f64>) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: values[0],
            max: values[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_sample_at_the_rounded_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        assert_eq!(percentile_us(&v, 0.5), 51.0);
        assert_eq!(percentile_us(&v, 0.99), 99.0);
        assert_eq!(percentile_us(&[], 0.5), 0.0);
    }

    #[test]
    fn the_spread_is_the_median_and_the_range() {
        let s = Spread::of(vec![3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 10.0));
        assert!(Spread::of(vec![]).is_none());
    }
}
