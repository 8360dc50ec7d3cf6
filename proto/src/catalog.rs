use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::DeliveryMethod;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub active: bool,
    /// Absent: the default, 09:00–18:00 on working days.
    pub hours: Option<crate::BusinessHoursDto>,
    pub overflow: Vec<crate::OverflowStep>,
    /// Its calls are recorded; callers are told so on entering the queue.
    pub records_calls: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQueue {
    /// Stable machine name: 2–64 of `a-z`, `0-9`, `_`, `-`.
    #[schema(min_length = 2, max_length = 64, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    #[schema(max_length = 200, min_length = 1)]
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateQueue {
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    /// Record this queue's calls (the callers are told on entering).
    #[serde(default)]
    pub records_calls: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TopicView {
    pub id: Uuid,
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    /// The queue contacts on this topic go to.
    pub queue_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTopic {
    #[schema(min_length = 2, max_length = 64, pattern = "^[A-Za-z0-9._-]+$")]
    pub code: String,
    #[schema(max_length = 300, min_length = 1)]
    pub name_kk: String,
    #[schema(max_length = 300, min_length = 1)]
    pub name_ru: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTopic {
    #[serde(default)]
    #[schema(max_length = 300)]
    pub name_kk: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub name_ru: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 300)]
    pub name_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub queue_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// An administrative body (clause 3, әкімшілік орган) appeals can be redirected to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BodyView {
    pub id: Uuid,
    pub name_kk: String,
    pub name_ru: String,
    pub bin: Option<String>,
    pub parent_id: Option<Uuid>,
    pub delivery_method: DeliveryMethod,
    /// E-mail address or webhook URL, by delivery method.
    pub delivery_address: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    #[schema(max_length = 500, min_length = 1)]
    pub name_kk: String,
    #[schema(max_length = 500, min_length = 1)]
    pub name_ru: String,
    #[serde(default)]
    #[schema(max_length = 12)]
    pub bin: Option<String>,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    pub delivery_method: DeliveryMethod,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub delivery_address: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    #[serde(default)]
    #[schema(max_length = 500)]
    pub name_kk: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub name_ru: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub delivery_method: Option<DeliveryMethod>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 500)]
    pub delivery_address: Option<Option<String>>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// A ready answer in Kazakh and Russian that operators insert into a reply.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CannedReplyView {
    pub id: Uuid,
    pub title: String,
    pub body_kk: String,
    pub body_ru: String,
    pub topic_id: Option<Uuid>,
    /// The knowledge-base article the reply stands on, and how it stands now.
    pub article: Option<CannedArticle>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The article a canned reply stands on: whether it is still served and still current.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CannedArticle {
    pub id: Uuid,
    pub title: String,
    /// Published and not archived.
    pub served: bool,
    /// Past its review date: the reply may be outdated too.
    pub stale: bool,
    pub review_by: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCannedReply {
    #[schema(max_length = 200, min_length = 1)]
    pub title: String,
    #[schema(max_length = 4000, min_length = 1)]
    pub body_kk: String,
    #[schema(max_length = 4000, min_length = 1)]
    pub body_ru: String,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
    /// The knowledge-base article the reply stands on (issue 18).
    #[serde(default)]
    pub article_id: Option<Uuid>,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
}
