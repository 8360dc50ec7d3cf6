//! The recordings keeper (issue "The phone", point 9): fetches the recordings a cloud provider
//! announced into the attachment store, retrying a failed fetch with a growing pause (a
//! provider may answer 404 for a moment after its callback) until it gives up; and deletes the
//! audio of recordings whose retention ran out (R33). Several nodes may run it: a recording
//! fetched or expired by one is skipped by the others.

use std::time::Duration;

use baylanys_centre::MAX_RECORDING_BYTES;
use baylanys_channels::RecordingFetcher;
use baylanys_store::{Files, Refused, Store};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use crate::supervisor::{Next, StepError, Worker};

/// Recordings fetched per step (each may be megabytes), and expired per step.
const FETCH_BATCH: u32 = 4;
const EXPIRE_BATCH: u32 = 100;
/// Fetch attempts before a recording is given up as failed: the pauses between them double
/// from 30 s, so the last is about two hours after the first.
pub const FETCH_ATTEMPTS: i32 = 9;

pub struct RecordingKeeper {
    store: Arc<dyn Store>,
    files: Files,
    fetcher: RecordingFetcher,
    tick: Duration,
}

impl std::fmt::Debug for RecordingKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingKeeper")
            .field("fetcher", &self.fetcher)
            .finish_non_exhaustive()
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RecordingPass {
    pub fetched: usize,
    pub failed: usize,
    pub expired: usize,
}

impl Worker for RecordingKeeper {
    async fn step(&self) -> Result<Next, StepError> {
        let pass = self.pass(baylanys_store::now()).await?;
        if pass != RecordingPass::default() {
            tracing::info!(?pass, "recordings");
        }
        Ok(if pass.fetched + pass.failed >= FETCH_BATCH as usize {
            Next::Again
        } else {
            Next::Wait
        })
    }

    async fn idle(&self) {
        tokio::time::sleep(self.tick).await;
    }
}

impl RecordingKeeper {
    /// Its name under the supervisor, in `/readyz`.
    pub const NAME: &'static str = "recordings";

    pub fn new(store: Arc<dyn Store>, files: Files, fetcher: RecordingFetcher) -> Self {
        RecordingKeeper {
            store,
            files,
            fetcher,
            tick: Duration::from_secs(2),
        }
    }

    /// Fetches what is due at `now` and deletes the audio whose retention ended before it.
    pub async fn pass(
        &self,
        now: DateTime<Utc>,
    ) -> Result<RecordingPass, baylanys_store::StoreError> {
        let mut pass = RecordingPass::default();
        for rec in self.store.recordings_due(now, FETCH_BATCH).await? {
            let Some(url) = rec.url.as_deref() else {
                continue;
            };
            let max = MAX_RECORDING_BYTES as u64;
            let fetched = match self.fetcher.open(url, MAX_RECORDING_BYTES).await {
                Ok(chunks) => match self.files.put_stream(chunks, max).await? {
                    Ok(kept) => Ok(kept),
                    Err(Refused::Source(e)) => Err(e.to_string()),
                    Err(Refused::TooLarge { max }) => Err(format!("longer than {max} bytes")),
                    Err(Refused::Empty) => Err("an empty file".to_owned()),
                },
                Err(e) => Err(e.to_string()),
            };
            match fetched {
                Ok(kept) => {
                    let size = i64::try_from(kept.size).unwrap_or(i64::MAX);
                    self.store
                        .recording_fetched(rec.id, &kept.key, size)
                        .await?;
                    pass.fetched += 1;
                }
                Err(e) => {
                    let tried = rec.attempts + 1;
                    let retry_at = (tried < FETCH_ATTEMPTS)
                        .then(|| now + chrono::Duration::seconds(30 << (tried - 1).clamp(0, 16)));
                    tracing::warn!(recording = %rec.id, attempt = tried, error = %e,
                        "a call's recording could not be fetched");
                    self.store
                        .recording_fetch_failed(rec.id, &e, retry_at)
                        .await?;
                    pass.failed += 1;
                }
            }
        }
        for rec in self.store.recordings_expired(now, EXPIRE_BATCH).await? {
            let shared = self.store.recording_expired(rec.id).await?;
            if let (false, Some(sha)) = (shared, rec.sha256.as_deref()) {
                self.files.delete(sha).await?;
            }
            pass.expired += 1;
        }
        Ok(pass)
    }
}
