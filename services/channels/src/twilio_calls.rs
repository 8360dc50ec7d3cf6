//! The TwiML provider's REST API for calls (Twilio's `Calls` resource; SignalWire and Telnyx
//! TeXML offer the same): the centre takes a caller away from an operator's phone (a transfer,
//! a hold) by redirecting the call to new TwiML — the provider ends the `<Dial>`, hangs up the
//! operator's leg and fetches the URL given; and it places calls to clients (R13), the provider
//! fetching the TwiML at `Url` when the client answers and telling the outcome at
//! `StatusCallback`.

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
    /// The centre's number clients see when it calls them; empty: it places no calls.
    from: String,
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
    pub fn new(base: &str, account_sid: &str, auth_token: &str, from: &str) -> ChannelResult<Self> {
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
            from: from.to_owned(),
        })
    }

    /// Whether calls can be placed (the centre's number is set).
    pub fn places_calls(&self) -> bool {
        !self.from.is_empty()
    }

    /// Calls `to` (`+` and 10–15 digits) from the centre's number: `answered_url` is fetched
    /// when the client answers, `status_url` told how the call ended; unanswered after
    /// `ring_secs`, the provider gives up (`no-answer`). Returns the provider's call id.
    pub async fn place(
        &self,
        to: &str,
        answered_url: &str,
        status_url: &str,
        ring_secs: u32,
    ) -> ChannelResult<String> {
        if !self.places_calls() {
            return Err(ChannelError::Config(
                "the centre's number (caller id) is not set".into(),
            ));
        }
        let digits = to.strip_prefix('+').unwrap_or(to);
        if !(10..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChannelError::Address(to.to_owned()));
        }
        let to = format!("+{digits}");
        let ring = ring_secs.clamp(5, 600).to_string();
        let form = [
            ("To", to.as_str()),
            ("From", self.from.as_str()),
            ("Url", answered_url),
            ("Method", "POST"),
            ("StatusCallback", status_url),
            ("StatusCallbackMethod", "POST"),
            ("StatusCallbackEvent", "completed"),
            ("Timeout", ring.as_str()),
        ];
        let endpoint = format!(
            "{}/2010-04-01/Accounts/{}/Calls.json",
            self.base, self.account_sid
        );
        let response = self.post(&endpoint, &form).await?;
        #[derive(serde::Deserialize)]
        struct Created {
            sid: String,
        }
        let created: Created = response
            .json()
            .await
            .map_err(|e| ChannelError::Transport(format!("unreadable answer: {e}")))?;
        Ok(created.sid)
    }

    async fn post(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> ChannelResult<reqwest::Response> {
        let response = self
            .http
            .post(endpoint)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(form)
            .send()
            .await
            .map_err(|e| ChannelError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
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
        self.post(&endpoint, &[("Url", url), ("Method", "POST")])
            .await
            .map(|_| ())
    }
}
