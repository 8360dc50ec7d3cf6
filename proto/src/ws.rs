//! WebSocket protocol of the staff socket `/ws/operator`, version 1. Frames are JSON objects
//! tagged by `type`. The citizen socket `/ws/chat` comes with web chat.
//!
//! 1. The client opens the socket and sends `hello` with its bearer token within 10 s.
//! 2. The server answers `welcome`, then pushes state as it changes: `offers` (the contacts
//!    offered to this staff member, the whole list each time) and, for centre staff (not body
//!    officers), `live` (the live view of queues and operators, R16). Pushes follow changes at
//!    once and are refreshed at least every 2 s.
//! 3. `open` follows an appeal's conversation (within what the caller may see): every entry
//!    after `last_seq` (text and the notices the client was told, by `kind`), then each new
//!    one, and `read` with how far the client has read; `message` replies (stored before `ack`),
//!    `typing` tells the client, `read` marks what the operator has seen. Several conversations
//!    may be open at once. Resume works as in the chat protocol: reopen with the last `seq` seen.
//! 4. `ping` → `pong` keeps intermediaries from closing an idle socket.
//!
//! Errors: a frame that is not JSON, has an unknown `type` or lacks fields gets an `error` frame
//! and the socket stays open. A missing, wrong or expired token gets an `error` frame and close
//! code 4401; a frame over 64 KiB closes with 1009; a server shutting down closes with 1001 and
//! the client reconnects (to another node behind the balancer).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{InteractionView, LiveView, Role};

pub const OPERATOR_PROTOCOL_VERSION: u32 = 1;

/// Close code for a refused or expired token.
pub const CLOSE_UNAUTHORIZED: u16 = 4401;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OperatorClientFrame {
    Hello {
        v: u32,
        token: String,
    },
    /// Follow an appeal's conversation: every message after `last_seq` is sent, then each new
    /// one as it is stored.
    Open {
        appeal_id: Uuid,
        #[serde(default)]
        last_seq: i64,
    },
    /// Stop following it.
    Leave {
        appeal_id: Uuid,
    },
    /// A reply to the client, stored before its `ack`; `client_id` makes a resend idempotent.
    Message {
        appeal_id: Uuid,
        client_id: Uuid,
        body: String,
    },
    Typing {
        appeal_id: Uuid,
    },
    /// A read receipt: you have seen the conversation up to `seq`; the client is told.
    Read {
        appeal_id: Uuid,
        seq: i64,
    },
    Ping,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OperatorServerFrame {
    Welcome {
        v: u32,
        staff_id: Uuid,
        role: Role,
    },
    /// The contacts currently offered to you, oldest first; accept or decline over HTTP.
    Offers {
        items: Vec<InteractionView>,
    },
    /// The contacts you are answering or wrapping up (answered, on hold, after-call work),
    /// oldest first, sent when they change: a caller who hung up, an after-call work the centre
    /// ended, without reading the appeal again.
    Contacts {
        items: Vec<InteractionView>,
    },
    /// Centre staff (operators, supervisors, admins); not body officers.
    Live {
        view: Box<LiveView>,
    },
    /// Supervisors and admins: today's KPIs (Asia/Almaty day) against their bands, in total,
    /// per queue and per operator — the `GET /api/v1/kpis/breakdown` document for today.
    Kpis {
        #[schema(value_type = Object)]
        today: serde_json::Value,
    },
    /// An entry of a followed conversation: text, or a notice the client was told (`kind`).
    Message {
        appeal_id: Uuid,
        seq: i64,
        id: Uuid,
        author: crate::Author,
        kind: crate::MessageKind,
        body: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The client has seen the conversation up to `seq` (sent on `open` and on each receipt).
    Read {
        appeal_id: Uuid,
        seq: i64,
    },
    Ack {
        appeal_id: Uuid,
        client_id: Uuid,
        seq: i64,
        message_id: Uuid,
    },
    /// The client is typing in a followed conversation.
    Typing {
        appeal_id: Uuid,
    },
    Pong,
    Error {
        code: String,
        message: String,
    },
}

/// Web-chat protocol of `/ws/chat`, version 1.
///
/// 1. The widget opens the socket and sends `hello` within 10 s: with no `token` a new
///    conversation starts; with the `token` of an earlier `welcome` and the last `seq` it saw,
///    the same conversation resumes and every message after that `seq` is sent again, in order.
///    When more were missed than the server replays (1,000), it sends `resync` instead and the
///    widget reloads.
/// 2. `message` is stored before it is acknowledged: `ack` carries the stored `seq`; sending the
///    same `client_id` again returns the same `ack` and stores nothing new.
/// 3. Every entry of the conversation has a `seq` and arrives in order: `message` (the client's
///    own and operators' text), `notice` (system notices such as out of hours), `assignment` (an
///    operator took the conversation), `transfer` (it moved to another operator or queue),
///    `close` (it ended; a new `hello` with the same token starts the next conversation).
///    `queue_status` tells the place in line and that waiting is free, on entering the queue and
///    at least every `chat_queue_status_secs` (≤ 60) while waiting (R12); it has no `seq` (only
///    the latest matters).
/// 6. After the appeal is answered or closed, a `survey` entry asks for a score of 1–5; the
///    widget answers once with `rate` and gets `rated` (or `already_rated`, `no_survey`).
/// 4. Read receipts both ways: the widget sends `read` with the last `seq` it showed; `read`
///    from the server says how far staff have read (also in `welcome`).
/// 5. Identification is optional and goes in `hello`: `name`, `phone`, `email`, `iin` (checked:
///    a wrong check digit is refused). It is what the visitor says, not proof: the operator
///    still verifies identity before confidential data (R11).
///
/// Errors: `error` frames with a `code` (`malformed_json`, `invalid_frame`, `rate_limited`,
/// `too_long`, `empty`, `closed`); the socket stays open. Limits per visitor and per address
/// (messages a minute, open sockets, new conversations an hour) answer `rate_limited`; over the
/// socket or conversation limit the socket then closes with 1008. Close 1009 for frames over
/// 16 KiB, 1001 on server shutdown (reconnect with the token).
pub const CHAT_PROTOCOL_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChatClientFrame {
    Hello {
        v: u32,
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        last_seq: Option<i64>,
        #[serde(default)]
        language: Option<crate::Language>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        iin: Option<String>,
        #[serde(default)]
        topic_id: Option<Uuid>,
    },
    /// `client_id` makes a resend idempotent.
    Message {
        client_id: Uuid,
        body: String,
    },
    Typing,
    /// The widget has shown the conversation up to `seq`.
    Read {
        seq: i64,
    },
    /// The answer to the satisfaction survey (R5.7): 1–5, once per appeal.
    Rate {
        score: u8,
        #[serde(default)]
        comment: Option<String>,
    },
    Ping,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatServerFrame {
    /// Sent on `hello`, and again when the visitor's first message began the appeal (after
    /// its `ack`) or a message after a closed appeal began a new one. An appeal begins with the
    /// first message, not with `hello`: until then there is no token, appeal or number.
    Welcome {
        v: u32,
        /// Keep it to resume; it is the only key to this conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        appeal_id: Option<Uuid>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
        last_seq: i64,
        /// How far staff have read.
        read_seq: i64,
        /// While the service is interrupted (R34): what the visitor is told before writing, in
        /// the conversation's language, with the expected return and the other channels.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service_notice: Option<String>,
    },
    Message {
        seq: i64,
        id: Uuid,
        author: crate::Author,
        body: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// A system notice, e.g. that the centre is closed now (R12.3).
    Notice {
        seq: i64,
        id: Uuid,
        text: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// An operator took the conversation.
    Assignment {
        seq: i64,
        id: Uuid,
        /// The operator's display name.
        operator: String,
        text: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The conversation moved to another operator or queue; queue status follows.
    Transfer {
        seq: i64,
        id: Uuid,
        text: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The conversation ended.
    Close {
        seq: i64,
        id: Uuid,
        text: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Staff have read the conversation up to `seq`.
    Read {
        seq: i64,
    },
    /// Rate the service 1–5 (R5.7); answer with `rate`.
    Survey {
        seq: i64,
        id: Uuid,
        text: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The survey answer was stored.
    Rated {
        score: u8,
    },
    Ack {
        client_id: Uuid,
        seq: i64,
        message_id: Uuid,
    },
    QueueStatus {
        position: Option<u32>,
        estimated_wait_secs: Option<i64>,
        text: String,
    },
    /// The operator is typing.
    Typing,
    /// Too much was missed to replay: reload the conversation and reconnect.
    Resync {
        reason: String,
    },
    Pong,
    Error {
        code: String,
        message: String,
    },
}
