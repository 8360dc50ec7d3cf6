//! Fetching a call's recording from the cloud provider that made it (TwiML: Twilio and the
//! providers speaking its API keep a recorded `<Dial>`'s file at the `RecordingUrl` their
//! callback names, behind HTTP basic authentication with the account id and auth token).

use std::time::Duration;

use crate::{ChannelError, ChannelResult};

/// Fetches recordings; cheap to clone.
#[derive(Clone)]
pub struct RecordingFetcher {
    http: reqwest::Client,
    /// The provider account's id and auth token, when configured.
    account: Option<(String, String)>,
}

impl std::fmt::Debug for RecordingFetcher {
    // The auth token never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingFetcher")
            .field("account", &self.account.as_ref().map(|(sid, _)| sid))
            .finish_non_exhaustive()
    }
}

impl RecordingFetcher {
    /// `account`: the provider's account id and auth token (both, or the fetch goes without).
    pub fn new(account: Option<(String, String)>) -> ChannelResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ChannelError::Config(e.to_string()))?;
        Ok(RecordingFetcher {
            http,
            account: account.filter(|(sid, token)| !sid.is_empty() && !token.is_empty()),
        })
    }

    /// The file at `url`, at most `max` bytes (a longer one is refused, not cut). A status
    /// other than 200 is `Rejected` with the status: a provider that has not finished writing
    /// the file answers 404 for a moment, so the caller retries.
    pub async fn fetch(&self, url: &str, max: usize) -> ChannelResult<Vec<u8>> {
        let mut req = self.http.get(url);
        if let Some((sid, token)) = &self.account {
            req = req.basic_auth(sid, Some(token));
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| ChannelError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ChannelError::Rejected(format!("HTTP {status}")));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX))
        {
            return Err(ChannelError::Rejected(format!("longer than {max} bytes")));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ChannelError::Transport(e.without_url().to_string()))?
        {
            if out.len() + chunk.len() > max {
                return Err(ChannelError::Rejected(format!("longer than {max} bytes")));
            }
            out.extend_from_slice(&chunk);
        }
        if out.is_empty() {
            return Err(ChannelError::Rejected("an empty file".into()));
        }
        Ok(out)
    }
}
