//! Reclassifying an appeal from the console (issue 14): its kind, topic and priority. Each
//! field that changes is an event of its own with from, to and the reason, written in the
//! transaction of the change; a new kind re-dates an appeal whose due date was never extended,
//! and what the citizen is told of the new date (R6.1, R6.4) is written there too.

use async_trait::async_trait;
use baylanys_domain::{AppealKind, AppealScope, Priority};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Actor, Also, Appeal, StoreResult};

/// What staff change; `None` leaves a field as it is, and a value equal to the current one
/// changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldChange {
    /// Never `complaint`: a complaint is registered by its own verb (R8, R9).
    pub kind: Option<AppealKind>,
    /// `Some(None)` clears the topic; `Some(Some(id))` must name an active topic.
    pub topic_id: Option<Option<Uuid>>,
    pub priority: Option<Priority>,
    /// Why, on every event the change writes.
    pub reason: Option<String>,
    /// The due date the new kind's term gives (the caller computed it on the calendar, as for
    /// a complaint). Applied, to `due_at` and `first_due_at` both, only when the kind changes
    /// and the due date was never extended (`due_at == first_due_at`): an extension is a
    /// reasoned decision (АППК art. 76) a reclassification does not undo.
    pub due_at: Option<DateTime<Utc>>,
}

impl FieldChange {
    /// Whether the change names any field at all (a reason alone is nothing to do).
    pub fn is_empty(&self) -> bool {
        self.kind.is_none() && self.topic_id.is_none() && self.priority.is_none()
    }
}

/// What a reclassification did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclassified {
    /// The appeal as it now is (unchanged when nothing differed).
    pub appeal: Appeal,
    /// The fields that changed, in the order their events were written: `kind`, `topic_id`,
    /// `priority`. Empty: nothing was written.
    pub changed: Vec<&'static str>,
    /// The due date moved (the citizen was told, by what `also` decided).
    pub due_moved: bool,
}

#[async_trait]
pub trait AppealFieldStore: Send + Sync {
    /// Changes the appeal's kind, topic and priority within the caller's scope, one event per
    /// changed field (`appeal.kind_changed`, `appeal.topic_changed`, `appeal.priority_changed`)
    /// in the same transaction. `also` (what the citizen is told of the new date) is written
    /// only when the due date moved, and dropped otherwise. Answered or closed: a conflict; a
    /// complaint's kind: a conflict (its own process, R8, R9); kind `complaint`, or a topic
    /// that does not exist or is inactive: `Invalid`. Nothing different: nothing written.
    async fn change_fields(
        &self,
        id: Uuid,
        change: FieldChange,
        scope: AppealScope,
        actor: Actor,
        also: Also,
    ) -> StoreResult<Reclassified>;
}

macro_rules! impl_appeal_field_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::AppealFieldStore for $store {
            async fn change_fields(
                &self,
                id: uuid::Uuid,
                change: $crate::FieldChange,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Reclassified> {
                use baylanys_domain::events::{KindChanged, PriorityChanged, TopicChanged};
                use baylanys_domain::{AppealKind, AppealStatus, DomainError, Payload};
                if change.kind == Some(AppealKind::Complaint) {
                    return Err(DomainError::InvalidField {
                        field: "kind",
                        reason: "a complaint is registered with its category through \
                                 POST /api/v1/appeals/{id}/complaint (R8, R9)"
                            .into(),
                    }
                    .into());
                }
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                // The first statement locks the appeal's row (PostgreSQL), so a concurrent
                // change waits and the from-values of the events are the ones replaced.
                let row: Option<$crate::rows::AppealRow> = sqlx::query_as(
                    "UPDATE appeals SET updated_at = updated_at WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let before: $crate::Appeal =
                    row.ok_or($crate::StoreError::NotFound("appeal"))?.try_into()?;
                if !baylanys_domain::can_read_appeal(scope, before.body_id) {
                    return Err($crate::StoreError::NotFound("appeal"));
                }
                if matches!(before.status, AppealStatus::Answered | AppealStatus::Closed) {
                    return Err($crate::StoreError::Conflict(
                        "the appeal is already answered or closed".into(),
                    ));
                }
                let kind = change.kind.filter(|k| *k != before.kind);
                if kind.is_some() && before.kind == AppealKind::Complaint {
                    return Err($crate::StoreError::Conflict(
                        "a complaint keeps its kind: it is reviewed and decided by its own \
                         process (R8, R9)"
                            .into(),
                    ));
                }
                let topic = change.topic_id.filter(|t| *t != before.topic_id);
                if let Some(Some(topic_id)) = topic {
                    let found: Option<(bool,)> =
                        sqlx::query_as("SELECT active FROM topics WHERE id = $1")
                            .bind(topic_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if !found.is_some_and(|(active,)| active) {
                        return Err(DomainError::InvalidField {
                            field: "topic_id",
                            reason: "must name an active topic".into(),
                        }
                        .into());
                    }
                }
                let priority = change.priority.filter(|p| *p != before.priority);
                if kind.is_none() && topic.is_none() && priority.is_none() {
                    // Nothing differs: nothing is written, not even the lock's no-op.
                    drop(tx);
                    return Ok($crate::Reclassified {
                        appeal: before,
                        changed: Vec::new(),
                        due_moved: false,
                    });
                }
                // A new kind's term re-dates the appeal unless its date was extended.
                let due_at = match (kind, change.due_at) {
                    (Some(_), Some(due)) if before.due_at == before.first_due_at => Some(due),
                    _ => None,
                };
                let due_moved = due_at.is_some_and(|d| Some(d) != before.due_at);
                let row: $crate::rows::AppealRow = sqlx::query_as(
                    "UPDATE appeals SET kind = $2, topic_id = $3, priority = $4, \
                     due_at = COALESCE($5, due_at), first_due_at = COALESCE($5, first_due_at), \
                     reminded_at = CASE WHEN $6 THEN NULL ELSE reminded_at END, \
                     overdue_at = CASE WHEN $6 THEN NULL ELSE overdue_at END, \
                     updated_at = $7 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(kind.unwrap_or(before.kind).as_str())
                .bind(topic.unwrap_or(before.topic_id))
                .bind(priority.unwrap_or(before.priority).get())
                .bind(due_at)
                .bind(due_moved)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let mut changed = Vec::with_capacity(3);
                let mut drafts = Vec::with_capacity(3);
                let draft = |payload| {
                    $crate::events::Draft::typed(actor, payload)
                        .appeal(id)
                        .client(before.client_id)
                };
                if let Some(to) = kind {
                    changed.push("kind");
                    drafts.push(draft(Payload::KindChanged(KindChanged {
                        from: before.kind,
                        to,
                        reason: change.reason.clone(),
                        due_from: if due_moved { before.due_at } else { None },
                        due_to: if due_moved { due_at } else { None },
                    })));
                }
                if let Some(to) = topic {
                    changed.push("topic_id");
                    drafts.push(draft(Payload::TopicChanged(TopicChanged {
                        from: before.topic_id,
                        to,
                        reason: change.reason.clone(),
                    })));
                }
                if let Some(to) = priority {
                    changed.push("priority");
                    drafts.push(draft(Payload::PriorityChanged(PriorityChanged {
                        from: before.priority.get(),
                        to: to.get(),
                        reason: change.reason.clone(),
                    })));
                }
                Self::events(&mut tx, now, drafts).await?;
                let mut appeal: $crate::Appeal = row.try_into()?;
                if due_moved {
                    Self::also_in_tx(&mut tx, &mut appeal, also, now).await?;
                }
                tx.commit().await?;
                Ok($crate::Reclassified {
                    appeal,
                    changed,
                    due_moved,
                })
            }
        }
    };
}
pub(crate) use impl_appeal_field_store;
