//! Recordings of calls (issue "The phone", point 9; R32–R33). A recording is kept only for a
//! call whose caller was told (`Call::recorded`), linked to the contact it recorded, and for
//! the centre's retention; then its bytes are deleted and the row says so. A cloud provider's
//! recording arrives as a link and is `fetching` until a worker has its bytes; a PBX that
//! uploads sends the bytes, which are in the attachment store before the row is written (a
//! crash between leaves an unreferenced file, never a row without its bytes).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Actor, StoreResult};

/// Where a recording stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingState {
    /// The provider has it; the centre is fetching its bytes.
    Fetching,
    Stored,
    /// It could not be fetched after the attempts allowed.
    Failed,
    /// Its retention ran out; the bytes are deleted.
    Expired,
}

impl RecordingState {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingState::Fetching => "fetching",
            RecordingState::Stored => "stored",
            RecordingState::Failed => "failed",
            RecordingState::Expired => "expired",
        }
    }

    fn parse(s: &str) -> StoreResult<Self> {
        Ok(match s {
            "fetching" => RecordingState::Fetching,
            "stored" => RecordingState::Stored,
            "failed" => RecordingState::Failed,
            "expired" => RecordingState::Expired,
            _ => return Err(crate::StoreError::Corrupt(format!("recording state {s:?}"))),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Recording {
    pub id: Uuid,
    pub provider: String,
    pub call_id: String,
    /// The provider's name of the recording.
    pub source: String,
    pub appeal_id: Uuid,
    pub interaction_id: Uuid,
    pub state: RecordingState,
    /// Where a cloud provider keeps it, until fetched.
    pub url: Option<String>,
    pub content_type: String,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub duration_secs: Option<i32>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub stored_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A recording as a provider announces it, of the call `call_id`.
#[derive(Debug, Clone)]
pub struct NewRecording {
    pub provider: String,
    pub call_id: String,
    pub source: String,
    pub content_type: String,
    pub duration_secs: Option<i32>,
    pub expires_at: DateTime<Utc>,
    /// Its bytes, already in the attachment store: (sha256, size); or the link to fetch.
    pub body: RecordingBody,
}

#[derive(Debug, Clone)]
pub enum RecordingBody {
    Stored { sha256: String, size: i64 },
    At { url: String },
}

/// What came of announcing a recording.
#[derive(Debug, Clone)]
pub enum Announced {
    /// Taken (or taken before: the provider retried).
    Kept(Box<Recording>),
    /// The caller was not told the call is recorded: nothing is kept.
    NotRecorded,
}

#[async_trait]
pub trait RecordingStore: Send + Sync {
    /// Takes a recording of a known call (not found: no such call): linked to the call's
    /// contact, with `call.recording_stored` when its bytes are here, in one transaction; the
    /// same source again returns the first.
    async fn add_recording(&self, new: NewRecording, actor: Actor) -> StoreResult<Announced>;
    async fn get_recording(&self, id: Uuid) -> StoreResult<Recording>;
    /// An appeal's recordings, oldest first.
    async fn appeal_recordings(&self, appeal_id: Uuid) -> StoreResult<Vec<Recording>>;
    /// Recordings to fetch now, oldest first.
    async fn recordings_due(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Recording>>;
    /// A fetched recording's bytes are in the attachment store: `stored`, with its event.
    async fn recording_fetched(&self, id: Uuid, sha256: &str, size: i64) -> StoreResult<()>;
    /// A fetch failed: tried again at `retry_at`, or given up (`None`) with its event.
    async fn recording_fetch_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    /// Stored recordings whose retention ran out before `now`.
    async fn recordings_expired(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Recording>>;
    /// The bytes of an expired recording are deleted: `expired`, with its event. Returns
    /// whether another row still names the same bytes (then they must stay).
    async fn recording_expired(&self, id: Uuid) -> StoreResult<bool>;
    /// A member of staff listened to it (R33: who heard what).
    async fn recording_played(&self, id: Uuid, actor: Actor) -> StoreResult<()>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct RecordingRow {
    id: Uuid,
    provider: String,
    call_id: String,
    source: String,
    appeal_id: Uuid,
    interaction_id: Uuid,
    state: String,
    url: Option<String>,
    content_type: String,
    size: Option<i64>,
    sha256: Option<String>,
    duration_secs: Option<i32>,
    attempts: i32,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    stored_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

impl TryFrom<RecordingRow> for Recording {
    type Error = crate::StoreError;
    fn try_from(r: RecordingRow) -> StoreResult<Recording> {
        Ok(Recording {
            id: r.id,
            provider: r.provider,
            call_id: r.call_id,
            source: r.source,
            appeal_id: r.appeal_id,
            interaction_id: r.interaction_id,
            state: RecordingState::parse(&r.state)?,
            url: r.url,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            duration_secs: r.duration_secs,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            stored_at: r.stored_at,
            expires_at: r.expires_at,
        })
    }
}

macro_rules! impl_recording_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::RecordingStore for $store {
            async fn add_recording(
                &self,
                new: $crate::NewRecording,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Announced> {
                use $crate::recordings::RecordingRow;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let call: Option<(uuid::Uuid, uuid::Uuid, bool)> = sqlx::query_as(
                    "SELECT appeal_id, interaction_id, recorded FROM calls \
                     WHERE provider = $1 AND call_id = $2",
                )
                .bind(&new.provider)
                .bind(&new.call_id)
                .fetch_optional(&mut *tx)
                .await?;
                let (appeal_id, interaction_id, recorded) =
                    call.ok_or($crate::StoreError::NotFound("call"))?;
                if !recorded {
                    return Ok($crate::Announced::NotRecorded);
                }
                let before: Option<RecordingRow> = sqlx::query_as(
                    "SELECT * FROM call_recordings WHERE provider = $1 AND source = $2",
                )
                .bind(&new.provider)
                .bind(&new.source)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = before {
                    return Ok($crate::Announced::Kept(Box::new(row.try_into()?)));
                }
                let id = uuid::Uuid::now_v7();
                let (state, url, sha256, size, stored_at, next) = match &new.body {
                    $crate::RecordingBody::Stored { sha256, size } => (
                        $crate::RecordingState::Stored,
                        None,
                        Some(sha256.clone()),
                        Some(*size),
                        Some(now),
                        None,
                    ),
                    $crate::RecordingBody::At { url } => (
                        $crate::RecordingState::Fetching,
                        Some(url.clone()),
                        None,
                        None,
                        None,
                        Some(now),
                    ),
                };
                let row: RecordingRow = sqlx::query_as(
                    "INSERT INTO call_recordings (id, provider, call_id, source, appeal_id, \
                     interaction_id, state, url, content_type, size, sha256, duration_secs, \
                     attempts, next_attempt_at, created_at, stored_at, expires_at) VALUES ($1, $2, \
                     $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16) RETURNING *",
                )
                .bind(id)
                .bind(&new.provider)
                .bind(&new.call_id)
                .bind(&new.source)
                .bind(appeal_id)
                .bind(interaction_id)
                .bind(state.as_str())
                .bind(url)
                .bind(&new.content_type)
                .bind(size)
                .bind(sha256)
                .bind(new.duration_secs)
                .bind(next)
                .bind(now)
                .bind(stored_at)
                .bind(new.expires_at)
                .fetch_one(&mut *tx)
                .await?;
                if let Some(size) = size {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::CallRecordingStored(
                                baylanys_domain::events::CallRecordingStored {
                                    recording_id: id,
                                    call_id: new.call_id.clone(),
                                    size,
                                    duration_secs: new.duration_secs,
                                },
                            ),
                        )
                        .appeal(appeal_id)
                        .interaction(interaction_id),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok($crate::Announced::Kept(Box::new(row.try_into()?)))
            }

            async fn get_recording(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::Recording> {
                let row: Option<$crate::recordings::RecordingRow> =
                    sqlx::query_as("SELECT * FROM call_recordings WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("recording"))?
                    .try_into()
            }

            async fn appeal_recordings(
                &self,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Recording>> {
                let rows: Vec<$crate::recordings::RecordingRow> = sqlx::query_as(
                    "SELECT * FROM call_recordings WHERE appeal_id = $1 ORDER BY created_at, id",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn recordings_due(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Recording>> {
                let rows: Vec<$crate::recordings::RecordingRow> = sqlx::query_as(
                    "SELECT * FROM call_recordings WHERE state = 'fetching' AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at, id LIMIT $2",
                )
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&self.writer)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn recording_fetched(
                &self,
                id: uuid::Uuid,
                sha256: &str,
                size: i64,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<(String, uuid::Uuid, uuid::Uuid, Option<i32>)> = sqlx::query_as(
                    "UPDATE call_recordings SET state = 'stored', sha256 = $2, size = $3, \
                     stored_at = $4, url = NULL, next_attempt_at = NULL, attempts = attempts + 1 \
                     WHERE id = $1 AND state = 'fetching' \
                     RETURNING call_id, appeal_id, interaction_id, duration_secs",
                )
                .bind(id)
                .bind(sha256)
                .bind(size)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                // Another node fetched it first: nothing more to record.
                let Some((call_id, appeal_id, interaction_id, duration_secs)) = row else {
                    return Ok(());
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        $crate::Actor::SYSTEM,
                        baylanys_domain::Payload::CallRecordingStored(
                            baylanys_domain::events::CallRecordingStored {
                                recording_id: id,
                                call_id,
                                size,
                                duration_secs,
                            },
                        ),
                    )
                    .appeal(appeal_id)
                    .interaction(interaction_id),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn recording_fetch_failed(
                &self,
                id: uuid::Uuid,
                error: &str,
                retry_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let error: String = error.chars().take(300).collect();
                let mut tx = self.writer.begin().await?;
                let state = if retry_at.is_some() { "fetching" } else { "failed" };
                let row: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "UPDATE call_recordings SET state = $2, last_error = $3, next_attempt_at = $4, \
                     attempts = attempts + 1 WHERE id = $1 AND state = 'fetching' \
                     RETURNING appeal_id, interaction_id",
                )
                .bind(id)
                .bind(state)
                .bind(&error)
                .bind(retry_at)
                .fetch_optional(&mut *tx)
                .await?;
                if let (Some((appeal_id, interaction_id)), None) = (row, retry_at) {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            $crate::Actor::SYSTEM,
                            baylanys_domain::Payload::CallRecordingFailed(
                                baylanys_domain::events::CallRecordingFailed {
                                    recording_id: id,
                                    error,
                                },
                            ),
                        )
                        .appeal(appeal_id)
                        .interaction(interaction_id),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn recordings_expired(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Recording>> {
                let rows: Vec<$crate::recordings::RecordingRow> = sqlx::query_as(
                    "SELECT * FROM call_recordings WHERE state = 'stored' AND expires_at <= $1 \
                     ORDER BY expires_at, id LIMIT $2",
                )
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&self.writer)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn recording_expired(&self, id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<(uuid::Uuid, uuid::Uuid, Option<String>)> = sqlx::query_as(
                    "UPDATE call_recordings SET state = 'expired' WHERE id = $1 AND state = 'stored' \
                     RETURNING appeal_id, interaction_id, sha256",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((appeal_id, interaction_id, sha256)) = row else {
                    return Ok(true);
                };
                let others: (i64,) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM call_recordings WHERE sha256 = $1 AND state = 'stored') \
                     + (SELECT COUNT(*) FROM attachments WHERE sha256 = $1)",
                )
                .bind(&sha256)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        $crate::Actor::SYSTEM,
                        baylanys_domain::Payload::CallRecordingExpired(
                            baylanys_domain::events::CallRecording { recording_id: id },
                        ),
                    )
                    .appeal(appeal_id)
                    .interaction(interaction_id),
                )
                .await?;
                tx.commit().await?;
                Ok(others.0 > 0)
            }

            async fn recording_played(
                &self,
                id: uuid::Uuid,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "SELECT appeal_id, interaction_id FROM call_recordings WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let (appeal_id, interaction_id) =
                    row.ok_or($crate::StoreError::NotFound("recording"))?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CallRecordingPlayed(
                            baylanys_domain::events::CallRecording { recording_id: id },
                        ),
                    )
                    .appeal(appeal_id)
                    .interaction(interaction_id),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_recording_store;
