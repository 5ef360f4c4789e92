//! Signing and verifying webhook requests (Stripe-style).
//!
//! Every request carries `Ticketflow-Signature: t=<unix seconds>,v1=<hex>`, where the hex is
//! HMAC-SHA256 keyed with the endpoint's secret over `"<t>.<body>"`. Signing the timestamp
//! together with the body lets a receiver reject replays: a captured request cannot be sent
//! again later with a fresh `t` without the secret. A receiver should verify with
//! [`verify_signature`] *before* parsing the body, and dedupe by event position (delivery is
//! at least once).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::SignatureError;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Ticketflow-Signature";
/// The header carrying the delivery id (one id per batch, the same on every retry).
pub const DELIVERY_HEADER: &str = "Ticketflow-Delivery";
/// The header carrying the batch's global positions, `first-last`.
pub const POSITIONS_HEADER: &str = "Ticketflow-Event-Positions";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long ones are hashed), so this never fails, whatever
    // the secret is.
    #[allow(clippy::expect_used)]
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for `body` signed at `timestamp` (unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// Verifies a `Ticketflow-Signature` header against the body and the endpoint's secret,
/// refusing a timestamp more than `tolerance` away from the current system time (replay).
///
/// Several `v1=` entries are accepted (any one matching suffices), so a sender may sign with
/// an old and a new secret while a rotation is rolled out. The comparison is constant-time.
pub fn verify_signature(
    secret: &str,
    header: &str,
    body: &[u8],
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    verify_signature_at(secret, header, body, tolerance, now)
}

/// [`verify_signature`] against an explicit "now" (unix seconds), for receivers with their own
/// clock and for tests.
pub fn verify_signature_at(
    secret: &str,
    header: &str,
    body: &[u8],
    tolerance: Duration,
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (name, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match name {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            "v1" => signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            _ => {} // unknown schemes are ignored, so new ones can be added
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let tolerance_secs = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age_secs = now.saturating_sub(timestamp).saturating_abs();
    if age_secs > tolerance_secs {
        return Err(SignatureError::OutsideTolerance {
            age_secs,
            tolerance_secs,
        });
    }
    let expected = mac(secret, timestamp, body);
    if signatures
        .iter()
        .any(|s| expected.clone().verify_slice(s).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_signed_body_verifies_with_the_same_secret() {
        let header = sign("whsec_a", 1_700_000_000, b"{}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify_signature_at("whsec_a", &header, b"{}", MINUTE, 1_700_000_030),
            Ok(())
        );
    }

    #[test]
    fn another_secret_or_body_does_not_verify() {
        let header = sign("whsec_a", 1_700_000_000, b"{}");
        let now = 1_700_000_000;
        assert_eq!(
            verify_signature_at("whsec_b", &header, b"{}", MINUTE, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature_at("whsec_a", &header, b"{ }", MINUTE, now),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_old_timestamp_is_refused_as_a_possible_replay() {
        let header = sign("whsec_a", 1_700_000_000, b"{}");
        assert!(matches!(
            verify_signature_at("whsec_a", &header, b"{}", MINUTE, 1_700_000_061),
            Err(SignatureError::OutsideTolerance { age_secs: 61, .. })
        ));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz", "garbage"] {
            assert_eq!(
                verify_signature_at("s", header, b"", MINUTE, 1),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let good = sign("new", 5, b"x");
        let v1 = good.split_once(",v1=").map(|(_, v)| v).unwrap_or_default();
        let header = format!("t=5,v1={},v1={v1}", "00".repeat(32));
        assert_eq!(verify_signature_at("new", &header, b"x", MINUTE, 5), Ok(()));
    }
}
