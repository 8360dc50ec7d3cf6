//! Which queue a contact enters: the first entry of the routing table that matches its topic
//! (the widget's, IVR's or bot's menu choice, or the e-mail address it came to), language,
//! appeal kind and channel; else the topic's own queue; else the default queue.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AppealKind, Channel, DomainError, Language};

/// One line of the table; an absent criterion matches anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RouteEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AppealKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    pub queue_id: Uuid,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoutingTable {
    #[serde(default)]
    pub entries: Vec<RouteEntry>,
    /// Where a contact goes when nothing else decides.
    #[serde(default)]
    pub default_queue_id: Option<Uuid>,
}

/// What the table looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactFacts {
    pub topic_id: Option<Uuid>,
    pub language: Language,
    pub kind: AppealKind,
    pub channel: Channel,
    /// The queue the topic is configured with, if any.
    pub topic_queue_id: Option<Uuid>,
}

impl RoutingTable {
    pub fn choose(&self, f: &ContactFacts) -> Option<Uuid> {
        self.entries
            .iter()
            .find(|e| {
                e.topic_id.is_none_or(|t| f.topic_id == Some(t))
                    && e.language.is_none_or(|l| l == f.language)
                    && e.kind.is_none_or(|k| k == f.kind)
                    && e.channel.is_none_or(|c| c == f.channel)
            })
            .map(|e| e.queue_id)
            .or(f.topic_queue_id)
            .or(self.default_queue_id)
    }

    /// Every queue and topic named must exist; at most 500 entries.
    pub fn validate(
        &self,
        queue_exists: impl Fn(Uuid) -> bool,
        topic_exists: impl Fn(Uuid) -> bool,
    ) -> Result<(), DomainError> {
        let invalid = |reason: String| DomainError::InvalidField {
            field: "routing table",
            reason,
        };
        if self.entries.len() > 500 {
            return Err(invalid("at most 500 entries".into()));
        }
        for (i, e) in self.entries.iter().enumerate() {
            if !queue_exists(e.queue_id) {
                return Err(invalid(format!("entry {i}: unknown queue {}", e.queue_id)));
            }
            if let Some(t) = e.topic_id {
                if !topic_exists(t) {
                    return Err(invalid(format!("entry {i}: unknown topic {t}")));
                }
            }
        }
        if let Some(q) = self.default_queue_id {
            if !queue_exists(q) {
                return Err(invalid(format!("unknown default queue {q}")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_then_topic_then_default() {
        let (kk, ru, complaints, pension_q, default) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
            Uuid::from_u128(5),
        );
        let table = RoutingTable {
            entries: vec![
                RouteEntry {
                    topic_id: None,
                    language: None,
                    kind: Some(AppealKind::Complaint),
                    channel: None,
                    queue_id: complaints,
                },
                RouteEntry {
                    topic_id: None,
                    language: Some(Language::Kk),
                    kind: None,
                    channel: None,
                    queue_id: kk,
                },
                RouteEntry {
                    topic_id: None,
                    language: Some(Language::Ru),
                    kind: None,
                    channel: Some(Channel::Voice),
                    queue_id: ru,
                },
            ],
            default_queue_id: Some(default),
        };
        let facts = |language, kind, channel, topic_queue_id| ContactFacts {
            topic_id: None,
            language,
            kind,
            channel,
            topic_queue_id,
        };
        assert_eq!(
            table.choose(&facts(
                Language::Ru,
                AppealKind::Complaint,
                Channel::Email,
                None
            )),
            Some(complaints)
        );
        assert_eq!(
            table.choose(&facts(
                Language::Kk,
                AppealKind::Request,
                Channel::Email,
                None
            )),
            Some(kk)
        );
        assert_eq!(
            table.choose(&facts(
                Language::Ru,
                AppealKind::Request,
                Channel::Voice,
                None
            )),
            Some(ru)
        );
        assert_eq!(
            table.choose(&facts(
                Language::Ru,
                AppealKind::Request,
                Channel::Email,
                Some(pension_q)
            )),
            Some(pension_q)
        );
        assert_eq!(
            table.choose(&facts(
                Language::En,
                AppealKind::Request,
                Channel::Email,
                None
            )),
            Some(default)
        );
        assert!(table.validate(|q| q != kk, |_| true).is_err());
        assert!(table.validate(|_| true, |_| true).is_ok());
    }
}
