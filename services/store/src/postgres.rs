//! The scale-out backend: any number of stateless nodes share one PostgreSQL.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

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
use crate::StoreResult;

/// PostgreSQL handles concurrent writers itself, so reads and writes share one pool; the two
/// fields exist only so the SQL shared with SQLite can name its pool by purpose.
#[derive(Debug, Clone)]
pub struct PgStore {
    writer: PgPool,
    reader: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(PgStore {
            writer: pool.clone(),
            reader: pool,
        })
    }
}

impl_event_store!(PgStore, sqlx::Postgres);
impl_staff_store!(PgStore, sqlx::Postgres);
impl_catalog_store!(PgStore, sqlx::Postgres);
impl_client_store!(PgStore, sqlx::Postgres);
impl_appeal_support!(PgStore, sqlx::Postgres);
impl_appeal_store!(PgStore, sqlx::Postgres);
impl_appeal_field_store!(PgStore, sqlx::Postgres);
impl_interaction_store!(PgStore, sqlx::Postgres);
impl_calendar_store!(PgStore, sqlx::Postgres);
impl_routing_store!(PgStore, sqlx::Postgres);
impl_dispatch_store!(PgStore, sqlx::Postgres);
impl_chat_store!(PgStore, sqlx::Postgres);
impl_complaint_store!(PgStore, sqlx::Postgres);
impl_survey_store!(PgStore, sqlx::Postgres);
impl_redirection_store!(PgStore, sqlx::Postgres);
impl_outbox_store!(PgStore, sqlx::Postgres);
impl_competence_store!(PgStore, sqlx::Postgres);
impl_deadline_store!(PgStore, sqlx::Postgres);
impl_verification_store!(PgStore, sqlx::Postgres);
impl_qa_store!(PgStore, sqlx::Postgres);
crate::leases::impl_lease_store!(PgStore, sqlx::Postgres);
crate::mail::impl_mail_store!(PgStore, sqlx::Postgres);
crate::mailboxes::impl_mailbox_store!(PgStore, sqlx::Postgres);
crate::telegram::impl_telegram_store!(PgStore, sqlx::Postgres);
crate::claims::impl_claim_store!(PgStore, sqlx::Postgres);
crate::voice::impl_call_store!(PgStore, sqlx::Postgres);
crate::recordings::impl_recording_store!(PgStore, sqlx::Postgres);
crate::ivr::impl_ivr_store!(PgStore, sqlx::Postgres);
crate::knowledge::impl_knowledge_store!(
    PgStore,
    sqlx::Postgres,
    crate::knowledge::SEARCH_POSTGRES,
    crate::knowledge::postgres_match,
    crate::knowledge::POSTGRES_ROW_BUDGET
);

#[async_trait::async_trait]
impl crate::Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn migrate(&self) -> StoreResult<()> {
        // sqlx takes an advisory lock, so two nodes starting together migrate once.
        sqlx::migrate!("../../migrations/postgres")
            .run(&self.writer)
            .await?;
        Ok(())
    }
}
