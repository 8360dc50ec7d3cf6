//! Overflow rules: "after T seconds in queue Q, widen to skill level ≥ L" or "… move to queue
//! X" — a second line, or a supervisor queue for escalation (R24.2, report row 9).

use std::collections::{HashMap, HashSet};

use chrono::Duration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Contact;
use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OverflowAction {
    /// Accept operators with at least this level for the topic.
    WidenLevel { min_level: u8 },
    /// Move the contact to another queue (keeping its place in time).
    MoveTo {
        // Renamed on the wire: the rule's own `queue_id` sits beside it when flattened.
        #[serde(rename = "to_queue_id")]
        queue_id: Uuid,
    },
}

impl OverflowAction {
    pub(super) fn apply(&self, c: &mut Contact) {
        match *self {
            OverflowAction::WidenLevel { min_level } => c.min_level = min_level,
            OverflowAction::MoveTo { queue_id } => c.queue_id = queue_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverflowRule {
    pub queue_id: Uuid,
    /// Time in line after which the rule applies.
    #[serde(with = "seconds")]
    pub after: Duration,
    #[serde(flatten)]
    pub action: OverflowAction,
}

impl OverflowRule {
    /// Whether applying the rule would change the contact (so it is applied once).
    pub(super) fn applies(&self, c: &Contact) -> bool {
        match self.action {
            OverflowAction::WidenLevel { min_level } => c.min_level > min_level,
            OverflowAction::MoveTo { queue_id } => c.queue_id != queue_id,
        }
    }
}

mod seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        i64::deserialize(d).map(Duration::seconds)
    }
}

/// Refuses rules that name unknown queues, negative or absurd times, levels outside 1–5, a
/// queue moving to itself, or moves that form a cycle (A → B → A would bounce a contact
/// forever). The caller keeps the old rules when this fails.
pub fn validate_overflow(
    rules: &[OverflowRule],
    queues: &HashSet<Uuid>,
) -> Result<(), DomainError> {
    let invalid = |reason: String| DomainError::InvalidField {
        field: "rules",
        reason,
    };
    let mut moves: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        if !queues.contains(&r.queue_id) {
            return Err(invalid(format!("rule {i}: unknown queue {}", r.queue_id)));
        }
        if r.after < Duration::zero() || r.after > Duration::days(7) {
            return Err(invalid(format!("rule {i}: `after` must be 0 s to 7 days")));
        }
        match r.action {
            OverflowAction::WidenLevel { min_level } if !(1..=5).contains(&min_level) => {
                return Err(invalid(format!("rule {i}: min_level must be 1–5")));
            }
            OverflowAction::WidenLevel { .. } => {}
            OverflowAction::MoveTo { queue_id } => {
                if !queues.contains(&queue_id) {
                    return Err(invalid(format!(
                        "rule {i}: unknown target queue {queue_id}"
                    )));
                }
                if queue_id == r.queue_id {
                    return Err(invalid(format!(
                        "rule {i}: a queue cannot overflow into itself"
                    )));
                }
                moves.entry(r.queue_id).or_default().push(queue_id);
            }
        }
    }
    // Depth-first search for a cycle in the move graph.
    fn visit(
        q: Uuid,
        moves: &HashMap<Uuid, Vec<Uuid>>,
        on_path: &mut HashSet<Uuid>,
        done: &mut HashSet<Uuid>,
    ) -> bool {
        if on_path.contains(&q) {
            return true;
        }
        if !done.insert(q) {
            return false;
        }
        on_path.insert(q);
        let cyclic = moves
            .get(&q)
            .is_some_and(|next| next.iter().any(|n| visit(*n, moves, on_path, done)));
        on_path.remove(&q);
        cyclic
    }
    let mut done = HashSet::new();
    for q in moves.keys() {
        if visit(*q, &moves, &mut HashSet::new(), &mut done) {
            return Err(invalid("overflow moves form a cycle".into()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip_through_json() {
        let rules = vec![
            OverflowRule {
                queue_id: Uuid::from_u128(1),
                after: Duration::seconds(60),
                action: OverflowAction::WidenLevel { min_level: 2 },
            },
            OverflowRule {
                queue_id: Uuid::from_u128(1),
                after: Duration::seconds(180),
                action: OverflowAction::MoveTo {
                    queue_id: Uuid::from_u128(2),
                },
            },
        ];
        let text = serde_json::to_string(&rules).unwrap_or_default();
        let back: Result<Vec<OverflowRule>, _> = serde_json::from_str(&text);
        assert_eq!(back.ok(), Some(rules), "{text}");
    }
}
