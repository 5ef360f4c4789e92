//! Script files: the JSON-lines format of timestamped commands that `simulate`, `import` and
//! `demo --script` read (docs/cli.md, "Scripts"), with the file line of every command so that
//! refusals can name the line a person would open.

use std::path::Path;

use ticketflow_domain::script::ScriptLine;

use crate::error::CliError;

/// A parsed script and where each command stands in its file.
#[derive(Debug, Clone)]
pub struct Script {
    /// The command lines, in order.
    pub lines: Vec<ScriptLine>,
    /// The file line number of each command (comments and blank lines are skipped, so the
    /// n-th command is not always on line n).
    file_lines: Vec<usize>,
}

impl Script {
    /// The file line of the `n`-th command (1-based, as the simulation numbers them).
    pub fn file_line(&self, n: usize) -> usize {
        n.checked_sub(1)
            .and_then(|i| self.file_lines.get(i))
            .copied()
            .unwrap_or(n)
    }
}

/// Reads and checks a script file; errors name the file and the line.
pub fn read_script(path: &Path) -> Result<Script, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    parse_script(path, &text)
}

/// Parses script text read from `path` (used in messages).
pub fn parse_script(path: &Path, text: &str) -> Result<Script, CliError> {
    let lines = ScriptLine::parse_all(text).map_err(|source| CliError::Script {
        path: path.to_owned(),
        source,
    })?;
    if lines.is_empty() {
        return Err(CliError::EmptyScript {
            path: path.to_owned(),
        });
    }
    // The same rule as `ScriptLine::parse_all`: blank lines and `#` comments are skipped.
    let file_lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map(|(i, _)| i + 1)
        .collect();
    Ok(Script { lines, file_lines })
}
