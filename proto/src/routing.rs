use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use baylanys_domain::router::{
    Capacity, Presence, RouteEntry, RouterSettings, RoutingTable, Strategy,
};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPresence {
    pub presence: Presence,
}

/// One overflow step of a queue: after `after_secs` in line, either accept operators with a
/// lower skill level, or move the contact to another queue (a second line, a supervisor queue).
/// Exactly one of `widen_to_level` and `move_to_queue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverflowStep {
    pub after_secs: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widen_to_level: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_to_queue: Option<Uuid>,
}

/// One queue right now, for the supervisor's live view.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueLive {
    pub queue_id: Uuid,
    pub code: String,
    pub name: String,
    /// Waiting without an offer.
    pub waiting: u32,
    /// Offered, waiting for the operator's answer.
    pub offered: u32,
    pub longest_wait_secs: Option<i64>,
    /// By its business hours and the working-day calendar.
    pub open: bool,
    /// Answered in this queue today: inbound voice calls that entered a queue after the voice
    /// menu since local midnight (Asia/Almaty) and that an operator answered while they waited
    /// in this queue — wherever they first entered (a transfer, escalation or overflow while
    /// waiting moves a call). Each call once (a transfer after the answer is the same call);
    /// web chats, e-mails and Telegram dialogues are not calls. The KPI engine's
    /// `calls_answered` of this queue, from the same drawing of today as the `kpis` frame, so
    /// the two always say the same.
    pub answered_today: u32,
    /// Lost in this queue today: such calls whose caller hung up while waiting in this queue
    /// (report row 18).
    pub abandoned_today: u32,
    /// The service level of today's calls (the KPI settings' threshold, one definition with
    /// the KPIs); absent before the first call.
    pub service_level_today: Option<f64>,
}

/// One operator right now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OperatorLive {
    pub staff_id: Uuid,
    pub login: String,
    pub display_name: String,
    pub presence: Presence,
    /// Contacts in hand (answered or offered) per channel.
    pub load: Capacity,
    pub capacity: Capacity,
}

/// A contact waiting or offered right now, for the supervisor to reassign.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactLive {
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    pub queue_id: Option<Uuid>,
    pub channel: crate::Channel,
    pub language: crate::Language,
    pub waiting_secs: i64,
    pub offered_to: Option<Uuid>,
    pub escalated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveView {
    pub at: chrono::DateTime<chrono::Utc>,
    pub queues: Vec<QueueLive>,
    /// The 200 longest-waiting contacts, oldest first.
    pub contacts: Vec<ContactLive>,
    /// Queued contacts no rule placed in a queue: someone must place them.
    pub unplaced: u32,
    pub operators: Vec<OperatorLive>,
}

/// Transfers a contact to a queue or straight to an operator, with the reason the receiving
/// operator will read (it becomes an internal note). Exactly one of `to_queue`, `to_operator`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferContact {
    #[serde(default)]
    pub to_queue: Option<Uuid>,
    #[serde(default)]
    pub to_operator: Option<Uuid>,
    #[schema(max_length = 1000, min_length = 1)]
    pub reason: String,
}

/// Escalates a contact to the supervisors' queue of the router settings (R24.2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateContact {
    #[schema(max_length = 1000, min_length = 1)]
    pub reason: String,
}

/// Where a queued contact stands (R12.1): its place in line and an estimate of the wait.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueStatusView {
    pub interaction_id: Uuid,
    pub queue_id: Option<Uuid>,
    /// 1 = next; absent when the contact is not waiting (offered, answered, ended).
    pub position: Option<u32>,
    /// Contacts waiting in the same queue.
    pub waiting: u32,
    /// From the pace at which this queue's contacts were answered in the last hour; absent
    /// when none were.
    pub estimated_wait_secs: Option<i64>,
}
