//! Legal deadlines of appeals (АППК art. 65, 76): their settings, reasoned extensions, and the
//! sweep that records reminders and overdue escalations, each once per due date.

pub(crate) const DEADLINES: &str = "deadlines";

macro_rules! impl_deadline_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Marks the appeals a sweep found, with one event each, and returns them.
            async fn mark_swept(
                tx: &mut sqlx::Transaction<'static, $db>,
                sql: &str,
                now: chrono::DateTime<chrono::Utc>,
                bound: chrono::DateTime<chrono::Utc>,
                payload: fn(baylanys_domain::events::DeadlineSwept) -> baylanys_domain::Payload,
            ) -> $crate::StoreResult<Vec<$crate::Appeal>> {
                let rows: Vec<$crate::rows::AppealRow> = sqlx::query_as(sql)
                    .bind(now)
                    .bind(bound)
                    .fetch_all(&mut **tx)
                    .await?;
                let appeals: Vec<$crate::Appeal> = rows
                    .into_iter()
                    .map(TryInto::try_into)
                    .collect::<$crate::StoreResult<_>>()?;
                let drafts = appeals
                    .iter()
                    .map(|a| {
                        $crate::events::Draft::typed(
                            $crate::Actor::SYSTEM,
                            payload(baylanys_domain::events::DeadlineSwept {
                                due_at: a.due_at,
                                assignee_id: a.assignee_id,
                                body_id: a.body_id,
                            }),
                        )
                        .appeal(a.id)
                        .client(a.client_id)
                    })
                    .collect();
                Self::events(tx, now, drafts).await?;
                Ok(appeals)
            }
        }

        #[async_trait::async_trait]
        impl $crate::DeadlineStore for $store {
            async fn deadline_settings(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::deadline::DeadlineSettings> {
                self.setting($crate::deadlines::DEADLINES).await
            }

            async fn set_deadline_settings(
                &self,
                settings: baylanys_domain::deadline::DeadlineSettings,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::deadline::DeadlineSettings> {
                settings.validate()?;
                self.save_setting($crate::deadlines::DEADLINES, &settings, actor)
                    .await?;
                Ok(settings)
            }

            async fn extend_deadline(
                &self,
                id: uuid::Uuid,
                due_at: chrono::DateTime<chrono::Utc>,
                reason: &str,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Appeal> {
                use baylanys_domain::AppealStatus;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, id, scope).await?;
                if matches!(appeal.status, AppealStatus::Answered | AppealStatus::Closed) {
                    return Err($crate::StoreError::Conflict(
                        "the appeal is already answered or closed".into(),
                    ));
                }
                let row: $crate::rows::AppealRow = sqlx::query_as(
                    "UPDATE appeals SET due_at = $2, first_due_at = COALESCE(first_due_at, due_at, $2), \
                     reminded_at = NULL, overdue_at = NULL, updated_at = $3 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(due_at)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::Extended(baylanys_domain::events::Extended {
                            from: appeal.due_at,
                            to: due_at,
                            reason: reason.to_owned(),
                        }),
                    )
                    .appeal(id)
                    .client(appeal.client_id),
                )
                .await?;
                let mut appeal: $crate::Appeal = row.try_into()?;
                Self::also_in_tx(&mut tx, &mut appeal, also, now).await?;
                tx.commit().await?;
                Ok(appeal)
            }

            async fn sweep_deadlines(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                remind_until: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<$crate::DeadlineSweep> {
                let mut tx = self.writer.begin().await?;
                let overdue = Self::mark_swept(
                    &mut tx,
                    "UPDATE appeals SET overdue_at = $1 WHERE overdue_at IS NULL AND due_at < $2 \
                     AND status NOT IN ('answered', 'closed') RETURNING *",
                    now,
                    now,
                    baylanys_domain::Payload::Overdue,
                )
                .await?;
                let near = Self::mark_swept(
                    &mut tx,
                    "UPDATE appeals SET reminded_at = $1 WHERE reminded_at IS NULL AND overdue_at IS NULL \
                     AND due_at >= $1 AND due_at <= $2 AND status NOT IN ('answered', 'closed') RETURNING *",
                    now,
                    remind_until,
                    baylanys_domain::Payload::DeadlineNear,
                )
                .await?;
                tx.commit().await?;
                Ok($crate::DeadlineSweep { near, overdue })
            }
        }
    };
}
pub(crate) use impl_deadline_store;
