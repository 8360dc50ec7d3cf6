//! Deliveries of the outbox (R6, R30) and the signed webhook API of bodies' systems.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One delivery: a notice carried to the client, or a redirected appeal carried to a body.
/// The address is shown to staff as stored; the payload is not repeated here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    /// The notice on the timeline this delivery carries.
    pub message_id: Option<Uuid>,
    /// The redirection this delivery carries.
    pub redirection_id: Option<Uuid>,
    /// The delivery that gave up before this one, on another channel.
    pub fallback_of: Option<Uuid>,
    pub recipient: crate::Recipient,
    pub method: crate::DeliveryVia,
    pub address: String,
    pub state: crate::DeliveryState,
    pub attempts: u32,
    /// When a pending delivery is next tried.
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A body's new webhook secret, shown once: the centre signs its calls to the body with it and
/// the body signs its calls to `/api/v1/webhooks/bodies/{id}` with it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookSecret {
    /// `whsec_` + base64 of 32 random bytes (Standard Webhooks).
    pub secret: String,
    /// Where the body's system posts its actions.
    pub endpoint: String,
}

/// What a body's system does with an appeal redirected to it, as its officer would in the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyAction {
    /// Take it as the body's own.
    Accept,
    /// Not the body's competence: back to the centre, `text` says why.
    Return,
    /// Ask the citizen for more information (`text`).
    Ask,
    /// The answer to the citizen (`text`): the appeal is answered.
    Answer,
}

/// A call of a body's system, signed with the body's secret (headers `webhook-id`,
/// `webhook-timestamp`, `webhook-signature`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyWebhookCall {
    pub appeal_id: Uuid,
    pub action: BodyAction,
    /// The reason, question or answer; required except for `accept`.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub text: Option<String>,
}

/// The survey a citizen's link opens (R5.7).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SurveyInfo {
    /// The appeal's number, to show what is rated.
    pub number: String,
    pub language: crate::Language,
    /// Rated already: the page thanks instead of asking.
    pub answered: bool,
}

/// The citizen's rating: 1–5 (5 is excellent) and an optional comment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    pub score: u8,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}
