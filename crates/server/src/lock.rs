//! The data directory's lock file, `DIR/server.lock`: one process at a time may write to a
//! data directory's log.
//!
//! The server holds an exclusive advisory lock (`flock`, through the standard library's
//! `File::try_lock`) on the file for its whole lifetime and writes its process id into it.
//! The offline writers (`import`, `restore`) take the same lock, so they refuse to run while
//! a server runs on the directory, and a second `serve` on the same directory is refused the
//! same way. The operating system releases the lock when the process ends, even on a crash,
//! so a stale file never blocks anyone.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside a data directory.
pub const LOCK_FILE: &str = "server.lock";

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error("a {holder} is running on {} (pid {pid}); stop it first", dir.display())]
    Held {
        /// The data directory.
        dir: PathBuf,
        /// What holds it, as written in the file (`server`, `import`, `restore`).
        holder: String,
        /// Its process id, as written in the file (0 if unreadable).
        pid: u32,
    },
    /// The lock file could not be created or locked.
    #[error("cannot use the lock file {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// The held lock; dropping it releases it (so does the process ending).
#[derive(Debug)]
pub struct DataDirLock {
    file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock on `dir` (created if missing) for `holder` (`server`, `import`, …),
    /// writing `"<pid> <holder>"` into the file; refuses at once if another process holds it.
    pub fn acquire(dir: &Path, holder: &str) -> Result<DataDirLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let mut words = text.split_whitespace();
                let pid = words.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                let holder = words.next().unwrap_or("server").to_owned();
                return Err(LockError::Held {
                    dir: dir.to_owned(),
                    holder,
                    pid,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{} {holder}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DataDirLock { file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDirLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path(), "server").unwrap();
        let refused = DataDirLock::acquire(dir.path(), "import").unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains(&format!(
                "a server is running on {} (pid {})",
                dir.path().display(),
                std::process::id()
            )),
            "{message}"
        );
        drop(first);
        DataDirLock::acquire(dir.path(), "import").unwrap();
    }
}
