//! Complaints (R8–R10): categorised registration, the mandatory supervisor review, escalation to
//! a higher specialist, the decision (confirmed or not, report row 20) and the analytics.

macro_rules! impl_complaint_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn complaint_in_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::Complaint> {
                let row: Option<$crate::rows::ComplaintRow> =
                    sqlx::query_as("SELECT * FROM complaints WHERE appeal_id = $1")
                        .bind(appeal_id)
                        .fetch_optional(&mut **tx)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("complaint"))?.try_into()
            }
        }

        #[async_trait::async_trait]
        impl $crate::ComplaintStore for $store {
            async fn register_complaint(
                &self,
                appeal_id: uuid::Uuid,
                new: $crate::NewComplaint,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Complaint> {
                use baylanys_domain::{AppealKind, AppealStatus};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, appeal_id, scope).await?;
                if matches!(appeal.status, AppealStatus::Answered | AppealStatus::Closed) {
                    return Err($crate::StoreError::Conflict(
                        "the appeal is already answered or closed".into(),
                    ));
                }
                if let Some(op) = new.about_operator_id {
                    Self::ensure_exists(&mut tx, "staff", "operator", op).await?;
                }
                if let Some(a) = new.about_appeal_id {
                    Self::ensure_exists(&mut tx, "appeals", "appeal", a).await?;
                }
                sqlx::query(
                    "INSERT INTO complaints (appeal_id, category, about_operator_id, about_appeal_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(appeal_id)
                .bind(new.category.as_str())
                .bind(new.about_operator_id)
                .bind(new.about_appeal_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // A complaint keeps the complaint's term (the caller computed it).
                sqlx::query(
                    "UPDATE appeals SET kind = $2, due_at = COALESCE($3, due_at), \
                     first_due_at = COALESCE($3, first_due_at), updated_at = $4 WHERE id = $1",
                )
                .bind(appeal_id)
                .bind(AppealKind::Complaint.as_str())
                .bind(new.due_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ComplaintRegistered(baylanys_domain::events::ComplaintRegistered {
                            category: new.category,
                            about_operator_id: new.about_operator_id,
                            about_appeal_id: new.about_appeal_id,
                            topic_id: appeal.topic_id,
                        }),
                    )
                    .appeal(appeal_id)
                    .client(appeal.client_id),
                )
                .await?;
                let complaint = Self::complaint_in_tx(&mut tx, appeal_id).await?;
                tx.commit().await?;
                Ok(complaint)
            }

            async fn get_complaint(
                &self,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::Complaint> {
                let row: Option<$crate::rows::ComplaintRow> =
                    sqlx::query_as("SELECT * FROM complaints WHERE appeal_id = $1")
                        .bind(appeal_id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("complaint"))?.try_into()
            }

            async fn complaint_step(
                &self,
                appeal_id: uuid::Uuid,
                step: $crate::ComplaintStep,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Complaint> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, appeal_id, baylanys_domain::AppealScope::All).await?;
                let before = Self::complaint_in_tx(&mut tx, appeal_id).await?;
                if before.decided_at.is_some() {
                    return Err($crate::StoreError::Conflict("the complaint is already decided".into()));
                }
                let payload = match &step {
                    $crate::ComplaintStep::Review { note } => {
                        sqlx::query(
                            "UPDATE complaints SET reviewed_by = $2, reviewed_at = $3, review_note = $4 \
                             WHERE appeal_id = $1",
                        )
                        .bind(appeal_id)
                        .bind(actor.staff_id())
                        .bind(now)
                        .bind(note)
                        .execute(&mut *tx)
                        .await?;
                        baylanys_domain::Payload::ComplaintReviewed(baylanys_domain::events::ComplaintReviewed {
                            category: before.category,
                        })
                    }
                    $crate::ComplaintStep::Escalate { to, reason } => {
                        Self::ensure_exists(&mut tx, "staff", "staff member", *to).await?;
                        sqlx::query(
                            "UPDATE complaints SET escalated_to = $2, escalated_at = $3 WHERE appeal_id = $1",
                        )
                        .bind(appeal_id)
                        .bind(to)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE appeals SET assignee_id = $2, updated_at = $3 WHERE id = $1")
                            .bind(appeal_id)
                            .bind(to)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        baylanys_domain::Payload::ComplaintEscalated(baylanys_domain::events::ComplaintEscalated {
                            to: *to,
                            reason: reason.clone(),
                            category: before.category,
                        })
                    }
                    $crate::ComplaintStep::Decide { confirmed } => {
                        if before.reviewed_at.is_none() {
                            return Err($crate::StoreError::Conflict(
                                "a supervisor must review the complaint before it is decided".into(),
                            ));
                        }
                        sqlx::query(
                            "UPDATE complaints SET confirmed = $2, decided_by = $3, decided_at = $4 \
                             WHERE appeal_id = $1",
                        )
                        .bind(appeal_id)
                        .bind(confirmed)
                        .bind(actor.staff_id())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        baylanys_domain::Payload::ComplaintDecided(
                            baylanys_domain::events::ComplaintDecided {
                                confirmed: *confirmed,
                                category: before.category,
                                about_operator_id: before.about_operator_id,
                                topic_id: appeal.topic_id,
                            },
                        )
                    }
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(actor, payload)
                        .appeal(appeal_id)
                        .client(appeal.client_id),
                )
                .await?;
                let after = Self::complaint_in_tx(&mut tx, appeal_id).await?;
                tx.commit().await?;
                Ok(after)
            }

            async fn complaint_procedure(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::notice::ComplaintProcedure> {
                self.setting("complaints.procedure").await
            }

            async fn set_complaint_procedure(
                &self,
                procedure: baylanys_domain::notice::ComplaintProcedure,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::notice::ComplaintProcedure> {
                procedure.validate()?;
                self.save_setting("complaints.procedure", &procedure, actor)
                    .await?;
                Ok(procedure)
            }

            async fn complaints_between(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Vec<($crate::Complaint, Option<uuid::Uuid>)>> {
                let rows: Vec<$crate::rows::ComplaintWithTopic> = sqlx::query_as(
                    "SELECT c.*, a.topic_id AS topic_id FROM complaints c JOIN appeals a ON a.id = c.appeal_id \
                     WHERE c.created_at >= $1 AND c.created_at < $2 ORDER BY c.created_at",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter()
                    .map(|r| Ok((r.complaint.try_into()?, r.topic_id)))
                    .collect()
            }
        }
    };
}
pub(crate) use impl_complaint_store;
