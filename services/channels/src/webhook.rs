//! Signed webhooks between the centre and a body's own system, after the Standard Webhooks
//! specification (standardwebhooks.com): each call carries `webhook-id` (unique per message, the
//! key a receiver deduplicates by), `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (`v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, several space-separated during a
//! key rotation). The secret is `whsec_` + base64 of 32 random bytes, shared by both directions.
//! A receiver refuses a timestamp outside its tolerance (a replay of an old capture) and an id it
//! has seen (a replay within the tolerance).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{ChannelError, ChannelResult};

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "whsec_";

/// How far a call's timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;

/// A new secret for a body.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{PREFIX}{}", B64.encode(bytes))
}

fn key(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix(PREFIX).unwrap_or(secret))
        .ok()
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The `webhook-signature` value for one call.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> ChannelResult<String> {
    let key = key(secret)
        .ok_or_else(|| ChannelError::Config("the webhook secret is not valid".into()))?;
    let mac = mac(&key, id, timestamp, body)
        .ok_or_else(|| ChannelError::Config("the webhook secret is not valid".into()))?;
    Ok(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// Why an incoming call was refused. Deliberately coarse towards the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the webhook-id, webhook-timestamp and webhook-signature headers are required")]
    Missing,
    #[error("the timestamp is outside the accepted window")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks one incoming call against the secret at `now` (Unix seconds). The comparison is in
/// constant time.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    if id.is_empty() || id.len() > 200 || timestamp.is_empty() || signatures.is_empty() {
        return Err(SignatureError::Missing);
    }
    let ts: i64 = timestamp.parse().map_err(|_| SignatureError::Stale)?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let key = key(secret).ok_or(SignatureError::Mismatch)?;
    for candidate in signatures.split(' ') {
        let Some(b64) = candidate.strip_prefix("v1,") else {
            continue;
        };
        let Ok(given) = B64.decode(b64) else {
            continue;
        };
        if let Some(m) = mac(&key, id, ts, body) {
            if m.verify_slice(&given).is_ok() {
                return Ok(());
            }
        }
    }
    Err(SignatureError::Mismatch)
}

/// Posts signed JSON documents to bodies' systems.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    http: reqwest::Client,
}

impl WebhookSender {
    pub fn new() -> ChannelResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ChannelError::Config(e.to_string()))?;
        Ok(WebhookSender { http })
    }

    /// One attempt. A 2xx is delivered; a timeout, 408, 429 or 5xx may pass on a retry
    /// (`Transport`); any other answer means the receiver refuses it as it is (`Rejected`).
    pub async fn post(
        &self,
        url: &str,
        secret: &str,
        id: &str,
        timestamp: i64,
        body: &str,
    ) -> ChannelResult<()> {
        let parsed = reqwest::Url::parse(url).map_err(|_| ChannelError::Address(url.into()))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(ChannelError::Address(url.into()));
        }
        let signature = sign(secret, id, timestamp, body.as_bytes())?;
        let answer = self
            .http
            .post(parsed)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| ChannelError::Transport(e.without_url().to_string()))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let text: String = answer
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let message = format!("HTTP {}: {text}", status.as_u16());
        if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            Err(ChannelError::Transport(message))
        } else {
            Err(ChannelError::Rejected(message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_as_the_specification_does() -> Result<(), ChannelError> {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, 1614265330, body)?,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        Ok(())
    }

    #[test]
    fn verification_refuses_tampering_staleness_and_a_wrong_key() -> Result<(), ChannelError> {
        let secret = new_secret();
        let body = br#"{"action":"accept"}"#;
        let sig = sign(&secret, "m1", 1_000_000, body)?;
        assert_eq!(
            verify(&secret, "m1", "1000000", &sig, body, 1_000_100),
            Ok(())
        );
        // A rotated key: any of the signatures may match.
        let both = format!("v1,AAAA {sig}");
        assert_eq!(
            verify(&secret, "m1", "1000000", &both, body, 1_000_000),
            Ok(())
        );
        let tampered = br#"{"action":"return"}"#;
        assert_eq!(
            verify(&secret, "m1", "1000000", &sig, tampered, 1_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secret, "m2", "1000000", &sig, body, 1_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                &secret,
                "m1",
                "1000000",
                &sig,
                body,
                1_000_000 + TOLERANCE_SECS + 1
            ),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(&new_secret(), "m1", "1000000", &sig, body, 1_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secret, "", "1000000", &sig, body, 1_000_000),
            Err(SignatureError::Missing)
        );
        Ok(())
    }
}
