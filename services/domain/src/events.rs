//! What the event log says, as types (DESIGN principle 12): who acted, and the payloads of the
//! events the KPIs, the live view and the reports read. The store writes these types and the
//! reports crate reads them back through the same types, so the legal figures (Appendix 1,
//! report rows 13–20) rest on fields the compiler checks, not on strings looked up in JSON.
//!
//! Rows written before a field existed still read: every field added later has a default
//! (`direction` inbound, `via` none, `at` none …). Kinds no figure reads are kept as JSON
//! ([`Payload::read`] answers `None` for them) until they get a type of their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    event_kind as k, AppealKind, AppealStatus, Author, Channel, ComplaintCategory, Direction,
    DomainError, InteractionState, Language, MessageKind,
};

/// Who did it: a staff member, the client (through a channel), a channel adapter acting on its
/// own (a mailbox poller, a bot, the PBX connection), an administrative body's system, or the
/// centre itself (the routing engine, the deadline watch, the outbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    #[default]
    System,
    Staff {
        id: Uuid,
    },
    /// The client, writing or acting on `channel` (the event's `client_id` says which).
    Client {
        channel: Channel,
    },
    Adapter {
        channel: Channel,
    },
    Body {
        id: Uuid,
    },
}

impl Actor {
    pub const SYSTEM: Actor = Actor::System;

    pub fn staff(id: Uuid) -> Self {
        Actor::Staff { id }
    }

    /// The staff member who acted, if one did.
    pub fn staff_id(self) -> Option<Uuid> {
        match self {
            Actor::Staff { id } => Some(id),
            _ => None,
        }
    }

    /// As stored: the kind, and the body's id or the channel's name.
    pub fn kind(self) -> &'static str {
        match self {
            Actor::System => "system",
            Actor::Staff { .. } => "staff",
            Actor::Client { .. } => "client",
            Actor::Adapter { .. } => "adapter",
            Actor::Body { .. } => "body",
        }
    }

    /// The reference stored beside the kind (the staff id has a column of its own).
    pub fn reference(self) -> Option<String> {
        match self {
            Actor::System | Actor::Staff { .. } => None,
            Actor::Client { channel } | Actor::Adapter { channel } => {
                Some(channel.as_str().to_owned())
            }
            Actor::Body { id } => Some(id.to_string()),
        }
    }

    /// Back from the stored columns. An unknown kind or reference is an error, never a guess.
    pub fn from_stored(
        kind: &str,
        staff_id: Option<Uuid>,
        reference: Option<&str>,
    ) -> Result<Actor, DomainError> {
        let bad = || DomainError::UnknownValue {
            kind: "actor",
            value: format!("{kind}:{}", reference.unwrap_or("")),
        };
        Ok(match (kind, staff_id) {
            ("staff", Some(id)) => Actor::Staff { id },
            ("system", _) => Actor::System,
            ("client", _) => Actor::Client {
                channel: reference.ok_or_else(bad)?.parse()?,
            },
            ("adapter", _) => Actor::Adapter {
                channel: reference.ok_or_else(bad)?.parse()?,
            },
            ("body", _) => Actor::Body {
                id: reference.and_then(|r| r.parse().ok()).ok_or_else(bad)?,
            },
            _ => return Err(bad()),
        })
    }
}

/// Why a contact started or moved besides the plain course of things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactVia {
    /// The second leg of a transferred contact: the same contact, in another queue or with
    /// another operator; not a new contact of the client.
    Transfer,
    /// Ended because its appeal was closed, not by whoever handled it: its handling time is
    /// not known.
    #[serde(rename = "appeal closed")]
    AppealClosed,
    /// Recorded after it happened (a call registered by staff): its times are the ones given.
    Recorded,
}

fn inbound() -> Direction {
    Direction::Inbound
}

fn text_kind() -> MessageKind {
    MessageKind::Text
}

/// `appeal.created`: what the appeal was when it came in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppealCreated {
    pub kind: AppealKind,
    pub channel: Channel,
    pub language: Language,
    pub priority: i64,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    /// A part split from this appeal: not a new appeal received.
    #[serde(default)]
    pub split_from: Option<Uuid>,
}

/// `appeal.status_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub from: AppealStatus,
    pub to: AppealStatus,
    #[serde(default)]
    pub reason: Option<String>,
    /// The operator's (or a complaint decision's) word on whether the first contact resolved
    /// it; `false` keeps a resolution out of FCR whatever else holds.
    #[serde(default)]
    pub first_contact_resolved: Option<bool>,
}

/// `interaction.started`: a contact of the appeal on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactStarted {
    pub channel: Channel,
    #[serde(default = "inbound")]
    pub direction: Direction,
    /// Where it starts: in the voice menu, in a queue, or answered (a visit at the desk).
    pub state: InteractionState,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    #[serde(default)]
    pub via: Option<ContactVia>,
    /// When it really started, for a contact recorded after it happened.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Who answered a contact that starts answered.
    #[serde(default)]
    pub operator_id: Option<Uuid>,
}

/// `interaction.updated`: a contact moved to its next phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMoved {
    #[serde(default)]
    pub from: Option<InteractionState>,
    pub state: InteractionState,
    #[serde(default)]
    pub operator_id: Option<Uuid>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    #[serde(default)]
    pub via: Option<ContactVia>,
    /// When it really happened, for a contact recorded after it happened.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// `message.added`: never the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageAdded {
    pub message_id: Uuid,
    pub seq: i64,
    pub author: Author,
    #[serde(default = "text_kind")]
    pub kind: MessageKind,
    pub channel: Channel,
    pub direction: Direction,
}

/// `survey.answered` (KPI 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyAnswered {
    pub score: u8,
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The operator the appeal was with.
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub commented: bool,
}

/// `qa.reviewed` (KPI 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaReviewed {
    pub review_id: Uuid,
    #[serde(default)]
    pub interaction_id: Option<Uuid>,
    #[serde(default)]
    pub operator_id: Option<Uuid>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    #[serde(default)]
    pub total: Option<f64>,
    /// Passed accuracy, completeness and procedure.
    pub accurate: bool,
}

/// `complaint.decided` (report row 20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintDecided {
    pub confirmed: bool,
    pub category: ComplaintCategory,
    #[serde(default)]
    pub about_operator_id: Option<Uuid>,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
}

/// `appeal.redirected`: sent to the competent body (FCR: not resolved at the first contact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redirected {
    pub redirection_id: Uuid,
    #[serde(default)]
    pub from_status: Option<AppealStatus>,
    #[serde(default)]
    pub from_body: Option<Uuid>,
    pub to_body: Uuid,
    #[serde(default)]
    pub department_id: Option<Uuid>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub late: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `routing.accepted`: an operator took an offered contact after it waited `wait_secs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingAccepted {
    pub operator_id: Uuid,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    pub wait_secs: f64,
}

/// `routing.transferred` and `routing.escalated` (R18, R24.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingMoved {
    pub from_interaction: Uuid,
    #[serde(default)]
    pub from_operator: Option<Uuid>,
    #[serde(default)]
    pub to_queue: Option<Uuid>,
    #[serde(default)]
    pub to_operator: Option<Uuid>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub reason_note_id: Option<Uuid>,
}

/// The typed payloads; one variant per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    AppealCreated(AppealCreated),
    StatusChanged(StatusChanged),
    Redirected(Redirected),
    ContactStarted(ContactStarted),
    ContactMoved(ContactMoved),
    MessageAdded(MessageAdded),
    SurveyAnswered(SurveyAnswered),
    QaReviewed(QaReviewed),
    ComplaintDecided(ComplaintDecided),
    RoutingAccepted(RoutingAccepted),
    RoutingTransferred(RoutingMoved),
    RoutingEscalated(RoutingMoved),
}

impl Payload {
    /// Every kind that has a type.
    pub const KINDS: &'static [&'static str] = &[
        k::APPEAL_CREATED,
        k::APPEAL_STATUS_CHANGED,
        k::APPEAL_REDIRECTED,
        k::INTERACTION_STARTED,
        k::INTERACTION_UPDATED,
        k::MESSAGE_ADDED,
        k::SURVEY_ANSWERED,
        k::QA_REVIEWED,
        k::COMPLAINT_DECIDED,
        k::ROUTING_ACCEPTED,
        k::ROUTING_TRANSFERRED,
        k::ROUTING_ESCALATED,
    ];

    pub fn kind(&self) -> &'static str {
        match self {
            Payload::AppealCreated(_) => k::APPEAL_CREATED,
            Payload::StatusChanged(_) => k::APPEAL_STATUS_CHANGED,
            Payload::Redirected(_) => k::APPEAL_REDIRECTED,
            Payload::ContactStarted(_) => k::INTERACTION_STARTED,
            Payload::ContactMoved(_) => k::INTERACTION_UPDATED,
            Payload::MessageAdded(_) => k::MESSAGE_ADDED,
            Payload::SurveyAnswered(_) => k::SURVEY_ANSWERED,
            Payload::QaReviewed(_) => k::QA_REVIEWED,
            Payload::ComplaintDecided(_) => k::COMPLAINT_DECIDED,
            Payload::RoutingAccepted(_) => k::ROUTING_ACCEPTED,
            Payload::RoutingTransferred(_) => k::ROUTING_TRANSFERRED,
            Payload::RoutingEscalated(_) => k::ROUTING_ESCALATED,
        }
    }

    /// The JSON stored in the event's `data`.
    pub fn to_json(&self) -> Value {
        let v = match self {
            Payload::AppealCreated(p) => serde_json::to_value(p),
            Payload::StatusChanged(p) => serde_json::to_value(p),
            Payload::Redirected(p) => serde_json::to_value(p),
            Payload::ContactStarted(p) => serde_json::to_value(p),
            Payload::ContactMoved(p) => serde_json::to_value(p),
            Payload::MessageAdded(p) => serde_json::to_value(p),
            Payload::SurveyAnswered(p) => serde_json::to_value(p),
            Payload::QaReviewed(p) => serde_json::to_value(p),
            Payload::ComplaintDecided(p) => serde_json::to_value(p),
            Payload::RoutingAccepted(p) => serde_json::to_value(p),
            Payload::RoutingTransferred(p) | Payload::RoutingEscalated(p) => {
                serde_json::to_value(p)
            }
        };
        // Plain structs of plain fields always serialise.
        v.unwrap_or(Value::Null)
    }

    /// Reads a stored payload by its kind: `None` for a kind without a type, an error for a
    /// typed kind whose data does not fit (a corrupt row is an error, not a silent zero).
    pub fn read(kind: &str, data: &Value) -> Result<Option<Payload>, DomainError> {
        fn parse<T: serde::de::DeserializeOwned>(
            kind: &str,
            data: &Value,
        ) -> Result<T, DomainError> {
            T::deserialize(data).map_err(|e| DomainError::UnknownValue {
                kind: "event payload",
                value: format!("{kind}: {e}"),
            })
        }
        Ok(Some(match kind {
            k::APPEAL_CREATED => Payload::AppealCreated(parse(kind, data)?),
            k::APPEAL_STATUS_CHANGED => Payload::StatusChanged(parse(kind, data)?),
            k::APPEAL_REDIRECTED => Payload::Redirected(parse(kind, data)?),
            k::INTERACTION_STARTED => Payload::ContactStarted(parse(kind, data)?),
            k::INTERACTION_UPDATED => Payload::ContactMoved(parse(kind, data)?),
            k::MESSAGE_ADDED => Payload::MessageAdded(parse(kind, data)?),
            k::SURVEY_ANSWERED => Payload::SurveyAnswered(parse(kind, data)?),
            k::QA_REVIEWED => Payload::QaReviewed(parse(kind, data)?),
            k::COMPLAINT_DECIDED => Payload::ComplaintDecided(parse(kind, data)?),
            k::ROUTING_ACCEPTED => Payload::RoutingAccepted(parse(kind, data)?),
            k::ROUTING_TRANSFERRED => Payload::RoutingTransferred(parse(kind, data)?),
            k::ROUTING_ESCALATED => Payload::RoutingEscalated(parse(kind, data)?),
            _ => return Ok(None),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_their_columns() {
        let id = Uuid::now_v7();
        for a in [
            Actor::System,
            Actor::staff(id),
            Actor::Client {
                channel: Channel::WebChat,
            },
            Actor::Adapter {
                channel: Channel::Email,
            },
            Actor::Body { id },
        ] {
            let back = Actor::from_stored(a.kind(), a.staff_id(), a.reference().as_deref());
            assert_eq!(back, Ok(a));
        }
        assert!(Actor::from_stored("robot", None, None).is_err());
        assert!(Actor::from_stored("client", None, Some("fax")).is_err());
    }

    #[test]
    fn rows_written_before_a_field_existed_still_read() {
        // An interaction.started of the first releases: no direction, no via.
        let old = serde_json::json!({"channel": "voice", "state": "queued", "queue_id": null});
        let Ok(Some(Payload::ContactStarted(p))) = Payload::read(k::INTERACTION_STARTED, &old)
        else {
            panic!("old row unread");
        };
        assert_eq!(p.direction, Direction::Inbound);
        assert_eq!(p.via, None);
        let closed = serde_json::json!({"from": "answered", "state": "ended", "operator_id": null,
            "channel": "web_chat", "via": "appeal closed"});
        let Ok(Some(Payload::ContactMoved(m))) = Payload::read(k::INTERACTION_UPDATED, &closed)
        else {
            panic!("close unread");
        };
        assert_eq!(m.via, Some(ContactVia::AppealClosed));
    }

    #[test]
    fn every_typed_kind_writes_what_it_reads() {
        let p = Payload::StatusChanged(StatusChanged {
            from: AppealStatus::InProgress,
            to: AppealStatus::Answered,
            reason: None,
            first_contact_resolved: Some(false),
        });
        assert_eq!(Payload::read(p.kind(), &p.to_json()), Ok(Some(p.clone())));
        assert!(Payload::KINDS.contains(&p.kind()));
        assert_eq!(Payload::read("staff.created", &Value::Null), Ok(None));
        assert!(Payload::read(k::SURVEY_ANSWERED, &serde_json::json!({"score": "five"})).is_err());
    }
}
