//! Competence and parts (clause 3.8, R30): which topics each body is competent for, and
//! splitting an appeal so that one part goes to one body and another part elsewhere. A part is
//! an appeal of its own — its own number, redirection, deadline tracking and answer — that
//! keeps the registration date's term of the appeal it came from and points back at it.

use async_trait::async_trait;
use uuid::Uuid;

use crate::{Actor, Appeal, Body, StoreResult};

/// One part of an appeal to be handled on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPart {
    /// What the part is about, shown as its subject.
    pub subject: String,
    /// The part of the citizen's request, as the operator set it out.
    pub text: String,
    /// The part's topic; the appeal's when `None`.
    pub topic_id: Option<Uuid>,
}

#[async_trait]
pub trait CompetenceStore: Send + Sync {
    /// Replaces the topics the body is competent for; an event. Unknown body or topic: 404.
    async fn set_body_topics(
        &self,
        body_id: Uuid,
        topic_ids: Vec<Uuid>,
        actor: Actor,
    ) -> StoreResult<Vec<Uuid>>;
    async fn body_topics(&self, body_id: Uuid) -> StoreResult<Vec<Uuid>>;
    /// The active bodies competent for a topic, by Russian name.
    async fn competent_bodies(&self, topic_id: Uuid) -> StoreResult<Vec<Body>>;
    /// Makes a part of the appeal an appeal of its own, due when the appeal is, with the part's
    /// text as its first entry (written by the operator who split it). Events on both. An
    /// answered or closed appeal is a conflict; a part is not split again.
    /// `also` is decided on the new part and written on the appeal it came from (the client is
    /// told the part's number there), in the same transaction.
    async fn split_appeal(
        &self,
        id: Uuid,
        part: NewPart,
        scope: baylanys_domain::AppealScope,
        actor: Actor,
        also: crate::Also,
    ) -> StoreResult<Appeal>;
    /// The parts split from an appeal, oldest first.
    async fn parts_of(&self, id: Uuid) -> StoreResult<Vec<Appeal>>;
}

macro_rules! impl_competence_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CompetenceStore for $store {
            async fn set_body_topics(
                &self,
                body_id: uuid::Uuid,
                topic_ids: Vec<uuid::Uuid>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<Vec<uuid::Uuid>> {
                let mut ids = topic_ids;
                ids.sort();
                ids.dedup();
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                Self::ensure_exists(&mut tx, "bodies", "body", body_id).await?;
                for t in &ids {
                    Self::ensure_exists(&mut tx, "topics", "topic", *t).await?;
                }
                sqlx::query("DELETE FROM body_topics WHERE body_id = $1")
                    .bind(body_id)
                    .execute(&mut *tx)
                    .await?;
                for t in &ids {
                    sqlx::query("INSERT INTO body_topics (body_id, topic_id) VALUES ($1, $2)")
                        .bind(body_id)
                        .bind(t)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::BodyTopicsSet(baylanys_domain::events::BodyTopicsSet {
                            body_id,
                            topic_ids: ids.clone(),
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(ids)
            }

            async fn body_topics(&self, body_id: uuid::Uuid) -> $crate::StoreResult<Vec<uuid::Uuid>> {
                let rows: Vec<(uuid::Uuid,)> =
                    sqlx::query_as("SELECT topic_id FROM body_topics WHERE body_id = $1 ORDER BY topic_id")
                        .bind(body_id)
                        .fetch_all(&self.reader)
                        .await?;
                Ok(rows.into_iter().map(|(t,)| t).collect())
            }

            async fn competent_bodies(
                &self,
                topic_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Body>> {
                let rows: Vec<$crate::rows::BodyRow> = sqlx::query_as(
                    "SELECT b.* FROM bodies b JOIN body_topics t ON t.body_id = b.id \
                     WHERE t.topic_id = $1 AND b.active = TRUE ORDER BY b.name_ru, b.id",
                )
                .bind(topic_id)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn split_appeal(
                &self,
                id: uuid::Uuid,
                part: $crate::NewPart,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Appeal> {
                use baylanys_domain::AppealStatus;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let parent = Self::appeal_in_tx(&mut tx, id, scope).await?;
                if matches!(parent.status, AppealStatus::Answered | AppealStatus::Closed) {
                    return Err($crate::StoreError::Conflict(format!(
                        "an appeal in status {} is not split",
                        parent.status
                    )));
                }
                if parent.parent_id.is_some() {
                    return Err($crate::StoreError::Conflict(
                        "a part is not split again; split the appeal it came from".into(),
                    ));
                }
                let topic_id = part.topic_id.or(parent.topic_id);
                if let Some(t) = part.topic_id {
                    Self::ensure_exists(&mut tx, "topics", "topic", t).await?;
                }
                let child = uuid::Uuid::now_v7();
                // The part keeps the appeal's term (АППК art. 76 counts from registration).
                sqlx::query(
                    "INSERT INTO appeals (id, number, client_id, kind, topic_id, channel, language, \
                     priority, status, queue_id, subject, last_seq, created_at, updated_at, due_at, \
                     first_due_at, parent_id, verified_at, verification_method) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12, $13, $14, $15, $16, $17)",
                )
                .bind(child)
                .bind(format!("pending:{child}"))
                .bind(parent.client_id)
                .bind(parent.kind.as_str())
                .bind(topic_id)
                .bind(parent.channel.as_str())
                .bind(parent.language.as_str())
                .bind(parent.priority.get())
                .bind(AppealStatus::InProgress.as_str())
                .bind(parent.queue_id)
                .bind(&part.subject)
                .bind(now)
                .bind(parent.due_at)
                .bind(parent.first_due_at.or(parent.due_at))
                .bind(id)
                .bind(parent.verified_at)
                .bind(&parent.verification_method)
                .execute(&mut *tx)
                .await?;
                let text = $crate::NewMessage {
                    author: baylanys_domain::Author::Operator,
                    kind: baylanys_domain::MessageKind::Text,
                    staff_id: actor.staff_id(),
                    channel: Some(parent.channel),
                    body: part.text.clone(),
                    interaction_id: None,
                    external_id: None,
                    extras: Default::default(),
                };
                let (_, message) =
                    Self::insert_message(&mut tx, child, 1, parent.channel, &text, actor, now).await?;
                let year = baylanys_domain::local_year(now);
                let (counter,): (i64,) = sqlx::query_as(
                    "INSERT INTO counters (name, value) VALUES ($1, 1) \
                     ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                )
                .bind(format!("appeal:{year}"))
                .fetch_one(&mut *tx)
                .await?;
                let number = baylanys_domain::appeal_number(year, counter);
                let row: $crate::rows::AppealRow =
                    sqlx::query_as("UPDATE appeals SET number = $2 WHERE id = $1 RETURNING *")
                        .bind(child)
                        .bind(&number)
                        .fetch_one(&mut *tx)
                        .await?;
                Self::events(
                    &mut tx,
                    now,
                    vec![
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::Split(baylanys_domain::events::Split {
                                part_id: child,
                                part_number: number.clone(),
                                subject: part.subject.clone(),
                            }),
                        )
                        .appeal(id)
                        .client(parent.client_id),
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::AppealCreated(baylanys_domain::events::AppealCreated {
                                kind: parent.kind,
                                channel: parent.channel,
                                language: parent.language,
                                priority: parent.priority.get(),
                                topic_id,
                                queue_id: parent.queue_id,
                                split_from: Some(id),
                            }),
                        )
                        .appeal(child)
                        .client(parent.client_id),
                        message,
                    ],
                )
                .await?;
                let child: $crate::Appeal = row.try_into()?;
                let mut parent = Self::appeal_in_tx(&mut tx, id, baylanys_domain::AppealScope::All).await?;
                Self::also_about(&mut tx, &mut parent, &child, also, now).await?;
                tx.commit().await?;
                Ok(child)
            }

            async fn parts_of(&self, id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::Appeal>> {
                let rows: Vec<$crate::rows::AppealRow> =
                    sqlx::query_as("SELECT * FROM appeals WHERE parent_id = $1 ORDER BY created_at, id")
                        .bind(id)
                        .fetch_all(&self.reader)
                        .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}
pub(crate) use impl_competence_store;
