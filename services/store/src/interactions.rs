//! Contacts (interactions) of an appeal: one contact on one channel, through its phases — the
//! voice menu, the queue, the answer, the after-contact work, the end (or abandoned in the
//! queue). The phase instants feed the KPIs of Appendix 1 (waits, lost calls, handling time);
//! each move is a typed `interaction.updated` event. Where a contact starts is said by the
//! caller ([`crate::ContactStart`]), never inferred from who records it.

use baylanys_domain::events::{ContactMoved, ContactStarted, ContactVia};
use baylanys_domain::{Actor, Channel, Direction, DomainError, InteractionState, Payload};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::events::Draft;
use crate::{ContactStart, RecordedContact};

/// A recorded contact's times must be in order and not in the future.
pub(crate) fn check_recorded(r: &RecordedContact, now: DateTime<Utc>) -> Result<(), DomainError> {
    let bad = |reason: &str| DomainError::InvalidField {
        field: "contact",
        reason: reason.into(),
    };
    let answered_ok = r
        .answered_at
        .is_none_or(|a| a >= r.queued_at && a <= r.ended_at);
    if !(r.queued_at <= r.ended_at && answered_ok) {
        return Err(bad("queued_at ≤ answered_at ≤ ended_at"));
    }
    if r.ended_at > now {
        return Err(bad("a recorded contact has already ended"));
    }
    if r.answered_at.is_some() != r.operator_id.is_some() {
        return Err(bad(
            "an answered contact names its operator, an abandoned one none",
        ));
    }
    Ok(())
}

/// The columns of a new contact's row and the events that tell its start (and, for a recorded
/// one, its whole course, each at the instant it happened).
pub(crate) struct ContactRow {
    pub state: InteractionState,
    pub operator_id: Option<Uuid>,
    pub queued_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub abandoned_at: Option<DateTime<Utc>>,
    pub events: Vec<Payload>,
}

pub(crate) fn contact_row(
    channel: Channel,
    direction: Direction,
    queue_id: Option<Uuid>,
    start: ContactStart,
    now: DateTime<Utc>,
) -> ContactRow {
    let started = |state, via, at, operator_id| {
        Payload::ContactStarted(ContactStarted {
            channel,
            direction,
            state,
            queue_id,
            via,
            at,
            operator_id,
        })
    };
    match start {
        ContactStart::Menu | ContactStart::Queued => ContactRow {
            state: start.state(),
            operator_id: None,
            queued_at: now,
            answered_at: None,
            ended_at: None,
            abandoned_at: None,
            events: vec![started(start.state(), None, None, None)],
        },
        ContactStart::AnsweredBy(op) => ContactRow {
            state: InteractionState::Answered,
            operator_id: Some(op),
            queued_at: now,
            answered_at: Some(now),
            ended_at: None,
            abandoned_at: None,
            events: vec![started(InteractionState::Answered, None, None, Some(op))],
        },
        ContactStart::Recorded(r) => {
            let moved = |from, state, at| {
                Payload::ContactMoved(ContactMoved {
                    from: Some(from),
                    state,
                    operator_id: r.operator_id,
                    channel: Some(channel),
                    queue_id,
                    via: Some(ContactVia::Recorded),
                    at: Some(at),
                })
            };
            let mut events = vec![started(
                InteractionState::Queued,
                Some(ContactVia::Recorded),
                Some(r.queued_at),
                None,
            )];
            match r.answered_at {
                Some(answered) => {
                    events.push(moved(
                        InteractionState::Queued,
                        InteractionState::Answered,
                        answered,
                    ));
                    events.push(moved(
                        InteractionState::Answered,
                        InteractionState::Ended,
                        r.ended_at,
                    ));
                }
                None => events.push(moved(
                    InteractionState::Queued,
                    InteractionState::Abandoned,
                    r.ended_at,
                )),
            }
            ContactRow {
                state: start.state(),
                operator_id: r.operator_id,
                queued_at: r.queued_at,
                answered_at: r.answered_at,
                ended_at: r.answered_at.map(|_| r.ended_at),
                abandoned_at: r.answered_at.is_none().then_some(r.ended_at),
                events,
            }
        }
    }
}

/// The event drafts of a contact's start.
pub(crate) fn drafts(
    row: &ContactRow,
    actor: Actor,
    appeal_id: Uuid,
    client_id: Uuid,
    interaction_id: Uuid,
) -> Vec<Draft> {
    row.events
        .iter()
        .map(|p| {
            Draft::typed(actor, p.clone())
                .appeal(appeal_id)
                .client(client_id)
                .interaction(interaction_id)
        })
        .collect()
}

macro_rules! impl_interaction_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Inserts a new contact of the appeal in the caller's transaction; returns its row
            /// and the events of its start, for the caller to write with its own.
            pub(crate) async fn insert_contact(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                appeal_id: uuid::Uuid,
                client_id: uuid::Uuid,
                new: &$crate::NewInteraction,
                actor: $crate::Actor,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<($crate::rows::InteractionRow, Vec<$crate::events::Draft>)> {
                if let $crate::ContactStart::Recorded(r) = &new.start {
                    $crate::interactions::check_recorded(r, now)?;
                }
                if let Some(op) = new.start_operator() {
                    Self::ensure_exists(tx, "staff", "staff member", op).await?;
                }
                let c = $crate::interactions::contact_row(
                    new.channel,
                    new.direction,
                    new.queue_id,
                    new.start,
                    now,
                );
                let row: $crate::rows::InteractionRow = sqlx::query_as(
                    "INSERT INTO interactions (id, appeal_id, channel, direction, state, external_id, \
                     queue_id, operator_id, queued_at, answered_at, ended_at, abandoned_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *",
                )
                .bind(id)
                .bind(appeal_id)
                .bind(new.channel.as_str())
                .bind(new.direction.as_str())
                .bind(c.state.as_str())
                .bind(&new.external_id)
                .bind(new.queue_id)
                .bind(c.operator_id)
                .bind(c.queued_at)
                .bind(c.answered_at)
                .bind(c.ended_at)
                .bind(c.abandoned_at)
                .fetch_one(&mut **tx)
                .await?;
                let drafts = $crate::interactions::drafts(&c, actor, appeal_id, client_id, id);
                Ok((row, drafts))
            }
        }

        #[async_trait::async_trait]
        impl $crate::InteractionStore for $store {
            async fn contact_by_external(
                &self,
                channel: baylanys_domain::Channel,
                external_id: &str,
            ) -> $crate::StoreResult<Option<$crate::Interaction>> {
                self.interaction_by_external_id(channel, external_id).await
            }

            async fn start_interaction(
                &self,
                new: $crate::NewInteraction,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Interaction>> {
                use baylanys_domain::AppealScope;
                if let Some(ext) = &new.external_id {
                    if let Some(existing) = self.interaction_by_external_id(new.channel, ext).await? {
                        return Ok($crate::Ingested { value: existing, created: false });
                    }
                }
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, new.appeal_id, AppealScope::All).await?;
                if let Some(q) = new.queue_id {
                    Self::ensure_exists(&mut tx, "queues", "queue", q).await?;
                }
                let (row, drafts) = Self::insert_contact(
                    &mut tx,
                    uuid::Uuid::now_v7(),
                    new.appeal_id,
                    appeal.client_id,
                    &new,
                    actor,
                    now,
                )
                .await?;
                Self::events(&mut tx, now, drafts).await?;
                tx.commit().await?;
                Ok($crate::Ingested { value: row.try_into()?, created: true })
            }

            async fn update_interaction(
                &self,
                id: uuid::Uuid,
                state: baylanys_domain::InteractionState,
                operator_id: Option<uuid::Uuid>,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Interaction> {
                use baylanys_domain::events::ContactMoved;
                use baylanys_domain::{InteractionState, Payload};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::InteractionRow> =
                    sqlx::query_as("SELECT * FROM interactions WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let current: $crate::Interaction =
                    row.ok_or($crate::StoreError::NotFound("interaction"))?.try_into()?;
                if !current.state.can_move_to(state) {
                    return Err($crate::StoreError::Conflict(format!(
                        "an interaction cannot go from {} to {}",
                        current.state, state
                    )));
                }
                if let Some(op) = operator_id {
                    Self::ensure_exists(&mut tx, "staff", "staff member", op).await?;
                }
                let column = match state {
                    InteractionState::Answered => "answered_at",
                    InteractionState::WrapUp => "wrap_up_at",
                    InteractionState::Ended => "ended_at",
                    InteractionState::Abandoned => "abandoned_at",
                    // Out of the menu into the queue: the wait after the menu starts now.
                    InteractionState::Queued | InteractionState::Menu => "queued_at",
                };
                // `column` is one of the constants above, never input.
                let sql = format!(
                    "UPDATE interactions SET state = $2, {column} = $3, \
                     operator_id = COALESCE($4, operator_id) WHERE id = $1 AND state = $5 RETURNING *"
                );
                let row: Option<$crate::rows::InteractionRow> = sqlx::query_as(&sql)
                    .bind(id)
                    .bind(state.as_str())
                    .bind(now)
                    .bind(operator_id)
                    .bind(current.state.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let row = row.ok_or_else(|| {
                    $crate::StoreError::Conflict("the interaction was changed concurrently".into())
                })?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        Payload::ContactMoved(ContactMoved {
                            from: Some(current.state),
                            state,
                            operator_id: row.operator_id,
                            channel: Some(current.channel),
                            queue_id: current.queue_id,
                            via: None,
                            at: None,
                        }),
                    )
                    .appeal(current.appeal_id)
                    .interaction(id),
                )
                .await?;
                Self::also_for(&mut tx, row.appeal_id, also, now).await?;
                tx.commit().await?;
                row.try_into()
            }
        }
    };
}
pub(crate) use impl_interaction_store;
