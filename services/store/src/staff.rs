//! Staff accounts and sessions. Passwords arrive here already hashed (argon2id at the API edge),
//! and sessions are stored under the SHA-256 of their bearer token, so a copy of the database
//! holds no usable credential.

macro_rules! impl_staff_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::StaffStore for $store {
            async fn create_staff(
                &self,
                new: $crate::NewStaff,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Staff> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                if let Some(body) = new.body_id {
                    Self::ensure_exists(&mut tx, "bodies", "body", body).await?;
                }
                let (taken,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff WHERE login = $1")
                    .bind(&new.login)
                    .fetch_one(&mut *tx)
                    .await?;
                if taken > 0 {
                    return Err($crate::StoreError::Conflict(format!(
                        "login {:?} is already taken",
                        new.login
                    )));
                }
                let row: $crate::rows::StaffRow = sqlx::query_as(
                    "INSERT INTO staff (id, login, display_name, role, password_hash, body_id, \
                     languages, skills, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(&new.login)
                .bind(&new.display_name)
                .bind(new.role.as_str())
                .bind(&new.password_hash)
                .bind(new.body_id)
                .bind(sqlx::types::Json(&new.languages))
                .bind(sqlx::types::Json(&new.skills))
                .bind(true)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let staff = row.into_staff()?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::StaffCreated(baylanys_domain::events::StaffCreated {
                            staff_id: staff.id,
                            login: staff.login.clone(),
                            role: staff.role,
                            body_id: staff.body_id,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(staff)
            }

            async fn get_staff(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Staff> {
                let row: Option<$crate::rows::StaffRow> =
                    sqlx::query_as("SELECT * FROM staff WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("staff member"))?
                    .into_staff()
            }

            async fn credentials(
                &self,
                login: &str,
            ) -> $crate::StoreResult<Option<$crate::Credentials>> {
                let row: Option<$crate::rows::StaffRow> =
                    sqlx::query_as("SELECT * FROM staff WHERE login = $1 AND active = $2")
                        .bind(login)
                        .bind(true)
                        .fetch_optional(&self.reader)
                        .await?;
                row.map(|r| r.into_credentials()).transpose()
            }

            async fn list_staff(&self) -> $crate::StoreResult<Vec<$crate::Staff>> {
                let rows: Vec<$crate::rows::StaffRow> =
                    sqlx::query_as("SELECT * FROM staff ORDER BY login")
                        .fetch_all(&self.reader)
                        .await?;
                rows.into_iter().map(|r| r.into_staff()).collect()
            }

            async fn update_staff(
                &self,
                id: uuid::Uuid,
                patch: $crate::StaffPatch,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Staff> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::StaffRow> =
                    sqlx::query_as("SELECT * FROM staff WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut row = row.ok_or($crate::StoreError::NotFound("staff member"))?;
                if let Some(Some(body)) = patch.body_id {
                    Self::ensure_exists(&mut tx, "bodies", "body", body).await?;
                }
                let mut changed = Vec::new();
                if let Some(v) = patch.display_name {
                    row.display_name = v;
                    changed.push("display_name");
                }
                if let Some(v) = patch.role {
                    row.role = v.as_str().to_owned();
                    changed.push("role");
                }
                if let Some(v) = patch.body_id {
                    row.body_id = v;
                    changed.push("body_id");
                }
                if let Some(v) = patch.languages {
                    row.languages = sqlx::types::Json(v);
                    changed.push("languages");
                }
                if let Some(v) = patch.skills {
                    row.skills = sqlx::types::Json(v);
                    changed.push("skills");
                }
                if let Some(v) = patch.active {
                    row.active = v;
                    changed.push("active");
                }
                if let Some(v) = patch.capacity {
                    row.capacity = Some(sqlx::types::Json(v));
                    changed.push("capacity");
                }
                if let Some(v) = patch.extension {
                    row.extension = v;
                    changed.push("extension");
                }
                let new_password = patch.password_hash.is_some();
                if let Some(v) = patch.password_hash {
                    row.password_hash = v;
                    changed.push("password");
                }
                let row: $crate::rows::StaffRow = sqlx::query_as(
                    "UPDATE staff SET display_name = $2, role = $3, body_id = $4, languages = $5, \
                     skills = $6, active = $7, password_hash = $8, updated_at = $9, capacity = $10, \
                     extension = $11 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(&row.display_name)
                .bind(&row.role)
                .bind(row.body_id)
                .bind(&row.languages)
                .bind(&row.skills)
                .bind(row.active)
                .bind(&row.password_hash)
                .bind(now)
                .bind(&row.capacity)
                .bind(&row.extension)
                .fetch_one(&mut *tx)
                .await?;
                // A new password or a disabled account ends every open session at once.
                if new_password || !row.active {
                    sqlx::query(
                        "UPDATE sessions SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL",
                    )
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                let staff = row.into_staff()?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::StaffUpdated(baylanys_domain::events::StaffUpdated {
                            staff_id: id,
                            changed: changed.iter().map(|c| (*c).to_owned()).collect(),
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(staff)
            }

            async fn set_presence(
                &self,
                id: uuid::Uuid,
                presence: baylanys_domain::router::Presence,
            ) -> $crate::StoreResult<$crate::Staff> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let before: Option<(String,)> =
                    sqlx::query_as("SELECT presence FROM staff WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let (before,) = before.ok_or($crate::StoreError::NotFound("staff member"))?;
                let row: $crate::rows::StaffRow = sqlx::query_as(
                    "UPDATE staff SET presence = $2, presence_at = $3 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(presence.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                if before != presence.as_str() {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            $crate::Actor::staff(id),
                            baylanys_domain::Payload::PresenceChanged(baylanys_domain::events::PresenceChanged {
                                from: before.parse().ok(),
                                to: presence,
                                operator_id: None,
                                reason: None,
                            }),
                        ),
                    )
                    .await?;
                }
                tx.commit().await?;
                row.into_staff()
            }

            async fn staff_seen(&self, id: uuid::Uuid) -> $crate::StoreResult<()> {
                sqlx::query("UPDATE staff SET seen_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind($crate::now())
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn away_unseen(
                &self,
                cutoff: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Vec<uuid::Uuid>> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                // The later of the last console seen and going online: an operator who just went
                // online has a moment to open the console.
                let gone: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "UPDATE staff SET presence = 'away', presence_at = $2 WHERE presence = 'online' \
                     AND (seen_at IS NULL OR seen_at < $1) AND (presence_at IS NULL OR presence_at < $1) \
                     RETURNING id",
                )
                .bind(cutoff)
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
                let drafts = gone
                    .iter()
                    .map(|(id,)| $crate::staff::set_away(*id, "console_closed"))
                    .collect();
                Self::events(&mut tx, now, drafts).await?;
                tx.commit().await?;
                Ok(gone.into_iter().map(|(id,)| id).collect())
            }

            async fn create_session(
                &self,
                staff_id: uuid::Uuid,
                token_hash: &str,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(staff_id)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        $crate::Actor::staff(staff_id),
                        baylanys_domain::Payload::StaffLoggedIn(baylanys_domain::events::LoggedIn { expires_at }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<$crate::Session>> {
                let row: Option<$crate::rows::SessionRow> = sqlx::query_as(
                    "SELECT s.expires_at, st.* FROM sessions s JOIN staff st ON st.id = s.staff_id \
                     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
                     AND st.active = $3",
                )
                .bind(token_hash)
                .bind(now)
                .bind(true)
                .fetch_optional(&self.reader)
                .await?;
                row.map(|r| {
                    Ok($crate::Session {
                        expires_at: r.expires_at,
                        staff: r.staff.into_staff()?,
                    })
                })
                .transpose()
            }

            async fn revoke_session(
                &self,
                token_hash: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<bool> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if done {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::StaffLoggedOut(baylanys_domain::events::LoggedOut {}),
                        ),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(done)
            }
        }
    };
}
pub(crate) use impl_staff_store;

/// The event of the system setting an online operator away, and why (`console_closed`,
/// `offer_unanswered`).
pub(crate) fn set_away(operator_id: uuid::Uuid, reason: &str) -> crate::events::Draft {
    crate::events::Draft::typed(
        crate::Actor::SYSTEM,
        baylanys_domain::Payload::PresenceChanged(baylanys_domain::events::PresenceChanged {
            from: Some(baylanys_domain::router::Presence::Online),
            to: baylanys_domain::router::Presence::Away,
            operator_id: Some(operator_id),
            reason: Some(reason.to_owned()),
        }),
    )
}
