//! The same configuration gives the same script, byte for byte; another seed another one.

use ticketflow_domain::script::ScriptLine;
use ticketflow_scenario::{ScenarioConfig, generate, to_json_lines, write_json_lines};

#[test]
fn the_same_config_gives_byte_identical_json_lines() {
    let config = ScenarioConfig::default();
    let first = to_json_lines(&generate(&config)).unwrap();
    let second = to_json_lines(&generate(&config.clone())).unwrap();
    assert_eq!(first, second);
}

#[test]
fn another_seed_gives_another_script() {
    let a = to_json_lines(&generate(&ScenarioConfig::small())).unwrap();
    let b = to_json_lines(&generate(&ScenarioConfig::small().with_seed(43))).unwrap();
    assert_ne!(a, b);
}

#[test]
fn the_json_lines_read_back_as_the_same_script_in_time_order() {
    let script = generate(&ScenarioConfig::small());
    let mut bytes = Vec::new();
    write_json_lines(&script, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text, to_json_lines(&script).unwrap());
    let parsed = ScriptLine::parse_all(&text).unwrap();
    assert_eq!(parsed, script);
}

#[test]
fn keys_are_numbered_in_order_of_creation() {
    let script = generate(&ScenarioConfig::small());
    let mut seen = Vec::new();
    for line in &script {
        let stream = line.command.stream_id().to_string();
        let Some(number) = stream
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        if stream.starts_with("order-") || seen.iter().any(|(s, _)| *s == stream) {
            continue;
        }
        seen.push((stream, number));
    }
    let numbers: Vec<u64> = seen.iter().map(|(_, n)| *n).collect();
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    assert_eq!(
        numbers, sorted,
        "tickets and deliveries appear in key order"
    );
    assert_eq!(numbers.first(), Some(&1001));
}

#[test]
fn nothing_is_scripted_outside_the_scenario_period() {
    let config = ScenarioConfig::small();
    let script = generate(&config);
    assert!(!script.is_empty());
    assert!(
        script
            .iter()
            .all(|l| l.at >= config.start && l.at < config.end())
    );
}

#[test]
fn an_empty_desk_gives_an_empty_script() {
    let config = ScenarioConfig {
        customers: 0,
        ..ScenarioConfig::default()
    };
    assert!(generate(&config).is_empty());
}
