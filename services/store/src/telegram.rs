//! The Telegram channel's records (report row 10): the bots (token and webhook secret kept for
//! the bot's own use, never shown), each chat's place in the bot's menu, and the updates already
//! handled, so a replayed or duplicated update does nothing again.

use async_trait::async_trait;
use baylanys_domain::Language;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Actor, StoreError, StoreResult};

/// A bot as an admin configures it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewBot {
    pub name: String,
    pub token: String,
    pub webhook_secret: String,
    /// `webhook` or `polling`.
    pub mode: String,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub api_url: String,
    pub enabled: bool,
}

impl std::fmt::Debug for NewBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewBot")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// A change to a bot; `None` leaves a field as it is, `Some(None)` clears an optional one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BotPatch {
    pub name: Option<String>,
    pub token: Option<String>,
    pub mode: Option<String>,
    pub queue_id: Option<Option<Uuid>>,
    pub topic_id: Option<Option<Uuid>>,
    pub api_url: Option<String>,
    pub enabled: Option<bool>,
}

impl std::fmt::Debug for BotPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotPatch")
            .field("fields", &self.changed())
            .finish_non_exhaustive()
    }
}

impl BotPatch {
    /// The names of the fields it changes, for the event (never their values).
    pub fn changed(&self) -> Vec<String> {
        [
            (self.name.is_some(), "name"),
            (self.token.is_some(), "token"),
            (self.mode.is_some(), "mode"),
            (self.queue_id.is_some(), "queue_id"),
            (self.topic_id.is_some(), "topic_id"),
            (self.api_url.is_some(), "api_url"),
            (self.enabled.is_some(), "enabled"),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, n)| n.to_owned())
        .collect()
    }
}

/// A bot as stored; `Debug` leaves the token and secret out.
#[derive(Clone, PartialEq, Eq, FromRow)]
pub struct Bot {
    pub id: Uuid,
    pub name: String,
    pub token: String,
    pub webhook_secret: String,
    pub mode: String,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub api_url: String,
    pub enabled: bool,
    pub update_offset: i64,
    pub last_update_at: Option<DateTime<Utc>>,
    pub last_error_kind: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How late the last noted update was heard of, in milliseconds.
    pub last_lag_ms: Option<i64>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Where a chat is in the bot's menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatStage {
    /// Asked to choose a language.
    Language,
    /// Asked to choose a topic.
    Topic,
    /// Talking to the centre: what they write joins their appeal.
    Open,
}

impl ChatStage {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatStage::Language => "language",
            ChatStage::Topic => "topic",
            ChatStage::Open => "open",
        }
    }

    fn parse(s: &str) -> StoreResult<Self> {
        Ok(match s {
            "language" => ChatStage::Language,
            "topic" => ChatStage::Topic,
            "open" => ChatStage::Open,
            other => return Err(StoreError::Corrupt(format!("chat stage {other:?}"))),
        })
    }
}

/// One citizen's chat with a bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramChat {
    pub bot_id: Uuid,
    pub chat_id: i64,
    pub stage: ChatStage,
    pub language: Option<Language>,
    /// What they wrote before the menu was done: the first message of their appeal.
    pub pending_text: Option<String>,
    /// The files they sent before the menu was done (already in the attachment store).
    pub pending_files: Vec<crate::NewAttachment>,
    pub appeal_id: Option<Uuid>,
    pub blocked_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
pub(crate) struct ChatRow {
    bot_id: Uuid,
    chat_id: i64,
    stage: String,
    language: Option<String>,
    pending_text: Option<String>,
    pending_files: Option<String>,
    appeal_id: Option<Uuid>,
    blocked_at: Option<DateTime<Utc>>,
}

/// A chat's state beside whether an update was handled ([`TelegramStore::telegram_turn`]);
/// no chat yet: every column but `seen` is NULL.
#[derive(FromRow)]
pub(crate) struct TurnRow {
    pub(crate) seen: bool,
    stage: Option<String>,
    language: Option<String>,
    pending_text: Option<String>,
    pending_files: Option<String>,
    appeal_id: Option<Uuid>,
    blocked_at: Option<DateTime<Utc>>,
}

impl TurnRow {
    pub(crate) fn into_chat(self, bot_id: Uuid, chat_id: i64) -> StoreResult<Option<TelegramChat>> {
        let Some(stage) = self.stage else {
            return Ok(None);
        };
        ChatRow {
            bot_id,
            chat_id,
            stage,
            language: self.language,
            pending_text: self.pending_text,
            pending_files: self.pending_files,
            appeal_id: self.appeal_id,
            blocked_at: self.blocked_at,
        }
        .try_into()
        .map(Some)
    }
}

impl TryFrom<ChatRow> for TelegramChat {
    type Error = StoreError;
    fn try_from(r: ChatRow) -> StoreResult<Self> {
        Ok(TelegramChat {
            bot_id: r.bot_id,
            chat_id: r.chat_id,
            stage: ChatStage::parse(&r.stage)?,
            language: r
                .language
                .map(|l| l.parse())
                .transpose()
                .map_err(|_| StoreError::Corrupt("chat language".into()))?,
            pending_text: r.pending_text,
            pending_files: r
                .pending_files
                .map(|j| serde_json::from_str(&j))
                .transpose()
                .map_err(|_| StoreError::Corrupt("chat files".into()))?
                .unwrap_or_default(),
            appeal_id: r.appeal_id,
            blocked_at: r.blocked_at,
        })
    }
}

#[async_trait]
pub trait TelegramStore: Send + Sync {
    async fn create_bot(&self, new: NewBot, actor: Actor) -> StoreResult<Bot>;
    async fn list_bots(&self) -> StoreResult<Vec<Bot>>;
    async fn get_bot(&self, id: Uuid) -> StoreResult<Bot>;
    async fn update_bot(&self, id: Uuid, patch: BotPatch, actor: Actor) -> StoreResult<Bot>;
    async fn delete_bot(&self, id: Uuid, actor: Actor) -> StoreResult<()>;
    /// Long polling committed every update before `offset`.
    async fn bot_polled(&self, id: Uuid, offset: i64) -> StoreResult<()>;
    /// An update arrived (webhook or polling) and was handled.
    /// An update arrived, `lag_ms` after the citizen sent it (when Telegram says).
    async fn bot_updated(&self, id: Uuid, lag_ms: Option<i64>) -> StoreResult<()>;
    /// The bot's last failure — its kind and the Bot API's words — kept until it works again.
    async fn bot_failed(&self, id: Uuid, kind: &str, text: &str) -> StoreResult<()>;
    async fn telegram_chat(&self, bot_id: Uuid, chat_id: i64) -> StoreResult<Option<TelegramChat>>;
    /// Writes the chat's state as given.
    async fn save_telegram_chat(&self, chat: &TelegramChat) -> StoreResult<()>;
    /// The citizen blocked the bot (403): nothing more is sent there until they write again.
    async fn telegram_chat_blocked(&self, bot_id: Uuid, chat_id: i64) -> StoreResult<()>;
    /// Whether the update was handled before.
    async fn update_seen(&self, bot_id: Uuid, update_id: i64) -> StoreResult<bool>;
    /// What handling one update of a chat starts from, in one round trip: whether the update
    /// was handled before, and the chat's state.
    async fn telegram_turn(
        &self,
        bot_id: Uuid,
        update_id: i64,
        chat_id: i64,
    ) -> StoreResult<(bool, Option<TelegramChat>)>;
    /// Records the update as handled; `false` when it was already.
    async fn update_handled(&self, bot_id: Uuid, update_id: i64, kind: &str) -> StoreResult<bool>;
    /// The timeline's message that a chat's message became, by its external id (an edit
    /// names the message it changes this way).
    async fn telegram_message(&self, external_id: &str) -> StoreResult<Option<Uuid>>;
}

macro_rules! impl_telegram_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::TelegramStore for $store {
            async fn create_bot(
                &self,
                new: $crate::NewBot,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Bot> {
                let now = $crate::now();
                let id = uuid::Uuid::now_v7();
                let mut tx = self.writer.begin().await?;
                let bot: $crate::Bot = sqlx::query_as(
                    "INSERT INTO telegram_bots (id, name, token, webhook_secret, mode, queue_id, topic_id, \
                     api_url, enabled, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *",
                )
                .bind(id)
                .bind(&new.name)
                .bind(&new.token)
                .bind(&new.webhook_secret)
                .bind(&new.mode)
                .bind(new.queue_id)
                .bind(new.topic_id)
                .bind(&new.api_url)
                .bind(new.enabled)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::BotSaved(baylanys_domain::events::BotSaved {
                            bot_id: id,
                            changed: vec!["created".into()],
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(bot)
            }

            async fn list_bots(&self) -> $crate::StoreResult<Vec<$crate::Bot>> {
                Ok(sqlx::query_as("SELECT * FROM telegram_bots ORDER BY name")
                    .fetch_all(&self.reader)
                    .await?)
            }

            async fn get_bot(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Bot> {
                let row: Option<$crate::Bot> =
                    sqlx::query_as("SELECT * FROM telegram_bots WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("bot"))
            }

            async fn update_bot(
                &self,
                id: uuid::Uuid,
                patch: $crate::BotPatch,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Bot> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let old: Option<$crate::Bot> =
                    sqlx::query_as("SELECT * FROM telegram_bots WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let old = old.ok_or($crate::StoreError::NotFound("bot"))?;
                let changed = patch.changed();
                // Another token is another bot account: its updates count from the start.
                let new_account = patch.token.is_some();
                let p = patch;
                let bot: $crate::Bot = sqlx::query_as(
                    "UPDATE telegram_bots SET name = $2, token = $3, mode = $4, queue_id = $5, \
                     topic_id = $6, api_url = $7, enabled = $8, updated_at = $9, \
                     update_offset = CASE WHEN $10 THEN 0 ELSE update_offset END \
                     WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(p.name.unwrap_or(old.name))
                .bind(p.token.unwrap_or(old.token))
                .bind(p.mode.unwrap_or(old.mode))
                .bind(p.queue_id.unwrap_or(old.queue_id))
                .bind(p.topic_id.unwrap_or(old.topic_id))
                .bind(p.api_url.unwrap_or(old.api_url))
                .bind(p.enabled.unwrap_or(old.enabled))
                .bind(now)
                .bind(new_account)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::BotSaved(baylanys_domain::events::BotSaved {
                            bot_id: id,
                            changed,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(bot)
            }

            async fn delete_bot(
                &self,
                id: uuid::Uuid,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                for table in ["telegram_updates", "telegram_chats"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE bot_id = $1"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                let done = sqlx::query("DELETE FROM telegram_bots WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done == 0 {
                    return Err($crate::StoreError::NotFound("bot"));
                }
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::BotRemoved(baylanys_domain::events::BotRemoved {
                            bot_id: id,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn bot_polled(&self, id: uuid::Uuid, offset: i64) -> $crate::StoreResult<()> {
                sqlx::query(
                    "UPDATE telegram_bots SET update_offset = $2, last_update_at = $3, \
                     last_error_kind = NULL, last_error = NULL, last_error_at = NULL WHERE id = $1",
                )
                .bind(id)
                .bind(offset)
                .bind($crate::now())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn bot_updated(&self, id: uuid::Uuid, lag_ms: Option<i64>) -> $crate::StoreResult<()> {
                sqlx::query(
                    "UPDATE telegram_bots SET last_update_at = $2, last_lag_ms = $3, last_error_kind = NULL, \
                     last_error = NULL, last_error_at = NULL WHERE id = $1",
                )
                .bind(id)
                .bind($crate::now())
                .bind(lag_ms)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn bot_failed(
                &self,
                id: uuid::Uuid,
                kind: &str,
                text: &str,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "UPDATE telegram_bots SET last_error_kind = $2, last_error = $3, last_error_at = $4 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(kind)
                .bind($crate::outbox::clip(text))
                .bind($crate::now())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn telegram_chat(
                &self,
                bot_id: uuid::Uuid,
                chat_id: i64,
            ) -> $crate::StoreResult<Option<$crate::TelegramChat>> {
                let row: Option<$crate::telegram::ChatRow> = sqlx::query_as(
                    "SELECT bot_id, chat_id, stage, language, pending_text, pending_files, appeal_id, blocked_at \
                     FROM telegram_chats WHERE bot_id = $1 AND chat_id = $2",
                )
                .bind(bot_id)
                .bind(chat_id)
                .fetch_optional(&self.reader)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn save_telegram_chat(
                &self,
                c: &$crate::TelegramChat,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO telegram_chats (bot_id, chat_id, stage, language, pending_text, appeal_id, \
                     blocked_at, updated_at, pending_files) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (bot_id, chat_id) DO UPDATE SET stage = excluded.stage, \
                     language = excluded.language, pending_text = excluded.pending_text, \
                     pending_files = excluded.pending_files, \
                     appeal_id = excluded.appeal_id, blocked_at = excluded.blocked_at, \
                     updated_at = excluded.updated_at",
                )
                .bind(c.bot_id)
                .bind(c.chat_id)
                .bind(c.stage.as_str())
                .bind(c.language.map(|l| l.as_str()))
                .bind(&c.pending_text)
                .bind(c.appeal_id)
                .bind(c.blocked_at)
                .bind($crate::now())
                .bind(
                    (!c.pending_files.is_empty())
                        .then(|| serde_json::to_string(&c.pending_files).ok())
                        .flatten(),
                )
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn telegram_chat_blocked(
                &self,
                bot_id: uuid::Uuid,
                chat_id: i64,
            ) -> $crate::StoreResult<()> {
                // A chat staff wrote to first (an appeal registered for a Telegram client) has
                // no row yet: it gets one, blocked.
                sqlx::query(
                    "INSERT INTO telegram_chats (bot_id, chat_id, stage, blocked_at, updated_at) \
                     VALUES ($1, $2, 'open', $3, $3) ON CONFLICT (bot_id, chat_id) \
                     DO UPDATE SET blocked_at = excluded.blocked_at, updated_at = excluded.updated_at",
                )
                .bind(bot_id)
                .bind(chat_id)
                .bind($crate::now())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn update_seen(
                &self,
                bot_id: uuid::Uuid,
                update_id: i64,
            ) -> $crate::StoreResult<bool> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM telegram_updates WHERE bot_id = $1 AND update_id = $2",
                )
                .bind(bot_id)
                .bind(update_id)
                .fetch_one(&self.reader)
                .await?;
                Ok(n > 0)
            }

            async fn telegram_message(
                &self,
                external_id: &str,
            ) -> $crate::StoreResult<Option<uuid::Uuid>> {
                let row: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT id FROM messages WHERE channel = 'telegram' AND external_id = $1",
                )
                .bind(external_id)
                .fetch_optional(&self.reader)
                .await?;
                Ok(row.map(|(id,)| id))
            }

            async fn telegram_turn(
                &self,
                bot_id: uuid::Uuid,
                update_id: i64,
                chat_id: i64,
            ) -> $crate::StoreResult<(bool, Option<$crate::TelegramChat>)> {
                // Read from the reader: a chat's earlier update committed before its turn ended.
                let row: $crate::telegram::TurnRow = sqlx::query_as(
                    "SELECT EXISTS (SELECT 1 FROM telegram_updates WHERE bot_id = $1 AND update_id = $2) AS seen, \
                     c.stage, c.language, c.pending_text, c.pending_files, c.appeal_id, c.blocked_at \
                     FROM (SELECT 1 AS one) o LEFT JOIN telegram_chats c ON c.bot_id = $1 AND c.chat_id = $3",
                )
                .bind(bot_id)
                .bind(update_id)
                .bind(chat_id)
                .fetch_one(&self.reader)
                .await?;
                let seen = row.seen;
                Ok((seen, row.into_chat(bot_id, chat_id)?))
            }

            async fn update_handled(
                &self,
                bot_id: uuid::Uuid,
                update_id: i64,
                kind: &str,
            ) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO telegram_updates (bot_id, update_id, kind, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (bot_id, update_id) DO NOTHING",
                )
                .bind(bot_id)
                .bind(update_id)
                .bind(kind)
                .bind($crate::now())
                .execute(&self.writer)
                .await?
                .rows_affected();
                Ok(done == 1)
            }
        }
    };
}
pub(crate) use impl_telegram_store;
