//! The phone's wire types: the voice menus administrators edit (`/api/v1/ivr`) and the
//! callbacks waiting callers leave (`/api/v1/callbacks`).

use baylanys_domain::Language;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What the caller hears: a recorded file, text for the speech synthesiser, or both (the text
/// is then what the log and the console show).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptDto {
    /// 1–2000 characters.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: Option<String>,
    /// An `http(s)://` or `file://` URL the PBX or provider can play.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub audio_url: Option<String>,
}

/// Where a key leads.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MenuActionDto {
    /// Another menu of the same language.
    Menu {
        /// 1–40 of a–z, 0–9, `_` and `-`.
        #[schema(min_length = 1, max_length = 40, pattern = "^[a-z0-9_-]+$")]
        key: String,
    },
    /// An operator: the queue the routing table picks for the topic, or the queue named.
    Operator {
        #[serde(default)]
        topic_id: Option<Uuid>,
        #[serde(default)]
        queue_id: Option<Uuid>,
    },
    /// Self-service: the answer is said, then the same menu again (R12.3).
    Answer {
        prompt: PromptDto,
    },
    /// Self-service from the knowledge base: the published article's short answer in the
    /// caller's language, then the same menu again; an article not published (or without the
    /// language) puts the caller through to an operator instead.
    Article {
        /// The article's slug.
        #[schema(min_length = 2, max_length = 64, pattern = "^[a-z0-9-]+$")]
        slug: String,
    },
    /// The other language's main menu.
    Language {
        language: Language,
    },
    Repeat,
    Hangup,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuOptionDto {
    /// `1`–`9`, `*` or `#`; `0` always reaches an operator.
    #[schema(min_length = 1, max_length = 1)]
    pub digit: String,
    #[schema(min_length = 1, max_length = 80)]
    pub label: String,
    pub action: MenuActionDto,
}

/// One menu as saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IvrMenuView {
    pub key: String,
    pub language: Language,
    pub prompt: PromptDto,
    pub options: Vec<MenuOptionDto>,
    pub timeout_secs: u32,
    pub retries: u32,
    /// Send it back when saving a change: a change made meanwhile by someone else is not
    /// overwritten (409).
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// A menu to write at `/api/v1/ivr/{language}/{key}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveIvrMenu {
    pub prompt: PromptDto,
    #[serde(default)]
    pub options: Vec<MenuOptionDto>,
    /// Seconds to wait for a key, 2–30 (default 6).
    #[serde(default)]
    #[schema(minimum = 2, maximum = 30)]
    pub timeout_secs: Option<u32>,
    /// Times the prompt is asked again before the caller goes to an operator, 0–5 (default 2).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 5)]
    pub retries: Option<u32>,
    /// The version read; absent to add a new menu.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A callback a caller asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallbackView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub number: String,
    pub language: Language,
    /// `pending`, `placed`, `done`, `failed`, `cancelled`.
    pub state: String,
    pub attempts: i64,
    pub requested_at: DateTime<Utc>,
    /// Why an operator calls — their opening line — and who; absent for a callback the
    /// client asked for.
    pub reason: Option<String>,
    pub requested_by: Option<Uuid>,
    /// The operator the last call was placed for through the PBX, and when.
    pub placed_by: Option<Uuid>,
    pub placed_at: Option<DateTime<Utc>>,
}

/// An operator's call to the client of an appeal, placed through the PBX (R13).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceCall {
    /// Why the operator calls: their opening line, kept with the call (1–300 characters).
    #[schema(min_length = 1, max_length = 300)]
    pub reason: String,
}

/// A service interruption notice (R34): while `active`, every call hears it first, in the
/// caller's language — say what is interrupted, which other channels work, and when service
/// resumes. Kazakh and Russian are required while active.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceNoticeDto {
    pub active: bool,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 1000)]
    pub kk: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 1000)]
    pub ru: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 1000)]
    pub en: Option<String>,
    /// A recording of the notice per language (http(s) or a `file://` path on the PBX) that a
    /// PBX without a speech synthesiser plays instead of the text.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub kk_audio_url: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub ru_audio_url: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub en_audio_url: Option<String>,
    /// When the service is expected back: said in each language (Astana time) until it passes.
    #[serde(default)]
    pub resumes_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When this interruption was switched on; set by the centre (ignored in a request).
    #[serde(default)]
    #[schema(read_only)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

/// What came of calling a client back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackOutcome {
    /// `answered` (done), `no_answer` or `busy` (tried again later, up to three attempts), or
    /// `cancelled`.
    #[schema(max_length = 9, pattern = "^(answered|no_answer|busy|cancelled)$")]
    pub outcome: String,
}

/// A recording of a call (its queue records calls, and the caller was told), for supervisors
/// and QA reviewers; the audio is at `/api/v1/recordings/{id}/audio` while `stored`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordingView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    /// The contact (the call's part with one operator) it recorded.
    pub interaction_id: Uuid,
    /// `twilio`, `rustpbx`: who recorded it.
    pub provider: String,
    /// `fetching` (the provider has it; on its way), `stored`, `failed`, `expired` (its
    /// retention ran out; the audio is deleted).
    pub state: String,
    pub duration_secs: Option<i32>,
    /// Bytes, once stored.
    pub size: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub stored_at: Option<DateTime<Utc>>,
    /// When the audio is deleted.
    pub expires_at: DateTime<Utc>,
}
