//! Helpers the appeal verbs share inside their transactions: reading an appeal under the
//! caller's scope, replay look-ups by external id, inserting a message with its reserved `seq`,
//! marking the client verified.

macro_rules! impl_appeal_support {
    ($store:ty, $db:ty) => {
        impl $store {
            /// The appeal's client proved to be `into` (R11): the appeal's own record — a
            /// conversation's, holding only what its visitor claimed — joins it. Its appeals,
            /// channel addresses (the chat's session, the Telegram chat) and claims move, so the
            /// next contact on the same channel finds `into` at once; the emptied record stays,
            /// pointing at `into`. A record with an IIN or BIN of its own is an established
            /// client, never folded into another by a conversation: staff resolve that.
            pub(crate) async fn link_in_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal: &mut $crate::Appeal,
                into: uuid::Uuid,
                method: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let from = appeal.client_id;
                if from == into {
                    return Ok(());
                }
                let own: Option<(Option<String>, Option<String>)> =
                    sqlx::query_as("SELECT iin, bin FROM clients WHERE id = $1")
                        .bind(from)
                        .fetch_optional(&mut **tx)
                        .await?;
                if !matches!(own, Some((None, None))) {
                    return Err($crate::StoreError::Conflict(
                        "this appeal's client has an IIN or BIN of its own on file; it is not joined to another record".into(),
                    ));
                }
                let target: Option<(Option<uuid::Uuid>,)> =
                    sqlx::query_as("SELECT merged_into FROM clients WHERE id = $1")
                        .bind(into)
                        .fetch_optional(&mut **tx)
                        .await?;
                match target {
                    None => return Err($crate::StoreError::NotFound("client")),
                    Some((Some(_),)) => {
                        return Err($crate::StoreError::Conflict(
                            "that record was joined to another one".into(),
                        ))
                    }
                    Some((None,)) => {}
                }
                let now = $crate::now();
                let moved = sqlx::query("UPDATE appeals SET client_id = $2, updated_at = $3 WHERE client_id = $1")
                    .bind(from)
                    .bind(into)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                for sql in [
                    "UPDATE client_identities SET client_id = $2 WHERE client_id = $1",
                    "UPDATE chat_sessions SET client_id = $2 WHERE client_id = $1",
                    // A claim `into` already holds is not repeated.
                    "UPDATE client_claims SET client_id = $2 WHERE client_id = $1 AND NOT EXISTS \
                     (SELECT 1 FROM client_claims c WHERE c.client_id = $2 AND c.kind = client_claims.kind \
                      AND c.value = client_claims.value)",
                    "DELETE FROM client_claims WHERE client_id = $1",
                ] {
                    sqlx::query(sql).bind(from).bind(into).execute(&mut **tx).await?;
                }
                sqlx::query("UPDATE clients SET merged_into = $2, updated_at = $3 WHERE id = $1")
                    .bind(from)
                    .bind(into)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                Self::event(
                    tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ClientLinked(baylanys_domain::events::ClientLinked {
                            from,
                            method: method.to_owned(),
                            appeals_moved: i64::try_from(moved).unwrap_or(i64::MAX),
                        }),
                    )
                    .appeal(appeal.id)
                    .client(into),
                )
                .await?;
                appeal.client_id = into;
                Ok(())
            }

            /// Marks the appeal's client verified by `method` with its event (R11).
            async fn verify_in_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal: &$crate::Appeal,
                method: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Appeal> {
                let now = $crate::now();
                let row: $crate::rows::AppealRow = sqlx::query_as(
                    "UPDATE appeals SET verified_at = $2, verified_by = $3, verification_method = $4, \
                     updated_at = $2 WHERE id = $1 RETURNING *",
                )
                .bind(appeal.id)
                .bind(now)
                .bind(actor.staff_id())
                .bind(method)
                .fetch_one(&mut **tx)
                .await?;
                Self::event(
                    tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ClientVerified(baylanys_domain::events::ClientVerified {
                            method: method.to_owned(),
                        }),
                    )
                    .appeal(appeal.id)
                    .client(appeal.client_id),
                )
                .await?;
                row.try_into()
            }

            /// Writes what a change also writes, inside its transaction: the body's receipt (a
            /// replayed call id is a conflict, and the change is not made), then the notices to
            /// the client, each an entry of the conversation with the appeal's next `seq` and its
            /// outbox delivery. `appeal` is the appeal as the change left it; its `last_seq`
            /// follows the entries written.
            pub(crate) async fn also_in_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal: &mut $crate::Appeal,
                also: $crate::Also,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                let about = appeal.clone();
                Self::also_about(tx, appeal, &about, also, now).await
            }

            /// As `also_in_tx`, for a change of one of the appeal's contacts: the appeal is read
            /// (and locked) only when there is something to write.
            pub(crate) async fn also_for(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal_id: uuid::Uuid,
                also: $crate::Also,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                if also.is_nothing() {
                    return Ok(());
                }
                let mut appeal =
                    Self::appeal_in_tx(tx, appeal_id, baylanys_domain::AppealScope::All).await?;
                Self::also_in_tx(tx, &mut appeal, also, now).await
            }

            /// As `also_in_tx`, with the notices decided on `about` (e.g. the part split from
            /// `appeal`) and written on `appeal`'s conversation.
            pub(crate) async fn also_about(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal: &mut $crate::Appeal,
                about: &$crate::Appeal,
                mut also: $crate::Also,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                if let Some(r) = also.receipt.take() {
                    let inserted = sqlx::query(
                        "INSERT INTO body_webhook_receipts (body_id, webhook_id, at) VALUES ($1, $2, $3) \
                         ON CONFLICT (body_id, webhook_id) DO NOTHING",
                    )
                    .bind(r.body_id)
                    .bind(&r.webhook_id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
                        == 1;
                    if !inserted {
                        return Err($crate::StoreError::Replayed(
                            "this webhook-id was received already".into(),
                        ));
                    }
                    Self::event(
                        tx,
                        now,
                        $crate::events::Draft::typed(
                            $crate::Actor::Body { id: r.body_id },
                            baylanys_domain::Payload::WebhookReceived(baylanys_domain::events::WebhookReceived {
                                body_id: r.body_id,
                                webhook_id: r.webhook_id,
                                action: r.action,
                            }),
                        )
                        .appeal(appeal.id),
                    )
                    .await?;
                }
                for t in also.tells(about) {
                    let (seq,): (i64,) = sqlx::query_as(
                        "UPDATE appeals SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
                    )
                    .bind(appeal.id)
                    .fetch_one(&mut **tx)
                    .await?;
                    let channel = t.message.channel.unwrap_or(appeal.channel);
                    let (message, draft) = Self::insert_message(
                        tx,
                        appeal.id,
                        seq,
                        channel,
                        &t.message,
                        $crate::Actor::SYSTEM,
                        now,
                    )
                    .await?;
                    Self::event(tx, now, draft).await?;
                    if let Some(d) = &t.delivery {
                        let target = $crate::outbox::Target::Notice(message.id);
                        Self::insert_delivery(tx, appeal.id, target, d, None, now).await?;
                    }
                    appeal.last_seq = seq;
                }
                Ok(())
            }

            /// Reads an appeal for update inside a transaction, enforcing the caller's scope.
            async fn appeal_in_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                scope: baylanys_domain::AppealScope,
            ) -> $crate::StoreResult<$crate::Appeal> {
                let row: Option<$crate::rows::AppealRow> =
                    sqlx::query_as("SELECT * FROM appeals WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut **tx)
                        .await?;
                let appeal: $crate::Appeal =
                    row.ok_or($crate::StoreError::NotFound("appeal"))?.try_into()?;
                if !baylanys_domain::can_read_appeal(scope, appeal.body_id) {
                    return Err($crate::StoreError::NotFound("appeal"));
                }
                Ok(appeal)
            }

            /// Interactions and messages of several appeals, in time and `seq` order.
            async fn appeal_contents(
                &self,
                ids: &[uuid::Uuid],
            ) -> $crate::StoreResult<(Vec<$crate::Interaction>, Vec<$crate::Message>)> {
                if ids.is_empty() {
                    return Ok((Vec::new(), Vec::new()));
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT * FROM interactions WHERE appeal_id IN (",
                );
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                qb.push(") ORDER BY queued_at, id");
                let interactions: Vec<$crate::rows::InteractionRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                let mut qb =
                    sqlx::QueryBuilder::<$db>::new("SELECT * FROM messages WHERE appeal_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                qb.push(") ORDER BY appeal_id, seq");
                let messages: Vec<$crate::rows::MessageRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                Ok((
                    $crate::rows::convert(interactions)?,
                    $crate::rows::convert(messages)?,
                ))
            }

            async fn appeal_by_external_id(
                &self,
                channel: baylanys_domain::Channel,
                external_id: &str,
            ) -> $crate::StoreResult<Option<$crate::Appeal>> {
                let row: Option<$crate::rows::AppealRow> = sqlx::query_as(
                    "SELECT * FROM appeals WHERE channel = $1 AND external_id = $2",
                )
                .bind(channel.as_str())
                .bind(external_id)
                .fetch_optional(&self.reader)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn message_by_external_id(
                &self,
                channel: baylanys_domain::Channel,
                external_id: &str,
            ) -> $crate::StoreResult<Option<$crate::Message>> {
                let row: Option<$crate::rows::MessageRow> = sqlx::query_as(
                    "SELECT * FROM messages WHERE channel = $1 AND external_id = $2",
                )
                .bind(channel.as_str())
                .bind(external_id)
                .fetch_optional(&self.reader)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn interaction_by_external_id(
                &self,
                channel: baylanys_domain::Channel,
                external_id: &str,
            ) -> $crate::StoreResult<Option<$crate::Interaction>> {
                let row: Option<$crate::rows::InteractionRow> = sqlx::query_as(
                    "SELECT * FROM interactions WHERE channel = $1 AND external_id = $2",
                )
                .bind(channel.as_str())
                .bind(external_id)
                .fetch_optional(&self.reader)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            /// A mail's headers and a message's files, in the message's transaction.
            async fn insert_extras(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal_id: uuid::Uuid,
                message_id: uuid::Uuid,
                extras: &$crate::MessageExtras,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                if let Some(m) = &extras.mail {
                    let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
                    sqlx::query(
                        "INSERT INTO message_mail (message_id, appeal_id, mailbox_id, subject, sender, \
                         recipients_to, recipients_cc, recipients, quoted, from_html, automatic) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(message_id)
                    .bind(appeal_id)
                    .bind(m.mailbox_id)
                    .bind(&m.subject)
                    .bind(&m.sender)
                    .bind(list(&m.to))
                    .bind(list(&m.cc))
                    .bind(i64::from(m.recipients))
                    .bind(&m.quoted)
                    .bind(m.from_html)
                    .bind(&m.automatic)
                    .execute(&mut **tx)
                    .await?;
                }
                if let Some(edits) = extras.edits {
                    sqlx::query(
                        "INSERT INTO message_edits (message_id, appeal_id, edits) VALUES ($1, $2, $3)",
                    )
                    .bind(message_id)
                    .bind(appeal_id)
                    .bind(edits)
                    .execute(&mut **tx)
                    .await?;
                }
                for a in &extras.attachments {
                    sqlx::query(
                        "INSERT INTO attachments (id, appeal_id, message_id, name, content_type, size, \
                         sha256, refused, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(uuid::Uuid::now_v7())
                    .bind(appeal_id)
                    .bind(message_id)
                    .bind(&a.name)
                    .bind(&a.content_type)
                    .bind(i64::try_from(a.size).unwrap_or(i64::MAX))
                    .bind(&a.sha256)
                    .bind(&a.refused)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            /// Inserts a message with the `seq` the caller reserved inside its transaction, and
            /// returns the event to record with it.
            async fn insert_message(
                tx: &mut sqlx::Transaction<'static, $db>,
                appeal_id: uuid::Uuid,
                seq: i64,
                channel: baylanys_domain::Channel,
                new: &$crate::NewMessage,
                actor: $crate::Actor,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<($crate::Message, $crate::events::Draft)> {

                let direction = new.author.direction();
                let id = uuid::Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO messages (id, appeal_id, interaction_id, seq, author, staff_id, \
                     channel, direction, body, external_id, created_at, kind) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(id)
                .bind(appeal_id)
                .bind(new.interaction_id)
                .bind(seq)
                .bind(new.author.as_str())
                .bind(new.staff_id)
                .bind(channel.as_str())
                .bind(direction.as_str())
                .bind(&new.body)
                .bind(&new.external_id)
                .bind(now)
                .bind(new.kind.as_str())
                .execute(&mut **tx)
                .await?;
                Self::insert_extras(tx, appeal_id, id, &new.extras, now).await?;
                let message = $crate::Message {
                    id,
                    appeal_id,
                    interaction_id: new.interaction_id,
                    seq,
                    author: new.author,
                    staff_id: new.staff_id,
                    channel,
                    direction,
                    body: new.body.clone(),
                    external_id: new.external_id.clone(),
                    created_at: now,
                    kind: new.kind,
                };
                let mut draft = $crate::events::Draft::typed(
                    actor,
                    baylanys_domain::Payload::MessageAdded(baylanys_domain::events::MessageAdded {
                        message_id: id,
                        seq,
                        author: new.author,
                        kind: new.kind,
                        channel,
                        direction,
                    }),
                )
                .appeal(appeal_id);
                if let Some(i) = new.interaction_id {
                    draft = draft.interaction(i);
                }
                Ok((message, draft))
            }
        }
    };
}
pub(crate) use impl_appeal_support;
