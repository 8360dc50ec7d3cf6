//! Web-chat sessions and reading a conversation by `seq`, for sockets that resume.

macro_rules! impl_chat_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::ChatStore for $store {
            async fn create_chat_session(
                &self,
                token_hash: &str,
                client_id: uuid::Uuid,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                sqlx::query(
                    "INSERT INTO chat_sessions (token_hash, client_id, appeal_id, created_at, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(token_hash)
                .bind(client_id)
                .bind(appeal_id)
                .bind(now)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn chat_session(
                &self,
                token_hash: &str,
            ) -> $crate::StoreResult<Option<$crate::ChatSession>> {
                let row: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "SELECT client_id, appeal_id FROM chat_sessions WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.reader)
                .await?;
                Ok(row.map(|(client_id, appeal_id)| $crate::ChatSession { client_id, appeal_id }))
            }

            async fn move_chat_session(
                &self,
                token_hash: &str,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "UPDATE chat_sessions SET appeal_id = $2, last_seen_at = $3 WHERE token_hash = $1",
                )
                .bind(token_hash)
                .bind(appeal_id)
                .bind($crate::now())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn messages_after(
                &self,
                appeal_id: uuid::Uuid,
                seq: i64,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Message>> {
                let rows: Vec<$crate::rows::MessageRow> = sqlx::query_as(
                    "SELECT * FROM messages WHERE appeal_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(appeal_id)
                .bind(seq)
                .bind($crate::page_limit(limit))
                .fetch_all(&self.reader)
                .await?;
                $crate::rows::convert(rows)
            }
        }
    };
}
pub(crate) use impl_chat_store;
