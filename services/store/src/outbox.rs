//! The outbox (R6, R30): notices to the client by e-mail or SMS and redirected appeals to bodies
//! by e-mail or signed webhook, written in the transaction of the notice or redirection and
//! delivered by a worker with retries. Each attempt, failure and fallback to another of the
//! client's channels is an event of the appeal, so the timeline shows the delivery state.
//!
//! Several nodes may run the worker: a claim moves `next_at` past a lease in one conditional
//! `UPDATE`, so two workers never hold the same delivery, and one that dies mid-attempt only
//! delays it until the lease runs out (at-least-once; the webhook's id lets a body deduplicate).

use async_trait::async_trait;
use baylanys_domain::{DeliveryState, DeliveryVia, Recipient};
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Actor, Ingested, Message, NewMessage, StoreError, StoreResult};

/// What to deliver and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub method: DeliveryVia,
    pub address: String,
    /// The e-mail subject.
    pub subject: Option<String>,
    /// The text of an e-mail or SMS, or the JSON document of a webhook.
    pub payload: String,
    /// Tried in order when this one gives up (R6: a failed notification falls back to another
    /// known channel of the client).
    pub fallbacks: Vec<(DeliveryVia, String)>,
    /// A mail of the citizen's thread: the ids that chain it to the mails before it.
    pub mail_thread: Option<MailThread>,
    /// Buttons under the message where the channel has them (Telegram's inline keyboard): rows
    /// of (label, data). A channel without buttons sends the text alone, which must stand on
    /// its own (the survey's text carries its link too).
    pub buttons: Buttons,
}

/// Rows of (label, data) buttons.
pub type Buttons = Vec<Vec<(String, String)>>;

/// Where a mail sits in its thread (RFC 5322 §3.6.4): our own `Message-ID`, and the
/// `In-Reply-To` / `References` that make the citizen's mail program show the reply under the
/// mail it answers. Ids are kept with their angle brackets, as they go on the wire.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailThread {
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// One delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub appeal_id: Uuid,
    /// The notice on the timeline it carries to the client.
    pub message_id: Option<Uuid>,
    /// The redirection it carries to the body.
    pub redirection_id: Option<Uuid>,
    /// The delivery that gave up before this one was tried.
    pub fallback_of: Option<Uuid>,
    pub recipient: Recipient,
    pub method: DeliveryVia,
    pub address: String,
    pub subject: Option<String>,
    pub payload: String,
    pub fallbacks: Vec<(DeliveryVia, String)>,
    pub mail_thread: Option<MailThread>,
    pub buttons: Buttons,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a delivery carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Notice(Uuid),
    Redirection(Uuid),
}

/// Outbound deliveries and the webhook trust of bodies.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// A notice on the appeal's timeline with the delivery that carries it, in one transaction.
    /// A replayed `external_id` returns the stored notice and adds nothing.
    async fn add_notice(
        &self,
        appeal_id: Uuid,
        message: NewMessage,
        delivery: NewDelivery,
    ) -> StoreResult<Ingested<Message>>;
    /// A message of the appeal written by `actor` within `scope` (an operator's reply) with the
    /// delivery that carries it to the client off the centre's own sockets, in one transaction;
    /// a replayed `external_id` returns the stored message and adds nothing.
    async fn add_delivered_message(
        &self,
        appeal_id: Uuid,
        message: NewMessage,
        delivery: NewDelivery,
        scope: baylanys_domain::AppealScope,
        actor: Actor,
    ) -> StoreResult<Ingested<Message>>;
    /// The mail ids of the appeal's thread so far, oldest first, each with where it went: the
    /// citizen's `Message-ID`s (the appeal's and its inbound e-mail messages' external ids) in,
    /// the `Message-ID`s of the mails sent to them out.
    async fn mail_thread_ids(
        &self,
        appeal_id: Uuid,
    ) -> StoreResult<Vec<(String, baylanys_domain::Direction)>>;
    /// Takes up to `limit` pending deliveries due at `now` until `lease_until`.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    async fn delivery_sent(&self, id: Uuid) -> StoreResult<()>;
    /// One failed attempt: tried again at `retry_at`, or (`None`) given up — then the first of
    /// its fallbacks becomes a new pending delivery, which is returned.
    async fn delivery_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<Option<Delivery>>;
    /// The deliveries of one appeal, oldest first, for its timeline.
    async fn deliveries_of(&self, appeal_id: Uuid) -> StoreResult<Vec<Delivery>>;
    /// The newest deliveries, optionally in one state (supervisors watch the failed ones).
    async fn list_deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    /// Puts a failed delivery back in line now, with a fresh count of attempts.
    async fn retry_delivery(&self, id: Uuid, actor: Actor) -> StoreResult<Delivery>;
    /// Replaces the body's webhook secret (an event, never the secret itself).
    async fn set_webhook_secret(
        &self,
        body_id: Uuid,
        secret: &str,
        actor: Actor,
    ) -> StoreResult<()>;
    async fn webhook_secret(&self, body_id: Uuid) -> StoreResult<Option<String>>;
    /// Whether a call of the body's system with this id was received (and applied) already.
    async fn webhook_seen(&self, body_id: Uuid, webhook_id: &str) -> StoreResult<bool>;
    /// The current secret of the body a redirection went to, to sign its delivery with.
    async fn redirection_secret(&self, redirection_id: Uuid) -> StoreResult<Option<String>>;
    /// The admins' notification templates (R6); empty until one is edited.
    async fn notification_templates(
        &self,
    ) -> StoreResult<baylanys_domain::templates::NotificationTemplates>;
    /// Replaces the overrides after validating them; an event.
    async fn set_notification_templates(
        &self,
        templates: baylanys_domain::templates::NotificationTemplates,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::templates::NotificationTemplates>;
}

#[derive(FromRow)]
pub(crate) struct DeliveryRow {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub message_id: Option<Uuid>,
    pub redirection_id: Option<Uuid>,
    pub fallback_of: Option<Uuid>,
    pub recipient: String,
    pub method: String,
    pub address: String,
    pub subject: Option<String>,
    pub payload: String,
    pub fallbacks: String,
    pub mail_thread: Option<String>,
    pub buttons: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn parse<T: std::str::FromStr>(s: &str) -> StoreResult<T> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unexpected value {s:?}")))
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> StoreResult<Delivery> {
        let fallbacks: Vec<(String, String)> = serde_json::from_str(&r.fallbacks)
            .map_err(|e| StoreError::Corrupt(format!("delivery fallbacks: {e}")))?;
        Ok(Delivery {
            id: r.id,
            appeal_id: r.appeal_id,
            message_id: r.message_id,
            redirection_id: r.redirection_id,
            fallback_of: r.fallback_of,
            recipient: parse(&r.recipient)?,
            method: parse(&r.method)?,
            address: r.address,
            subject: r.subject,
            payload: r.payload,
            fallbacks: fallbacks
                .into_iter()
                .map(|(m, a)| Ok((parse(&m)?, a)))
                .collect::<StoreResult<_>>()?,
            mail_thread: r
                .mail_thread
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("delivery mail thread: {e}")))?,
            buttons: r
                .buttons
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("delivery buttons: {e}")))?
                .unwrap_or_default(),
            state: parse(&r.state)?,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            next_at: r.next_at,
            last_error: r.last_error,
            sent_at: r.sent_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub(crate) fn fallbacks_json(list: &[(DeliveryVia, String)]) -> String {
    let pairs: Vec<(&str, &str)> = list.iter().map(|(m, a)| (m.as_str(), a.as_str())).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

/// An RFC 5322 message id as it goes on the wire: `<left@right>`, printable ASCII, no spaces.
pub fn is_message_id(s: &str) -> bool {
    s.len() <= 250
        && s.starts_with('<')
        && s.ends_with('>')
        && s.contains('@')
        && s[1..s.len() - 1]
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
}

/// Errors are stored and shown to supervisors, never the whole of a remote's answer.
pub(crate) fn clip(error: &str) -> String {
    error.chars().take(500).collect()
}

macro_rules! impl_outbox_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::OutboxStore for $store {
            async fn add_notice(
                &self,
                appeal_id: uuid::Uuid,
                message: $crate::NewMessage,
                delivery: $crate::NewDelivery,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Message>> {
                self.append_message(
                    appeal_id,
                    message,
                    baylanys_domain::AppealScope::All,
                    $crate::Actor::SYSTEM,
                    Some(delivery),
                )
                .await
            }

            async fn add_delivered_message(
                &self,
                appeal_id: uuid::Uuid,
                message: $crate::NewMessage,
                delivery: $crate::NewDelivery,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Message>> {
                self.append_message(appeal_id, message, scope, actor, Some(delivery)).await
            }

            async fn mail_thread_ids(
                &self,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<(String, baylanys_domain::Direction)>> {
                use baylanys_domain::Direction;
                // The appeal's own external id (the mail that opened it), the e-mail messages'
                // ids, then the ids we sent with; each kept in the order it joined the thread.
                let rows: Vec<(Option<String>, String, chrono::DateTime<chrono::Utc>, i64)> = sqlx::query_as(
                    "SELECT external_id, 'inbound', created_at, 0 FROM appeals WHERE id = $1 AND channel = 'email' \
                     UNION ALL SELECT external_id, direction, created_at, seq FROM messages \
                     WHERE appeal_id = $1 AND channel = 'email' AND external_id IS NOT NULL \
                     UNION ALL SELECT mail_thread, 'outbound', created_at, 0 FROM deliveries \
                     WHERE appeal_id = $1 AND mail_thread IS NOT NULL",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                let mut rows = rows;
                rows.sort_by(|a, b| (a.2, a.3).cmp(&(b.2, b.3)));
                let mut ids: Vec<(String, Direction)> = Vec::new();
                for (value, direction, _, _) in rows {
                    let Some(value) = value else { continue };
                    let id = match serde_json::from_str::<$crate::MailThread>(&value) {
                        Ok(t) => t.message_id,
                        Err(_) => value,
                    };
                    let direction = if direction == "outbound" { Direction::Outbound } else { Direction::Inbound };
                    if $crate::outbox::is_message_id(&id) && !ids.iter().any(|(x, _)| *x == id) {
                        ids.push((id, direction));
                    }
                }
                Ok(ids)
            }

            async fn claim_deliveries(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Delivery>> {
                // The outer condition is checked again on the locked row (PostgreSQL re-reads a
                // row another transaction changed), so a concurrent claimer skips it. A chat's
                // messages go one at a time, in the order they were written: a Telegram delivery
                // waits while an earlier one to the same chat is pending (retried after a 429,
                // say), so an answer never overtakes the acknowledgement.
                let rows: Vec<$crate::outbox::DeliveryRow> = sqlx::query_as(
                    "UPDATE deliveries SET next_at = $2 WHERE state = 'pending' AND next_at <= $1 \
                     AND id IN (SELECT d.id FROM deliveries d WHERE d.state = 'pending' AND d.next_at <= $1 \
                     AND NOT (d.method = 'telegram' AND EXISTS (SELECT 1 FROM deliveries e \
                       WHERE e.state = 'pending' AND e.method = 'telegram' AND e.address = d.address \
                       AND (e.created_at < d.created_at OR (e.created_at = d.created_at AND e.id < d.id)))) \
                     ORDER BY d.next_at LIMIT $3) RETURNING *",
                )
                .bind(now)
                .bind(lease_until)
                .bind(i64::from(limit.clamp(1, 100)))
                .fetch_all(&self.writer)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn delivery_sent(&self, id: uuid::Uuid) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::outbox::DeliveryRow> = sqlx::query_as(
                    "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = $2, \
                     last_error = NULL, updated_at = $2 WHERE id = $1 AND state = 'pending' RETURNING *",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Err($crate::StoreError::Conflict("the delivery is not pending".into()));
                };
                let d: $crate::Delivery = row.try_into()?;
                Self::delivery_event(
                    &mut tx,
                    &d,
                    |delivery| baylanys_domain::Payload::DeliverySent(baylanys_domain::events::DeliverySent { delivery }),
                    now,
                )
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delivery_failed(
                &self,
                id: uuid::Uuid,
                error: &str,
                retry_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> $crate::StoreResult<Option<$crate::Delivery>> {
                let now = $crate::now();
                let error = $crate::outbox::clip(error);
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::outbox::DeliveryRow> = sqlx::query_as(
                    "UPDATE deliveries SET state = $3, attempts = attempts + 1, next_at = $4, \
                     last_error = $2, updated_at = $5 WHERE id = $1 AND state = 'pending' RETURNING *",
                )
                .bind(id)
                .bind(&error)
                .bind(if retry_at.is_some() { "pending" } else { "failed" })
                .bind(retry_at.unwrap_or(now))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Err($crate::StoreError::Conflict("the delivery is not pending".into()));
                };
                let failed: $crate::Delivery = row.try_into()?;
                Self::delivery_event(
                    &mut tx,
                    &failed,
                    |delivery| {
                        baylanys_domain::Payload::DeliveryFailed(baylanys_domain::events::DeliveryFailed {
                            delivery,
                            error: error.clone(),
                            retry_at,
                            gave_up: retry_at.is_none(),
                        })
                    },
                    now,
                )
                .await?;
                let fallback = if retry_at.is_none() {
                    Self::start_fallback(&mut tx, &failed, now).await?
                } else {
                    None
                };
                tx.commit().await?;
                Ok(fallback)
            }

            async fn deliveries_of(
                &self,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Delivery>> {
                let rows: Vec<$crate::outbox::DeliveryRow> = sqlx::query_as(
                    "SELECT * FROM deliveries WHERE appeal_id = $1 ORDER BY created_at, id",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn list_deliveries(
                &self,
                state: Option<baylanys_domain::DeliveryState>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Delivery>> {
                let rows: Vec<$crate::outbox::DeliveryRow> = sqlx::query_as(
                    "SELECT * FROM deliveries WHERE ($1 IS NULL OR state = $1) \
                     ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(state.map(|s| s.as_str()))
                .bind($crate::page_limit(limit))
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn retry_delivery(
                &self,
                id: uuid::Uuid,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Delivery> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::outbox::DeliveryRow> = sqlx::query_as(
                    "UPDATE deliveries SET state = 'pending', attempts = 0, next_at = $2, updated_at = $2 \
                     WHERE id = $1 AND state = 'failed' RETURNING *",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    return Err(if n == 0 {
                        $crate::StoreError::NotFound("delivery")
                    } else {
                        $crate::StoreError::Conflict("only a failed delivery is tried again".into())
                    });
                };
                let d: $crate::Delivery = row.try_into()?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::DeliveryRetried(baylanys_domain::events::DeliveryRetried {
                            delivery_id: d.id,
                            method: d.method,
                        }),
                    )
                    .appeal(d.appeal_id),
                )
                .await?;
                tx.commit().await?;
                Ok(d)
            }

            async fn set_webhook_secret(
                &self,
                body_id: uuid::Uuid,
                secret: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let done = sqlx::query("UPDATE bodies SET webhook_secret = $2, updated_at = $3 WHERE id = $1")
                    .bind(body_id)
                    .bind(secret)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done == 0 {
                    return Err($crate::StoreError::NotFound("body"));
                }
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::SecretIssued(baylanys_domain::events::SecretIssued { body_id }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn webhook_secret(
                &self,
                body_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<String>> {
                let row: Option<(Option<String>,)> =
                    sqlx::query_as("SELECT webhook_secret FROM bodies WHERE id = $1 AND active = TRUE")
                        .bind(body_id)
                        .fetch_optional(&self.reader)
                        .await?;
                Ok(row.and_then(|(s,)| s))
            }

            async fn notification_templates(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::templates::NotificationTemplates> {
                self.setting("notifications.templates").await
            }

            async fn set_notification_templates(
                &self,
                templates: baylanys_domain::templates::NotificationTemplates,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::templates::NotificationTemplates> {
                templates.validate()?;
                self.save_setting("notifications.templates", &templates, actor).await?;
                Ok(templates)
            }

            async fn webhook_seen(
                &self,
                body_id: uuid::Uuid,
                webhook_id: &str,
            ) -> $crate::StoreResult<bool> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM body_webhook_receipts WHERE body_id = $1 AND webhook_id = $2",
                )
                .bind(body_id)
                .bind(webhook_id)
                .fetch_one(&self.reader)
                .await?;
                Ok(n > 0)
            }

            async fn redirection_secret(
                &self,
                redirection_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<String>> {
                let row: Option<(Option<String>,)> = sqlx::query_as(
                    "SELECT b.webhook_secret FROM redirections r JOIN bodies b ON b.id = r.body_id \
                     WHERE r.id = $1",
                )
                .bind(redirection_id)
                .fetch_optional(&self.reader)
                .await?;
                Ok(row.and_then(|(s,)| s))
            }
        }

        impl $store {
            /// Writes a pending delivery due at once, inside the caller's transaction.
            pub(crate) async fn insert_delivery(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal_id: uuid::Uuid,
                target: $crate::outbox::Target,
                new: &$crate::NewDelivery,
                fallback_of: Option<uuid::Uuid>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<$crate::Delivery> {
                let (message_id, redirection_id, recipient) = match target {
                    $crate::outbox::Target::Notice(m) => (Some(m), None, baylanys_domain::Recipient::Client),
                    $crate::outbox::Target::Redirection(r) => (None, Some(r), baylanys_domain::Recipient::Body),
                };
                let row: $crate::outbox::DeliveryRow = sqlx::query_as(
                    "INSERT INTO deliveries (id, appeal_id, message_id, redirection_id, fallback_of, \
                     recipient, method, address, subject, payload, fallbacks, mail_thread, mail_message_id, buttons, state, \
                     attempts, next_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                     $11, $13, $14, $15, 'pending', 0, $12, $12, $12) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(appeal_id)
                .bind(message_id)
                .bind(redirection_id)
                .bind(fallback_of)
                .bind(recipient.as_str())
                .bind(new.method.as_str())
                .bind(&new.address)
                .bind(&new.subject)
                .bind(&new.payload)
                .bind($crate::outbox::fallbacks_json(&new.fallbacks))
                .bind(now)
                .bind(
                    new.mail_thread
                        .as_ref()
                        .and_then(|t| serde_json::to_string(t).ok()),
                )
                .bind(new.mail_thread.as_ref().map(|t| t.message_id.clone()))
                .bind(
                    (!new.buttons.is_empty())
                        .then(|| serde_json::to_string(&new.buttons).ok())
                        .flatten(),
                )
                .fetch_one(&mut **tx)
                .await?;
                row.try_into()
            }

            /// A delivery that gave up hands over to the first of its fallbacks (R6): a new
            /// pending delivery on the client's next channel, written in the caller's
            /// transaction. A delivery staff retried may have fallen back before: the client is
            /// not sent the same notice on the fallback channel twice.
            pub(crate) async fn start_fallback(
                tx: &mut sqlx::Transaction<'static, $db>,
                failed: &$crate::Delivery,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<$crate::Delivery>> {
                let (fell_back,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE fallback_of = $1")
                        .bind(failed.id)
                        .fetch_one(&mut **tx)
                        .await?;
                if fell_back > 0 {
                    return Ok(None);
                }
                let Some(((method, address), rest)) = failed.fallbacks.split_first() else {
                    return Ok(None);
                };
                let next = $crate::NewDelivery {
                    method: *method,
                    address: address.clone(),
                    subject: failed.subject.clone(),
                    payload: failed.payload.clone(),
                    fallbacks: rest.to_vec(),
                    // A mail of the thread keeps its place; an SMS has none.
                    mail_thread: if *method == baylanys_domain::DeliveryVia::Email {
                        failed.mail_thread.clone()
                    } else {
                        None
                    },
                    // Buttons are Telegram's; the text stands alone elsewhere.
                    buttons: if *method == baylanys_domain::DeliveryVia::Telegram {
                        failed.buttons.clone()
                    } else {
                        Vec::new()
                    },
                };
                let target = match (failed.message_id, failed.redirection_id) {
                    (Some(m), _) => $crate::outbox::Target::Notice(m),
                    (None, Some(r)) => $crate::outbox::Target::Redirection(r),
                    (None, None) => {
                        return Err($crate::StoreError::Corrupt("a delivery without a target".into()))
                    }
                };
                let created =
                    Self::insert_delivery(tx, failed.appeal_id, target, &next, Some(failed.id), now).await?;
                let (from_delivery, from_method) = (failed.id, failed.method);
                Self::delivery_event(
                    tx,
                    &created,
                    move |delivery| {
                        baylanys_domain::Payload::DeliveryFallback(baylanys_domain::events::DeliveryFallback {
                            delivery,
                            from_delivery,
                            from_method,
                        })
                    },
                    now,
                )
                .await?;
                Ok(Some(created))
            }

            /// The delivery's step on the appeal's timeline: never the address or the payload.
            /// `payload` adds what the step itself says to what every step says of its delivery.
            async fn delivery_event(
                tx: &mut sqlx::Transaction<'static, $db>,
                d: &$crate::Delivery,
                payload: impl FnOnce(baylanys_domain::events::DeliveryStep) -> baylanys_domain::Payload + Send,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                let step = baylanys_domain::events::DeliveryStep {
                    delivery_id: d.id,
                    recipient: d.recipient,
                    method: d.method,
                    attempts: d.attempts,
                    message_id: d.message_id,
                    redirection_id: d.redirection_id,
                };
                Self::event(
                    tx,
                    now,
                    $crate::events::Draft::typed($crate::Actor::SYSTEM, payload(step)).appeal(d.appeal_id),
                )
                .await
            }
        }
    };
}
pub(crate) use impl_outbox_store;
