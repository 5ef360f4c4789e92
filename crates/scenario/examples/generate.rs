//! Writes a generated scenario as JSON lines to standard output, e.g. for demo data:
//!
//! ```text
//! cargo run -p ticketflow-scenario --example generate -- --preset large --seed 7 > script.jsonl
//! ```
//!
//! Options: `--preset default|small|large`, `--seed N`, `--customers N`, `--months N`,
//! `--intensity X` (tickets per customer and month).

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use ticketflow_scenario::{ScenarioConfig, generate, write_json_lines};

fn parse_args(args: &[String]) -> Result<ScenarioConfig, String> {
    let mut config = ScenarioConfig::default();
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .ok_or_else(|| format!("`{}` needs a value", args[i]))?;
        let bad = |what: &str| format!("`{}` expects {what}, got `{value}`", args[i]);
        match args[i].as_str() {
            "--preset" => {
                let seed = config.seed;
                config = match value.as_str() {
                    "default" => ScenarioConfig::default(),
                    "small" => ScenarioConfig::small(),
                    "large" => ScenarioConfig::large(),
                    _ => return Err(bad("default, small or large")),
                }
                .with_seed(seed);
            }
            "--seed" => config.seed = value.parse().map_err(|_| bad("a whole number"))?,
            "--customers" => config.customers = value.parse().map_err(|_| bad("a count"))?,
            "--months" => config.months = value.parse().map_err(|_| bad("a count"))?,
            "--intensity" => {
                config.tickets_per_customer_per_month =
                    value.parse().map_err(|_| bad("a number such as 12.5"))?;
            }
            other => {
                return Err(format!(
                    "unknown option `{other}`; use --preset, --seed, --customers, --months or --intensity"
                ));
            }
        }
        i += 2;
    }
    Ok(config)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("generate: {message}");
            return ExitCode::from(2);
        }
    };
    let script = generate(&config);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if let Err(e) = write_json_lines(&script, &mut out).and_then(|()| Ok(out.flush()?)) {
        eprintln!("generate: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
