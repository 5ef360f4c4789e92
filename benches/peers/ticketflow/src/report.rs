//! Writes the Markdown report from every sample: medians and ranges over the repetitions,
//! every peer as a ratio to Ticketflow, the disk's limits and the ceiling they imply, the
//! machine and the exact command.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context as _;

use crate::measure::{PAYLOAD_BYTES, Plan, STREAM_SIZES, Sample, WRITERS, arg};

const SYSTEMS: [&str; 4] = ["ticketflow", "message-db", "cqrs-es", "plain-pg"];

/// Median and range of one figure over the repetitions.
#[derive(Debug, Clone, Copy)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(mut v: Vec<f64>) -> Option<Spread> {
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: v[0],
            max: v[n - 1],
        })
    }

    fn show(&self, unit: &str) -> String {
        if self.min == self.max {
            format!("{}{unit}", num(self.median))
        } else {
            format!(
                "{}{unit} ({}–{})",
                num(self.median),
                num(self.min),
                num(self.max)
            )
        }
    }
}

/// A number with a thousands separator and as many decimals as its size deserves.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 100.0 {
        return format!("{x:.0}");
    }
    if x.abs() < 10.0 {
        return format!("{x:.2}");
    }
    if x.abs() < 100.0 {
        return format!("{x:.1}");
    }
    let s = format!("{:.0}", x);
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

fn ratio(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

struct Figures {
    by: BTreeMap<(String, String), Vec<Sample>>,
}

impl Figures {
    fn get(&self, system: &str, workload: &str, f: fn(&Sample) -> f64) -> Option<Spread> {
        let v = self.by.get(&(system.to_owned(), workload.to_owned()))?;
        Spread::of(v.iter().map(f).collect())
    }
}

fn per_s(s: &Sample) -> f64 {
    s.per_s
}
fn p50(s: &Sample) -> f64 {
    s.p50_us
}
fn p99(s: &Sample) -> f64 {
    s.p99_us
}

fn read_first_line(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split(':').nth(1))
        .map(|v| v.trim().to_owned())
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = read_first_line("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into());
    let mem = read_first_line("/proc/meminfo", "MemTotal")
        .and_then(|m| m.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "unknown".into(),
            |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
        );
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".into(), |k| k.trim().to_owned());
    let load = std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
    format!(
        "- nproc: {cores}\n- CPU: {cpu}\n- memory: {mem}\n- kernel: Linux {kernel}\n- load average (1, 5, 15 min) when the report was written: {load}\n"
    )
}

/// A warning when the one-minute load average before or after the run exceeded the cores:
/// other work competed for the CPU and the disk, so small ratios are within the noise.
fn busy_warning(load_before: &str) -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let first = |s: &str| {
        s.split_whitespace()
            .next()
            .and_then(|x| x.parse::<f64>().ok())
    };
    let after = std::fs::read_to_string("/proc/loadavg").ok();
    let peak = [first(load_before), after.as_deref().and_then(first)]
        .into_iter()
        .flatten()
        .fold(0.0, f64::max);
    if peak > cores {
        format!(
            " **This run was disturbed:** the load average reached {peak:.1} on {cores:.0} cores, \
             so other work competed for the CPU and the disk while it ran; read ratios within \
             about 2× of 1 as a tie, and compare the ranges, not just the medians."
        )
    } else {
        String::new()
    }
}

/// Reads `--samples`, writes `--out`.
pub fn write(plan: &Plan) -> anyhow::Result<()> {
    let samples_path = arg("--samples").context("pass --samples <samples.jsonl>")?;
    let out = arg("--out").context("pass --out <report.md>")?;
    let command = arg("--command").unwrap_or_else(|| "benches/peers/run.sh".into());
    let pg = arg("--pg-settings")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_else(|| "PostgreSQL (settings not recorded)".into());
    let versions = arg("--versions").unwrap_or_default();
    let load_before = arg("--load-before").unwrap_or_else(|| "unknown".into());

    let mut by: BTreeMap<(String, String), Vec<Sample>> = BTreeMap::new();
    for line in std::fs::read_to_string(&samples_path)
        .with_context(|| format!("reading {samples_path}"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let s: Sample = serde_json::from_str(line)?;
        by.entry((s.system.clone(), s.workload.clone()))
            .or_default()
            .push(s);
    }
    let fig = Figures { by };
    let reps = fig
        .by
        .get(&("ticketflow".to_owned(), "append-1".to_owned()))
        .map_or(0, Vec::len);
    let mut d = String::new();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");

    writeln!(d, "# Performance against the peers\n")?;
    writeln!(
        d,
        "Generated by `{command}` on {now}; do not edit by hand, run the script again.\n"
    )?;
    writeln!(
        d,
        "Ticketflow's embedded store (`SqliteStore`, fsync on every commit, group commit) against \
         three PostgreSQL-based peers on the same machine, the same disk and the same workload, \
         with the disk's own limits beside them. Every figure is the **median over {} \
         repetitions**, with the range (min–max) in brackets. The systems take turns: every round measures the \
         disk, then Ticketflow and the peers, one repetition each (the peers first in odd \
         rounds), so a noisy minute on the \
         shared machine falls on all of them alike. After each PostgreSQL-based peer the \
         harness runs a `CHECKPOINT` (not timed), so the buffers one system dirtied are not \
         still being written to the shared disk while the next system measures. Ratios are *peer ÷ Ticketflow*: \
         for throughput above 1× means the peer is faster, for latency above 1× means the peer \
         is slower.\n",
        reps
    )?;
    writeln!(
        d,
        "**Noise.** The machine is shared: other jobs (compilers, other benchmarks) may run at \
         the same time, and the ranges show how much the repetitions disagreed. Load average \
         before the run: {load_before}; see the machine section for the load at the end.{}\n",
        busy_warning(&load_before)
    )?;

    // Physical limits.
    let fsync = fig.get("disk", "fdatasync-256B", p50);
    let fsync99 = fig.get("disk", "fdatasync-256B", p99);
    let bw = fig.get("disk", "write-1MiB-fdatasync", per_s);
    let ceiling = |writers: usize| -> Option<f64> {
        Some(group_commit_ceiling(writers, fsync?.median, bw?.median))
    };

    writeln!(d, "## Summary: peers as a ratio to Ticketflow\n")?;
    writeln!(
        d,
        "| workload | figure | Ticketflow | message-db | cqrs-es | plain PostgreSQL | disk ceiling |"
    )?;
    writeln!(d, "|---|---|---|---|---|---|---|")?;
    for w in WRITERS {
        let wl = format!("append-{w}");
        let tf = fig.get("ticketflow", &wl, per_s);
        let mut row = format!(
            "| durable appends, {w} writer{} | events/s | {} |",
            if w == 1 { "" } else { "s" },
            tf.map_or("–".into(), |s| num(s.median))
        );
        for sys in &SYSTEMS[1..] {
            let cell = match (fig.get(sys, &wl, per_s), tf) {
                (Some(p), Some(t)) => {
                    format!(" {} ({}) |", ratio(p.median / t.median), num(p.median))
                }
                _ => " – |".into(),
            };
            row.push_str(&cell);
        }
        row.push_str(&format!(" {} |", ceiling(w).map_or("–".into(), num)));
        writeln!(d, "{row}")?;
    }
    for size in STREAM_SIZES {
        let wl = format!("load-{size}");
        let tf = fig.get("ticketflow", &wl, p99);
        let mut row = format!(
            "| load a stream of {} events | p99 µs | {} |",
            num(size as f64),
            tf.map_or("–".into(), |s| num(s.median))
        );
        for sys in &SYSTEMS[1..] {
            let cell = match (fig.get(sys, &wl, p99), tf) {
                (Some(p), Some(t)) => {
                    format!(" {} ({}) |", ratio(p.median / t.median), num(p.median))
                }
                _ => " – |".into(),
            };
            row.push_str(&cell);
        }
        row.push_str(" – |");
        writeln!(d, "{row}")?;
    }
    writeln!(
        d,
        "\nCells of the peers read *ratio (the peer's own median)*. The disk ceiling is derived \
         below.\n"
    )?;

    writeln!(d, "## Durable appends\n")?;
    writeln!(
        d,
        "Each writer owns one stream and appends one ~{PAYLOAD_BYTES}-byte event at a time with the \
         expected version it knows (optimistic concurrency), waiting for the durable \
         acknowledgement before the next, for {} s per repetition after an untimed warm-up; \
         every repetition starts fresh streams. Latency is one append, from call to \
         acknowledgement.\n",
        plan.append_seconds
    )?;
    for w in WRITERS {
        let wl = format!("append-{w}");
        writeln!(
            d,
            "### {w} concurrent writer{}\n",
            if w == 1 { "" } else { "s" }
        )?;
        writeln!(
            d,
            "| system | events/s | ÷ Ticketflow | p50 µs | p99 µs | share of disk ceiling |"
        )?;
        writeln!(d, "|---|---|---|---|---|---|")?;
        let tf = fig.get("ticketflow", &wl, per_s);
        for sys in SYSTEMS {
            let Some(t) = fig.get(sys, &wl, per_s) else {
                writeln!(d, "| {sys} | not measured | | | | |")?;
                continue;
            };
            let r = tf.map_or("–".into(), |tf| ratio(t.median / tf.median));
            let share =
                ceiling(w).map_or("–".into(), |c| format!("{:.1} %", 100.0 * t.median / c));
            writeln!(
                d,
                "| {sys} | {} | {r} | {} | {} | {share} |",
                t.show(""),
                fig.get(sys, &wl, p50).map_or("–".into(), |s| s.show("")),
                fig.get(sys, &wl, p99).map_or("–".into(), |s| s.show("")),
            )?;
        }
        writeln!(d)?;
    }

    writeln!(d, "## Loading a stream\n")?;
    writeln!(
        d,
        "One reader loads whole streams ({} streams of each length, round-robin, after one \
         untimed pass) for {} s per repetition: Ticketflow's `read_stream`, message-db's \
         `get_stream_messages`, cqrs-es's `load_aggregate` (which also deserializes and applies \
         every event), and a prepared `SELECT … ORDER BY version` on the plain table.\n",
        crate::measure::LOAD_STREAMS,
        plan.load_seconds
    )?;
    for size in STREAM_SIZES {
        let wl = format!("load-{size}");
        writeln!(d, "### {} events\n", num(size as f64))?;
        writeln!(
            d,
            "| system | loads/s | p50 µs | p99 µs | p99 ÷ Ticketflow |"
        )?;
        writeln!(d, "|---|---|---|---|---|")?;
        let tf = fig.get("ticketflow", &wl, p99);
        for sys in SYSTEMS {
            let Some(t) = fig.get(sys, &wl, per_s) else {
                writeln!(d, "| {sys} | not measured | | | |")?;
                continue;
            };
            let q = fig.get(sys, &wl, p99);
            let r = match (q, tf) {
                (Some(q), Some(tf)) => ratio(q.median / tf.median),
                _ => "–".into(),
            };
            writeln!(
                d,
                "| {sys} | {} | {} | {} | {r} |",
                t.show(""),
                fig.get(sys, &wl, p50).map_or("–".into(), |s| s.show("")),
                q.map_or("–".into(), |s| s.show("")),
            )?;
        }
        writeln!(d)?;
    }

    writeln!(d, "## The physical limit\n")?;
    writeln!(
        d,
        "Measured in the directory that holds the Ticketflow store and the PostgreSQL data \
         directory, once at the start of every round ({} probes); the figures are the median \
         (range) of all of them. On a shared virtual disk these move a lot \
         between minutes, so a store can land above 100 % of a ceiling derived from them: the \
         disk was simply faster while it ran.\n",
        reps
    )?;
    writeln!(d, "| probe | median (range) |")?;
    writeln!(d, "|---|---|")?;
    writeln!(
        d,
        "| write 256 B + fdatasync, p50 | {} |",
        fsync.map_or("–".into(), |s| s.show(" µs"))
    )?;
    writeln!(
        d,
        "| write 256 B + fdatasync, p99 | {} |",
        fsync99.map_or("–".into(), |s| s.show(" µs"))
    )?;
    writeln!(
        d,
        "| sequential writes, fdatasync after every MiB | {} |",
        bw.map_or("–".into(), |s| s.show(" MiB/s"))
    )?;
    if let (Some(t), Some(b)) = (fsync, bw) {
        writeln!(
            d,
            "\n**The ceiling.** A durable append cannot be acknowledged before an fdatasync \
             returns, so a store that syncs once per append is bound by `1 / fdatasync p50` = \
             {} appends/s per writer in sequence. Sharing one fdatasync among all W waiting \
             writers (group commit) lifts that to W events per flush, and a flush of W events \
             must also carry their bytes: it takes at least `fdatasync p50 + W × {PAYLOAD_BYTES} B \
             / bandwidth` (the latency–bandwidth model; envelopes, indexes and WAL framing only \
             add bytes). So the ceiling for W writers is `W / (fdatasync p50 + W × \
             {PAYLOAD_BYTES} B / bandwidth)`, which tends to `bandwidth / {PAYLOAD_BYTES} B` = \
             {} events/s for very many writers:\n",
            num(1e6 / t.median),
            num(b.median * 1024.0 * 1024.0 / PAYLOAD_BYTES as f64),
        )?;
        writeln!(
            d,
            "| writers | one flush: fdatasync + bytes | ceiling, events/s |"
        )?;
        writeln!(d, "|---|---|---|")?;
        for w in WRITERS {
            let transfer_us = w as f64 * PAYLOAD_BYTES as f64 / (b.median * 1024.0 * 1024.0) * 1e6;
            writeln!(
                d,
                "| {w} | {:.0} µs + {:.1} µs | {} |",
                t.median,
                transfer_us,
                num(group_commit_ceiling(w, t.median, b.median))
            )?;
        }
        writeln!(d)?;
    }

    writeln!(d, "## What each system is\n")?;
    writeln!(
        d,
        "- **Ticketflow**: `ticketflow_store::SqliteStore` with its default options — one SQLite \
           file in WAL mode, a single writer thread that group-commits everything queued into \
           one transaction, and one `fdatasync` of the WAL per commit (by a syncer thread, \
           overlapping the next transaction) before any append of it is answered; reads from a \
           pool of read-only connections. Stores the payload bytes \
           plus its envelope (ids, type, actor, times, two hash chains).\n\
         - **message-db** (`@eventide/message-db`, installed from npm into a cache by the \
           script; its own install script creates the database): `message_store.write_message(id, \
           stream_name, type, data, metadata, expected_version)` on one connection per writer \
           through tokio-postgres, `get_stream_messages(stream_name, 0, 1000)` to load. All \
           streams are tickets (`ticket-…`), and `write_message` takes a transaction-scoped \
           advisory lock on the stream's *category*, held until the commit's WAL flush: \
           message-db serialises every write to one category by design.\n\
         - **cqrs-es** with **postgres-es** (sqlx pool of 66 connections): \
           `PersistedEventStore::commit` of one new event with the aggregate's last sequence \
           (one transaction per commit; the primary key on (type, id, sequence) is the \
           concurrency check), `load_aggregate` to load, which deserializes and applies every \
           event. The command handler itself is not in the measured path.\n\
         - **plain PostgreSQL**: a table `events(position bigserial, stream, version, event_id \
           uuid unique, type, data jsonb, metadata jsonb, recorded_at)` with a unique index on \
           (stream, version), one prepared `INSERT` per event in autocommit (the index refuses a \
           writer with a stale version), one prepared `SELECT … WHERE stream = $1 ORDER BY \
           version` to load; one tokio-postgres connection per writer.\n\
         - **The payload** is the same ~{PAYLOAD_BYTES}-byte JSON ticket note for every system \
           (`jsonb`/`json` in PostgreSQL, bytes in Ticketflow), with a small metadata document \
           (correlation id, actor).\n"
    )?;
    writeln!(
        d,
        "**PostgreSQL** runs with its default durability, started by the script on loopback in \
         a temporary data directory on the same disk: {}. That is `synchronous_commit=on` and \
         `fsync=on` — every commit waits for the WAL flush, like Ticketflow's.\n",
        pg.trim()
    )?;
    if !versions.is_empty() {
        writeln!(d, "Versions: {versions}.\n")?;
    }

    writeln!(d, "## Machine\n")?;
    writeln!(d, "{}", machine())?;
    writeln!(d, "## Reproduce\n")?;
    writeln!(
        d,
        "```sh\n{command}\n```\n\nThe script needs root (it runs PostgreSQL as the `postgres` \
         user via `runuser`), PostgreSQL 15 under `/usr/lib/postgresql/15/bin`, node/npm and \
         cargo. It installs message-db from npm into `benches/peers/.cache/`, starts and \
         removes its own PostgreSQL, builds the harness in release mode and writes this file. \
         `--smoke` runs a few seconds of each workload for CI and writes to a temporary file \
         instead."
    )?;
    std::fs::write(&out, d).with_context(|| format!("writing {out}"))?;
    eprintln!("wrote {out}");
    Ok(())
}

/// The most durable appends per second W writers can get from a disk whose `fdatasync` of a
/// small write takes `fdatasync_us` and which takes `bandwidth_mib` MiB/s sequentially: every
/// W events share one flush, which costs the latency plus the time to carry W payloads.
fn group_commit_ceiling(writers: usize, fdatasync_us: f64, bandwidth_mib: f64) -> f64 {
    let transfer_us =
        writers as f64 * PAYLOAD_BYTES as f64 / (bandwidth_mib * 1024.0 * 1024.0) * 1e6;
    writers as f64 * 1e6 / (fdatasync_us + transfer_us)
}
