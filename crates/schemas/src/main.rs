//! `ticketflow-schemas write | check [--dir DIR]`: regenerate or verify the checked-in JSON
//! Schemas (default directory: the workspace's `schemas/`).

use std::path::PathBuf;
use std::process::ExitCode;

use ticketflow_schemas::{Drift, WRITE_COMMAND, check, default_dir, write};

const USAGE: &str = "usage: ticketflow-schemas <write|check> [--dir DIR]
  write   regenerate every schema file from the Rust types
  check   exit non-zero if any schema file is stale, missing or left over";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (action, dir) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match action.as_str() {
        "write" => match write(&dir) {
            Ok(changed) if changed.is_empty() => {
                println!("{}: every schema is current", dir.display());
                ExitCode::SUCCESS
            }
            Ok(changed) => {
                for drift in changed {
                    match drift {
                        Drift::Missing(name) => println!("wrote {}", dir.join(name).display()),
                        Drift::Stale(name) => println!("updated {}", dir.join(name).display()),
                        Drift::Unexpected(name) => {
                            println!("removed {}", dir.join(name).display())
                        }
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        "check" => match check(&dir) {
            Ok(drift) if drift.is_empty() => {
                println!("{}: every schema is current", dir.display());
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                for d in &drift {
                    eprintln!("{d}");
                }
                eprintln!("run `{WRITE_COMMAND}` and commit the result");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        other => {
            eprintln!("unknown action `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: &[String]) -> Result<(String, PathBuf), String> {
    let mut action = None;
    let mut dir = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--dir" => match rest.next() {
                Some(value) => dir = Some(PathBuf::from(value)),
                None => return Err("`--dir` needs a directory".to_owned()),
            },
            "-h" | "--help" => return Err(String::new()),
            _ if action.is_none() => action = Some(arg.clone()),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    let action = action.ok_or_else(|| "missing action: `write` or `check`".to_owned())?;
    Ok((action, dir.unwrap_or_else(default_dir)))
}
