//! The acknowledgement protocol shared by the crash and power-loss tests: the child prints one
//! `ACK` line per append *after* `append` returned, and the parent counts only complete lines.
// Each test binary includes this module and reads a different subset of it.
#![allow(dead_code)]

use std::io::Write;

use ticketflow_events::StreamId;
use ticketflow_store::AppendOutcome;
use uuid::Uuid;

/// What the store answered for one acknowledged append.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    pub stream: StreamId,
    pub first_position: u64,
    pub last_position: u64,
    pub first_version: u64,
    pub last_version: u64,
}

/// Prints the acknowledgement of an append (one flushed write per line).
pub fn acknowledge(correlation: Uuid, stream: &StreamId, o: &AppendOutcome) {
    let line = format!(
        "ACK {correlation} {stream} {} {} {} {}\n",
        o.first_position, o.last_position, o.first_version, o.last_version
    );
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes()).unwrap();
    out.flush().unwrap();
}

/// Reads one acknowledgement line; `None` for anything else (e.g. a line cut by the kill).
pub fn parse(line: &str) -> Option<(Uuid, Ack)> {
    let mut f = line.strip_prefix("ACK ")?.split(' ');
    let correlation = f.next()?.parse().ok()?;
    let stream = f.next()?.parse().ok()?;
    let mut num = || f.next()?.trim().parse::<u64>().ok();
    Some((
        correlation,
        Ack {
            stream,
            first_position: num()?,
            last_position: num()?,
            first_version: num()?,
            last_version: num()?,
        },
    ))
}
