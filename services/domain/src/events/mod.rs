//! What the event log says, as types (DESIGN principle 12): who acted, and one typed payload
//! for every kind the product writes. The store writes these types and everything that reads
//! the log (the KPIs, the live view, the reports, the feed) reads them back through the same
//! types, so the legal figures (Appendix 1, report rows 13–20) rest on fields the compiler
//! checks, not on strings looked up in JSON, and a writer cannot drift from its readers.
//!
//! Rows written before a field existed still read: every field added later has a default
//! (`direction` inbound, `via` none, `at` none …), and every payload keeps the exact field
//! names and JSON shapes the store wrote before it was typed. [`Payload::read`] answers `None`
//! only for a kind this release does not know (a row of a later release, or a synthetic one).
//!
//! [`payloads`] holds the payloads the figures read; [`records`] those of the trail.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{event_kind as k, Channel, DomainError};

mod payloads;
mod records;
#[cfg(test)]
mod tests;

pub use payloads::*;
pub use records::*;

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

/// Declares [`Payload`] from one table of `Variant(Struct) = kind`, so that the enum, its kinds,
/// [`Payload::kind`], [`Payload::to_json`] and [`Payload::read`] cannot disagree.
macro_rules! payloads {
    ($($(#[$meta:meta])* $variant:ident($ty:ty) = $kind:path),+ $(,)?) => {
        /// The typed payloads; one variant per kind (kinds of one shape share a struct).
        #[derive(Debug, Clone, PartialEq)]
        pub enum Payload {
            $($(#[$meta])* $variant($ty)),+
        }

        impl Payload {
            /// Every kind that has a type: every kind the product writes.
            pub const KINDS: &'static [&'static str] = &[$($kind),+];

            pub fn kind(&self) -> &'static str {
                match self {
                    $(Payload::$variant(_) => $kind),+
                }
            }

            /// The JSON stored in the event's `data`.
            pub fn to_json(&self) -> Value {
                let v = match self {
                    $(Payload::$variant(p) => serde_json::to_value(p)),+
                };
                // Plain structs of plain fields always serialise.
                v.unwrap_or(Value::Null)
            }

            /// Reads a stored payload by its kind: `None` for a kind this release does not know,
            /// an error for a known kind whose data does not fit (a corrupt row is an error, not
            /// a silent zero).
            pub fn read(kind: &str, data: &Value) -> Result<Option<Payload>, DomainError> {
                Ok(Some(match kind {
                    $($kind => Payload::$variant(parse(kind, data)?),)+
                    _ => return Ok(None),
                }))
            }
        }
    };
}

fn parse<T: serde::de::DeserializeOwned>(kind: &str, data: &Value) -> Result<T, DomainError> {
    T::deserialize(data).map_err(|e| DomainError::UnknownValue {
        kind: "event payload",
        value: format!("{kind}: {e}"),
    })
}

payloads! {
    // Read by the KPIs, the live view and the reports.
    AppealCreated(AppealCreated) = k::APPEAL_CREATED,
    StatusChanged(StatusChanged) = k::APPEAL_STATUS_CHANGED,
    Redirected(Redirected) = k::APPEAL_REDIRECTED,
    ContactStarted(ContactStarted) = k::INTERACTION_STARTED,
    ContactMoved(ContactMoved) = k::INTERACTION_UPDATED,
    MessageAdded(MessageAdded) = k::MESSAGE_ADDED,
    SurveyAnswered(SurveyAnswered) = k::SURVEY_ANSWERED,
    QaReviewed(QaReviewed) = k::QA_REVIEWED,
    ComplaintDecided(ComplaintDecided) = k::COMPLAINT_DECIDED,
    RoutingAccepted(RoutingAccepted) = k::ROUTING_ACCEPTED,
    RoutingTransferred(RoutingMoved) = k::ROUTING_TRANSFERRED,
    RoutingEscalated(RoutingMoved) = k::ROUTING_ESCALATED,
    // The trail.
    StaffCreated(StaffCreated) = k::STAFF_CREATED,
    StaffUpdated(StaffUpdated) = k::STAFF_UPDATED,
    StaffLoggedIn(LoggedIn) = k::STAFF_LOGGED_IN,
    StaffLoggedOut(LoggedOut) = k::STAFF_LOGGED_OUT,
    PresenceChanged(PresenceChanged) = k::STAFF_PRESENCE_CHANGED,
    ClientCreated(ClientCreated) = k::CLIENT_CREATED,
    IdentityAdded(IdentityAdded) = k::CLIENT_IDENTITY_ADDED,
    Claimed(Claimed) = k::CLIENT_CLAIMED,
    ClientFlagsChanged(ClientFlagsChanged) = k::CLIENT_FLAGS_CHANGED,
    ClientVerified(ClientVerified) = k::CLIENT_VERIFIED,
    ClientLinked(ClientLinked) = k::CLIENT_LINKED,
    CodeSent(CodeSent) = k::CLIENT_CODE_SENT,
    VerificationFailed(VerificationFailed) = k::CLIENT_VERIFICATION_FAILED,
    Assigned(Assigned) = k::APPEAL_ASSIGNED,
    NoteAdded(NoteAdded) = k::APPEAL_NOTE_ADDED,
    Split(Split) = k::APPEAL_SPLIT,
    Extended(Extended) = k::APPEAL_EXTENDED,
    KindChanged(KindChanged) = k::APPEAL_KIND_CHANGED,
    TopicChanged(TopicChanged) = k::APPEAL_TOPIC_CHANGED,
    PriorityChanged(PriorityChanged) = k::APPEAL_PRIORITY_CHANGED,
    DeadlineNear(DeadlineSwept) = k::APPEAL_DEADLINE_NEAR,
    Overdue(DeadlineSwept) = k::APPEAL_OVERDUE,
    BodyTopicsSet(BodyTopicsSet) = k::BODY_TOPICS_SET,
    RedirectionAccepted(RedirectionAnswered) = k::REDIRECTION_ACCEPTED,
    RedirectionReturned(RedirectionAnswered) = k::REDIRECTION_RETURNED,
    DepartmentSaved(DepartmentSaved) = k::DEPARTMENT_SAVED,
    SurveyAsked(SurveyAsked) = k::SURVEY_ASKED,
    ComplaintRegistered(ComplaintRegistered) = k::COMPLAINT_REGISTERED,
    ComplaintReviewed(ComplaintReviewed) = k::COMPLAINT_REVIEWED,
    ComplaintEscalated(ComplaintEscalated) = k::COMPLAINT_ESCALATED,
    QueueCreated(QueueCreated) = k::QUEUE_CREATED,
    QueueUpdated(QueueUpdated) = k::QUEUE_UPDATED,
    QueueHoursSet(QueueHoursSet) = k::QUEUE_HOURS_SET,
    QueueOverflowSet(QueueOverflowSet) = k::QUEUE_OVERFLOW_SET,
    TopicCreated(TopicCreated) = k::TOPIC_CREATED,
    TopicUpdated(TopicUpdated) = k::TOPIC_UPDATED,
    BodyCreated(BodyCreated) = k::BODY_CREATED,
    BodyUpdated(BodyUpdated) = k::BODY_UPDATED,
    SecretIssued(SecretIssued) = k::BODY_SECRET_ISSUED,
    WebhookReceived(WebhookReceived) = k::BODY_WEBHOOK_RECEIVED,
    CalendarDaySet(DaySet) = k::CALENDAR_DAY_SET,
    CalendarDayRemoved(DayRemoved) = k::CALENDAR_DAY_REMOVED,
    SettingChanged(SettingChanged) = k::SETTING_CHANGED,
    CannedSaved(CannedSaved) = k::CANNED_SAVED,
    RoutingOffered(RoutingOffered) = k::ROUTING_OFFERED,
    RoutingDeclined(RoutingDeclined) = k::ROUTING_DECLINED,
    RoutingTimedOut(RoutingDeclined) = k::ROUTING_TIMED_OUT,
    RoutingReoffered(RoutingReoffered) = k::ROUTING_REOFFERED,
    RoutingOverflowed(RoutingOverflowed) = k::ROUTING_OVERFLOWED,
    RoutingOutOfHours(OutOfHours) = k::ROUTING_OUT_OF_HOURS,
    DeliverySent(DeliverySent) = k::DELIVERY_SENT,
    DeliveryFailed(DeliveryFailed) = k::DELIVERY_FAILED,
    DeliveryFallback(DeliveryFallback) = k::DELIVERY_FALLBACK,
    DeliveryRetried(DeliveryRetried) = k::DELIVERY_RETRIED,
    DeliveryBounced(DeliveryBounced) = k::DELIVERY_BOUNCED,
    MailboxSaved(MailboxSaved) = k::MAILBOX_SAVED,
    MailboxRemoved(MailboxRemoved) = k::MAILBOX_REMOVED,
    BotSaved(BotSaved) = k::BOT_SAVED,
    BotRemoved(BotRemoved) = k::BOT_REMOVED,
    IvrSaved(IvrSaved) = k::IVR_SAVED,
    IvrRemoved(IvrRemoved) = k::IVR_REMOVED,
    CallMenu(CallMenu) = k::CALL_MENU,
    CallbackRequested(CallbackRequested) = k::CALLBACK_REQUESTED,
    CallbackAttempted(CallbackAttempted) = k::CALLBACK_ATTEMPTED,
    CallbackPlaced(CallbackPlaced) = k::CALLBACK_PLACED,
    CallAnnounced(CallAnnounced) = k::CALL_ANNOUNCED,
    CallHeld(CallHold) = k::CALL_HELD,
    CallResumed(CallHold) = k::CALL_RESUMED,
    ServiceInterrupted(ServiceInterruption) = k::SERVICE_INTERRUPTED,
    ServiceResumed(ServiceInterruption) = k::SERVICE_RESUMED,
    CallRecordingStored(CallRecordingStored) = k::CALL_RECORDING_STORED,
    CallRecordingFailed(CallRecordingFailed) = k::CALL_RECORDING_FAILED,
    CallRecordingExpired(CallRecording) = k::CALL_RECORDING_EXPIRED,
    CallRecordingPlayed(CallRecording) = k::CALL_RECORDING_PLAYED,
    ArticleSaved(ArticleSaved) = k::ARTICLE_SAVED,
    ArticleStateChanged(ArticleStateChanged) = k::ARTICLE_STATE_CHANGED,
}
