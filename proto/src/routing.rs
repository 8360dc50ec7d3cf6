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
