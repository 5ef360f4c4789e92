//! How `sla report` lays its groups out: an aligned table, CSV and the JSON shape of a group.

use serde::Serialize;
use serde_json::json;
use ticketflow_events::ticket::Priority;
use ticketflow_events::{OrganisationId, Timestamp};
use ticketflow_projections::Month;
use ticketflow_projections::sla::SlaStatistics;

use super::ReportRequest;
use crate::instant::show;

/// One group of the report.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Group {
    pub(super) customer: Option<OrganisationId>,
    pub(super) priority: Option<Priority>,
    #[serde(serialize_with = "month_text")]
    pub(super) period: Option<Month>,
    #[serde(serialize_with = "figures")]
    pub(super) stored: Option<SlaStatistics>,
    #[serde(serialize_with = "figures")]
    pub(super) what_if: Option<SlaStatistics>,
}

/// A month as `YYYY-MM` in JSON.
fn month_text<S: serde::Serializer>(month: &Option<Month>, s: S) -> Result<S::Ok, S::Error> {
    match month {
        Some(m) => s.serialize_str(&m.to_string()),
        None => s.serialize_none(),
    }
}

/// A group's figures in JSON, without repeating the group's key.
fn figures<S: serde::Serializer>(stats: &Option<SlaStatistics>, s: S) -> Result<S::Ok, S::Error> {
    match stats {
        Some(t) => json!({
            "tickets": t.tickets,
            "open": t.open,
            "breached": t.breached,
            "at_risk": t.at_risk,
            "breach_rate": t.breach_rate,
            "reaction": t.reaction,
            "restoration": t.restoration,
        })
        .serialize(s),
        None => s.serialize_none(),
    }
}

fn seconds(v: Option<i64>) -> String {
    v.map_or(String::new(), |s| s.to_string())
}

fn hours(v: Option<i64>) -> String {
    v.map_or("-".to_owned(), |s| {
        format!("{}h{:02}", s / 3600, (s % 3600) / 60)
    })
}

fn key_text(g: &Group) -> [String; 3] {
    [
        g.customer
            .as_ref()
            .map_or("*".to_owned(), ToString::to_string),
        g.priority.map_or("*".to_owned(), |p| p.to_string()),
        g.period.map_or("*".to_owned(), |m| m.to_string()),
    ]
}

pub(super) fn print_csv(groups: &[Group], what_if: bool) {
    let figures = |prefix: &str| {
        [
            "tickets",
            "open",
            "breached",
            "at_risk",
            "breach_rate",
            "reaction_p50_s",
            "reaction_p90_s",
            "restoration_p50_s",
            "restoration_p90_s",
        ]
        .map(|f| format!("{prefix}{f}"))
        .join(",")
    };
    let mut header = format!("customer,priority,period,{}", figures(""));
    if what_if {
        header.push(',');
        header.push_str(&figures("what_if_"));
    }
    crate::out!("{header}");
    let values = |s: Option<&SlaStatistics>| match s {
        None => ",,,,,,,,".to_owned(),
        Some(s) => format!(
            "{},{},{},{},{:.4},{},{},{},{}",
            s.tickets,
            s.open,
            s.breached,
            s.at_risk,
            s.breach_rate,
            seconds(s.reaction.p50_seconds),
            seconds(s.reaction.p90_seconds),
            seconds(s.restoration.p50_seconds),
            seconds(s.restoration.p90_seconds)
        ),
    };
    for g in groups {
        let [c, p, m] = key_text(g);
        let mut line = format!("{},{p},{m},{}", csv_field(&c), values(g.stored.as_ref()));
        if what_if {
            line.push(',');
            line.push_str(&values(g.what_if.as_ref()));
        }
        crate::out!("{line}");
    }
}

/// Quotes a CSV field when it holds a separator or a quote.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

pub(super) fn print_table(request: &ReportRequest, at: Timestamp, groups: &[Group], what_if: bool) {
    let window = match (request.from, request.to) {
        (None, None) => "all tickets".to_owned(),
        (Some(f), None) => format!("tickets received from {}", show(f)),
        (None, Some(t)) => format!("tickets received before {}", show(t)),
        (Some(f), Some(t)) => format!("tickets received {} – {}", show(f), show(t)),
    };
    crate::out!("SLA report: {window}, clocks at {}", show(at));
    if let Some(path) = &request.what_if {
        crate::out!("what-if: the same tickets scored under {}", path.display());
    }
    let mut header = format!(
        "{:<16} {:<4} {:<7} {:>7} {:>5} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "customer",
        "prio",
        "period",
        "tickets",
        "open",
        "breached",
        "rate",
        "react p50",
        "react p90",
        "rest. p50",
        "rest. p90"
    );
    if what_if {
        header.push_str(&format!(
            " | {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
            "breached", "rate", "react p50", "react p90", "rest. p50", "rest. p90"
        ));
    }
    crate::out!("{header}");
    let figures = |s: Option<&SlaStatistics>, full: bool| match s {
        None if full => format!(
            "{:>7} {:>5} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
            0, 0, 0, "-", "-", "-", "-", "-"
        ),
        None => format!(
            "{:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
            0, "-", "-", "-", "-", "-"
        ),
        Some(s) => {
            let rest = format!(
                "{:>8} {:>6.1}% {:>9} {:>9} {:>9} {:>9}",
                s.breached,
                s.breach_rate * 100.0,
                hours(s.reaction.p50_seconds),
                hours(s.reaction.p90_seconds),
                hours(s.restoration.p50_seconds),
                hours(s.restoration.p90_seconds)
            );
            if full {
                format!("{:>7} {:>5} {rest}", s.tickets, s.open)
            } else {
                rest
            }
        }
    };
    for g in groups {
        let [c, p, m] = key_text(g);
        let mut line = format!("{c:<16} {p:<4} {m:<7} {}", figures(g.stored.as_ref(), true));
        if what_if {
            line.push_str(&format!(" | {}", figures(g.what_if.as_ref(), false)));
        }
        crate::out!("{line}");
    }
    if groups.is_empty() {
        crate::out!("(no tickets the SLA applies to match)");
    }
}
