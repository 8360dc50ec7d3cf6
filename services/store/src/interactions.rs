//! Contacts (interactions) of an appeal: one contact on one channel, from queued to answered,
//! ended or abandoned. Their timestamps feed the KPIs of Appendix 1 (waits, lost calls).

macro_rules! impl_interaction_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::InteractionStore for $store {
            async fn start_interaction(
                &self,
                new: $crate::NewInteraction,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Interaction>> {
                use baylanys_domain::{event_kind, AppealScope, InteractionState};
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
                let row: $crate::rows::InteractionRow = sqlx::query_as(
                    "INSERT INTO interactions (id, appeal_id, channel, direction, state, external_id, \
                     queue_id, queued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(new.appeal_id)
                .bind(new.channel.as_str())
                .bind(new.direction.as_str())
                .bind(InteractionState::Queued.as_str())
                .bind(&new.external_id)
                .bind(new.queue_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::new(
                        event_kind::INTERACTION_STARTED,
                        actor,
                        serde_json::json!({
                            "channel": new.channel,
                            "direction": new.direction,
                            "state": InteractionState::Queued,
                            "queue_id": new.queue_id,
                        }),
                    )
                    .appeal(new.appeal_id)
                    .client(appeal.client_id)
                    .interaction(row.id),
                )
                .await?;
                tx.commit().await?;
                Ok($crate::Ingested { value: row.try_into()?, created: true })
            }

            async fn update_interaction(
                &self,
                id: uuid::Uuid,
                state: baylanys_domain::InteractionState,
                operator_id: Option<uuid::Uuid>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Interaction> {
                use baylanys_domain::{event_kind, InteractionState};
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
                    InteractionState::Ended => "ended_at",
                    InteractionState::Abandoned => "abandoned_at",
                    InteractionState::Queued => "queued_at",
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
                    $crate::events::Draft::new(
                        event_kind::INTERACTION_UPDATED,
                        actor,
                        serde_json::json!({
                            "from": current.state,
                            "state": state,
                            "operator_id": row.operator_id,
                            "channel": current.channel,
                            "queue_id": current.queue_id,
                        }),
                    )
                    .appeal(current.appeal_id)
                    .interaction(id),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }
        }
    };
}
pub(crate) use impl_interaction_store;
