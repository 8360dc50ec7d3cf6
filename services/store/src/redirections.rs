//! Redirection to the competent administrative body with status tracking (clause 3.8, R30):
//! the departments of the directory, the redirection with the body's due date, and the body's
//! answer — accepted, or returned as not its competence.

macro_rules! impl_redirection_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::RedirectionStore for $store {
            async fn redirect(
                &self,
                id: uuid::Uuid,
                to: $crate::RedirectTo,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Appeal> {
                use baylanys_domain::{AppealScope, AppealStatus, DomainError};
                let by = actor.staff_id().ok_or(DomainError::InvalidField {
                    field: "actor",
                    reason: "redirection is decided by staff".into(),
                })?;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, id, AppealScope::All).await?;
                let body: Option<(bool,)> = sqlx::query_as("SELECT active FROM bodies WHERE id = $1")
                    .bind(to.body_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                match body {
                    None => return Err($crate::StoreError::NotFound("body")),
                    Some((false,)) => {
                        return Err(DomainError::InvalidField {
                            field: "body_id",
                            reason: "the body is inactive".into(),
                        }
                        .into())
                    }
                    Some((true,)) => {}
                }
                if let Some(d) = to.department_id {
                    let dept: Option<(uuid::Uuid, bool)> =
                        sqlx::query_as("SELECT body_id, active FROM body_departments WHERE id = $1")
                            .bind(d)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if dept != Some((to.body_id, true)) {
                        return Err(DomainError::InvalidField {
                            field: "department_id",
                            reason: "not an active department of that body".into(),
                        }
                        .into());
                    }
                }
                if !appeal.status.can_redirect() {
                    return Err($crate::StoreError::Conflict(format!(
                        "an appeal in status {} cannot be redirected",
                        appeal.status
                    )));
                }
                if appeal.body_id == Some(to.body_id) {
                    return Err($crate::StoreError::Conflict(
                        "the appeal is already with this body".into(),
                    ));
                }
                // The chain stays readable: the redirection it replaces is marked forwarded.
                sqlx::query(
                    "UPDATE redirections SET state = 'forwarded', responded_at = $2 \
                     WHERE appeal_id = $1 AND state IN ('sent', 'accepted')",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let redirection_id = uuid::Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO redirections (id, appeal_id, body_id, department_id, reason, created_by, \
                     created_at, due_at, state, late) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sent', $9)",
                )
                .bind(redirection_id)
                .bind(id)
                .bind(to.body_id)
                .bind(to.department_id)
                .bind(&to.reason)
                .bind(by)
                .bind(now)
                .bind(to.due_at)
                .bind(to.late)
                .execute(&mut *tx)
                .await?;
                if let Some(d) = &to.delivery {
                    let target = $crate::outbox::Target::Redirection(redirection_id);
                    Self::insert_delivery(&mut tx, id, target, d, None, now).await?;
                }
                // The body's term starts now: the due date, and the bound of extensions, are its.
                let row: $crate::rows::AppealRow = sqlx::query_as(
                    "UPDATE appeals SET status = $2, body_id = $3, department_id = $4, due_at = $5, \
                     first_due_at = $5, reminded_at = NULL, overdue_at = NULL, updated_at = $6 \
                     WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(AppealStatus::Redirected.as_str())
                .bind(to.body_id)
                .bind(to.department_id)
                .bind(to.due_at)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::Redirected(baylanys_domain::events::Redirected {
                            redirection_id,
                            from_status: Some(appeal.status),
                            from_body: appeal.body_id,
                            to_body: to.body_id,
                            department_id: to.department_id,
                            due_at: Some(to.due_at),
                            late: to.late,
                            reason: Some(to.reason.clone()),
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

            async fn answer_redirection(
                &self,
                id: uuid::Uuid,
                answer: $crate::BodyAnswer,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Appeal> {
                use baylanys_domain::AppealStatus;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, id, scope).await?;
                let open: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "SELECT id, body_id FROM redirections WHERE appeal_id = $1 AND state = 'sent' \
                     ORDER BY created_at DESC, id DESC LIMIT 1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((redirection_id, body_id)) =
                    open.filter(|(_, b)| Some(*b) == appeal.body_id && appeal.status == AppealStatus::Redirected)
                else {
                    return Err($crate::StoreError::Conflict(
                        "no redirection of this appeal waits for an answer".into(),
                    ));
                };
                let (state, response) = match &answer {
                    $crate::BodyAnswer::Accept => ("accepted", None),
                    $crate::BodyAnswer::Return { reason } => ("returned", Some(reason.as_str())),
                };
                sqlx::query(
                    "UPDATE redirections SET state = $2, responded_at = $3, response = $4 WHERE id = $1",
                )
                .bind(redirection_id)
                .bind(state)
                .bind(now)
                .bind(response)
                .execute(&mut *tx)
                .await?;
                // Accepted: the body works on it. Returned: back with the centre, which must
                // redirect it elsewhere or answer itself.
                let row: $crate::rows::AppealRow = match answer {
                    $crate::BodyAnswer::Accept => sqlx::query_as(
                        "UPDATE appeals SET status = $2, updated_at = $3 WHERE id = $1 RETURNING *",
                    )
                    .bind(id)
                    .bind(AppealStatus::InProgress.as_str())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                    $crate::BodyAnswer::Return { .. } => sqlx::query_as(
                        "UPDATE appeals SET status = $2, body_id = NULL, department_id = NULL, \
                         updated_at = $3 WHERE id = $1 RETURNING *",
                    )
                    .bind(id)
                    .bind(AppealStatus::InProgress.as_str())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(actor, {
                        let answered = baylanys_domain::events::RedirectionAnswered {
                            redirection_id,
                            body_id,
                            reason: response.map(str::to_owned),
                        };
                        match answer {
                            $crate::BodyAnswer::Accept => baylanys_domain::Payload::RedirectionAccepted(answered),
                            $crate::BodyAnswer::Return { .. } => {
                                baylanys_domain::Payload::RedirectionReturned(answered)
                            }
                        }
                    })
                    .appeal(id)
                    .client(appeal.client_id),
                )
                .await?;
                let mut appeal: $crate::Appeal = row.try_into()?;
                Self::also_in_tx(&mut tx, &mut appeal, also, now).await?;
                tx.commit().await?;
                Ok(appeal)
            }

            async fn create_department(
                &self,
                body_id: uuid::Uuid,
                new: $crate::NewDepartment,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Department> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                Self::ensure_exists(&mut tx, "bodies", "body", body_id).await?;
                let row: $crate::rows::DepartmentRow = sqlx::query_as(
                    "INSERT INTO body_departments (id, body_id, name_kk, name_ru, position_kk, position_ru, \
                     active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(body_id)
                .bind(&new.name_kk)
                .bind(&new.name_ru)
                .bind(&new.position_kk)
                .bind(&new.position_ru)
                .bind(new.active)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::department_event(&mut tx, &row, actor, now).await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn update_department(
                &self,
                id: uuid::Uuid,
                new: $crate::NewDepartment,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Department> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::DepartmentRow> = sqlx::query_as(
                    "UPDATE body_departments SET name_kk = $2, name_ru = $3, position_kk = $4, \
                     position_ru = $5, active = $6, updated_at = $7 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(&new.name_kk)
                .bind(&new.name_ru)
                .bind(&new.position_kk)
                .bind(&new.position_ru)
                .bind(new.active)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let row = row.ok_or($crate::StoreError::NotFound("department"))?;
                Self::department_event(&mut tx, &row, actor, now).await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn list_departments(
                &self,
                body_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Department>> {
                let rows: Vec<$crate::rows::DepartmentRow> = sqlx::query_as(
                    "SELECT * FROM body_departments WHERE body_id = $1 ORDER BY name_ru, id",
                )
                .bind(body_id)
                .fetch_all(&self.reader)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn get_department(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Department> {
                let row: Option<$crate::rows::DepartmentRow> =
                    sqlx::query_as("SELECT * FROM body_departments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.map(Into::into).ok_or($crate::StoreError::NotFound("department"))
            }
        }

        impl $store {
            async fn department_event(
                tx: &mut sqlx::Transaction<'static, $db>,
                row: &$crate::rows::DepartmentRow,
                actor: $crate::Actor,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                Self::event(
                    tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::DepartmentSaved(baylanys_domain::events::DepartmentSaved {
                            department_id: row.id,
                            body_id: row.body_id,
                            active: row.active,
                        }),
                    ),
                )
                .await
            }
        }
    };
}
pub(crate) use impl_redirection_store;
