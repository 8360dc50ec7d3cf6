//! Named leases: work one node at a time does (a mailbox's poller, a bot's long poll, the PBX
//! connection) is done by the node holding its lease. Taking and renewing is one conditional
//! upsert, so two nodes racing for a free lease never both get it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes `name` for `holder` until `until`, or renews it when `holder` has it already;
    /// `false` when another holder's lease is still live at `now`.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives the lease up (a clean stop), so another node can take it at once.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
}

macro_rules! impl_lease_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::LeaseStore for $store {
            async fn take_lease(
                &self,
                name: &str,
                holder: &str,
                now: chrono::DateTime<chrono::Utc>,
                until: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<bool> {
                // Inserted, or updated only when it is ours or has lapsed: one statement, so a
                // concurrent taker either wins it or finds it held.
                let done = sqlx::query(
                    "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $4) \
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
                     WHERE leases.holder = excluded.holder OR leases.until <= $3",
                )
                .bind(name)
                .bind(holder)
                .bind(now)
                .bind(until)
                .execute(&self.writer)
                .await?
                .rows_affected();
                Ok(done == 1)
            }

            async fn release_lease(&self, name: &str, holder: &str) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
                    .bind(name)
                    .bind(holder)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_lease_store;
