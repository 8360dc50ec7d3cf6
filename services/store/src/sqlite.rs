//! The embedded backend: one SQLite file in WAL mode, fit for a centre of up to ten operators
//! (Order 443 clause 4) on one small machine.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::appeal_fields::impl_appeal_field_store;
use crate::appeal_support::impl_appeal_support;
use crate::appeals::impl_appeal_store;
use crate::calendar::impl_calendar_store;
use crate::catalog::impl_catalog_store;
use crate::chat::impl_chat_store;
use crate::clients::impl_client_store;
use crate::competence::impl_competence_store;
use crate::complaints::impl_complaint_store;
use crate::deadlines::impl_deadline_store;
use crate::dispatch::impl_dispatch_store;
use crate::events::impl_event_store;
use crate::interactions::impl_interaction_store;
use crate::outbox::impl_outbox_store;
use crate::qa::impl_qa_store;
use crate::redirections::impl_redirection_store;
use crate::routing::impl_routing_store;
use crate::staff::impl_staff_store;
use crate::surveys::impl_survey_store;
use crate::verification::impl_verification_store;
use crate::{StoreError, StoreResult};

/// SQLite allows one writer at a time. All writes go through a pool of exactly one connection,
/// so transactions queue in the pool instead of failing with `SQLITE_BUSY` when a deferred
/// transaction tries to upgrade its lock; reads run in parallel on a separate read-only pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL is durable against process crashes (the WAL is written before
            // commit returns) and only an OS crash can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { writer, reader })
    }
}

impl_event_store!(SqliteStore, sqlx::Sqlite);
impl_staff_store!(SqliteStore, sqlx::Sqlite);
impl_catalog_store!(SqliteStore, sqlx::Sqlite);
impl_client_store!(SqliteStore, sqlx::Sqlite);
impl_appeal_support!(SqliteStore, sqlx::Sqlite);
impl_appeal_store!(SqliteStore, sqlx::Sqlite);
impl_appeal_field_store!(SqliteStore, sqlx::Sqlite);
impl_interaction_store!(SqliteStore, sqlx::Sqlite);
impl_calendar_store!(SqliteStore, sqlx::Sqlite);
impl_routing_store!(SqliteStore, sqlx::Sqlite);
impl_dispatch_store!(SqliteStore, sqlx::Sqlite);
impl_chat_store!(SqliteStore, sqlx::Sqlite);
impl_complaint_store!(SqliteStore, sqlx::Sqlite);
impl_survey_store!(SqliteStore, sqlx::Sqlite);
impl_redirection_store!(SqliteStore, sqlx::Sqlite);
impl_outbox_store!(SqliteStore, sqlx::Sqlite);
impl_competence_store!(SqliteStore, sqlx::Sqlite);
impl_deadline_store!(SqliteStore, sqlx::Sqlite);
impl_verification_store!(SqliteStore, sqlx::Sqlite);
impl_qa_store!(SqliteStore, sqlx::Sqlite);
crate::leases::impl_lease_store!(SqliteStore, sqlx::Sqlite);
crate::mail::impl_mail_store!(SqliteStore, sqlx::Sqlite);
crate::mailboxes::impl_mailbox_store!(SqliteStore, sqlx::Sqlite);
crate::telegram::impl_telegram_store!(SqliteStore, sqlx::Sqlite);
crate::claims::impl_claim_store!(SqliteStore, sqlx::Sqlite);
crate::voice::impl_call_store!(SqliteStore, sqlx::Sqlite);
crate::recordings::impl_recording_store!(SqliteStore, sqlx::Sqlite);
crate::ivr::impl_ivr_store!(SqliteStore, sqlx::Sqlite);
crate::knowledge::impl_knowledge_store!(
    SqliteStore,
    sqlx::Sqlite,
    crate::knowledge::SEARCH_SQLITE,
    crate::knowledge::sqlite_match,
    crate::knowledge::SQLITE_ROW_BUDGET
);

#[async_trait::async_trait]
impl crate::Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../../migrations/sqlite")
            .run(&self.writer)
            .await?;
        Ok(())
    }
}
