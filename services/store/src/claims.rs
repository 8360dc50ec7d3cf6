//! What a person claims about themselves on a channel — a phone shared in Telegram — kept apart
//! from the client's identities (R11, DESIGN principle 11): a claim is shown to staff as a
//! claim, fills no record, and never joins the person to another client's history; staff verify
//! it before it means anything. The event log records that a claim was made, never its value.

use async_trait::async_trait;
use baylanys_domain::Channel;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Actor, StoreResult};

/// One claim on a client's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: Uuid,
    pub client_id: Uuid,
    /// `phone`.
    pub kind: String,
    pub value: String,
    /// Where it was claimed.
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait ClaimStore: Send + Sync {
    /// Notes a claim on the client's record; `false` when the same was claimed before (nothing
    /// new is written).
    async fn add_claim(
        &self,
        client_id: Uuid,
        kind: &str,
        value: &str,
        channel: Channel,
        actor: Actor,
    ) -> StoreResult<bool>;
    /// The client's claims, oldest first.
    async fn claims_of(&self, client_id: Uuid) -> StoreResult<Vec<Claim>>;
}

macro_rules! impl_claim_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::ClaimStore for $store {
            async fn add_claim(
                &self,
                client_id: uuid::Uuid,
                kind: &str,
                value: &str,
                channel: baylanys_domain::Channel,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<bool> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                Self::ensure_exists(&mut tx, "clients", "client", client_id).await?;
                let added = sqlx::query(
                    "INSERT INTO client_claims (id, client_id, kind, value, channel, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, kind, value) DO NOTHING",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(client_id)
                .bind(kind)
                .bind(value)
                .bind(channel.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if added {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::Claimed(baylanys_domain::events::Claimed {
                                kind: kind.to_owned(),
                                channel,
                            }),
                        )
                        .client(client_id),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn claims_of(
                &self,
                client_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Claim>> {
                let rows: Vec<(uuid::Uuid, String, String, String, chrono::DateTime<chrono::Utc>)> =
                    sqlx::query_as(
                        "SELECT id, kind, value, channel, created_at FROM client_claims \
                         WHERE client_id = $1 ORDER BY created_at, id LIMIT 50",
                    )
                    .bind(client_id)
                    .fetch_all(&self.reader)
                    .await?;
                rows.into_iter()
                    .map(|(id, kind, value, channel, created_at)| {
                        Ok($crate::Claim {
                            id,
                            client_id,
                            kind,
                            value,
                            channel: channel.parse().map_err(|_| {
                                $crate::StoreError::Corrupt(format!("claim channel {channel:?}"))
                            })?,
                            created_at,
                        })
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use impl_claim_store;
