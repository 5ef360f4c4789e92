//! The `Principal` extractor: every endpoint that takes one requires a valid bearer token.
//!
//! `Authorization: Bearer tf_…` is looked up in the token store on every request (one indexed
//! read), so a token revoked with `ticketflow tokens revoke` stops working at once.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::problem::Problem;
use crate::state::AppState;

pub use ticketflow_access::Principal;

/// The authenticated caller, extracted from the `Authorization` header.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(Problem::unauthorized(
                "this endpoint needs a bearer token: send `Authorization: Bearer tf_…` (issue one with `ticketflow tokens issue`)",
            ));
        };
        let secret = value.to_str().ok().and_then(bearer_token).ok_or_else(|| {
            Problem::unauthorized("the Authorization header must read `Bearer <token>`")
        })?;
        let tokens = state.tokens.clone();
        let secret = secret.to_owned();
        let found = tokio::task::spawn_blocking(move || tokens.authenticate(&secret))
            .await
            .map_err(|e| Problem::internal(format!("the token lookup did not finish: {e}")))?
            .map_err(|e| Problem::internal(e.to_string()))?;
        found
            .map(Caller)
            .ok_or_else(|| Problem::unauthorized("the bearer token is unknown or was revoked"))
    }
}

/// The token in an `Authorization` value: the scheme `Bearer` in any case (RFC 9110 §11.1
/// makes auth schemes case-insensitive), at least one space, then the token.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(rest.trim()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in ["Bearer tf_x", "bearer tf_x", "BEARER tf_x", "bEaReR  tf_x "] {
            assert_eq!(bearer_token(value), Some("tf_x"), "{value}");
        }
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_refused() {
        for value in [
            "Basic dXNlcjpwdw==",
            "Bearer",
            "Bearer   ",
            "Bearertf_x",
            "",
        ] {
            assert_eq!(bearer_token(value), None, "{value}");
        }
    }
}
