//! What can go wrong in the offline commands, in sentences a user can act on, and the exit
//! code each failure maps to (2 = the input or the usage is wrong, 1 = the answer is no).

use std::path::PathBuf;

use ticketflow_domain::script::ScriptError;

/// A failure of a `ticketflow` command that the user can fix or must know about.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The data directory holds no store.
    #[error(
        "no store at {}: expected the file {file} in the data directory (pass --data-dir; the default is ./ticketflow-data)", dir.join(file).display()
    )]
    NoStore {
        /// The data directory given.
        dir: PathBuf,
        /// The store's file name.
        file: &'static str,
    },
    /// The argument of `history` is not shaped like a key.
    #[error(
        "`{given}` is not a ticket, order or delivery key: expected SD-1042 (a ticket or a delivery), CO-17 (an order) or a stream id such as ticket-SD-1042"
    )]
    NotAKey {
        /// What was given (truncated).
        given: String,
    },
    /// No stream has that key.
    #[error("{key} is not in the store at {store}: no ticket, order or delivery has that key")]
    UnknownKey {
        /// The key asked for.
        key: String,
        /// The store searched.
        store: PathBuf,
    },
    /// An input file could not be read.
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A script line is wrong (the message names the line).
    #[error("{path}: {source}")]
    Script {
        /// The script file.
        path: PathBuf,
        /// What is wrong and on which line.
        source: ScriptError,
    },
    /// The script has no command lines at all.
    #[error("{path} holds no commands: a script is one JSON object per line (see docs/cli.md)")]
    EmptyScript {
        /// The script file.
        path: PathBuf,
    },
    /// A policy file for `sla report --what-if` is not a valid policy book.
    #[error("the SLA policy file {path} is not valid: {detail} (see docs/sla.md, section Reports)")]
    Policy {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A command-line value is wrong.
    #[error("{0}")]
    Usage(String),
    /// `restore` would overwrite a data directory that holds data.
    #[error(
        "{dir} is not empty; restore only into an empty or new data directory, or pass --force to replace its event log (and drop its read-model snapshots)"
    )]
    NotEmpty {
        /// The data directory.
        dir: PathBuf,
    },
    /// Another process (a server, an import, a restore) holds the data directory.
    #[error(transparent)]
    Locked(#[from] ticketflow_server::lock::LockError),
    /// The server answered with an error (its problem detail).
    #[error("the server refused: {detail} (HTTP {status})")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The problem's detail sentence.
        detail: String,
    },
    /// An online rebuild stopped with an error; the old read model stays in use.
    #[error("rebuilds failed (the previous read models keep answering): {0}")]
    RebuildFailed(String),
    /// The server could not be reached.
    #[error(
        "cannot reach the server at {url}: {reason}; is `ticketflow serve` running there (see --url)?"
    )]
    Unreachable {
        /// The server's base URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The backup's hash chains are broken: restoring it would restore a tampered log.
    #[error("the backup {path} is not intact ({detail}); nothing was restored")]
    BrokenBackup {
        /// The backup file.
        path: PathBuf,
        /// The first broken link.
        detail: String,
    },
}

/// Lines an import could not record because the domain refused them.
#[derive(Debug, thiserror::Error)]
#[error(
    "{count} line(s) of {file} were refused and recorded nothing (the first: line {first_line}); fix them in the file and import it again — the lines already recorded are not recorded twice"
)]
pub struct RefusedLines {
    /// How many lines were refused.
    pub count: usize,
    /// The script file.
    pub file: PathBuf,
    /// The file line of the first refusal.
    pub first_line: usize,
}

impl CliError {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::BrokenBackup { .. } | CliError::Locked(_) | CliError::RebuildFailed(_) => 1,
            CliError::Refused { status, .. } if *status == 403 || *status == 409 => 1,
            _ => 2,
        }
    }
}

/// The exit code for any error a command returned: a [`CliError`] decides itself, anything
/// else (store, engine) is reported as a usage or input problem.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<RefusedLines>().is_some() {
        // The import ran; the answer to "is all of it in the store?" is no.
        return 1;
    }
    error
        .downcast_ref::<CliError>()
        .map_or(2, CliError::exit_code)
}
