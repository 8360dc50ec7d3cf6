//! The mailboxes the centre reads by IMAP (R5.3): their configuration (the password is kept for
//! the poller and never shown), their sync position and health, and the log of what the poller
//! did with each mail it read.
//!
//! A mailbox's position is `(UIDVALIDITY, last UID committed)`: the poller moves it only after
//! the mails up to that UID are committed, so a restart or a cut connection re-reads at most
//! the mails after it, and those are recognised by their `Message-ID` (`(channel, external_id)`
//! is unique) — nothing is imported twice, nothing skipped.

use async_trait::async_trait;
use baylanys_domain::Language;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Actor, StoreError, StoreResult};

/// A mailbox as an admin configures it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewMailbox {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// `plain`, `starttls` or `tls`.
    pub security: String,
    pub login: String,
    pub password: String,
    pub folder: String,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub language: Language,
    pub address: Option<String>,
    pub enabled: bool,
}

impl std::fmt::Debug for NewMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMailbox")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// A change to a mailbox; `None` leaves a field as it is. `Some(None)` clears an optional one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MailboxPatch {
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub login: Option<String>,
    pub password: Option<String>,
    pub folder: Option<String>,
    pub queue_id: Option<Option<Uuid>>,
    pub topic_id: Option<Option<Uuid>>,
    pub language: Option<Language>,
    pub address: Option<Option<String>>,
    pub enabled: Option<bool>,
}

impl std::fmt::Debug for MailboxPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxPatch")
            .field("fields", &self.changed())
            .finish_non_exhaustive()
    }
}

impl MailboxPatch {
    /// The names of the fields it changes, for the event (never their values: one is a password).
    pub fn changed(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut add = |set: bool, name: &str| {
            if set {
                out.push(name.to_owned());
            }
        };
        add(self.name.is_some(), "name");
        add(self.host.is_some(), "host");
        add(self.port.is_some(), "port");
        add(self.security.is_some(), "security");
        add(self.login.is_some(), "login");
        add(self.password.is_some(), "password");
        add(self.folder.is_some(), "folder");
        add(self.queue_id.is_some(), "queue_id");
        add(self.topic_id.is_some(), "topic_id");
        add(self.language.is_some(), "language");
        add(self.address.is_some(), "address");
        add(self.enabled.is_some(), "enabled");
        out
    }

    /// Whether it points the mailbox at another folder of another account: the old sync
    /// position means nothing there.
    pub(crate) fn moves(&self) -> bool {
        self.host.is_some() || self.port.is_some() || self.login.is_some() || self.folder.is_some()
    }
}

/// Where a mailbox's poller stands, as it last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxState {
    pub uid_validity: Option<u32>,
    /// The last UID whose mail (and every one before it) is committed.
    pub last_uid: u32,
    pub connected: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// `login_refused`, `unreachable` or `configuration`: what the console words for people.
    pub last_error_kind: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// A mailbox as stored. The password is here for the poller only: the API never shows it, and
/// `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub id: Uuid,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: String,
    pub login: String,
    pub password: String,
    pub folder: String,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub language: Language,
    pub address: Option<String>,
    pub enabled: bool,
    pub state: MailboxState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("folder", &self.folder)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// What the poller did with one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    /// It opened a new appeal.
    Opened,
    /// It joined an appeal by its thread or number.
    Joined,
    /// It was read before (a replay after a cut connection or a rebuilt mailbox).
    Duplicate,
    /// A delivery status notification about a mail we sent: recorded on that delivery.
    Bounce,
    /// Written by a machine and answering nothing of ours: held, no appeal, no answer.
    Automatic,
    /// One sender wrote too many in a minute: joined their latest appeal, unanswered.
    RateLimited,
    /// It could not be read as a mail; its bytes are kept in the attachment store.
    Unreadable,
    /// Larger than the mailbox takes: its headers are recorded, the body left on the server.
    TooLarge,
}

impl MailOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            MailOutcome::Opened => "opened",
            MailOutcome::Joined => "joined",
            MailOutcome::Duplicate => "duplicate",
            MailOutcome::Bounce => "bounce",
            MailOutcome::Automatic => "automatic",
            MailOutcome::RateLimited => "rate_limited",
            MailOutcome::Unreadable => "unreadable",
            MailOutcome::TooLarge => "too_large",
        }
    }
}

/// One line of a mailbox's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMailLog {
    pub mailbox_id: Uuid,
    pub uid_validity: u32,
    pub uid: u32,
    /// The mail's `Message-ID`.
    pub mail_id: Option<String>,
    pub sender: Option<String>,
    pub outcome: MailOutcome,
    pub detail: Option<String>,
    pub appeal_id: Option<Uuid>,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MailLog {
    pub id: Uuid,
    pub mailbox_id: Uuid,
    pub uid_validity: i64,
    pub uid: i64,
    pub mail_id: Option<String>,
    pub sender: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub appeal_id: Option<Uuid>,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait MailboxStore: Send + Sync {
    async fn create_mailbox(&self, new: NewMailbox, actor: Actor) -> StoreResult<Mailbox>;
    async fn list_mailboxes(&self) -> StoreResult<Vec<Mailbox>>;
    async fn get_mailbox(&self, id: Uuid) -> StoreResult<Mailbox>;
    /// A change that points the mailbox elsewhere (host, port, login, folder) resets its sync
    /// position: the new folder is read from its start, its mails recognised by `Message-ID`.
    async fn update_mailbox(
        &self,
        id: Uuid,
        patch: MailboxPatch,
        actor: Actor,
    ) -> StoreResult<Mailbox>;
    /// Removes the mailbox and its log; the appeals its mails opened stay.
    async fn delete_mailbox(&self, id: Uuid, actor: Actor) -> StoreResult<()>;
    /// The poller committed every mail up to `last_uid` of the folder with `uid_validity`.
    async fn mailbox_synced(&self, id: Uuid, uid_validity: u32, last_uid: u32) -> StoreResult<()>;
    /// The poller's connection state; `error` — its kind and the server's words — is kept
    /// (clipped) until the next success.
    async fn mailbox_health(
        &self,
        id: Uuid,
        connected: bool,
        error: Option<(&str, &str)>,
    ) -> StoreResult<()>;
    /// Records what was done with one mail; `false` when that UID was logged already.
    async fn log_mail(&self, entry: NewMailLog) -> StoreResult<bool>;
    /// The newest lines of a mailbox's log.
    async fn mail_log(&self, mailbox_id: Uuid, limit: u32) -> StoreResult<Vec<MailLog>>;
    /// How many appeals mails from `sender` opened through the mailbox since `since`, and the
    /// newest of them.
    async fn opened_by_sender(
        &self,
        mailbox_id: Uuid,
        sender: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<(u32, Option<Uuid>)>;
}

#[derive(FromRow)]
pub(crate) struct MailboxRow {
    id: Uuid,
    name: String,
    host: String,
    port: i64,
    security: String,
    login: String,
    password: String,
    folder: String,
    queue_id: Option<Uuid>,
    topic_id: Option<Uuid>,
    language: String,
    address: Option<String>,
    enabled: bool,
    uid_validity: Option<i64>,
    last_uid: i64,
    connected: bool,
    last_sync_at: Option<DateTime<Utc>>,
    last_error_kind: Option<String>,
    last_error: Option<String>,
    last_error_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<MailboxRow> for Mailbox {
    type Error = StoreError;
    fn try_from(r: MailboxRow) -> StoreResult<Mailbox> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("mailbox {what}"));
        Ok(Mailbox {
            id: r.id,
            name: r.name,
            host: r.host,
            port: u16::try_from(r.port).map_err(|_| corrupt("port"))?,
            security: r.security,
            login: r.login,
            password: r.password,
            folder: r.folder,
            queue_id: r.queue_id,
            topic_id: r.topic_id,
            language: r.language.parse().map_err(|_| corrupt("language"))?,
            address: r.address,
            enabled: r.enabled,
            state: MailboxState {
                uid_validity: r.uid_validity.and_then(|v| u32::try_from(v).ok()),
                last_uid: u32::try_from(r.last_uid).unwrap_or(0),
                connected: r.connected,
                last_sync_at: r.last_sync_at,
                last_error_kind: r.last_error_kind,
                last_error: r.last_error,
                last_error_at: r.last_error_at,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

macro_rules! impl_mailbox_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::MailboxStore for $store {
            async fn create_mailbox(
                &self,
                new: $crate::NewMailbox,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Mailbox> {
                let now = $crate::now();
                let id = uuid::Uuid::now_v7();
                let mut tx = self.writer.begin().await?;
                let row: $crate::mailboxes::MailboxRow = sqlx::query_as(
                    "INSERT INTO mailboxes (id, name, host, port, security, login, password, folder, \
                     queue_id, topic_id, language, address, enabled, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING *",
                )
                .bind(id)
                .bind(&new.name)
                .bind(&new.host)
                .bind(i64::from(new.port))
                .bind(&new.security)
                .bind(&new.login)
                .bind(&new.password)
                .bind(&new.folder)
                .bind(new.queue_id)
                .bind(new.topic_id)
                .bind(new.language.as_str())
                .bind(&new.address)
                .bind(new.enabled)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::MailboxSaved(baylanys_domain::events::MailboxSaved {
                            mailbox_id: id,
                            changed: vec!["created".into()],
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn list_mailboxes(&self) -> $crate::StoreResult<Vec<$crate::Mailbox>> {
                let rows: Vec<$crate::mailboxes::MailboxRow> =
                    sqlx::query_as("SELECT * FROM mailboxes ORDER BY name")
                        .fetch_all(&self.reader)
                        .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn get_mailbox(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Mailbox> {
                let row: Option<$crate::mailboxes::MailboxRow> =
                    sqlx::query_as("SELECT * FROM mailboxes WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("mailbox"))?.try_into()
            }

            async fn update_mailbox(
                &self,
                id: uuid::Uuid,
                patch: $crate::MailboxPatch,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Mailbox> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::mailboxes::MailboxRow> =
                    sqlx::query_as("SELECT * FROM mailboxes WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let old: $crate::Mailbox =
                    row.ok_or($crate::StoreError::NotFound("mailbox"))?.try_into()?;
                let changed = patch.changed();
                let moves = patch.moves();
                let p = patch;
                let row: $crate::mailboxes::MailboxRow = sqlx::query_as(
                    "UPDATE mailboxes SET name = $2, host = $3, port = $4, security = $5, login = $6, \
                     password = $7, folder = $8, queue_id = $9, topic_id = $10, language = $11, \
                     address = $12, enabled = $13, updated_at = $14, \
                     uid_validity = CASE WHEN $15 THEN NULL ELSE uid_validity END, \
                     last_uid = CASE WHEN $15 THEN 0 ELSE last_uid END \
                     WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(p.name.unwrap_or(old.name))
                .bind(p.host.unwrap_or(old.host))
                .bind(i64::from(p.port.unwrap_or(old.port)))
                .bind(p.security.unwrap_or(old.security))
                .bind(p.login.unwrap_or(old.login))
                .bind(p.password.unwrap_or(old.password))
                .bind(p.folder.unwrap_or(old.folder))
                .bind(p.queue_id.unwrap_or(old.queue_id))
                .bind(p.topic_id.unwrap_or(old.topic_id))
                .bind(p.language.unwrap_or(old.language).as_str())
                .bind(p.address.unwrap_or(old.address))
                .bind(p.enabled.unwrap_or(old.enabled))
                .bind(now)
                .bind(moves)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::MailboxSaved(baylanys_domain::events::MailboxSaved {
                            mailbox_id: id,
                            changed,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn delete_mailbox(
                &self,
                id: uuid::Uuid,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                sqlx::query("DELETE FROM mail_log WHERE mailbox_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let done = sqlx::query("DELETE FROM mailboxes WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done == 0 {
                    return Err($crate::StoreError::NotFound("mailbox"));
                }
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::MailboxRemoved(baylanys_domain::events::MailboxRemoved {
                            mailbox_id: id,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn mailbox_synced(
                &self,
                id: uuid::Uuid,
                uid_validity: u32,
                last_uid: u32,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "UPDATE mailboxes SET uid_validity = $2, last_uid = $3, last_sync_at = $4, \
                     connected = TRUE, last_error_kind = NULL, last_error = NULL, last_error_at = NULL \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(i64::from(uid_validity))
                .bind(i64::from(last_uid))
                .bind($crate::now())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn mailbox_health(
                &self,
                id: uuid::Uuid,
                connected: bool,
                error: Option<(&str, &str)>,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                match error {
                    Some((kind, text)) => {
                        sqlx::query(
                            "UPDATE mailboxes SET connected = $2, last_error_kind = $3, last_error = $4, \
                             last_error_at = $5 WHERE id = $1",
                        )
                        .bind(id)
                        .bind(connected)
                        .bind(kind)
                        .bind($crate::outbox::clip(text))
                        .bind(now)
                        .execute(&self.writer)
                        .await?;
                    }
                    None => {
                        sqlx::query(
                            "UPDATE mailboxes SET connected = $2, last_sync_at = $3, last_error_kind = NULL, \
                             last_error = NULL, last_error_at = NULL WHERE id = $1",
                        )
                        .bind(id)
                        .bind(connected)
                        .bind(now)
                        .execute(&self.writer)
                        .await?;
                    }
                }
                Ok(())
            }

            async fn log_mail(&self, e: $crate::NewMailLog) -> $crate::StoreResult<bool> {
                let mut conn = self.writer.acquire().await?;
                Self::insert_mail_log(&mut conn, &e).await
            }

            async fn mail_log(
                &self,
                mailbox_id: uuid::Uuid,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::MailLog>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM mail_log WHERE mailbox_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(mailbox_id)
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?)
            }

            async fn opened_by_sender(
                &self,
                mailbox_id: uuid::Uuid,
                sender: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<(u32, Option<uuid::Uuid>)> {
                let rows: Vec<(Option<uuid::Uuid>,)> = sqlx::query_as(
                    "SELECT appeal_id FROM mail_log WHERE mailbox_id = $1 AND sender = $2 \
                     AND created_at >= $3 AND outcome = 'opened' ORDER BY created_at DESC, id DESC LIMIT 1000",
                )
                .bind(mailbox_id)
                .bind(sender)
                .bind(since)
                .fetch_all(&self.reader)
                .await?;
                let latest = rows.iter().find_map(|(a,)| *a);
                Ok((u32::try_from(rows.len()).unwrap_or(u32::MAX), latest))
            }
        }

        impl $store {
            /// One line of a mailbox's log, on the caller's connection, so a line that reports
            /// a change (a bounce) commits with it. `false` when the mail was logged already.
            pub(crate) async fn insert_mail_log(
                conn: &mut <$db as sqlx::Database>::Connection,
                e: &$crate::NewMailLog,
            ) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO mail_log (id, mailbox_id, uid_validity, uid, mail_id, sender, outcome, \
                     detail, appeal_id, size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     ON CONFLICT (mailbox_id, uid_validity, uid) DO NOTHING",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(e.mailbox_id)
                .bind(i64::from(e.uid_validity))
                .bind(i64::from(e.uid))
                .bind(e.mail_id.as_deref().map($crate::outbox::clip))
                .bind(e.sender.as_deref().map($crate::outbox::clip))
                .bind(e.outcome.as_str())
                .bind(e.detail.as_deref().map($crate::outbox::clip))
                .bind(e.appeal_id)
                .bind(i64::try_from(e.size).unwrap_or(i64::MAX))
                .bind($crate::now())
                .execute(&mut *conn)
                .await?
                .rows_affected();
                Ok(done == 1)
            }
        }
    };
}
pub(crate) use impl_mailbox_store;
