//! The TwiML provider's REST API for calls in progress (Twilio's `Calls` resource; SignalWire
//! and Telnyx TeXML offer the same): the centre takes a caller away from an operator's phone
//! (a transfer, a hold) by redirecting the call to new TwiML — the provider ends the `<Dial>`,
//! hangs up the operator's leg and fetches the URL given.

use std::time::Duration;

use crate::{ChannelError, ChannelResult};

/// The calls API of one account; cheap to clone.
#[derive(Clone)]
pub struct TwilioCalls {
    http: reqwest::Client,
    /// `https://api.twilio.com`, or a provider's compatible address.
    base: String,
    account_sid: String,
    auth_token: String,
}

impl std::fmt::Debug for TwilioCalls {
    // The auth token never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioCalls")
            .field("base", &self.base)
            .field("account_sid", &self.account_sid)
            .finish_non_exhaustive()
    }
}

impl TwilioCalls {
    pub fn new(base: &str, account_sid: &str, auth_token: &str) -> ChannelResult<Self> {
        if account_sid.is_empty() || auth_token.is_empty() {
            return Err(ChannelError::Config(
                "the calls API needs the account id and the auth token".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| ChannelError::Config(e.to_string()))?;
        Ok(TwilioCalls {
            http,
            base: base.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
        })
    }

    /// Sends the call `call_sid` to the TwiML at `url` (fetched with POST).
    pub async fn redirect(&self, call_sid: &str, url: &str) -> ChannelResult<()> {
        // Twilio's ids are letters and digits; SignalWire's are UUIDs.
        let fits = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if call_sid.is_empty() || call_sid.len() > 64 || !call_sid.bytes().all(fits) {
            return Err(ChannelError::Address(call_sid.to_owned()));
        }
        let endpoint = format!(
            "{}/2010-04-01/Accounts/{}/Calls/{call_sid}.json",
            self.base, self.account_sid
        );
        let response = self
            .http
            .post(endpoint)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&[("Url", url), ("Method", "POST")])
            .send()
            .await
            .map_err(|e| ChannelError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let detail: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        if status.is_server_error() || status.as_u16() == 429 {
            Err(ChannelError::Transport(format!("{status} {detail}")))
        } else {
            Err(ChannelError::Rejected(format!("{status} {detail}")))
        }
    }
}
