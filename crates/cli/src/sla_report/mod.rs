//! `ticketflow sla report` — for support leads: the SLA read model's figures (tickets, open,
//! breached, breach rate, reaction and restoration p50/p90) per customer, priority and month,
//! folded from the log read-only, as a table, CSV or JSON; with `--what-if POLICY_FILE` the
//! same history is also scored under another policy book, side by side.
//!
//! The period selects tickets by their *receipt*: a ticket belongs to the window it was
//! opened in, and is scored at `--at` (default: now), so a report of March shows how March's
//! tickets stand today — or stood at the end of March with `--at 2026-04-01`.

mod layout;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde_json::json;
use ticketflow_domain::sla::SlaPolicyBook;
use ticketflow_events::ticket::{Priority, TicketEvent};
use ticketflow_events::{AnyEvent, OrganisationId, RecordedEvent, Timestamp};
use ticketflow_projections::sla::{SlaFilter, SlaGrouping, SlaStatistics};
use ticketflow_projections::{Month, ReadModel, SlaOverview, SnapshotError};
use ticketflow_store::Filter;

use crate::data_dir::DataDir;
use crate::error::CliError;
use layout::{Group, print_csv, print_table};

/// How `sla report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns for reading.
    Table,
    /// Comma-separated values with a header line, durations in seconds.
    Csv,
    /// One JSON document.
    Json,
}

/// A dimension the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dimension {
    /// One group per customer organisation.
    Customer,
    /// One group per priority.
    Priority,
    /// One group per month of receipt.
    Period,
}

/// What the report covers.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Only this customer organisation.
    pub customer: Option<String>,
    /// Only this priority (`P1`–`P4`).
    pub priority: Option<String>,
    /// Tickets received at or after this instant.
    pub from: Option<Timestamp>,
    /// Tickets received before this instant.
    pub to: Option<Timestamp>,
    /// The instant the clocks are evaluated at (default: now).
    pub at: Option<Timestamp>,
    /// Group by these dimensions (default: all three).
    pub group_by: Vec<Dimension>,
    /// Also score under this policy book.
    pub what_if: Option<PathBuf>,
    /// Output format.
    pub format: ReportFormat,
}

/// The SLA read model, fed only the tickets received inside the window: every later event of
/// a ticket it never saw opened is ignored by the read model itself.
struct Window {
    sla: Arc<SlaOverview>,
    /// The latest business time folded: the default evaluation instant when the log runs
    /// ahead of the wall clock (simulated or imported histories).
    latest: parking_lot::Mutex<Option<Timestamp>>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
}

impl ReadModel for Window {
    fn name(&self) -> &'static str {
        SlaOverview::NAME
    }
    fn version(&self) -> u32 {
        SlaOverview::VERSION
    }
    fn apply(&self, envelope: &RecordedEvent, event: &AnyEvent) {
        {
            let mut latest = self.latest.lock();
            *latest = (*latest).max(Some(envelope.occurred_at));
        }
        if let AnyEvent::Ticket(TicketEvent::TicketOpened(opened)) = event {
            let inside =
                self.from.is_none_or(|f| opened.at >= f) && self.to.is_none_or(|t| opened.at < t);
            if !inside {
                return;
            }
        }
        self.sla.apply(envelope, event);
    }
    fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        self.sla.snapshot()
    }
    fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        self.sla.restore(bytes)
    }
}

/// Reads a policy book from JSON, or TOML when the file name ends in `.toml`.
pub fn load_policy(path: &Path) -> Result<SlaPolicyBook, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |detail: String| CliError::Policy {
        path: path.to_owned(),
        detail,
    };
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let book = if is_toml {
        let book: SlaPolicyBook =
            toml::from_str(&text).map_err(|e| invalid(e.message().to_owned()))?;
        book.validate().map_err(|e| invalid(e.to_string()))?;
        book
    } else {
        SlaPolicyBook::from_json(&text).map_err(|e| invalid(e.to_string()))?
    };
    Ok(book)
}

fn parse_priority(text: &str) -> Result<Priority, CliError> {
    serde_json::from_value(serde_json::Value::String(text.to_uppercase()))
        .map_err(|_| CliError::Usage(format!("`{text}` is not a priority: use P1, P2, P3 or P4")))
}

type Key = (Option<OrganisationId>, Option<Priority>, Option<Month>);

/// The group a line of figures belongs to, created on first sight.
fn group_of<'a>(groups: &'a mut BTreeMap<Key, Group>, s: &SlaStatistics) -> &'a mut Group {
    groups
        .entry((s.customer.clone(), s.priority, s.period))
        .or_insert_with(|| Group {
            customer: s.customer.clone(),
            priority: s.priority,
            period: s.period,
            stored: None,
            what_if: None,
        })
}

/// Runs `sla report` on the data directory's log.
pub fn run(data_dir: &DataDir, request: &ReportRequest) -> anyhow::Result<()> {
    let filter = SlaFilter {
        customer: request.customer.clone().map(OrganisationId),
        priority: request
            .priority
            .as_deref()
            .map(parse_priority)
            .transpose()?,
        from: None,
        to: None,
    };
    let book = request.what_if.as_deref().map(load_policy).transpose()?;
    let store = data_dir.open_read_only()?;
    let config = ticketflow_domain::DeskConfig::default();
    let sla = Arc::new(SlaOverview::new(&config));
    let window = Arc::new(Window {
        sla: sla.clone(),
        latest: parking_lot::Mutex::new(None),
        from: request.from,
        to: request.to,
    });
    let models: Vec<Arc<dyn ReadModel>> = vec![window.clone()];
    crate::replay::fold_log(&store, &Filter::category("ticket"), &models)?;
    let latest = *window.latest.lock();
    let at = request
        .at
        .unwrap_or_else(|| Utc::now().max(latest.unwrap_or_default()));
    let dims = if request.group_by.is_empty() {
        vec![Dimension::Customer, Dimension::Priority, Dimension::Period]
    } else {
        request.group_by.clone()
    };
    let grouping = SlaGrouping {
        customer: dims.contains(&Dimension::Customer),
        priority: dims.contains(&Dimension::Priority),
        period: dims.contains(&Dimension::Period),
    };
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    for s in sla.statistics(&filter, grouping, at) {
        let group = group_of(&mut groups, &s);
        group.stored = Some(s);
    }
    if let Some(book) = &book {
        for s in sla.what_if(book).statistics(&filter, grouping, at) {
            let group = group_of(&mut groups, &s);
            group.what_if = Some(s);
        }
    }
    let groups: Vec<Group> = groups.into_values().collect();
    match request.format {
        ReportFormat::Json => {
            let doc = json!({
                "at": at,
                "received_from": request.from,
                "received_before": request.to,
                "customer": filter.customer,
                "priority": filter.priority,
                "what_if_policy": request.what_if.as_ref().map(|p| p.display().to_string()),
                "groups": groups,
            });
            crate::out!("{}", serde_json::to_string_pretty(&doc)?);
        }
        ReportFormat::Csv => print_csv(&groups, book.is_some()),
        ReportFormat::Table => print_table(request, at, &groups, book.is_some()),
    }
    Ok(())
}
