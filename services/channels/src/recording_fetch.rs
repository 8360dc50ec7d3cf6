//! Fetching a call's recording from the cloud provider that made it (TwiML: Twilio and the
//! providers speaking its API keep a recorded `<Dial>`'s file at the `RecordingUrl` their
//! callback names, behind HTTP basic authentication with the account id and auth token).

use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;

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

    /// The file at `url`, as a stream of its chunks: a recording runs to a hundred megabytes
    /// and is written to the attachment store as it comes, never held whole. A status other
    /// than 200 is `Rejected` with the status: a provider that has not finished writing the
    /// file answers 404 for a moment, so the caller retries. A length announced above `max`
    /// is refused before a byte is read; the store counts the bytes of one that is not.
    pub async fn open(
        &self,
        url: &str,
        max: usize,
    ) -> ChannelResult<impl Stream<Item = ChannelResult<Bytes>> + Send + 'static> {
        let mut req = self.http.get(url);
        if let Some((sid, token)) = &self.account {
            req = req.basic_auth(sid, Some(token));
        }
        let resp = req
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
        Ok(futures_util::stream::unfold(
            Some(resp),
            |resp| async move {
                let mut resp = resp?;
                match resp.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), Some(resp))),
                    Ok(None) => None,
                    // The stream ends after its error.
                    Err(e) => Some((
                        Err(ChannelError::Transport(e.without_url().to_string())),
                        None,
                    )),
                }
            },
        ))
    }
}
