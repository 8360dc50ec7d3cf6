//! QA reviews (R26–R28, KPI 2): supervisors score answered contacts of every channel against the
//! scorecard, on a random sample of each operator's contacts of a period; two reviewers on one
//! contact make a calibration. Each review writes a `qa.reviewed` event in its transaction, and
//! KPI 2 is computed from those events (DESIGN principle 3).

use std::collections::BTreeMap;

use async_trait::async_trait;
use baylanys_domain::qa::Scorecard;
use baylanys_domain::Channel;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Actor, StoreError, StoreResult};

/// The settings key of the scorecard.
pub(crate) const SCORECARD_KEY: &str = "qa.scorecard";

/// One reviewer's scores of one contact.
#[derive(Debug, Clone, PartialEq)]
pub struct QaReview {
    pub id: Uuid,
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    /// The operator who handled the contact (copied when it was reviewed).
    pub operator_id: Uuid,
    pub channel: Channel,
    pub reviewer_id: Uuid,
    /// Criterion → 0–100.
    pub scores: BTreeMap<String, u8>,
    /// Weighted by the scorecard in force when the review was recorded.
    pub total: f64,
    /// Accuracy, completeness and procedure each at or above the pass mark (KPI 2).
    pub accurate: bool,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A review to record; the store scores it against the scorecard in force.
#[derive(Debug, Clone)]
pub struct NewQaReview {
    pub interaction_id: Uuid,
    /// Criterion → score, as sent; checked by [`Scorecard::assess`].
    pub scores: BTreeMap<String, i64>,
    pub comment: Option<String>,
}

/// Which reviews to list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct QaFilter {
    /// Recorded at or after.
    pub from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub to: Option<DateTime<Utc>>,
    pub operator_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub limit: u32,
}

/// A contact drawn for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QaCandidate {
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    /// The appeal's number, as reviewers name it.
    pub appeal_number: String,
    pub operator_id: Uuid,
    pub channel: Channel,
    pub answered_at: DateTime<Utc>,
}

/// QA reviews and their scorecard (R26–R28).
#[async_trait]
pub trait QaStore: Send + Sync {
    /// Scores the contact against the scorecard and records the review with its `qa.reviewed`
    /// event. The contact must exist (`NotFound`) and have been answered by an operator (a
    /// conflict otherwise); the reviewer may not be that operator, and reviews a contact once
    /// (both conflicts). Bad scores are a domain error; nothing is written.
    async fn record_qa_review(&self, new: NewQaReview, actor: Actor) -> StoreResult<QaReview>;
    /// Reviews matching the filter, oldest first.
    async fn list_qa_reviews(&self, filter: QaFilter) -> StoreResult<Vec<QaReview>>;
    /// Up to `per_operator` contacts of each operator, answered in `[from, to)` and reviewed by
    /// nobody yet, drawn at random (R28), ordered by operator then time.
    async fn qa_sample(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        per_operator: u32,
    ) -> StoreResult<Vec<QaCandidate>>;
    /// The scorecard in force; the default until an admin sets one.
    async fn qa_scorecard(&self) -> StoreResult<Scorecard>;
    /// Replaces the scorecard after validating it (weights summing to 100); an event.
    async fn set_qa_scorecard(&self, card: Scorecard, actor: Actor) -> StoreResult<Scorecard>;
}

#[derive(FromRow)]
pub(crate) struct QaReviewRow {
    pub id: Uuid,
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    pub operator_id: Uuid,
    pub channel: String,
    pub reviewer_id: Uuid,
    pub scores: Json<BTreeMap<String, u8>>,
    pub total: f64,
    pub accurate: bool,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<QaReviewRow> for QaReview {
    type Error = StoreError;
    fn try_from(r: QaReviewRow) -> StoreResult<QaReview> {
        Ok(QaReview {
            id: r.id,
            interaction_id: r.interaction_id,
            appeal_id: r.appeal_id,
            operator_id: r.operator_id,
            channel: r
                .channel
                .parse()
                .map_err(|e: baylanys_domain::DomainError| StoreError::Corrupt(e.to_string()))?,
            reviewer_id: r.reviewer_id,
            scores: r.scores.0,
            total: r.total,
            accurate: r.accurate,
            comment: r.comment,
            created_at: r.created_at,
        })
    }
}

/// The contact under review, with what its review copies.
#[derive(FromRow)]
pub(crate) struct QaTargetRow {
    pub appeal_id: Uuid,
    pub channel: String,
    pub state: String,
    pub operator_id: Option<Uuid>,
    pub queue_id: Option<Uuid>,
    pub client_id: Uuid,
}

#[derive(FromRow)]
pub(crate) struct QaCandidateRow {
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    pub appeal_number: String,
    pub operator_id: Uuid,
    pub channel: String,
    pub answered_at: DateTime<Utc>,
}

impl TryFrom<QaCandidateRow> for QaCandidate {
    type Error = StoreError;
    fn try_from(r: QaCandidateRow) -> StoreResult<QaCandidate> {
        Ok(QaCandidate {
            interaction_id: r.interaction_id,
            appeal_id: r.appeal_id,
            appeal_number: r.appeal_number,
            operator_id: r.operator_id,
            channel: r
                .channel
                .parse()
                .map_err(|e: baylanys_domain::DomainError| StoreError::Corrupt(e.to_string()))?,
            answered_at: r.answered_at,
        })
    }
}

macro_rules! impl_qa_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::QaStore for $store {
            async fn record_qa_review(
                &self,
                new: $crate::NewQaReview,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::QaReview> {
                use baylanys_domain::{DomainError, InteractionState};
                let reviewer = actor.staff_id().ok_or_else(|| {
                    $crate::StoreError::Domain(DomainError::InvalidField {
                        field: "reviewer",
                        reason: "a review is made by a staff member".into(),
                    })
                })?;
                // Scored against the scorecard in force now; the review keeps its total and
                // verdict if the scorecard changes later, so past KPIs never move.
                let card = self.qa_scorecard().await?;
                let assessed = card.assess(&new.scores)?;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let target: Option<$crate::qa::QaTargetRow> = sqlx::query_as(
                    "SELECT i.appeal_id, i.channel, i.state, i.operator_id, i.queue_id, a.client_id \
                     FROM interactions i JOIN appeals a ON a.id = i.appeal_id WHERE i.id = $1",
                )
                .bind(new.interaction_id)
                .fetch_optional(&mut *tx)
                .await?;
                let target = target.ok_or($crate::StoreError::NotFound("interaction"))?;
                let answered = [InteractionState::Answered, InteractionState::Ended]
                    .iter()
                    .any(|s| s.as_str() == target.state);
                let operator = match (answered, target.operator_id) {
                    (true, Some(op)) => op,
                    _ => {
                        return Err($crate::StoreError::Conflict(
                            "only a contact an operator has answered can be reviewed".into(),
                        ))
                    }
                };
                if operator == reviewer {
                    return Err($crate::StoreError::Conflict(
                        "nobody reviews their own contact".into(),
                    ));
                }
                let (done,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM qa_reviews WHERE interaction_id = $1 AND reviewer_id = $2",
                )
                .bind(new.interaction_id)
                .bind(reviewer)
                .fetch_one(&mut *tx)
                .await?;
                if done > 0 {
                    // A second opinion comes from a second reviewer (calibration), never by
                    // overwriting the first.
                    return Err($crate::StoreError::Conflict(
                        "you have already reviewed this contact".into(),
                    ));
                }
                let id = uuid::Uuid::now_v7();
                // The UNIQUE (interaction_id, reviewer_id) key still guards a concurrent double
                // submission: the loser gets a conflict.
                let row: $crate::qa::QaReviewRow = sqlx::query_as(
                    "INSERT INTO qa_reviews (id, interaction_id, appeal_id, operator_id, channel, \
                     reviewer_id, scores, total, accurate, comment, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *",
                )
                .bind(id)
                .bind(new.interaction_id)
                .bind(target.appeal_id)
                .bind(operator)
                .bind(&target.channel)
                .bind(reviewer)
                .bind(sqlx::types::Json(&assessed.scores))
                .bind(assessed.total)
                .bind(assessed.accurate)
                .bind(&new.comment)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::QaReviewed(baylanys_domain::events::QaReviewed {
                            review_id: id,
                            interaction_id: Some(new.interaction_id),
                            operator_id: Some(operator),
                            channel: target.channel.parse().ok(),
                            queue_id: target.queue_id,
                            total: Some(assessed.total),
                            accurate: assessed.accurate,
                        }),
                    )
                    .appeal(target.appeal_id)
                    .client(target.client_id)
                    .interaction(new.interaction_id),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn list_qa_reviews(
                &self,
                filter: $crate::QaFilter,
            ) -> $crate::StoreResult<Vec<$crate::QaReview>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM qa_reviews WHERE 1=1");
                if let Some(from) = filter.from {
                    qb.push(" AND created_at >= ").push_bind(from);
                }
                if let Some(to) = filter.to {
                    qb.push(" AND created_at < ").push_bind(to);
                }
                if let Some(op) = filter.operator_id {
                    qb.push(" AND operator_id = ").push_bind(op);
                }
                if let Some(i) = filter.interaction_id {
                    qb.push(" AND interaction_id = ").push_bind(i);
                }
                qb.push(" ORDER BY created_at ASC, id ASC LIMIT ")
                    .push_bind($crate::page_limit(filter.limit));
                let rows: Vec<$crate::qa::QaReviewRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn qa_sample(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                per_operator: u32,
            ) -> $crate::StoreResult<Vec<$crate::QaCandidate>> {
                // RANDOM() orders at random on both backends (an integer on SQLite, a float on
                // PostgreSQL); the window numbers each operator's draw so each gets up to N.
                let rows: Vec<$crate::qa::QaCandidateRow> = sqlx::query_as(
                    "SELECT interaction_id, appeal_id, appeal_number, operator_id, channel, answered_at FROM ( \
                       SELECT i.id AS interaction_id, i.appeal_id AS appeal_id, a.number AS appeal_number, \
                              i.operator_id AS operator_id, i.channel AS channel, \
                              i.answered_at AS answered_at, \
                              ROW_NUMBER() OVER (PARTITION BY i.operator_id ORDER BY RANDOM()) AS draw \
                       FROM interactions i JOIN appeals a ON a.id = i.appeal_id \
                       WHERE i.state IN ('answered', 'ended') AND i.operator_id IS NOT NULL \
                         AND i.answered_at >= $1 AND i.answered_at < $2 \
                         AND NOT EXISTS (SELECT 1 FROM qa_reviews r WHERE r.interaction_id = i.id) \
                     ) drawn WHERE draw <= $3 ORDER BY operator_id, answered_at, interaction_id",
                )
                .bind(from)
                .bind(to)
                .bind(i64::from(per_operator))
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn qa_scorecard(&self) -> $crate::StoreResult<baylanys_domain::qa::Scorecard> {
                self.setting($crate::qa::SCORECARD_KEY).await
            }

            async fn set_qa_scorecard(
                &self,
                card: baylanys_domain::qa::Scorecard,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::qa::Scorecard> {
                card.validate()?;
                self.save_setting($crate::qa::SCORECARD_KEY, &card, actor).await?;
                Ok(card)
            }
        }
    };
}
pub(crate) use impl_qa_store;
