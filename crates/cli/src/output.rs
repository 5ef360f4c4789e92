//! Printing results to stdout without panicking when the reader goes away (`ticketflow
//! history SD-1 | head` closes the pipe early): the command then simply stops, as `cat` does.

use std::io::Write as _;

/// Writes one line to stdout; exits quietly when stdout was closed by the reader.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"));
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        // Any other failure to print (a full disk behind a redirect) is reported once.
        eprintln!("ticketflow: cannot write the output: {e}");
        std::process::exit(2);
    }
}

/// `println!` for command output, safe on closed pipes.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
