//! Progress of long work: a bar (indicatif) when a person watches a terminal, periodic
//! plain lines for logs when asked, silence otherwise — so piped output stays clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How progress is shown when nobody watches a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwatched {
    /// Show nothing.
    Quiet,
    /// Print a line on stderr at every tenth of the work.
    Lines,
}

/// A unit of long work being counted.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    label: String,
    total: u64,
    done: u64,
    next_line: u64,
}

impl Progress {
    /// Progress of `total` steps called `label`.
    pub fn new(label: &str, total: u64, unwatched: Unwatched) -> Self {
        let watched = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let bar = watched.then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta} left)")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            lines: !watched && unwatched == Unwatched::Lines,
            label: label.to_owned(),
            total,
            done: 0,
            next_line: step(total),
        }
    }

    /// Work of unknown length (one long call): a spinner while a person watches, else nothing.
    pub fn spinner(label: &str) -> Self {
        let watched = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let bar = watched.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            lines: false,
            label: label.to_owned(),
            total: 0,
            done: 0,
            next_line: 1,
        }
    }

    /// Sets how far the work got (absolute).
    pub fn set(&mut self, done: u64) {
        self.done = done.min(self.total);
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        }
        if self.lines && self.done >= self.next_line && self.done < self.total {
            eprintln!("{}: {}/{}", self.label, self.done, self.total);
            while self.next_line <= self.done {
                self.next_line += step(self.total);
            }
        }
    }

    /// One more step done.
    pub fn inc(&mut self) {
        self.set(self.done + 1);
    }

    /// The work is over: the bar disappears, a log gets its last line.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.lines {
            eprintln!("{}: {}/{} done", self.label, self.done, self.total);
        }
    }
}

/// A tenth of the work, at least one step.
fn step(total: u64) -> u64 {
    (total / 10).max(1)
}
