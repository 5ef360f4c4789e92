//! Rough generation speed (run with `--ignored --nocapture`, ideally `--release`).

use std::time::Instant;

use ticketflow_scenario::{ScenarioConfig, generate, to_json_lines};

#[test]
#[ignore = "a measurement, not a check; run with --ignored --nocapture --release"]
fn generation_speed() {
    for (name, config) in [
        ("default", ScenarioConfig::default()),
        ("large", ScenarioConfig::large()),
    ] {
        let started = Instant::now();
        let script = generate(&config);
        let generated = started.elapsed();
        let json = to_json_lines(&script).unwrap_or_default();
        let written = started.elapsed() - generated;
        eprintln!(
            "{name}: {} lines in {:.0} ms ({:.0} lines/s); JSON {} MB in {:.0} ms",
            script.len(),
            generated.as_secs_f64() * 1000.0,
            script.len() as f64 / generated.as_secs_f64(),
            json.len() / 1_000_000,
            written.as_secs_f64() * 1000.0
        );
    }
}
