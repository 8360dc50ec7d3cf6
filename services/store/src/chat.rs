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

            async fn list_canned(&self) -> $crate::StoreResult<Vec<$crate::CannedReply>> {
                let rows: Vec<$crate::rows::CannedRow> =
                    sqlx::query_as("SELECT * FROM canned_replies ORDER BY title, id")
                        .fetch_all(&self.reader)
                        .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn save_canned(
                &self,
                id: Option<uuid::Uuid>,
                reply: $crate::NewCannedReply,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::CannedReply> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                if let Some(t) = reply.topic_id {
                    Self::ensure_exists(&mut tx, "topics", "topic", t).await?;
                }
                if let Some(a) = reply.article_id {
                    Self::ensure_exists(&mut tx, "kb_articles", "article", a).await?;
                }
                let row: Option<$crate::rows::CannedRow> = match id {
                    None => Some(
                        sqlx::query_as(
                            "INSERT INTO canned_replies (id, title, body_kk, body_ru, topic_id, active, \
                             created_at, updated_at, article_id) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING *",
                        )
                        .bind(uuid::Uuid::now_v7())
                        .bind(&reply.title)
                        .bind(&reply.body_kk)
                        .bind(&reply.body_ru)
                        .bind(reply.topic_id)
                        .bind(reply.active)
                        .bind(now)
                        .bind(reply.article_id)
                        .fetch_one(&mut *tx)
                        .await?,
                    ),
                    Some(id) => sqlx::query_as(
                        "UPDATE canned_replies SET title = $2, body_kk = $3, body_ru = $4, topic_id = $5, \
                         active = $6, updated_at = $7, article_id = $8 WHERE id = $1 RETURNING *",
                    )
                    .bind(id)
                    .bind(&reply.title)
                    .bind(&reply.body_kk)
                    .bind(&reply.body_ru)
                    .bind(reply.topic_id)
                    .bind(reply.active)
                    .bind(now)
                    .bind(reply.article_id)
                    .fetch_optional(&mut *tx)
                    .await?,
                };
                let row = row.ok_or($crate::StoreError::NotFound("canned reply"))?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CannedSaved(baylanys_domain::events::CannedSaved {
                            canned_id: row.id,
                            active: row.active,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
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

            async fn messages_after_many(
                &self,
                from: &[(uuid::Uuid, i64)],
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Message>> {
                let limit = $crate::page_limit(limit);
                let mut out: Vec<$crate::Message> = Vec::new();
                // SQLite takes at most 500 terms in one compound SELECT.
                for chunk in from.chunks($crate::chat::MANY_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("");
                    $crate::chat::push_many(&mut qb, chunk, limit);
                    let rows: Vec<$crate::rows::MessageRow> =
                        qb.build_query_as().fetch_all(&self.reader).await?;
                    out.extend($crate::rows::convert(rows)?);
                }
                out.sort_by_key(|m| (m.appeal_id, m.seq));
                out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                Ok(out)
            }

            async fn messages_after_many_plan(
                &self,
                from: &[(uuid::Uuid, i64)],
            ) -> $crate::StoreResult<String> {
                use sqlx::Row as _;
                let sqlite = <$db as sqlx::Database>::NAME == "SQLite";
                let mut qb = sqlx::QueryBuilder::<$db>::new(if sqlite {
                    "EXPLAIN QUERY PLAN "
                } else {
                    "EXPLAIN "
                });
                let chunk = &from[..from.len().min($crate::chat::MANY_CHUNK)];
                $crate::chat::push_many(&mut qb, chunk, 500);
                let rows = qb.build().fetch_all(&self.reader).await?;
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| r.try_get::<String, _>(if sqlite { 3 } else { 0 }))
                    .collect::<Result<_, _>>()?;
                Ok(lines.join("\n"))
            }

            async fn last_seqs(
                &self,
                appeals: &[uuid::Uuid],
            ) -> $crate::StoreResult<Vec<(uuid::Uuid, i64)>> {
                let mut out = Vec::new();
                for chunk in appeals.chunks($crate::chat::MANY_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, last_seq FROM appeals WHERE id IN (",
                    );
                    let mut ids = qb.separated(", ");
                    for a in chunk {
                        ids.push_bind(*a);
                    }
                    qb.push(")");
                    let rows: Vec<(uuid::Uuid, i64)> =
                        qb.build_query_as().fetch_all(&self.reader).await?;
                    out.extend(rows);
                }
                Ok(out)
            }

            async fn mark_read(
                &self,
                appeal_id: uuid::Uuid,
                reader: $crate::Reader,
                seq: i64,
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.writer.begin().await?;
                let last: Option<(i64,)> = sqlx::query_as("SELECT last_seq FROM appeals WHERE id = $1")
                    .bind(appeal_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (last,) = last.ok_or($crate::StoreError::NotFound("appeal"))?;
                if seq < 0 || seq > last {
                    return Err(baylanys_domain::DomainError::InvalidField {
                        field: "seq",
                        reason: format!("{seq} is outside the conversation (0..={last})"),
                    }
                    .into());
                }
                let (kept,): (i64,) = sqlx::query_as(
                    "INSERT INTO read_marks (appeal_id, reader, seq, read_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (appeal_id, reader) DO UPDATE SET \
                     seq = CASE WHEN excluded.seq > read_marks.seq THEN excluded.seq ELSE read_marks.seq END, \
                     read_at = excluded.read_at RETURNING seq",
                )
                .bind(appeal_id)
                .bind(reader.as_str())
                .bind(seq)
                .bind($crate::now())
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(kept)
            }

            async fn read_marks(&self, appeal_id: uuid::Uuid) -> $crate::StoreResult<(i64, i64)> {
                let rows: Vec<(String, i64)> =
                    sqlx::query_as("SELECT reader, seq FROM read_marks WHERE appeal_id = $1")
                        .bind(appeal_id)
                        .fetch_all(&self.reader)
                        .await?;
                let of = |r: $crate::Reader| {
                    rows.iter()
                        .find(|(name, _)| name == r.as_str())
                        .map_or(0, |(_, s)| *s)
                };
                Ok((of($crate::Reader::Client), of($crate::Reader::Staff)))
            }
        }
    };
}
pub(crate) use impl_chat_store;

/// Conversations per statement of [`crate::ChatStore::messages_after_many`].
pub(crate) const MANY_CHUNK: usize = 200;

/// The entries after each `(appeal, seq)`: one walk of the `(appeal_id, seq)` index per
/// conversation (a subquery each, joined by `UNION ALL`), never a scan of every message — an
/// `OR` of the same conditions made PostgreSQL scan the whole index once a socket followed
/// thirty conversations.
pub(crate) fn push_many<'a, DB: sqlx::Database>(
    qb: &mut sqlx::QueryBuilder<'a, DB>,
    from: &'a [(uuid::Uuid, i64)],
    limit: i64,
) where
    uuid::Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push("SELECT * FROM (");
    for (i, (appeal_id, seq)) in from.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("SELECT * FROM (SELECT * FROM messages WHERE appeal_id = ")
            .push_bind(*appeal_id)
            .push(" AND seq > ")
            .push_bind(*seq)
            .push(" ORDER BY seq LIMIT ")
            .push_bind(limit)
            .push(format!(") AS m{i}"));
    }
    qb.push(") AS many ORDER BY appeal_id, seq LIMIT ")
        .push_bind(limit);
}
