use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    AppealKind, AppealStatus, Author, Channel, ClientView, Direction, InteractionState, Language,
};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealView {
    pub id: Uuid,
    /// The number the citizen is told, e.g. `2026-000123` (R6).
    pub number: String,
    pub client_id: Uuid,
    pub kind: AppealKind,
    pub topic_id: Option<Uuid>,
    /// The channel the appeal came in on.
    pub channel: Channel,
    pub language: Language,
    /// 1 (lowest) to 5 (highest).
    pub priority: i64,
    pub status: AppealStatus,
    pub queue_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    /// The administrative body currently responsible, after a redirection.
    pub body_id: Option<Uuid>,
    /// The department of the body responsible (R6).
    pub department_id: Option<Uuid>,
    /// The appeal this one is a part of (split to go to another body).
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    pub subject: Option<String>,
    pub resolution: Option<String>,
    pub first_contact_resolved: Option<bool>,
    pub external_id: Option<String>,
    /// The `seq` of the newest message.
    pub last_seq: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the client proved who they are (R11); until then the single window hides the
    /// client's IIN and BIN.
    pub verified_at: Option<DateTime<Utc>>,
    /// `otp_email`, `otp_sms`, `iin_on_file` (or `iin_birth_date` on appeals verified before it
    /// was retired).
    pub verification_method: Option<String>,
}

/// The client proves who they are (R11), by one of two factors that cannot be read off an IIN:
/// the one-time code sent to the phone or e-mail on file (`code`), or their IIN together with
/// the phone number or e-mail address on file for it (`iin` + `on_file`). The date of birth is
/// the IIN's first six digits and proves nothing: `birth_date` is refused.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyClient {
    #[serde(default)]
    #[schema(max_length = 12)]
    pub iin: Option<String>,
    /// The phone number or e-mail address the client says is on file for that IIN.
    #[serde(default)]
    #[schema(max_length = 320)]
    pub on_file: Option<String>,
    /// Refused: it is part of the IIN.
    #[serde(default)]
    #[schema(deprecated)]
    pub birth_date: Option<chrono::NaiveDate>,
    /// The six digits the client read out from the message.
    #[serde(default)]
    #[schema(max_length = 6)]
    pub code: Option<String>,
}

/// How the client on an unverified appeal can prove who they are right now (R11): only what
/// this server can send, to addresses that exist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerificationOptions {
    /// Where a one-time code can go, masked.
    pub codes: Vec<CodeOption>,
    /// A right answer joins this conversation to an existing record that one of the visitor's
    /// claims points at (the code goes to that record's address on file).
    pub joins_record: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CodeOption {
    pub via: CodeVia,
    /// Masked: `a***@example.kz`, `********4567`.
    pub sent_to: String,
    /// The address is what the visitor claimed, not on file: a right code proves they hold it.
    pub claimed: bool,
}

/// Reclassifies an appeal from the console (issue 14): any of its kind, topic and priority,
/// each change an event with the reason. Absent fields stay as they are; at least one of
/// `kind`, `topic_id` and `priority` is given.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAppeal {
    /// `request`, `application` or `proposal`. A complaint is registered, with its category,
    /// through `POST /api/v1/appeals/{id}/complaint` (R8, R9), and keeps its kind. A new kind
    /// re-dates an appeal whose due date was never extended, and the citizen is told (R6).
    #[serde(default)]
    pub kind: Option<AppealKind>,
    /// An active topic; `null` clears it.
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub topic_id: Option<Option<Uuid>>,
    /// 1 (lowest) to 5 (highest).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub priority: Option<i64>,
    /// Why; recorded on every event of the change.
    #[serde(default)]
    #[schema(max_length = 500, min_length = 1)]
    pub reason: Option<String>,
}

/// A reasoned extension of the due date (АППК art. 76).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendDeadline {
    /// The new due date (local, Asia/Almaty); the deadline runs to the end of that day.
    pub due_date: chrono::NaiveDate,
    #[schema(max_length = 2000, min_length = 1)]
    pub reason: String,
}

/// Where to send a one-time code: the client's e-mail or phone on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CodeVia {
    Email,
    Sms,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendCode {
    pub via: CodeVia,
}

/// A code is on its way; the address is shown masked so the operator can say where.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CodeSent {
    pub via: CodeVia,
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for VerifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifyClient { .. }")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAppeal {
    pub client_id: Uuid,
    pub kind: AppealKind,
    pub channel: Channel,
    /// Defaults to the client's preferred language.
    #[serde(default)]
    pub language: Option<Language>,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    /// 1–5, default 3.
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub subject: Option<String>,
    /// The client's words, stored as the first message.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub text: Option<String>,
    /// Channel-side id of the contact; sending the same `(channel, external_id)` again returns
    /// the appeal already registered (200 instead of 201).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    /// The contact that brought the appeal. Default `{"type": "answered"}`: the registering
    /// operator is handling it now (a visit, a call they are on).
    #[serde(default)]
    pub contact: Option<FirstContact>,
}

/// Where the contact that brought an appeal stands when it is registered. Nothing is inferred
/// from who registers it: a call the voice menu hands over waits in the queue; a call that
/// already happened is recorded with its own times, as one contact, not a second.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FirstContact {
    /// The registering operator handles it from now (answered now, by them).
    Answered,
    /// It waits in the queue for an operator (e.g. a call after the voice menu).
    Queued,
    /// In the voice menu or self-service; it enters the queue later
    /// (`POST /api/v1/interactions/{id}/enqueue`).
    Menu,
    /// A call or visit that already happened: it entered the queue at `queued_at`, was
    /// answered at `answered_at` (by the registering operator, unless `operator_id` says who)
    /// and ended at `ended_at`; without `answered_at` it was abandoned in the queue.
    Recorded {
        queued_at: DateTime<Utc>,
        #[serde(default)]
        answered_at: Option<DateTime<Utc>>,
        ended_at: DateTime<Utc>,
        #[serde(default)]
        operator_id: Option<Uuid>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealPage {
    pub items: Vec<AppealView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub interaction_id: Option<Uuid>,
    /// Position in the appeal's conversation, from 1, without gaps.
    pub seq: i64,
    pub author: Author,
    /// `text`, or a notice the client was told (assignment, transfer, close, notice).
    pub kind: crate::MessageKind,
    pub staff_id: Option<Uuid>,
    pub channel: Channel,
    pub direction: Direction,
    pub body: String,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// A mail's headers (e-mail messages read from a mailbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<crate::MailView>,
    /// The files that came with it; each downloads from `/api/v1/attachments/{id}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::AttachmentView>,
    /// The client changed an earlier message (an edit in Telegram): this is the new text, and
    /// neither version is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<EditView>,
}

/// Which message an edit changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EditView {
    /// The message it changes, when that one is on the timeline (`None`: it was written before
    /// the appeal began).
    pub of: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMessage {
    #[schema(max_length = 20000, min_length = 1)]
    pub body: String,
    /// `operator` (default) for a reply; `client` to record what the client said, e.g. on a call.
    #[serde(default)]
    pub author: Option<Author>,
    /// Defaults to the appeal's channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Idempotency key: a resend with the same `(channel, external_id)` returns the stored
    /// message (200 instead of 201).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStatus {
    pub status: AppealStatus,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Required when moving to `answered` or `closed` unless already recorded.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub resolution: Option<String>,
    /// Resolved at the first contact (KPI 4).
    #[serde(default)]
    pub first_contact_resolved: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignAppeal {
    /// `null` unassigns.
    pub staff_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNote {
    #[schema(max_length = 20000, min_length = 1)]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoteView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedirectAppeal {
    pub body_id: Uuid,
    /// The department responsible there, if known.
    #[serde(default)]
    pub department_id: Option<Uuid>,
    #[schema(max_length = 2000, min_length = 1)]
    pub reason: String,
}

/// The body returns a redirected appeal: not its competence, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRedirection {
    #[schema(max_length = 2000, min_length = 1)]
    pub reason: String,
}

/// A department of an administrative body and the position answerable for appeals there.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DepartmentView {
    pub id: Uuid,
    pub body_id: Uuid,
    pub name_kk: String,
    pub name_ru: String,
    pub position_kk: String,
    pub position_ru: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveDepartment {
    #[schema(max_length = 300, min_length = 1)]
    pub name_kk: String,
    #[schema(max_length = 300, min_length = 1)]
    pub name_ru: String,
    #[schema(max_length = 300, min_length = 1)]
    pub position_kk: String,
    #[schema(max_length = 300, min_length = 1)]
    pub position_ru: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RedirectionView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub body_id: Uuid,
    pub department_id: Option<Uuid>,
    pub reason: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    /// The body's due date.
    pub due_at: Option<DateTime<Utc>>,
    pub state: crate::RedirectionState,
    pub responded_at: Option<DateTime<Utc>>,
    /// The body's reason when it returned the appeal.
    pub response: Option<String>,
    /// Forwarded after the centre's three working days (АППК art. 65).
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InteractionView {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub channel: Channel,
    pub direction: Direction,
    pub state: InteractionState,
    pub external_id: Option<String>,
    pub queue_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub queued_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub abandoned_at: Option<DateTime<Utc>>,
    /// When the client left and the operator's after-contact work began.
    pub wrap_up_at: Option<DateTime<Utc>>,
    /// While in after-contact work: when the centre ends it if the operator has not (the
    /// centre's limit; absent when it has none).
    pub wrap_up_ends_at: Option<DateTime<Utc>>,
    /// Since when the operator holds the caller (they wait away from the operator's phone).
    pub held_at: Option<DateTime<Utc>>,
    /// A pending offer of this queued contact to one operator, and when it lapses.
    pub offered_to: Option<Uuid>,
    pub offer_expires_at: Option<DateTime<Utc>>,
}

/// Queues a new contact on an appeal for routing, e.g. a callback the client asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueContact {
    pub channel: Channel,
    /// Default `inbound`.
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Default: chosen by the routing table from the appeal's topic, language, kind and channel.
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    /// `true`: the contact is in the voice menu first and enters the queue when the caller
    /// leaves it (`POST /api/v1/interactions/{id}/enqueue`).
    #[serde(default)]
    pub in_menu: bool,
}

/// One entry of an appeal's timeline: an event of the log, with the message, note or
/// redirection it refers to when there is one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    pub event_id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<NoteView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirection: Option<RedirectionView>,
}

/// An appeal in the single window: the appeal, its client card and everything that happened.
/// Until the client is verified on this appeal, the card's IIN and BIN are masked (R11).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealDetail {
    pub appeal: AppealView,
    pub client: ClientView,
    pub interactions: Vec<InteractionView>,
    pub timeline: Vec<TimelineEntry>,
    /// How each notice reached the client and each redirection the body (R6): state, channel,
    /// attempts and fallbacks.
    #[serde(default)]
    pub deliveries: Vec<crate::DeliveryView>,
    /// The parts split from this appeal, each with its own number and body (R30).
    #[serde(default)]
    pub parts: Vec<AppealView>,
    /// Centre staff, while the client is not verified: how they can be (R11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationOptions>,
}

/// A complaint (R8–R10).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplaintView {
    pub appeal_id: Uuid,
    pub category: crate::ComplaintCategory,
    pub about_operator_id: Option<Uuid>,
    pub about_appeal_id: Option<Uuid>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    pub escalated_to: Option<Uuid>,
    pub escalated_at: Option<DateTime<Utc>>,
    /// Confirmed or not (report row 20); absent until decided.
    pub confirmed: Option<bool>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterComplaint {
    pub category: crate::ComplaintCategory,
    /// The operator the complaint is about, if any.
    #[serde(default)]
    pub about_operator_id: Option<Uuid>,
    /// The earlier appeal the complaint is about, if any.
    #[serde(default)]
    pub about_appeal_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewComplaint {
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateComplaint {
    /// The higher specialist who takes it.
    pub to_staff_id: Uuid,
    #[schema(max_length = 2000, min_length = 1)]
    pub reason: String,
}

/// The decision and the result the client is told (the appeal is answered with it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideComplaint {
    pub confirmed: bool,
    #[schema(max_length = 20000, min_length = 1)]
    pub result: String,
}

/// Complaints of a period by category, operator and topic (R10).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ComplaintStats {
    pub total: u64,
    pub decided: u64,
    pub confirmed: u64,
    pub by_category: Vec<ComplaintCount>,
    pub by_operator: Vec<ComplaintCount>,
    pub by_topic: Vec<ComplaintCount>,
}

/// One row of the analytics: `key` is a category, an operator id or a topic id ("none" when
/// the complaint names none).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ComplaintCount {
    pub key: String,
    /// For an operator: the display name (also of an account since deactivated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub total: u64,
    pub confirmed: u64,
}

/// The published complaint procedure in one language (R8).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplaintProcedureText {
    pub language: crate::Language,
    pub text: String,
}

/// One part of an appeal to be considered on its own, e.g. by another body (R30).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitAppeal {
    /// What the part is about (its subject), up to 300 characters.
    #[schema(max_length = 300, min_length = 1)]
    pub subject: String,
    /// The part of the citizen's request, as the operator sets it out.
    #[schema(max_length = 10000, min_length = 1)]
    pub text: String,
    /// The part's topic; the appeal's when absent.
    #[serde(default)]
    pub topic_id: Option<Uuid>,
}

/// The topics a body is competent for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyTopics {
    pub topic_ids: Vec<Uuid>,
}
