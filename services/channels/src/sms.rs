//! SMS through a Twilio-compatible Messages API: `POST
//! {base}/2010-04-01/Accounts/{AccountSid}/Messages.json` with the form fields `To`, `From` and
//! `Body`, HTTP Basic auth `AccountSid:AuthToken`; `201 Created` with the message's `sid`, or
//! an error object `{"code", "message", "status"}`. Kazakh operators' SMS gateways and the
//! telephony provider of the voice channel speak it.

use std::time::Duration;

use serde::Deserialize;

use crate::{ChannelError, ChannelResult};

pub struct SmsGateway {
    http: reqwest::Client,
    base: String,
    account_sid: String,
    auth_token: String,
    from: String,
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsGateway")
            .field("base", &self.base)
            .field("account_sid", &self.account_sid)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[derive(Deserialize)]
struct Failure {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

impl SmsGateway {
    pub fn new(base: &str, account_sid: &str, auth_token: &str, from: &str) -> ChannelResult<Self> {
        if account_sid.is_empty() || auth_token.is_empty() || from.is_empty() {
            return Err(ChannelError::Config(
                "sms needs an account sid, an auth token and a sender".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| ChannelError::Config(e.to_string()))?;
        Ok(SmsGateway {
            http,
            base: base.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            from: from.to_owned(),
        })
    }

    /// Sends one text; returns the gateway's message id.
    pub async fn send(&self, to: &str, body: &str) -> ChannelResult<String> {
        let digits = to.strip_prefix('+').unwrap_or(to);
        if !(10..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ChannelError::Address(to.to_owned()));
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base, self.account_sid
        );
        let response = self
            .http
            .post(url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&[("To", to), ("From", self.from.as_str()), ("Body", body)])
            .send()
            .await
            .map_err(|e| ChannelError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            let created: Created = response
                .json()
                .await
                .map_err(|e| ChannelError::Transport(format!("unreadable answer: {e}")))?;
            return Ok(created.sid);
        }
        let failure: Option<Failure> = response.json().await.ok();
        let detail = failure
            .map(|f| {
                format!(
                    "{} {}",
                    f.code.map(|c| c.to_string()).unwrap_or_default(),
                    f.message.unwrap_or_default()
                )
            })
            .unwrap_or_default();
        if status.is_server_error() || status.as_u16() == 429 {
            Err(ChannelError::Transport(format!("{status} {detail}")))
        } else {
            Err(ChannelError::Rejected(format!("{status} {detail}")))
        }
    }
}
