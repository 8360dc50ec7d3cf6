use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One entry of the append-only event log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Monotonic position in the log; pass the last one seen as `after` to continue.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// E.g. `appeal.created`, `appeal.status_changed`, `message.added`.
    pub kind: String,
    /// Who acted: staff, the client on a channel, a channel adapter, a body, or the system.
    pub actor: baylanys_domain::Actor,
    /// The staff member who caused it; absent for everyone else.
    pub actor_id: Option<Uuid>,
    pub appeal_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    /// Kind-specific details. Never holds personal data such as IIN or message text.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `after` for the next page; absent when the page is empty.
    pub next_after: Option<i64>,
}

/// One staff read of a client's personal data (R11, R33).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditRecordView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Uuid,
    pub client_id: Uuid,
    /// Method and route template, e.g. `GET /api/v1/clients/{id}`.
    pub endpoint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditRecordView>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}
