//! Queues, topics and administrative bodies. Codes are unique; updates are read-modify-write
//! inside one transaction so the event records exactly what changed.

macro_rules! impl_catalog_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CatalogStore for $store {
            async fn create_queue(
                &self,
                new: $crate::NewQueue,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Queue> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: $crate::rows::QueueRow = sqlx::query_as(
                    "INSERT INTO queues (id, code, name, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $5) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(&new.code)
                .bind(&new.name)
                .bind(true)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| $crate::catalog::code_conflict(e, "queue", &new.code))?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::QueueCreated(baylanys_domain::events::QueueCreated { queue_id: row.id, code: row.code.clone() }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn list_queues(&self) -> $crate::StoreResult<Vec<$crate::Queue>> {
                let rows: Vec<$crate::rows::QueueRow> =
                    sqlx::query_as("SELECT * FROM queues ORDER BY code")
                        .fetch_all(&self.reader)
                        .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn update_queue(
                &self,
                id: uuid::Uuid,
                patch: $crate::QueuePatch,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Queue> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::QueueRow> =
                    sqlx::query_as("SELECT * FROM queues WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut row = row.ok_or($crate::StoreError::NotFound("queue"))?;
                let mut changed = Vec::new();
                if let Some(v) = patch.name {
                    row.name = v;
                    changed.push("name");
                }
                if let Some(v) = patch.active {
                    row.active = v;
                    changed.push("active");
                }
                if let Some(v) = patch.records_calls {
                    row.records_calls = v;
                    changed.push("records_calls");
                }
                let row: $crate::rows::QueueRow = sqlx::query_as(
                    "UPDATE queues SET name = $2, active = $3, updated_at = $4, records_calls = $5 \
                     WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(&row.name)
                .bind(row.active)
                .bind(now)
                .bind(row.records_calls)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::QueueUpdated(baylanys_domain::events::QueueUpdated { queue_id: id, changed: changed.iter().map(|c| (*c).to_owned()).collect() }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn get_queue(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Queue> {
                let row: Option<$crate::rows::QueueRow> =
                    sqlx::query_as("SELECT * FROM queues WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                Ok(row.ok_or($crate::StoreError::NotFound("queue"))?.into())
            }

            async fn set_queue_hours(
                &self,
                id: uuid::Uuid,
                hours: Option<baylanys_domain::WeeklyHours>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Queue> {
                if let Some(h) = &hours {
                    h.validate()?;
                }
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::QueueRow> = sqlx::query_as(
                    "UPDATE queues SET hours = $2, updated_at = $3 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(hours.as_ref().map(sqlx::types::Json))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let row = row.ok_or($crate::StoreError::NotFound("queue"))?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::QueueHoursSet(baylanys_domain::events::QueueHoursSet { queue_id: id, hours: hours.clone() }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn create_topic(
                &self,
                new: $crate::NewTopic,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Topic> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                if let Some(q) = new.queue_id {
                    Self::ensure_exists(&mut tx, "queues", "queue", q).await?;
                }
                let row: $crate::rows::TopicRow = sqlx::query_as(
                    "INSERT INTO topics (id, code, name_kk, name_ru, name_en, queue_id, active, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(&new.code)
                .bind(&new.name_kk)
                .bind(&new.name_ru)
                .bind(&new.name_en)
                .bind(new.queue_id)
                .bind(true)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| $crate::catalog::code_conflict(e, "topic", &new.code))?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::TopicCreated(baylanys_domain::events::TopicCreated { topic_id: row.id, code: row.code.clone(), queue_id: row.queue_id }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn list_topics(&self) -> $crate::StoreResult<Vec<$crate::Topic>> {
                let rows: Vec<$crate::rows::TopicRow> =
                    sqlx::query_as("SELECT * FROM topics ORDER BY code")
                        .fetch_all(&self.reader)
                        .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn update_topic(
                &self,
                id: uuid::Uuid,
                patch: $crate::TopicPatch,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Topic> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::TopicRow> =
                    sqlx::query_as("SELECT * FROM topics WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut row = row.ok_or($crate::StoreError::NotFound("topic"))?;
                if let Some(Some(q)) = patch.queue_id {
                    Self::ensure_exists(&mut tx, "queues", "queue", q).await?;
                }
                let mut changed = Vec::new();
                if let Some(v) = patch.name_kk {
                    row.name_kk = v;
                    changed.push("name_kk");
                }
                if let Some(v) = patch.name_ru {
                    row.name_ru = v;
                    changed.push("name_ru");
                }
                if let Some(v) = patch.name_en {
                    row.name_en = v;
                    changed.push("name_en");
                }
                if let Some(v) = patch.queue_id {
                    row.queue_id = v;
                    changed.push("queue_id");
                }
                if let Some(v) = patch.active {
                    row.active = v;
                    changed.push("active");
                }
                let row: $crate::rows::TopicRow = sqlx::query_as(
                    "UPDATE topics SET name_kk = $2, name_ru = $3, name_en = $4, queue_id = $5, \
                     active = $6, updated_at = $7 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(&row.name_kk)
                .bind(&row.name_ru)
                .bind(&row.name_en)
                .bind(row.queue_id)
                .bind(row.active)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::TopicUpdated(baylanys_domain::events::TopicUpdated { topic_id: id, changed: changed.iter().map(|c| (*c).to_owned()).collect() }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn create_body(
                &self,
                new: $crate::NewBody,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Body> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                if let Some(p) = new.parent_id {
                    Self::ensure_exists(&mut tx, "bodies", "parent body", p).await?;
                }
                let bin = new.bin.as_ref().map(|b| b.as_str().to_owned());
                let row: $crate::rows::BodyRow = sqlx::query_as(
                    "INSERT INTO bodies (id, name_kk, name_ru, bin, parent_id, delivery_method, \
                     delivery_address, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(&new.name_kk)
                .bind(&new.name_ru)
                .bind(&bin)
                .bind(new.parent_id)
                .bind(new.delivery_method.as_str())
                .bind(&new.delivery_address)
                .bind(true)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| $crate::catalog::code_conflict(e, "body with BIN", bin.as_deref().unwrap_or("")))?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::BodyCreated(baylanys_domain::events::BodyCreated { body_id: row.id, parent_id: row.parent_id }),
                    ),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn list_bodies(&self) -> $crate::StoreResult<Vec<$crate::Body>> {
                let rows: Vec<$crate::rows::BodyRow> =
                    sqlx::query_as("SELECT * FROM bodies ORDER BY name_ru")
                        .fetch_all(&self.reader)
                        .await?;
                $crate::rows::convert(rows)
            }

            async fn get_body(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Body> {
                let row: Option<$crate::rows::BodyRow> =
                    sqlx::query_as("SELECT * FROM bodies WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("body"))?.try_into()
            }

            async fn update_body(
                &self,
                id: uuid::Uuid,
                patch: $crate::BodyPatch,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Body> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::BodyRow> =
                    sqlx::query_as("SELECT * FROM bodies WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut row = row.ok_or($crate::StoreError::NotFound("body"))?;
                if let Some(Some(p)) = patch.parent_id {
                    Self::ensure_exists(&mut tx, "bodies", "parent body", p).await?;
                    // Walk up from the new parent: meeting this body again would make a cycle.
                    let mut cursor = Some(p);
                    let mut steps = 0;
                    while let Some(current) = cursor {
                        if current == id || steps > 64 {
                            return Err($crate::StoreError::Domain(
                                baylanys_domain::DomainError::InvalidField {
                                    field: "parent_id",
                                    reason: "the hierarchy of bodies cannot form a cycle".into(),
                                },
                            ));
                        }
                        let up: Option<(Option<uuid::Uuid>,)> =
                            sqlx::query_as("SELECT parent_id FROM bodies WHERE id = $1")
                                .bind(current)
                                .fetch_optional(&mut *tx)
                                .await?;
                        cursor = up.and_then(|(parent,)| parent);
                        steps += 1;
                    }
                }
                let mut changed = Vec::new();
                if let Some(v) = patch.name_kk {
                    row.name_kk = v;
                    changed.push("name_kk");
                }
                if let Some(v) = patch.name_ru {
                    row.name_ru = v;
                    changed.push("name_ru");
                }
                if let Some(v) = patch.parent_id {
                    row.parent_id = v;
                    changed.push("parent_id");
                }
                if let Some(v) = patch.delivery_method {
                    row.delivery_method = v.as_str().to_owned();
                    changed.push("delivery_method");
                }
                if let Some(v) = patch.delivery_address {
                    row.delivery_address = v;
                    changed.push("delivery_address");
                }
                if let Some(v) = patch.active {
                    row.active = v;
                    changed.push("active");
                }
                let row: $crate::rows::BodyRow = sqlx::query_as(
                    "UPDATE bodies SET name_kk = $2, name_ru = $3, parent_id = $4, \
                     delivery_method = $5, delivery_address = $6, active = $7, updated_at = $8 \
                     WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(&row.name_kk)
                .bind(&row.name_ru)
                .bind(row.parent_id)
                .bind(&row.delivery_method)
                .bind(&row.delivery_address)
                .bind(row.active)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::BodyUpdated(baylanys_domain::events::BodyUpdated { body_id: id, changed: changed.iter().map(|c| (*c).to_owned()).collect() }),
                    ),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }
        }
    };
}
pub(crate) use impl_catalog_store;

/// Turns a unique violation on a code into a readable conflict.
pub(crate) fn code_conflict(e: sqlx::Error, what: &str, code: &str) -> crate::StoreError {
    match crate::StoreError::from(e) {
        crate::StoreError::Conflict(_) => {
            crate::StoreError::Conflict(format!("a {what} {code:?} already exists"))
        }
        other => other,
    }
}
