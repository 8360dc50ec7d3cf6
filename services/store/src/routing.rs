//! Routing configuration. Overflow rules live on their queue; the routing table and the router's
//! tunables are settings documents. Every check that spans several rows (cycles across queues,
//! references to queues and topics) runs inside the writing transaction, so two admins editing
//! at once cannot together create what each alone would have been refused.

pub(crate) const ROUTING_TABLE: &str = "routing.table";
pub(crate) const ROUTER_SETTINGS: &str = "routing.router";
pub(crate) const OUT_OF_HOURS: &str = "routing.out_of_hours";

macro_rules! impl_routing_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn setting<T: serde::de::DeserializeOwned + Default>(
                &self,
                key: &str,
            ) -> $crate::StoreResult<T> {
                let row: Option<(sqlx::types::Json<serde_json::Value>,)> =
                    sqlx::query_as("SELECT value FROM settings WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&self.reader)
                        .await?;
                match row {
                    None => Ok(T::default()),
                    Some((v,)) => serde_json::from_value(v.0)
                        .map_err(|e| $crate::StoreError::Corrupt(format!("setting {key}: {e}"))),
                }
            }

            /// Saves a whole settings document in its own transaction, with its event.
            async fn save_setting<T: serde::Serialize + Sync>(
                &self,
                key: &str,
                value: &T,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let value = serde_json::to_value(value)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let mut tx = self.writer.begin().await?;
                Self::put_setting(&mut tx, key, value, actor, $crate::now()).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn put_setting(
                tx: &mut sqlx::Transaction<'static, $db>,
                key: &str,
                value: serde_json::Value,
                actor: $crate::Actor,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3",
                )
                .bind(key)
                .bind(sqlx::types::Json(&value))
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Self::event(
                    tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::SettingChanged(
                            baylanys_domain::events::SettingChanged {
                                key: key.to_owned(),
                                value,
                            },
                        ),
                    ),
                )
                .await
            }
        }

        #[async_trait::async_trait]
        impl $crate::RoutingStore for $store {
            async fn set_queue_overflow(
                &self,
                id: uuid::Uuid,
                rules: Vec<baylanys_domain::router::OverflowRule>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Queue> {
                use baylanys_domain::router::{validate_overflow, OverflowRule};
                use baylanys_domain::DomainError;
                if rules.iter().any(|r| r.queue_id != id) {
                    return Err(DomainError::InvalidField {
                        field: "rules",
                        reason: "every rule must belong to the queue it is set on".into(),
                    }
                    .into());
                }
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let all: Vec<(uuid::Uuid, Option<sqlx::types::Json<Vec<OverflowRule>>>)> =
                    sqlx::query_as("SELECT id, overflow FROM queues")
                        .fetch_all(&mut *tx)
                        .await?;
                if !all.iter().any(|(q, _)| *q == id) {
                    return Err($crate::StoreError::NotFound("queue"));
                }
                let queues: std::collections::HashSet<uuid::Uuid> =
                    all.iter().map(|(q, _)| *q).collect();
                let mut every: Vec<OverflowRule> = all
                    .into_iter()
                    .filter(|(q, _)| *q != id)
                    .flat_map(|(_, r)| r.map(|r| r.0).unwrap_or_default())
                    .collect();
                every.extend(rules.iter().cloned());
                validate_overflow(&every, &queues)?;
                let row: $crate::rows::QueueRow = sqlx::query_as(
                    "UPDATE queues SET overflow = $2, updated_at = $3 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(sqlx::types::Json(&rules))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::QueueOverflowSet(
                            baylanys_domain::events::QueueOverflowSet {
                                queue_id: id,
                                rules: rules.clone(),
                            },
                        ),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn routing_table(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::router::RoutingTable> {
                self.setting($crate::routing::ROUTING_TABLE).await
            }

            async fn set_routing_table(
                &self,
                table: baylanys_domain::router::RoutingTable,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::router::RoutingTable> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let queues: Vec<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM queues")
                    .fetch_all(&mut *tx)
                    .await?;
                let topics: Vec<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM topics")
                    .fetch_all(&mut *tx)
                    .await?;
                table.validate(
                    |q| queues.iter().any(|(x,)| *x == q),
                    |t| topics.iter().any(|(x,)| *x == t),
                )?;
                let value = serde_json::to_value(&table)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                Self::put_setting(&mut tx, $crate::routing::ROUTING_TABLE, value, actor, now)
                    .await?;
                tx.commit().await?;
                Ok(table)
            }

            async fn router_settings(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::router::RouterSettings> {
                self.setting($crate::routing::ROUTER_SETTINGS).await
            }

            async fn out_of_hours_settings(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::notice::OutOfHoursSettings> {
                self.setting($crate::routing::OUT_OF_HOURS).await
            }

            async fn set_out_of_hours_settings(
                &self,
                settings: baylanys_domain::notice::OutOfHoursSettings,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::notice::OutOfHoursSettings> {
                settings.validate()?;
                self.save_setting($crate::routing::OUT_OF_HOURS, &settings, actor)
                    .await?;
                Ok(settings)
            }

            async fn set_router_settings(
                &self,
                settings: baylanys_domain::router::RouterSettings,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::router::RouterSettings> {
                settings.validate()?;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                if let Some(q) = settings.escalation_queue_id {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM queues WHERE id = $1")
                        .bind(q)
                        .fetch_one(&mut *tx)
                        .await?;
                    if n == 0 {
                        return Err(baylanys_domain::DomainError::InvalidField {
                            field: "escalation_queue_id",
                            reason: "unknown queue".into(),
                        }
                        .into());
                    }
                }
                let value = serde_json::to_value(settings)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                Self::put_setting(&mut tx, $crate::routing::ROUTER_SETTINGS, value, actor, now)
                    .await?;
                tx.commit().await?;
                Ok(settings)
            }
        }
    };
}
pub(crate) use impl_routing_store;
