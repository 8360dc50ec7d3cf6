//! A call's recording arrives (issue "The phone", point 9; R32–R33): from a PBX that uploads
//! its file, or from a cloud provider that says where to fetch it. It is kept only for a call
//! whose caller was told it is recorded, linked to the contact it recorded, until the centre's
//! retention runs out.

use baylanys_domain::{Channel, DomainError};
use baylanys_store::{Actor, Announced, Files, NewRecording, RecordingBody, Refused};
use bytes::Bytes;
use futures_util::stream::BoxStream;

use crate::{Centre, CentreResult};

/// The largest recording taken, in bytes: two hours of 8 kHz 16-bit stereo WAV.
pub const MAX_RECORDING_BYTES: usize = 2 * 3600 * 8000 * 2 * 2 + 4096;

/// A recording as an adapter hands it over.
#[derive(Debug)]
pub struct RecordingIn<'a> {
    pub provider: &'static str,
    pub call_id: String,
    /// The provider's name of the recording (unique per provider): a retry carries the same.
    pub source: String,
    pub duration_secs: Option<i32>,
    pub body: RecordingFile<'a>,
}

pub enum RecordingFile<'a> {
    /// The file itself as it comes in (a PBX's upload), a chunk at a time: a recording runs
    /// to a hundred megabytes, and is never held whole in memory. An error is the sender's
    /// (its connection broke), in words for the refusal.
    Upload {
        chunks: BoxStream<'a, Result<Bytes, String>>,
        content_type: String,
    },
    /// Where the provider keeps it; fetched by the recordings worker.
    At { url: String },
}

impl std::fmt::Debug for RecordingFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordingFile::Upload { content_type, .. } => f
                .debug_struct("Upload")
                .field("content_type", content_type)
                .finish_non_exhaustive(),
            RecordingFile::At { url } => f.debug_struct("At").field("url", url).finish(),
        }
    }
}

fn refused(reason: String) -> crate::CentreError {
    DomainError::InvalidField {
        field: "recording",
        reason,
    }
    .into()
}

fn checked(field: &'static str, v: &str, max: usize) -> Result<(), DomainError> {
    if !v.is_empty() && v.len() <= max && v.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(DomainError::InvalidField {
            field,
            reason: format!("1 to {max} printable ASCII characters"),
        })
    }
}

impl Centre {
    /// Takes a recording of a known call; see the module documentation. The bytes of an upload
    /// are in the attachment store before the row that names them is written.
    pub async fn recording_arrived(
        &self,
        files: &Files,
        input: RecordingIn<'_>,
    ) -> CentreResult<Announced> {
        checked("call_id", &input.call_id, 128)?;
        checked("source", &input.source, 200)?;
        let call = self
            .store
            .call(input.provider, &input.call_id)
            .await?
            .ok_or(baylanys_store::StoreError::NotFound("call"))?;
        if !call.recorded {
            // Checked before the bytes are kept: a recording the caller was not told of is
            // never written anywhere.
            tracing::info!(provider = input.provider, call_id = %input.call_id,
                "a recording of a call whose queue does not record was not kept");
            return Ok(Announced::NotRecorded);
        }
        let (content_type, body) = match input.body {
            RecordingFile::Upload {
                chunks,
                content_type,
            } => {
                let max = MAX_RECORDING_BYTES as u64;
                match files.put_stream(chunks, max).await? {
                    Ok(kept) => {
                        let size = i64::try_from(kept.size).unwrap_or(i64::MAX);
                        let body = RecordingBody::Stored {
                            sha256: kept.key,
                            size,
                        };
                        (content_type, body)
                    }
                    Err(Refused::Source(why)) => {
                        return Err(refused(format!("the upload broke off: {why}")))
                    }
                    Err(Refused::TooLarge { .. } | Refused::Empty) => {
                        return Err(refused(format!("1 to {MAX_RECORDING_BYTES} bytes")))
                    }
                }
            }
            RecordingFile::At { url } => {
                let ok = url.len() <= 2000
                    && (url.starts_with("https://") || url.starts_with("http://"))
                    && url.bytes().all(|b| b.is_ascii_graphic());
                if !ok {
                    return Err(DomainError::InvalidField {
                        field: "url",
                        reason: "an http(s) URL".into(),
                    }
                    .into());
                }
                ("audio/wav".to_owned(), RecordingBody::At { url })
            }
        };
        let days = i64::from(self.settings.voice.recording_retention_days.max(1));
        let new = NewRecording {
            provider: input.provider.to_owned(),
            call_id: input.call_id,
            source: input.source,
            content_type,
            duration_secs: input.duration_secs.filter(|d| *d >= 0),
            expires_at: baylanys_store::now() + chrono::Duration::days(days),
            body,
        };
        let actor = Actor::Adapter {
            channel: Channel::Voice,
        };
        Ok(self.store.add_recording(new, actor).await?)
    }
}
