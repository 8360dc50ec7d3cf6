//! What the e-mail channel keeps beside the timeline (R5.3): the headers of the mails on an
//! appeal's timeline and the files that came with messages of any channel, written in the
//! message's transaction; the lookups that thread a mail into its appeal; and what a bounce says
//! about a mail we sent (R6: a permanent one fails the delivery and starts its fallback).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Delivery, StoreResult};

/// A mail's headers kept beside its message (the console shows the thread as mail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailHeaders {
    pub mailbox_id: Option<Uuid>,
    pub subject: Option<String>,
    pub sender: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub recipients: u32,
    pub quoted: Option<String>,
    pub from_html: bool,
    pub automatic: Option<String>,
}

/// A file that came with a message: its bytes are already in the attachment store under
/// `sha256`, or it was refused (`refused` says why) and only this record is kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewAttachment {
    pub name: Option<String>,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub refused: Option<String>,
}

/// What a message carries besides its text; written in the message's transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageExtras {
    pub mail: Option<MailHeaders>,
    pub attachments: Vec<NewAttachment>,
    /// The message is the client's change to an earlier one: `Some(None)` when that one is not
    /// on the timeline (it was written before the appeal began).
    pub edits: Option<Option<Uuid>>,
}

impl MessageExtras {
    pub fn is_empty(&self) -> bool {
        self.mail.is_none() && self.attachments.is_empty() && self.edits.is_none()
    }
}

/// What the messages of one appeal carry besides their text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineExtras {
    pub mails: Vec<MessageMail>,
    pub files: Vec<Attachment>,
    /// (message, the message it changes if on the timeline).
    pub edits: Vec<(Uuid, Option<Uuid>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Attachment {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub message_id: Uuid,
    pub name: Option<String>,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub refused: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A stored mail's headers, by the message they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMail {
    pub message_id: Uuid,
    pub headers: MailHeaders,
}

#[derive(FromRow)]
pub(crate) struct MessageMailRow {
    message_id: Uuid,
    mailbox_id: Option<Uuid>,
    subject: Option<String>,
    sender: Option<String>,
    recipients_to: String,
    recipients_cc: String,
    recipients: i64,
    quoted: Option<String>,
    from_html: bool,
    automatic: Option<String>,
}

impl From<MessageMailRow> for MessageMail {
    fn from(r: MessageMailRow) -> Self {
        MessageMail {
            message_id: r.message_id,
            headers: MailHeaders {
                mailbox_id: r.mailbox_id,
                subject: r.subject,
                sender: r.sender,
                to: serde_json::from_str(&r.recipients_to).unwrap_or_default(),
                cc: serde_json::from_str(&r.recipients_cc).unwrap_or_default(),
                recipients: u32::try_from(r.recipients).unwrap_or(0),
                quoted: r.quoted,
                from_html: r.from_html,
                automatic: r.automatic,
            },
        }
    }
}

/// What a delivery status notification says about a mail we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounced {
    /// The `Message-ID` we sent the mail with.
    pub mail_id: String,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    /// A permanent failure (5.x.x): the delivery failed, and the next of the client's channels
    /// is tried (R6). A delay (4.x.x) is only recorded.
    pub permanent: bool,
}

#[async_trait]
pub trait MailStore: Send + Sync {
    /// The appeal a mail answers: the newest appeal one of `ids` belongs to — a mail we
    /// received (an appeal's opening mail or a later one) or one we sent.
    async fn appeal_of_mail(&self, ids: &[String]) -> StoreResult<Option<Uuid>>;
    /// The appeal with this number (`2026-000123`), if any.
    async fn appeal_by_number(&self, number: &str) -> StoreResult<Option<Uuid>>;
    /// The addresses the appeal's mails came from, newest first: a reply goes back to them.
    async fn mail_senders(&self, appeal_id: Uuid) -> StoreResult<Vec<String>>;
    /// The mail headers and files of an appeal's messages.
    async fn message_extras(&self, appeal_id: Uuid) -> StoreResult<TimelineExtras>;
    async fn get_attachment(&self, id: Uuid) -> StoreResult<Attachment>;
    /// Records a bounce on the delivery that sent the mail; a permanent one fails it and
    /// starts its fallback. `log`, the bounce's line in its mailbox's log, commits with it (on
    /// the delivery's appeal), so a crash between the two cannot leave a failed delivery whose
    /// bounce the log never shows. `None` when no delivery of ours had that id, or it had
    /// failed already; nothing is written then.
    async fn delivery_bounced(
        &self,
        bounce: Bounced,
        log: crate::NewMailLog,
    ) -> StoreResult<Option<Delivery>>;
}

macro_rules! impl_mail_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::MailStore for $store {
            async fn appeal_of_mail(
                &self,
                ids: &[String],
            ) -> $crate::StoreResult<Option<uuid::Uuid>> {
                // One round trip for all the ids: each branch walks the unique indexes on
                // (channel, external_id) or the index on deliveries' Message-IDs; the newest
                // appeal wins.
                let ids: Vec<&String> = ids.iter().take(60).collect();
                if ids.is_empty() {
                    return Ok(None);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                let list = |qb: &mut sqlx::QueryBuilder<'_, $db>| {
                    let mut sep = qb.separated(", ");
                    for id in &ids {
                        sep.push_bind((*id).clone());
                    }
                };
                qb.push("SELECT a.created_at, a.id FROM appeals a WHERE a.channel = 'email' AND a.external_id IN (");
                list(&mut qb);
                qb.push(") UNION ALL SELECT a.created_at, a.id FROM messages m JOIN appeals a ON a.id = m.appeal_id \
                         WHERE m.channel = 'email' AND m.external_id IN (");
                list(&mut qb);
                qb.push(") UNION ALL SELECT a.created_at, a.id FROM deliveries d JOIN appeals a ON a.id = d.appeal_id \
                         WHERE d.mail_message_id IN (");
                list(&mut qb);
                qb.push(") ORDER BY 1 DESC LIMIT 1");
                let row: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)> =
                    qb.build_query_as().fetch_optional(&self.reader).await?;
                Ok(row.map(|(_, id)| id))
            }

            async fn appeal_by_number(
                &self,
                number: &str,
            ) -> $crate::StoreResult<Option<uuid::Uuid>> {
                let row: Option<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM appeals WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(row.map(|(id,)| id))
            }

            async fn mail_senders(&self, appeal_id: uuid::Uuid) -> $crate::StoreResult<Vec<String>> {
                let rows: Vec<(Option<String>,)> = sqlx::query_as(
                    "SELECT mm.sender FROM message_mail mm JOIN messages m ON m.id = mm.message_id \
                     WHERE mm.appeal_id = $1 AND m.direction = 'inbound' AND mm.automatic IS NULL \
                     ORDER BY m.seq DESC LIMIT 20",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                let mut out: Vec<String> = Vec::new();
                for s in rows.into_iter().filter_map(|(s,)| s) {
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
                Ok(out)
            }

            async fn message_extras(
                &self,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::TimelineExtras> {
                let mails: Vec<$crate::mail::MessageMailRow> = sqlx::query_as(
                    "SELECT message_id, mailbox_id, subject, sender, recipients_to, recipients_cc, \
                     recipients, quoted, from_html, automatic FROM message_mail WHERE appeal_id = $1",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                let files: Vec<$crate::Attachment> = sqlx::query_as(
                    "SELECT * FROM attachments WHERE appeal_id = $1 ORDER BY created_at, id",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                let edits: Vec<(uuid::Uuid, Option<uuid::Uuid>)> = sqlx::query_as(
                    "SELECT message_id, edits FROM message_edits WHERE appeal_id = $1",
                )
                .bind(appeal_id)
                .fetch_all(&self.reader)
                .await?;
                Ok($crate::TimelineExtras {
                    mails: mails.into_iter().map(Into::into).collect(),
                    files,
                    edits,
                })
            }

            async fn get_attachment(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::Attachment> {
                let row: Option<$crate::Attachment> =
                    sqlx::query_as("SELECT * FROM attachments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("attachment"))
            }

            async fn delivery_bounced(
                &self,
                b: $crate::Bounced,
                mut log: $crate::NewMailLog,
            ) -> $crate::StoreResult<Option<$crate::Delivery>> {
                let found: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT id FROM deliveries WHERE mail_message_id = $1 ORDER BY created_at DESC LIMIT 1",
                )
                .bind(&b.mail_id)
                .fetch_optional(&self.reader)
                .await?;
                let Some((id,)) = found else { return Ok(None) };
                let now = $crate::now();
                let error = $crate::outbox::clip(&format!(
                    "bounced{}{}",
                    b.status.as_deref().map(|s| format!(" {s}")).unwrap_or_default(),
                    b.diagnostic.as_deref().map(|d| format!(": {d}")).unwrap_or_default(),
                ));
                let mut tx = self.writer.begin().await?;
                // A permanent bounce fails a delivery that was sent (or still pending: the
                // bounce can beat the worker's bookkeeping); a delay is only recorded.
                let query = if b.permanent {
                    "UPDATE deliveries SET state = 'failed', last_error = $2, updated_at = $3 \
                     WHERE id = $1 AND state <> 'failed' RETURNING *"
                } else {
                    "UPDATE deliveries SET last_error = $2, updated_at = $3 WHERE id = $1 RETURNING *"
                };
                let row: Option<$crate::outbox::DeliveryRow> = sqlx::query_as(query)
                    .bind(id)
                    .bind(&error)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else {
                    // Failed already: a second bounce for the same mail changes nothing.
                    return Ok(None);
                };
                let d: $crate::Delivery = row.try_into()?;
                let status = b.status.clone();
                let diagnostic = b.diagnostic.as_deref().map($crate::outbox::clip);
                let permanent = b.permanent;
                Self::delivery_event(
                    &mut tx,
                    &d,
                    move |delivery| {
                        baylanys_domain::Payload::DeliveryBounced(baylanys_domain::events::DeliveryBounced {
                            delivery,
                            status,
                            diagnostic,
                            permanent,
                        })
                    },
                    now,
                )
                .await?;
                let fallback = if b.permanent {
                    Self::start_fallback(&mut tx, &d, now).await?
                } else {
                    None
                };
                log.appeal_id = Some(d.appeal_id);
                Self::insert_mail_log(&mut tx, &log).await?;
                tx.commit().await?;
                Ok(fallback.or(Some(d)))
            }
        }
    };
}
pub(crate) use impl_mail_store;
