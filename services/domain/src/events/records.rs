//! The payloads of the events that make the trail: who changed the catalogue, the staff, the
//! settings, a client's verification, an appeal's course and its deliveries. No figure reads
//! them; they are typed so that what is written is what is read, and never personal data: a
//! client's IIN, phone, e-mail or message text stays out of the log (R33), only that it exists.
//!
//! Each struct has exactly the fields and JSON shapes the store wrote before it was typed, so
//! rows already stored read back.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::ContactVia;
use crate::router::{OverflowAction, OverflowRule, Presence};
use crate::{
    AppealKind, Channel, CodeVia, ComplaintCategory, DayKind, DeliveryVia, Language, Recipient,
    Role, WeeklyHours,
};

/// `staff.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffCreated {
    pub staff_id: Uuid,
    pub login: String,
    pub role: Role,
    #[serde(default)]
    pub body_id: Option<Uuid>,
}

/// `staff.updated`: which fields changed, never their values (a password among them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffUpdated {
    pub staff_id: Uuid,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `staff.logged_in`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedIn {
    pub expires_at: DateTime<Utc>,
}

/// `staff.logged_out`: the actor says who; there is nothing more to say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggedOut {}

/// `staff.presence_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresenceChanged {
    /// The presence before; none only if the stored one was not a presence this release knows.
    #[serde(default)]
    pub from: Option<Presence>,
    pub to: Presence,
    /// Whose presence, when the system changed it (their console closed, an offer went
    /// unanswered); absent when the operator changed their own (the event's actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<uuid::Uuid>,
    /// Why the system changed it: `console_closed`, `offer_unanswered`, `logged_out`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `client.created`: what kind of data was collected, never the data itself (R33).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientCreated {
    pub has_iin: bool,
    #[serde(default)]
    pub has_bin: bool,
    pub language: Language,
    /// The channels the client is known on, not the addresses.
    #[serde(default)]
    pub channels: Vec<Channel>,
}

/// `client.identity_added`: the channel, not the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityAdded {
    pub channel: Channel,
}

/// `client.claimed` (R11): what kind of identifier was claimed and where, never its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claimed {
    pub kind: String,
    pub channel: Channel,
}

/// `client.verified` (R11): how, as stored on the appeal (`otp_email`, `otp_sms`, or the
/// method staff named, e.g. a document shown at the desk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientVerified {
    pub method: String,
}

/// `client.linked` (R11): the record `from` — a conversation's own, holding what its visitor
/// claimed — joined this event's client once the visitor proved to be that client, by
/// `method` as on the appeal. Its appeals, channel addresses and claims moved; it stays, empty,
/// pointing at the client it joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientLinked {
    pub from: Uuid,
    pub method: String,
    pub appeals_moved: i64,
}

/// `client.code_sent`: where the code went and which code, never the code or the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeSent {
    pub via: CodeVia,
    pub code_id: Uuid,
}

/// `client.verification_failed`: a wrong code, with the attempts used on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationFailed {
    pub method: String,
    pub attempts: i64,
}

/// How an appeal came to its assignee besides a person choosing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignedVia {
    /// The operator accepted the routing engine's offer.
    Routing,
}

/// `appeal.assigned`: from whom to whom (either may be nobody).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    #[serde(default)]
    pub from: Option<Uuid>,
    #[serde(default)]
    pub to: Option<Uuid>,
    /// Written only when the engine assigned it, as before the payload was typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<AssignedVia>,
}

/// `appeal.note_added`: which note, never its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteAdded {
    pub note_id: Uuid,
}

/// `appeal.split` (R30): the part that became an appeal of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub part_id: Uuid,
    pub part_number: String,
    /// The part's subject as the operator titled it (not the citizen's text).
    pub subject: String,
}

/// `appeal.extended` (АППК art. 76): the due date moved, with the decision's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extended {
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    pub to: DateTime<Utc>,
    pub reason: String,
}

/// `appeal.kind_changed` (issue 14): staff reclassified the appeal. When the new kind's term
/// moved the due date (it was never extended), `due_from` and `due_to` say how; the citizen is
/// told the new date in the same transaction (R6.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindChanged {
    pub from: AppealKind,
    pub to: AppealKind,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_to: Option<DateTime<Utc>>,
}

/// `appeal.topic_changed`: from which topic to which (either may be none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicChanged {
    #[serde(default)]
    pub from: Option<Uuid>,
    #[serde(default)]
    pub to: Option<Uuid>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `appeal.priority_changed`: 1 (lowest) to 5 (highest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityChanged {
    pub from: i64,
    pub to: i64,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `appeal.deadline_near` and `appeal.overdue`: the due date the sweep found, and who had it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineSwept {
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub body_id: Option<Uuid>,
}

/// `body.topics_set`: the topics the body is competent for, in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyTopicsSet {
    pub body_id: Uuid,
    #[serde(default)]
    pub topic_ids: Vec<Uuid>,
}

/// `redirection.accepted` and `redirection.returned`: the body's answer, with its reason when
/// it sent the appeal back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedirectionAnswered {
    pub redirection_id: Uuid,
    pub body_id: Uuid,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `department.saved`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentSaved {
    pub department_id: Uuid,
    pub body_id: Uuid,
    pub active: bool,
}

/// `survey.asked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyAsked {
    pub channel: Channel,
    /// Asked by a link to a form rather than in the conversation.
    #[serde(default)]
    pub by_link: bool,
}

/// `complaint.registered` (R9.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintRegistered {
    pub category: ComplaintCategory,
    #[serde(default)]
    pub about_operator_id: Option<Uuid>,
    #[serde(default)]
    pub about_appeal_id: Option<Uuid>,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
}

/// `complaint.reviewed` (R9.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintReviewed {
    pub category: ComplaintCategory,
}

/// `complaint.escalated` (R9.3): to a higher specialist, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintEscalated {
    pub to: Uuid,
    pub reason: String,
    pub category: ComplaintCategory,
}

/// `queue.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueCreated {
    pub queue_id: Uuid,
    pub code: String,
}

/// `queue.updated`: which fields changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueUpdated {
    pub queue_id: Uuid,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `queue.hours_set`: none is around the clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueHoursSet {
    pub queue_id: Uuid,
    #[serde(default)]
    pub hours: Option<WeeklyHours>,
}

/// `queue.overflow_set`: the queue's rules, in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueOverflowSet {
    pub queue_id: Uuid,
    #[serde(default)]
    pub rules: Vec<OverflowRule>,
}

/// `topic.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicCreated {
    pub topic_id: Uuid,
    pub code: String,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
}

/// `topic.updated`: which fields changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicUpdated {
    pub topic_id: Uuid,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `body.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyCreated {
    pub body_id: Uuid,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
}

/// `body.updated`: which fields changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyUpdated {
    pub body_id: Uuid,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `body.webhook_secret_issued`: which body; the secret itself is never logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretIssued {
    pub body_id: Uuid,
}

/// `body.webhook_received`: the body's signed call, by its webhook id and action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookReceived {
    pub body_id: Uuid,
    pub webhook_id: String,
    pub action: String,
}

/// `calendar.day_set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaySet {
    pub date: NaiveDate,
    pub kind: DayKind,
}

/// `calendar.day_removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayRemoved {
    pub date: NaiveDate,
}

/// `setting.changed`: a whole settings document, free-form by its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingChanged {
    pub key: String,
    #[serde(default)]
    pub value: Value,
}

/// `canned.saved`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedSaved {
    pub canned_id: Uuid,
    pub active: bool,
}

/// `routing.offered`: a waiting contact offered to an operator until `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingOffered {
    pub operator_id: Uuid,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    pub channel: Channel,
    pub expires_at: DateTime<Utc>,
    /// Written only for an offer made by a transfer, as before the payload was typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<ContactVia>,
}

/// `routing.reoffered`: every operator who could take the contact had declined it; their
/// declines were forgotten so it is offered again, and with an escalation queue set it moved
/// there to wait for a supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingReoffered {
    pub declined_by: Vec<Uuid>,
    #[serde(default)]
    pub escalated_to: Option<Uuid>,
}

/// `routing.declined` and `routing.timed_out`: the operator did not take the offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingDeclined {
    pub operator_id: Uuid,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
}

/// `routing.overflowed`: an overflow rule applied to a waiting contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingOverflowed {
    #[serde(default)]
    pub from_queue: Option<Uuid>,
    pub action: OverflowAction,
}

/// `routing.out_of_hours`: the client was told the queue is closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfHours {
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    pub channel: Channel,
}

/// What every outbox delivery event says of its delivery: never the address or the payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStep {
    pub delivery_id: Uuid,
    pub recipient: Recipient,
    pub method: DeliveryVia,
    pub attempts: u32,
    #[serde(default)]
    pub message_id: Option<Uuid>,
    #[serde(default)]
    pub redirection_id: Option<Uuid>,
}

/// `delivery.sent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverySent {
    #[serde(flatten)]
    pub delivery: DeliveryStep,
}

/// `delivery.failed`: one attempt failed; retried at `retry_at`, or given up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryFailed {
    #[serde(flatten)]
    pub delivery: DeliveryStep,
    /// The sender's error, clipped.
    pub error: String,
    #[serde(default)]
    pub retry_at: Option<DateTime<Utc>>,
    pub gave_up: bool,
}

/// `delivery.fallback`: this delivery replaces one given up on another channel (R6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryFallback {
    #[serde(flatten)]
    pub delivery: DeliveryStep,
    pub from_delivery: Uuid,
    pub from_method: DeliveryVia,
}

/// `delivery.retried`: staff asked for a failed delivery to be tried again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRetried {
    pub delivery_id: Uuid,
    pub method: DeliveryVia,
}

/// `delivery.bounced`: a delivery status notification for a mail we sent (RFC 3464).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryBounced {
    #[serde(flatten)]
    pub delivery: DeliveryStep,
    /// The enhanced status code ("5.1.1").
    #[serde(default)]
    pub status: Option<String>,
    /// What the receiving server said, clipped.
    #[serde(default)]
    pub diagnostic: Option<String>,
    /// A permanent failure; a delay is only recorded.
    pub permanent: bool,
}

/// `mailbox.saved`: which fields were set (`created` for a new one); never their values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailboxSaved {
    pub mailbox_id: Uuid,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `mailbox.removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailboxRemoved {
    pub mailbox_id: Uuid,
}

/// `telegram.bot_saved`: which fields were set (`created` for a new one); never their values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotSaved {
    pub bot_id: Uuid,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `telegram.bot_removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotRemoved {
    pub bot_id: Uuid,
}

/// `ivr.saved`: a voice menu of one language was written (its new version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IvrSaved {
    pub key: String,
    pub language: crate::Language,
    pub version: i64,
}

/// `ivr.removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IvrRemoved {
    pub key: String,
    pub language: crate::Language,
}

/// `call.menu`: one step of a caller through the voice menu — the menu, the key (none when
/// nothing was pressed) and what it led to — so the path a caller took is on the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallMenu {
    pub menu: String,
    #[serde(default)]
    pub digit: Option<String>,
    /// `menu`, `operator`, `answer`, `language`, `repeat`, `hangup`, `unknown`, `nothing`.
    pub led_to: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// `call.announced`: a caller waiting in the queue was told their place and expected wait —
/// the first time on entering, then each time at least a minute after the last that waiting
/// is free, with the new estimate (R12.1–2) — so the log shows the rule was kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallAnnounced {
    /// 1 for the announcement on entering the queue.
    pub number: u32,
    /// The place in line said (1: next); none when the caller was not in line any more.
    #[serde(default)]
    pub position: Option<u32>,
    #[serde(default)]
    pub estimated_wait_secs: Option<i64>,
}

/// `call.held` (the operator put the caller on hold: they wait away from the operator's phone)
/// and `call.resumed` (taken back, after `held_secs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallHold {
    pub operator_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_secs: Option<i64>,
}

/// `service.interrupted` (the interruption notice was switched on: when the service is expected
/// back) and `service.resumed` (switched off, after `lasted_secs`) (R34).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceInterruption {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumes_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lasted_secs: Option<i64>,
}

/// `call.recording_stored`: a recording of the call, which the caller was told of, is in the
/// attachment store, linked to the contact it recorded (R32).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecordingStored {
    pub recording_id: Uuid,
    pub call_id: String,
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<i32>,
}

/// `call.recording_failed`: the provider's recording could not be fetched after the attempts
/// allowed; why, in a short line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecordingFailed {
    pub recording_id: Uuid,
    pub error: String,
}

/// `call.recording_expired` (its retention ran out; the bytes are deleted) and
/// `call.recording_played` (a supervisor listened to it: who heard what, R33).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecording {
    pub recording_id: Uuid,
}

/// `call.callback_requested`: the caller left the queue asking to be called back; the contact
/// ends as a callback request, not as a lost call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackRequested {
    pub callback_id: Uuid,
    /// Seconds the caller had waited in the queue.
    pub waited_secs: i64,
}

/// `call.callback_placed`: the centre dialled the client through the PBX (R13), as call
/// `call_id`, for the operator who asked — a callback the client asked for, or the operator's
/// own call with its `reason` (their opening line); what came of it follows as
/// `call.callback_attempted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackPlaced {
    pub callback_id: Uuid,
    pub call_id: String,
    pub operator_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `call.callback_attempted`: what came of one attempt to call a client back (`answered`,
/// `no_answer`, `busy`) or its cancellation, and the callback's state after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackAttempted {
    pub callback_id: Uuid,
    pub outcome: String,
    pub attempts: i64,
    pub state: String,
}

/// `client.flags_changed`: the flags as they are now and why they changed (R5.6, R13.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFlagsChanged {
    pub vulnerable: bool,
    pub do_not_contact: bool,
    pub changed: Vec<String>,
    pub reason: String,
}

/// `knowledge.article_saved`: an article was written (`created` for a new one) and its
/// revision after the write; the text itself is in the article's versions, not the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSaved {
    pub article_id: Uuid,
    pub revision: i64,
    #[serde(default)]
    pub created: bool,
}

/// `knowledge.article_state_changed`: draft → in review → published → archived (R22), and the
/// published version when the move published one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleStateChanged {
    pub article_id: Uuid,
    pub from: crate::knowledge::ArticleState,
    pub to: crate::knowledge::ArticleState,
    #[serde(default)]
    pub version: Option<i64>,
}
