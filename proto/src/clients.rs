use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{AppealView, Channel, InteractionView, Language, MessageView};

/// How to reach a client on one channel: a phone number, an e-mail address, a Telegram chat id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityDto {
    pub channel: Channel,
    #[schema(max_length = 320, min_length = 1)]
    pub address: String,
}

/// A client card. Reading one is personal-data access and leaves an audit record (R11, R33).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientView {
    pub id: Uuid,
    pub name: Option<String>,
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub language: Language,
    /// Needs accessible service (R5.6): routing raises priority.
    pub vulnerable: bool,
    /// Must not be contacted proactively (R13.4).
    pub do_not_contact: bool,
    pub identities: Vec<IdentityDto>,
    /// What the person claimed on a channel (a phone shared in Telegram) and staff have not
    /// verified: shown as a claim, never used as an identity (R11).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ClaimView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An identifier a person claimed on a channel, not verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimView {
    /// `iin`, `phone` or `email`.
    pub kind: String,
    pub value: String,
    /// Where it was claimed.
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    #[serde(default)]
    #[schema(max_length = 300)]
    pub name: Option<String>,
    /// Validated by the official check-digit algorithm.
    #[serde(default)]
    #[schema(max_length = 12)]
    pub iin: Option<String>,
    #[serde(default)]
    #[schema(max_length = 12)]
    pub bin: Option<String>,
    #[serde(default)]
    pub language: Option<Language>,
    #[serde(default)]
    pub vulnerable: bool,
    #[serde(default)]
    pub do_not_contact: bool,
    #[serde(default)]
    pub identities: Vec<IdentityDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientView>,
}

/// One appeal with its contacts and messages.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealHistoryView {
    pub appeal: AppealView,
    pub interactions: Vec<InteractionView>,
    pub messages: Vec<MessageView>,
}

/// The client's whole history across every channel, newest appeal first (R32).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientHistoryView {
    pub client: ClientView,
    pub appeals: Vec<AppealHistoryView>,
}

/// A change of a client's flags, with the reason (kept in the event log).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientFlags {
    /// Needs accessible service (R5.6); absent: unchanged.
    #[serde(default)]
    pub vulnerable: Option<bool>,
    /// Must not be contacted proactively — no surveys, no callbacks (R13.4); absent: unchanged.
    #[serde(default)]
    pub do_not_contact: Option<bool>,
    /// Why (the client asked, a court order…): 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}
