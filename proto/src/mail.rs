//! The e-mail channel's admin resources: mailboxes the centre reads by IMAP, their health and
//! log, and the mail headers and files shown on an appeal's timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::Language;

/// A mailbox to read. The password is written, never read back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMailbox {
    /// A label for staff: 1–100 characters, unique.
    #[schema(max_length = 100, min_length = 1)]
    pub name: String,
    /// The IMAP server.
    #[schema(max_length = 253, min_length = 1)]
    pub host: String,
    /// Default: 993 with `tls`, 143 otherwise.
    #[serde(default)]
    pub port: Option<u16>,
    /// `tls` (the default: TLS from the start), `starttls`, or `plain` (a server on the same
    /// machine or network only).
    #[serde(default)]
    #[schema(max_length = 8)]
    pub security: Option<String>,
    #[schema(max_length = 320, min_length = 1)]
    pub login: String,
    #[schema(max_length = 1000, min_length = 1)]
    pub password: String,
    /// Default `INBOX`.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub folder: Option<String>,
    /// The queue its new appeals wait in; default: the routing table decides.
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
    /// The language of an appeal whose mail does not show one (default `kk`).
    #[serde(default)]
    pub language: Option<Language>,
    /// The address citizens write to, shown to staff.
    #[serde(default)]
    #[schema(max_length = 320)]
    pub address: Option<String>,
    /// Default `true`.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A change to a mailbox; absent fields stay as they are. Pointing it at another server,
/// login or folder reads that folder from its start (mails already imported are recognised).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMailbox {
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 253)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    #[schema(max_length = 8)]
    pub security: Option<String>,
    #[serde(default)]
    #[schema(max_length = 320)]
    pub login: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub password: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub folder: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub queue_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub topic_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub language: Option<Language>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(max_length = 320)]
    pub address: Option<Option<String>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A mailbox as admins see it: everything but the password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MailboxView {
    pub id: Uuid,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: String,
    pub login: String,
    pub folder: String,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub language: Language,
    pub address: Option<String>,
    pub enabled: bool,
    pub health: MailboxHealth,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a mailbox's poller stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MailboxHealth {
    pub name: String,
    pub enabled: bool,
    /// The poller's IMAP session was up at its last report.
    pub connected: bool,
    /// The folder's UIDVALIDITY the position is in.
    pub uid_validity: Option<u32>,
    /// Every mail up to this UID is imported.
    pub last_uid: u32,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Milliseconds since the last successful sync (since the mailbox was added before the
    /// first).
    pub lag_ms: u64,
    /// What kind of failure the last was: `login_refused` (wrong login or password),
    /// `unreachable` (the server cannot be reached, timed out or broke the protocol),
    /// `configuration` (the settings cannot work, e.g. a missing folder).
    pub last_error_kind: Option<String>,
    /// What the mail server last said when it failed (admins only; absent in `/readyz`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// One line of a mailbox's log: what the poller did with one mail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MailLogView {
    pub uid_validity: i64,
    pub uid: i64,
    pub mail_id: Option<String>,
    pub sender: Option<String>,
    /// `opened`, `joined`, `duplicate`, `bounce`, `automatic`, `rate_limited`, `unreadable`,
    /// `too_large`.
    pub outcome: String,
    pub detail: Option<String>,
    pub appeal_id: Option<Uuid>,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

/// A mail's headers beside its message on the timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MailView {
    pub subject: Option<String>,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// How many recipients the mail named in all (`to` and `cc` keep the first 50 each).
    pub recipients: u32,
    /// The quoted history folded away from the text.
    pub quoted: Option<String>,
    /// The text was taken from the mail's HTML (shown as text, never rendered).
    pub from_html: bool,
    /// Why a machine wrote it, if one did.
    pub automatic: Option<String>,
}

/// A file that came with a message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub name: Option<String>,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Why it was not kept: `too_large` (over the file limit), `program` (a program or script),
    /// `too_many` (past the files one mail may bring), `mail_too_large` (the whole mail was over
    /// the mailbox's limit and stays on the mail server). Absent when it can be downloaded.
    pub refused: Option<String>,
}

/// A Telegram bot to answer through. The token is written, never read back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBot {
    /// A label for staff: 1–100 characters, unique.
    #[schema(max_length = 100, min_length = 1)]
    pub name: String,
    /// The token @BotFather gave.
    #[schema(max_length = 160)]
    pub token: String,
    /// `webhook` (the default when the centre has a public HTTPS address) or `polling`.
    #[serde(default)]
    #[schema(max_length = 7, pattern = "^(webhook|polling)$")]
    pub mode: Option<String>,
    #[serde(default)]
    pub queue_id: Option<Uuid>,
    #[serde(default)]
    pub topic_id: Option<Uuid>,
    /// The Bot API server; default `https://api.telegram.org` (a local Bot API server, or a
    /// test server, stands in here).
    #[serde(default)]
    #[schema(max_length = 300)]
    pub api_url: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A change to a bot; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBot {
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 160)]
    pub token: Option<String>,
    #[serde(default)]
    #[schema(max_length = 7, pattern = "^(webhook|polling)$")]
    pub mode: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub queue_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub topic_id: Option<Option<Uuid>>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub api_url: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A bot as admins see it: everything but its token and webhook secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BotView {
    pub id: Uuid,
    pub name: String,
    pub mode: String,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub api_url: String,
    pub enabled: bool,
    /// Where Telegram delivers this bot's updates in webhook mode.
    pub webhook_path: String,
    pub last_update_at: Option<DateTime<Utc>>,
    /// How late the last noted update was heard of (now minus when the citizen sent it), in
    /// milliseconds: a poller falling behind or a webhook Telegram retries shows here.
    pub last_lag_ms: Option<i64>,
    /// `token_refused`, `unreachable` or `configuration`.
    pub last_error_kind: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a Telegram bot stands, in `/readyz` (no error text there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BotHealth {
    pub name: String,
    /// `webhook` or `polling`.
    pub mode: String,
    pub enabled: bool,
    /// When an update last arrived (webhook or long poll).
    pub last_update_at: Option<DateTime<Utc>>,
    /// How late it was heard of, in milliseconds.
    pub last_lag_ms: Option<i64>,
    /// `token_refused`, `unreachable` or `configuration` while the bot fails.
    pub last_error_kind: Option<String>,
}
