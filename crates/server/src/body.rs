//! Reading request bodies and headers strictly: bad JSON, wrong types and unknown fields are
//! each a 4xx problem naming what is wrong, and nothing is executed.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::Problem;

/// The header carrying the expected stream version.
pub const IF_MATCH: &str = "if-match";
/// The header carrying an idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The body as a JSON value; a body over the limit is 413, anything unreadable 400.
pub fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, Problem> {
    let bytes = body.map_err(|r| {
        let status = r.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                status,
                "body-too-large",
                "the request body is larger than the server accepts (see `serve --body-limit`)",
            )
        } else {
            Problem::new(status, "bad-request", r.body_text())
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            format!("the body is not valid JSON: {e}"),
        )
    })
}

/// Reads `value` as `T`, refusing fields `T` does not know (422 naming the field) and wrong
/// types (422 with the reader's message).
pub fn strict<T: DeserializeOwned + Serialize>(value: Value, what: &str) -> Result<T, Problem> {
    let parsed: T = serde_json::from_value(value.clone()).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-command",
            format!("not a valid {what}: {e}"),
        )
    })?;
    let echoed = serde_json::to_value(&parsed).map_err(|e| Problem::internal(e.to_string()))?;
    if let Some(path) = unknown_field(&value, &echoed, String::new()) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-field",
            format!("not a valid {what}: unknown field `{path}`; see /openapi.json for the fields each command takes"),
        )
        .with("field", path));
    }
    Ok(parsed)
}

/// The first field of `given` that the re-serialised `known` does not have.
fn unknown_field(given: &Value, known: &Value, path: String) -> Option<String> {
    match (given, known) {
        (Value::Object(g), Value::Object(k)) => g.iter().find_map(|(name, v)| {
            let here = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            match k.get(name) {
                Some(kv) => unknown_field(v, kv, here),
                // Fields whose value is empty may be left out of the re-serialisation
                // (`skip_serializing_if`): they carry nothing, so they are no unknown field.
                None if is_empty(v) => None,
                None => Some(here),
            }
        }),
        (Value::Array(g), Value::Array(k)) => g
            .iter()
            .zip(k)
            .enumerate()
            .find_map(|(i, (gv, kv))| unknown_field(gv, kv, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// Whether `v` is `null`, `{}` or `[]`: what a field left out on serialising reads as.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// `If-Match: "<version>"` as an expected version.
pub fn if_match(headers: &HeaderMap) -> Result<Option<u64>, Problem> {
    let Some(v) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.trim_matches('"').parse().map(Some).map_err(|_| {
        Problem::bad_request(
            "If-Match must carry a stream version as an entity tag, e.g. `If-Match: \"3\"` (the ETag of the last read)",
        )
    })
}

/// `Idempotency-Key`, at most 200 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(s) if !s.is_empty() && s.len() <= 200 => Ok(Some(s.to_owned())),
        _ => Err(Problem::bad_request(
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_at_any_depth_and_nulls_are_tolerated() {
        let known = json!({"a": 1, "b": {"c": 2}});
        assert_eq!(unknown_field(&json!({"a": 1}), &known, String::new()), None);
        assert_eq!(
            unknown_field(&json!({"z": 1}), &known, String::new()),
            Some("z".into())
        );
        assert_eq!(
            unknown_field(&json!({"b": {"d": 1}}), &known, String::new()),
            Some("b.d".into())
        );
        assert_eq!(
            unknown_field(&json!({"y": null}), &known, String::new()),
            None
        );
    }

    #[test]
    fn empty_maps_and_lists_left_out_on_serialising_are_not_unknown_fields() {
        let known = json!({"a": 1});
        for empty in [json!({}), json!([])] {
            assert_eq!(
                unknown_field(&json!({"a": 1, "targets": empty}), &known, String::new()),
                None
            );
        }
        assert_eq!(
            unknown_field(&json!({"targets": {"x": 1}}), &known, String::new()),
            Some("targets".into())
        );
    }
}
