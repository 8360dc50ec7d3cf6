//! The payloads of the events the KPIs, the live view and the reports read (Appendix 1, report
//! rows 13–20): the legal figures rest on these fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    AppealKind, AppealStatus, Author, Channel, ComplaintCategory, Direction, InteractionState,
    Language, MessageKind,
};

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
    /// Left the queue because the caller asked to be called back (R12.2): not a lost call.
    Callback,
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
