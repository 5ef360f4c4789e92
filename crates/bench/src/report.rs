//! What a run answers: every workload's figures with their spread, the machine at the start
//! and the end, and the scenario the events came from — as JSON (`serde`) or as a table.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::machine::MachineSnapshot;
use crate::plan::Plan;
use crate::stats::{Repetition, Spread};

/// The result of one `ticketflow bench` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What was run, and for how long.
    pub plan: Plan,
    /// The scenario the events came from.
    pub scenario: ScenarioFacts,
    /// The machine before the first workload.
    pub start: MachineSnapshot,
    /// The machine after the last workload.
    pub end: MachineSnapshot,
    /// Wall-clock seconds of the whole run, preparation included.
    pub seconds: f64,
    /// Every workload, in the order they ran.
    pub workloads: Vec<WorkloadResult>,
}

/// The size and shape of the scenario's desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFacts {
    /// Script lines the generator produced.
    pub script_lines: usize,
    /// Events the engine recorded for them (timers and process managers included).
    pub events: usize,
    /// Ticket streams among them.
    pub tickets: usize,
    /// Mean events per ticket.
    pub mean_ticket_events: f64,
    /// Mean payload size of an event, in bytes.
    pub mean_payload_bytes: f64,
}

/// One workload's figures over all repetitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadResult {
    /// Stable short name, e.g. `append-64`, `load-1000`, `rebuild`, `sse-latency`.
    pub name: String,
    /// What it measures, in words.
    pub title: String,
    /// The unit of the throughput figure, e.g. `events/s`.
    pub unit: String,
    /// Throughput: median and range over the repetitions.
    pub throughput: Spread,
    /// Median per-operation latency (µs): median and range over the repetitions.
    pub p50_us: Option<Spread>,
    /// 99th-percentile per-operation latency (µs): median and range over the repetitions.
    pub p99_us: Option<Spread>,
    /// Every repetition as measured.
    pub repetitions: Vec<Repetition>,
}

impl WorkloadResult {
    /// Summarises `repetitions` of one workload.
    pub fn new(name: &str, title: &str, unit: &str, repetitions: Vec<Repetition>) -> Self {
        let throughput =
            Spread::of(repetitions.iter().map(|r| r.per_s).collect()).unwrap_or(Spread {
                median: 0.0,
                min: 0.0,
                max: 0.0,
            });
        WorkloadResult {
            name: name.to_owned(),
            title: title.to_owned(),
            unit: unit.to_owned(),
            throughput,
            p50_us: Spread::of(repetitions.iter().filter_map(|r| r.p50_us).collect()),
            p99_us: Spread::of(repetitions.iter().filter_map(|r| r.p99_us).collect()),
            repetitions,
        }
    }
}

impl Report {
    /// The report as a plain-text table with the machine and scenario above it.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "ticketflow bench ({} run, {} repetition(s), {:.0} s)",
            self.plan.name, self.plan.repetitions, self.seconds
        );
        let _ = writeln!(out, "machine: {}", machine_line(&self.start, "start"));
        let _ = writeln!(out, "         {}", machine_line(&self.end, "end"));
        let _ = writeln!(
            out,
            "scenario: {} customers, {} months, seed {}: {} script lines, {} events, {} tickets ({:.1} events per ticket, {:.0} payload bytes per event)",
            self.plan.scenario.customers,
            self.plan.scenario.months,
            self.plan.scenario.seed,
            self.scenario.script_lines,
            self.scenario.events,
            self.scenario.tickets,
            self.scenario.mean_ticket_events,
            self.scenario.mean_payload_bytes
        );
        let _ = writeln!(out);
        let rows: Vec<[String; 5]> = self
            .workloads
            .iter()
            .map(|w| {
                [
                    w.name.clone(),
                    w.title.clone(),
                    format!("{} {}", show(&w.throughput), w.unit),
                    w.p50_us.as_ref().map_or_else(|| "-".to_owned(), show),
                    w.p99_us.as_ref().map_or_else(|| "-".to_owned(), show),
                ]
            })
            .collect();
        let header = [
            "workload".to_owned(),
            "what".to_owned(),
            "throughput: median (min–max)".to_owned(),
            "p50 µs".to_owned(),
            "p99 µs".to_owned(),
        ];
        let mut widths = header.each_ref().map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&header).chain(&rows) {
            let mut line = String::new();
            for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                let pad = w.saturating_sub(cell.chars().count());
                if i >= 2 {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
                line.push_str("  ");
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

fn machine_line(m: &MachineSnapshot, when: &str) -> String {
    let load = m.load_average.map_or_else(
        || "load average unknown".to_owned(),
        |[a, b, c]| format!("load average {a:.2} {b:.2} {c:.2}"),
    );
    format!(
        "{when} {}: {} cores ({}), kernel {}, {load}, fdatasync of 256 B p50 {} µs / p99 {} µs ({} writes)",
        m.at,
        m.cores,
        if m.cpu.is_empty() {
            "cpu unknown"
        } else {
            &m.cpu
        },
        if m.kernel.is_empty() {
            "unknown"
        } else {
            &m.kernel
        },
        num(m.fdatasync.p50_us),
        num(m.fdatasync.p99_us),
        m.fdatasync.writes
    )
}

/// A spread as `median (min–max)`, or the median alone when they are equal.
pub fn show(s: &Spread) -> String {
    if s.min == s.max {
        num(s.median)
    } else {
        format!("{} ({}–{})", num(s.median), num(s.min), num(s.max))
    }
}

/// A number with thousands separators and as many decimals as its size deserves.
pub fn num(x: f64) -> String {
    if x.abs() < 10.0 {
        return format!("{x:.2}");
    }
    if x.abs() < 100.0 {
        return format!("{x:.1}");
    }
    let s = format!("{x:.0}");
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators_and_sensible_decimals() {
        assert_eq!(num(1234567.4), "1,234,567");
        assert_eq!(num(42.25), "42.2");
        assert_eq!(num(2.71), "2.71");
        assert_eq!(num(-1500.0), "-1,500");
    }

    #[test]
    fn a_workload_summarises_its_repetitions() {
        let reps = vec![
            Repetition::throughput(100, std::time::Duration::from_secs(1)),
            Repetition::throughput(300, std::time::Duration::from_secs(1)),
            Repetition::throughput(200, std::time::Duration::from_secs(1)),
        ];
        let w = WorkloadResult::new("rebuild", "full rebuild", "events/s", reps);
        assert_eq!(w.throughput.median, 200.0);
        assert_eq!((w.throughput.min, w.throughput.max), (100.0, 300.0));
        assert!(w.p50_us.is_none());
    }
}
