//! The Baylanys domain: the vocabulary of Order 443/НҚ (clause 3) as types, and the rules that
//! need no IO — identification numbers, the appeal lifecycle, who may see what.
//!
//! Everything here is pure so that the rules can be unit-tested exhaustively and shared by every
//! store backend and every channel.

mod access;
mod appeal;
mod calendar;
pub mod deadline;
mod enums;
mod error;
pub mod events;
mod hours;
mod iin;
pub mod knowledge;
pub mod kpi;
pub mod notice;
pub mod qa;
pub mod report;
pub mod router;
pub mod templates;
mod text;
pub mod voice;

pub use access::{can_read_appeal, AppealScope};
pub use appeal::{appeal_number, AppealStatus, Priority, Transition};
pub use calendar::{Calendar, DayInfo, DayKind, DayOverride, DayReason, Holiday, HOLIDAYS};
pub use enums::{
    AppealKind, Author, Channel, CodeVia, ComplaintCategory, DeliveryMethod, DeliveryState,
    DeliveryVia, Direction, InteractionState, Language, MessageKind, Recipient, RedirectionState,
    Role,
};
pub use error::DomainError;
pub use events::{Actor, Payload};
pub use hours::{Interval, WeeklyHours};
pub use iin::{Bin, Iin};
pub use text::{is_refused_control, normalize_search, BoundedText};

/// Event kinds written to the append-only event log (DESIGN principle 3). Reports and KPIs read
/// these names, so they are part of the stable contract: add new ones, never rename.
pub mod event_kind {
    pub const STAFF_CREATED: &str = "staff.created";
    pub const STAFF_UPDATED: &str = "staff.updated";
    pub const STAFF_LOGGED_IN: &str = "staff.logged_in";
    pub const STAFF_LOGGED_OUT: &str = "staff.logged_out";
    pub const CLIENT_CREATED: &str = "client.created";
    pub const CLIENT_IDENTITY_ADDED: &str = "client.identity_added";
    /// A person claimed an identifier on a channel (a phone shared in Telegram), kept apart
    /// from the record's identities until verified (R11); never the value.
    pub const CLIENT_CLAIMED: &str = "client.claimed";
    /// Staff changed the vulnerable or do-not-contact flag of a client, with the reason.
    pub const CLIENT_FLAGS_CHANGED: &str = "client.flags_changed";
    pub const APPEAL_CREATED: &str = "appeal.created";
    pub const APPEAL_STATUS_CHANGED: &str = "appeal.status_changed";
    pub const APPEAL_ASSIGNED: &str = "appeal.assigned";
    pub const APPEAL_REDIRECTED: &str = "appeal.redirected";
    pub const APPEAL_NOTE_ADDED: &str = "appeal.note_added";
    /// A part of the appeal became an appeal of its own, to go to another body (R30).
    pub const APPEAL_SPLIT: &str = "appeal.split";
    /// The topics a body is competent for were set.
    pub const BODY_TOPICS_SET: &str = "body.topics_set";
    /// The body took a redirected appeal as its own.
    pub const REDIRECTION_ACCEPTED: &str = "redirection.accepted";
    /// The body sent it back: not its competence, with its reason.
    pub const REDIRECTION_RETURNED: &str = "redirection.returned";
    pub const DEPARTMENT_SAVED: &str = "department.saved";
    /// The client rated the service (R5.7, KPI 3): score 1–5, the channel, the comment's presence.
    pub const SURVEY_ANSWERED: &str = "survey.answered";
    pub const SURVEY_ASKED: &str = "survey.asked";
    /// A complaint registered with its category (R9.1).
    pub const COMPLAINT_REGISTERED: &str = "complaint.registered";
    /// The mandatory supervisor review (R9.2).
    pub const COMPLAINT_REVIEWED: &str = "complaint.reviewed";
    /// Passed to a higher specialist (R9.3).
    pub const COMPLAINT_ESCALATED: &str = "complaint.escalated";
    /// Confirmed or not, with the result the client is told (R9.4; report row 20).
    pub const COMPLAINT_DECIDED: &str = "complaint.decided";
    /// A supervisor scored a contact against the QA scorecard (R26–R28); KPI 2 counts the
    /// reviews whose `accurate` is true. Data: review_id, interaction_id, operator_id, channel,
    /// queue_id, total, accurate.
    pub const QA_REVIEWED: &str = "qa.reviewed";
    /// The due date moved by a reasoned decision (АППК art. 76).
    pub const APPEAL_EXTENDED: &str = "appeal.extended";
    /// Staff reclassified the appeal (issue 14): its kind from → to, with the reason, and the
    /// due date the new kind's term gives when it moved (the citizen is told, R6.4).
    pub const APPEAL_KIND_CHANGED: &str = "appeal.kind_changed";
    /// Staff changed the appeal's topic (from → to, either may be none), with the reason.
    pub const APPEAL_TOPIC_CHANGED: &str = "appeal.topic_changed";
    /// Staff changed the appeal's priority (1–5, from → to), with the reason.
    pub const APPEAL_PRIORITY_CHANGED: &str = "appeal.priority_changed";
    /// The due date is near (the reminder of the deadline settings).
    pub const APPEAL_DEADLINE_NEAR: &str = "appeal.deadline_near";
    /// Past the due date and not answered: escalated to the supervisors.
    pub const APPEAL_OVERDUE: &str = "appeal.overdue";
    pub const MESSAGE_ADDED: &str = "message.added";
    pub const INTERACTION_STARTED: &str = "interaction.started";
    pub const INTERACTION_UPDATED: &str = "interaction.updated";
    pub const QUEUE_CREATED: &str = "queue.created";
    pub const QUEUE_UPDATED: &str = "queue.updated";
    pub const TOPIC_CREATED: &str = "topic.created";
    pub const TOPIC_UPDATED: &str = "topic.updated";
    pub const BODY_CREATED: &str = "body.created";
    pub const BODY_UPDATED: &str = "body.updated";
    pub const QUEUE_HOURS_SET: &str = "queue.hours_set";
    pub const CALENDAR_DAY_SET: &str = "calendar.day_set";
    pub const CALENDAR_DAY_REMOVED: &str = "calendar.day_removed";
    pub const STAFF_PRESENCE_CHANGED: &str = "staff.presence_changed";
    pub const QUEUE_OVERFLOW_SET: &str = "queue.overflow_set";
    pub const SETTING_CHANGED: &str = "setting.changed";
    pub const ROUTING_OFFERED: &str = "routing.offered";
    pub const ROUTING_ACCEPTED: &str = "routing.accepted";
    pub const ROUTING_DECLINED: &str = "routing.declined";
    pub const ROUTING_TIMED_OUT: &str = "routing.timed_out";
    /// Every operator who could take a contact had declined it: by rule it is offered again —
    /// to the supervisors when an escalation queue is set (R24.2) — rather than wait forever.
    pub const ROUTING_REOFFERED: &str = "routing.reoffered";
    pub const ROUTING_OVERFLOWED: &str = "routing.overflowed";
    pub const ROUTING_TRANSFERRED: &str = "routing.transferred";
    pub const ROUTING_ESCALATED: &str = "routing.escalated";
    pub const ROUTING_OUT_OF_HOURS: &str = "routing.out_of_hours";
    pub const CANNED_SAVED: &str = "canned.saved";
    pub const CLIENT_VERIFIED: &str = "client.verified";
    /// A one-time code went to the phone or e-mail on file (R11); never the code itself.
    pub const CLIENT_CODE_SENT: &str = "client.code_sent";
    pub const CLIENT_VERIFICATION_FAILED: &str = "client.verification_failed";
    /// A conversation's own record joined the record its client proved to be (R11): its
    /// appeals, addresses and claims moved there; the emptied record points at it.
    pub const CLIENT_LINKED: &str = "client.linked";
    /// An outbox delivery went out (a notice to the client, an appeal to a body).
    pub const DELIVERY_SENT: &str = "delivery.sent";
    /// One attempt failed; it is retried later or, out of attempts, given up.
    pub const DELIVERY_FAILED: &str = "delivery.failed";
    /// Given up on one channel and tried on the client's next known one (R6).
    pub const DELIVERY_FALLBACK: &str = "delivery.fallback";
    /// Staff asked for a failed delivery to be tried again.
    pub const DELIVERY_RETRIED: &str = "delivery.retried";
    /// A new webhook secret was issued for a body (the secret itself is never logged).
    pub const BODY_SECRET_ISSUED: &str = "body.webhook_secret_issued";
    /// A body's system acted on an appeal through the signed webhook API.
    pub const BODY_WEBHOOK_RECEIVED: &str = "body.webhook_received";
    /// A mail we sent came back (a delivery status notification): a permanent bounce fails
    /// the delivery and starts its fallback (R6).
    pub const DELIVERY_BOUNCED: &str = "delivery.bounced";
    /// A mailbox the centre reads was added or changed (never its password).
    pub const MAILBOX_SAVED: &str = "mailbox.saved";
    pub const MAILBOX_REMOVED: &str = "mailbox.removed";
    /// A Telegram bot was added or changed (never its token).
    pub const BOT_SAVED: &str = "telegram.bot_saved";
    pub const BOT_REMOVED: &str = "telegram.bot_removed";
    /// A voice menu was saved or removed (clause 3.15).
    pub const IVR_SAVED: &str = "ivr.saved";
    pub const IVR_REMOVED: &str = "ivr.removed";
    /// A call moved through the voice menu: the key pressed and where it led.
    pub const CALL_MENU: &str = "call.menu";
    /// A waiting caller asked to be called back instead (R12.2, R13).
    pub const CALLBACK_REQUESTED: &str = "call.callback_requested";
    /// Staff tried to call a client back, or cancelled the callback (R13).
    pub const CALLBACK_ATTEMPTED: &str = "call.callback_attempted";
    /// The centre dialled a client back through the PBX for an operator (R13).
    pub const CALLBACK_PLACED: &str = "call.callback_placed";
    /// A waiting caller was told their place and expected wait (R12.1–2).
    pub const CALL_ANNOUNCED: &str = "call.announced";
    /// A call's recording is in the attachment store (R32); it failed to arrive; its retention
    /// ran out and its bytes were deleted; a supervisor listened to it (R33: who heard what).
    /// The operator put the caller on hold, and took them back.
    pub const CALL_HELD: &str = "call.held";
    /// The service interruption notice was switched on, and off again (R34).
    pub const SERVICE_INTERRUPTED: &str = "service.interrupted";
    pub const SERVICE_RESUMED: &str = "service.resumed";
    pub const CALL_RESUMED: &str = "call.resumed";
    pub const CALL_RECORDING_STORED: &str = "call.recording_stored";
    pub const CALL_RECORDING_FAILED: &str = "call.recording_failed";
    pub const CALL_RECORDING_EXPIRED: &str = "call.recording_expired";
    pub const CALL_RECORDING_PLAYED: &str = "call.recording_played";
    /// A knowledge article was written, or moved between draft, review, published and
    /// archived (R5.5, R22).
    pub const ARTICLE_SAVED: &str = "knowledge.article_saved";
    pub const ARTICLE_STATE_CHANGED: &str = "knowledge.article_state_changed";
}

/// The country's time zone. Reports, deadlines and appeal numbers follow local dates
/// (DESIGN principle 8); the offset comes from tzdata, never a constant.
pub const TZ: chrono_tz::Tz = chrono_tz::Asia::Almaty;

/// The local (Asia/Almaty) calendar year of an instant; appeal numbers restart each year.
pub fn local_year(at: chrono::DateTime<chrono::Utc>) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&TZ).year()
}
