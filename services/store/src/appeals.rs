//! Appeals and their timeline: registration, status lifecycle, assignment, notes, messages with a
//! per-appeal `seq`, redirection, verification. Each verb is one transaction with its events.

macro_rules! impl_appeal_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::AppealStore for $store {
            async fn create_appeal(
                &self,
                new: $crate::NewAppeal,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Appeal>> {
                use baylanys_domain::{AppealStatus, Direction};
                if let Some(ext) = &new.external_id {
                    if let Some(existing) = self.appeal_by_external_id(new.channel, ext).await? {
                        return Ok($crate::Ingested { value: existing, created: false });
                    }
                }
                let now = $crate::now();
                let id = uuid::Uuid::now_v7();
                let interaction_id = uuid::Uuid::now_v7();
                let mut tx = self.writer.begin().await?;
                // One round trip checks every reference, for a clear NotFound instead of a
                // foreign-key error.
                let (clients, topics, queues): (i64, i64, i64) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM clients WHERE id = $1), \
                     (SELECT COUNT(*) FROM topics WHERE id = $2), \
                     (SELECT COUNT(*) FROM queues WHERE id = $3)",
                )
                .bind(new.client_id)
                .bind(new.topic_id)
                .bind(new.queue_id)
                .fetch_one(&mut *tx)
                .await?;
                if clients == 0 {
                    return Err($crate::StoreError::NotFound("client"));
                }
                if new.topic_id.is_some() && topics == 0 {
                    return Err($crate::StoreError::NotFound("topic"));
                }
                if new.queue_id.is_some() && queues == 0 {
                    return Err($crate::StoreError::NotFound("queue"));
                }
                // The number is assigned last (see below); until then the row carries a unique
                // provisional one.
                let last_seq = i64::from(new.first_message.is_some());
                let inserted = sqlx::query_as::<_, $crate::rows::AppealRow>(
                    "INSERT INTO appeals (id, number, client_id, kind, topic_id, channel, language, \
                     priority, status, queue_id, subject, external_id, last_seq, created_at, updated_at, \
                     due_at, first_due_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $15) RETURNING *",
                )
                .bind(id)
                .bind(format!("pending:{id}"))
                .bind(new.client_id)
                .bind(new.kind.as_str())
                .bind(new.topic_id)
                .bind(new.channel.as_str())
                .bind(new.language.as_str())
                .bind(new.priority.get())
                .bind(AppealStatus::New.as_str())
                .bind(new.queue_id)
                .bind(&new.subject)
                .bind(&new.external_id)
                .bind(last_seq)
                .bind(now)
                .bind(new.due_at)
                .fetch_one(&mut *tx)
                .await;
                let row = match inserted {
                    Ok(row) => row,
                    Err(e) => {
                        let err = $crate::StoreError::from(e);
                        // A concurrent replay of the same contact won the race: return its appeal.
                        if let ($crate::StoreError::Conflict(_), Some(ext)) = (&err, &new.external_id) {
                            drop(tx);
                            if let Some(existing) = self.appeal_by_external_id(new.channel, ext).await? {
                                return Ok($crate::Ingested { value: existing, created: false });
                            }
                        }
                        return Err(err);
                    }
                };
                let mut drafts = vec![$crate::events::Draft::typed(
                    actor,
                    baylanys_domain::Payload::AppealCreated(baylanys_domain::events::AppealCreated {
                        kind: new.kind,
                        channel: new.channel,
                        language: new.language,
                        priority: new.priority.get(),
                        topic_id: new.topic_id,
                        queue_id: new.queue_id,
                        split_from: None,
                    }),
                )
                .appeal(id)
                .client(new.client_id)];
                // The contact that brought the appeal, where the caller says it starts.
                let contact = $crate::NewInteraction {
                    appeal_id: id,
                    channel: new.channel,
                    direction: Direction::Inbound,
                    external_id: None,
                    queue_id: new.queue_id,
                    start: new.first_contact,
                };
                let (_, started) =
                    Self::insert_contact(&mut tx, interaction_id, id, new.client_id, &contact, actor, now)
                        .await?;
                drafts.extend(started);
                if let Some(text) = &new.first_message {
                    let msg = $crate::NewMessage {
                        author: baylanys_domain::Author::Client,
                        kind: baylanys_domain::MessageKind::Text,
                        staff_id: None,
                        channel: Some(new.channel),
                        body: text.clone(),
                        interaction_id: Some(interaction_id),
                        external_id: None,
                        extras: new.first_extras.clone(),
                    };
                    let (_, draft) =
                        Self::insert_message(&mut tx, id, 1, new.channel, &msg, actor, now).await?;
                    drafts.push(draft);
                }
                Self::events(&mut tx, now, drafts).await?;
                // The per-year counter gives gapless numbers, but its row lock serialises every
                // registration until commit; taking it as the last statement keeps that window
                // as short as it can be on PostgreSQL.
                let year = baylanys_domain::local_year(now);
                let (counter,): (i64,) = sqlx::query_as(
                    "INSERT INTO counters (name, value) VALUES ($1, 1) \
                     ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                )
                .bind(format!("appeal:{year}"))
                .fetch_one(&mut *tx)
                .await?;
                let number = baylanys_domain::appeal_number(year, counter);
                sqlx::query("UPDATE appeals SET number = $2 WHERE id = $1")
                    .bind(id)
                    .bind(&number)
                    .execute(&mut *tx)
                    .await?;
                let mut appeal: $crate::Appeal = row.try_into()?;
                appeal.number = number;
                Self::also_in_tx(&mut tx, &mut appeal, also, now).await?;
                tx.commit().await?;
                Ok($crate::Ingested { value: appeal, created: true })
            }

            async fn get_appeal(
                &self,
                id: uuid::Uuid,
                scope: baylanys_domain::AppealScope,
            ) -> $crate::StoreResult<$crate::Appeal> {
                let row: Option<$crate::rows::AppealRow> =
                    sqlx::query_as("SELECT * FROM appeals WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                let appeal: $crate::Appeal =
                    row.ok_or($crate::StoreError::NotFound("appeal"))?.try_into()?;
                if !baylanys_domain::can_read_appeal(scope, appeal.body_id) {
                    return Err($crate::StoreError::NotFound("appeal"));
                }
                Ok(appeal)
            }

            async fn list_appeals(
                &self,
                f: $crate::AppealFilter,
            ) -> $crate::StoreResult<Vec<$crate::Appeal>> {
                use baylanys_domain::AppealScope;
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM appeals WHERE 1=1");
                match f.scope {
                    AppealScope::All => {}
                    AppealScope::Body(b) => {
                        qb.push(" AND body_id = ").push_bind(b);
                    }
                    AppealScope::Nothing => {
                        return Ok(Vec::new());
                    }
                }
                if let Some(v) = f.status {
                    qb.push(" AND status = ").push_bind(v.as_str());
                }
                if let Some(v) = f.kind {
                    qb.push(" AND kind = ").push_bind(v.as_str());
                }
                if let Some(v) = f.channel {
                    qb.push(" AND channel = ").push_bind(v.as_str());
                }
                if let Some(v) = f.client_id {
                    qb.push(" AND client_id = ").push_bind(v);
                }
                if let Some(v) = f.assignee_id {
                    qb.push(" AND assignee_id = ").push_bind(v);
                }
                if let Some(v) = f.queue_id {
                    qb.push(" AND queue_id = ").push_bind(v);
                }
                if let Some(v) = f.topic_id {
                    qb.push(" AND topic_id = ").push_bind(v);
                }
                if let Some(v) = f.body_id {
                    qb.push(" AND body_id = ").push_bind(v);
                }
                if let Some(v) = f.created_from {
                    qb.push(" AND created_at >= ").push_bind(v);
                }
                if let Some(v) = f.created_to {
                    qb.push(" AND created_at < ").push_bind(v);
                }
                if f.overdue {
                    qb.push(" AND due_at < ")
                        .push_bind($crate::now())
                        .push(" AND status NOT IN ('answered', 'closed')");
                }
                // UUID v7 ids sort by creation time on both backends (bytewise), so the id is a
                // stable cursor even when many appeals share a timestamp.
                if let Some(v) = f.before {
                    qb.push(" AND id < ").push_bind(v);
                }
                qb.push(" ORDER BY id DESC LIMIT ")
                    .push_bind($crate::page_limit(f.limit));
                let rows: Vec<$crate::rows::AppealRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                $crate::rows::convert(rows)
            }

            async fn timeline(
                &self,
                id: uuid::Uuid,
                scope: baylanys_domain::AppealScope,
            ) -> $crate::StoreResult<$crate::Timeline> {
                $crate::AppealStore::get_appeal(self, id, scope).await?;
                let (interactions, messages) = self.appeal_contents(&[id]).await?;
                let notes: Vec<$crate::rows::NoteRow> =
                    sqlx::query_as("SELECT * FROM notes WHERE appeal_id = $1 ORDER BY created_at, id")
                        .bind(id)
                        .fetch_all(&self.reader)
                        .await?;
                let redirections: Vec<$crate::rows::RedirectionRow> = sqlx::query_as(
                    "SELECT * FROM redirections WHERE appeal_id = $1 ORDER BY created_at, id",
                )
                .bind(id)
                .fetch_all(&self.reader)
                .await?;
                let events: Vec<$crate::rows::EventRow> =
                    sqlx::query_as("SELECT * FROM events WHERE appeal_id = $1 ORDER BY id")
                        .bind(id)
                        .fetch_all(&self.reader)
                        .await?;
                Ok($crate::Timeline {
                    interactions,
                    messages,
                    notes: notes.into_iter().map(Into::into).collect(),
                    redirections: redirections
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<$crate::StoreResult<_>>()?,
                    events: events.into_iter().map(Into::into).collect(),
                })
            }

            async fn change_status(
                &self,
                id: uuid::Uuid,
                change: $crate::StatusChange,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Appeal> {
                use baylanys_domain::{AppealStatus, DomainError};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, id, scope).await?;
                let transition = appeal.status.transition(change.to)?;
                let resolution = change.resolution.or(appeal.resolution.clone());
                if transition.needs_resolution && resolution.is_none() {
                    return Err(DomainError::InvalidField {
                        field: "resolution",
                        reason: format!("is required to move an appeal to {}", change.to),
                    }
                    .into());
                }
                // A complaint is answered only after its review and decision (R9).
                if appeal.kind == baylanys_domain::AppealKind::Complaint
                    && matches!(change.to, AppealStatus::Answered | AppealStatus::Closed)
                {
                    let (decided,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM complaints WHERE appeal_id = $1 AND decided_at IS NOT NULL",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if decided == 0 {
                        return Err($crate::StoreError::Conflict(
                            "a complaint is answered after a supervisor reviewed and decided it".into(),
                        ));
                    }
                }
                let fcr = change.first_contact_resolved.or(appeal.first_contact_resolved);
                let closed_at = (change.to == AppealStatus::Closed).then_some(now);
                // The status guard turns a concurrent change into a conflict, not a lost update.
                let row: Option<$crate::rows::AppealRow> = sqlx::query_as(
                    "UPDATE appeals SET status = $3, resolution = $4, first_contact_resolved = $5, \
                     closed_at = $6, updated_at = $7 WHERE id = $1 AND status = $2 RETURNING *",
                )
                .bind(id)
                .bind(appeal.status.as_str())
                .bind(change.to.as_str())
                .bind(&resolution)
                .bind(fcr)
                .bind(closed_at)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let row = row.ok_or_else(|| {
                    $crate::StoreError::Conflict("the appeal was changed concurrently; reload it".into())
                })?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::StatusChanged(baylanys_domain::events::StatusChanged {
                            from: transition.from,
                            to: transition.to,
                            reason: change.reason,
                            first_contact_resolved: fcr,
                        }),
                    )
                    .appeal(id)
                    .client(appeal.client_id),
                )
                .await?;
                // A closed appeal's contacts in progress are over: they end with it, freeing the
                // operators' capacity for routing.
                if change.to == AppealStatus::Closed {
                    let open: Vec<$crate::rows::InteractionRow> = sqlx::query_as(
                        "SELECT * FROM interactions WHERE appeal_id = $1 \
                         AND state IN ('answered', 'wrap_up', 'menu')",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE interactions SET state = 'ended', ended_at = $2 \
                         WHERE appeal_id = $1 AND state IN ('answered', 'wrap_up', 'menu')",
                    )
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let mut drafts = Vec::with_capacity(open.len());
                    for row in open {
                        let contact: $crate::Interaction = row.try_into()?;
                        drafts.push(
                            $crate::events::Draft::typed(
                                actor,
                                baylanys_domain::Payload::ContactMoved(baylanys_domain::events::ContactMoved {
                                    from: Some(contact.state),
                                    state: baylanys_domain::InteractionState::Ended,
                                    operator_id: contact.operator_id,
                                    channel: Some(contact.channel),
                                    queue_id: contact.queue_id,
                                    via: Some(baylanys_domain::events::ContactVia::AppealClosed),
                                    at: None,
                                }),
                            )
                            .appeal(id)
                            .interaction(contact.id),
                        );
                    }
                    Self::events(&mut tx, now, drafts).await?;
                }
                let mut appeal: $crate::Appeal = row.try_into()?;
                Self::also_in_tx(&mut tx, &mut appeal, also, now).await?;
                tx.commit().await?;
                Ok(appeal)
            }

            async fn assign(
                &self,
                id: uuid::Uuid,
                assignee: Option<uuid::Uuid>,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Appeal> {
                use baylanys_domain::{DomainError, Role};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, id, scope).await?;
                if let Some(staff_id) = assignee {
                    let row: Option<(String, bool)> =
                        sqlx::query_as("SELECT role, active FROM staff WHERE id = $1")
                            .bind(staff_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let (role, active) = row.ok_or($crate::StoreError::NotFound("staff member"))?;
                    if !active
                        || role == Role::BodyOfficer.as_str()
                        || role == Role::Editor.as_str()
                    {
                        return Err(DomainError::InvalidField {
                            field: "staff_id",
                            reason: "appeals are assigned to active centre staff only".into(),
                        }
                        .into());
                    }
                }
                if !appeal.status.is_open() && assignee.is_some() {
                    return Err($crate::StoreError::Conflict(format!(
                        "an appeal in status {} cannot be assigned",
                        appeal.status
                    )));
                }
                let row: $crate::rows::AppealRow = sqlx::query_as(
                    "UPDATE appeals SET assignee_id = $2, updated_at = $3 WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(assignee)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::Assigned(baylanys_domain::events::Assigned {
                            from: appeal.assignee_id,
                            to: assignee,
                            via: None,
                        }),
                    )
                    .appeal(id)
                    .client(appeal.client_id),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn add_note(
                &self,
                id: uuid::Uuid,
                body: &str,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Note> {
                use baylanys_domain::DomainError;
                let author = actor.staff_id().ok_or(DomainError::InvalidField {
                    field: "author",
                    reason: "internal notes are written by staff".into(),
                })?;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, id, scope).await?;
                let row: $crate::rows::NoteRow = sqlx::query_as(
                    "INSERT INTO notes (id, appeal_id, author_id, body, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING *",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(id)
                .bind(author)
                .bind(body)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::NoteAdded(baylanys_domain::events::NoteAdded { note_id: row.id }),
                    )
                    .appeal(id)
                    .client(appeal.client_id),
                )
                .await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn add_message(
                &self,
                id: uuid::Uuid,
                new: $crate::NewMessage,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Message>> {
                self.append_message(id, new, scope, actor, None).await
            }

            async fn mark_verified(
                &self,
                id: uuid::Uuid,
                client_id: uuid::Uuid,
                method: &str,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Appeal> {
                let mut tx = self.writer.begin().await?;
                let mut appeal = Self::appeal_in_tx(&mut tx, id, scope).await?;
                Self::link_in_tx(&mut tx, &mut appeal, client_id, method, actor).await?;
                let verified = Self::verify_in_tx(&mut tx, &appeal, method, actor).await?;
                tx.commit().await?;
                Ok(verified)
            }
        }

        impl $store {
            /// Appends a message and, with `delivery`, the outbox entry that carries it to the
            /// client, in one transaction: a notice is never stored without its delivery.
            pub(crate) async fn append_message(
                &self,
                id: uuid::Uuid,
                new: $crate::NewMessage,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
                delivery: Option<$crate::NewDelivery>,
            ) -> $crate::StoreResult<$crate::Ingested<$crate::Message>> {
                use baylanys_domain::AppealStatus;
                let replay = |existing: $crate::Message| {
                    if existing.appeal_id == id {
                        Ok($crate::Ingested { value: existing, created: false })
                    } else {
                        Err($crate::StoreError::Conflict(
                            "this external id belongs to a message of another appeal".into(),
                        ))
                    }
                };
                // A replay is found where the new message cannot be written — the appeal closed
                // since, or the external id's unique index refuses the insert — not by a read
                // before every write: most messages are new, and that read is a round trip each.
                let find_replay = |channel: Option<baylanys_domain::Channel>| {
                    let ext = new.external_id.clone();
                    async move {
                        match (channel, ext) {
                            (Some(channel), Some(ext)) => self.message_by_external_id(channel, &ext).await,
                            _ => Ok(None),
                        }
                    }
                };
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                // Reserving the next seq is the first statement: it locks the appeal row, so
                // concurrent messages of one appeal queue here and get consecutive numbers. The
                // same round trip finds the contact still open on the message's channel. A closed
                // appeal takes no more messages, except the system's notices about it (the close
                // itself, later the survey).
                let reserved: Option<$crate::rows::ReservedRow> = sqlx::query_as(
                    "UPDATE appeals SET last_seq = last_seq + 1, updated_at = $2 \
                     WHERE id = $1 AND (status <> $3 OR $5) RETURNING *, \
                     (SELECT i.id FROM interactions i WHERE i.appeal_id = appeals.id \
                      AND i.channel = COALESCE($4, appeals.channel) AND i.state IN ('queued', 'answered') \
                      ORDER BY i.queued_at DESC, i.id DESC LIMIT 1) AS open_interaction",
                )
                .bind(id)
                .bind(now)
                .bind(AppealStatus::Closed.as_str())
                .bind(new.channel.map(|c| c.as_str()))
                .bind(new.author == baylanys_domain::Author::System)
                .fetch_optional(&mut *tx)
                .await?;
                let (appeal, open_interaction): ($crate::Appeal, Option<uuid::Uuid>) = match reserved {
                    Some(r) => (r.appeal.try_into()?, r.open_interaction),
                    None => {
                        drop(tx);
                        if let Some(existing) = find_replay(new.channel).await? {
                            $crate::AppealStore::get_appeal(self, existing.appeal_id, scope).await?;
                            return replay(existing);
                        }
                        // Missing, out of scope, or closed: say which, without disclosing.
                        $crate::AppealStore::get_appeal(self, id, scope).await?;
                        return Err($crate::StoreError::Conflict(
                            "the appeal is closed; a new contact opens a new appeal".into(),
                        ));
                    }
                };
                if !baylanys_domain::can_read_appeal(scope, appeal.body_id) {
                    return Err($crate::StoreError::NotFound("appeal"));
                }
                let channel = new.channel.unwrap_or(appeal.channel);
                let mut new = new;
                match new.interaction_id {
                    Some(i) => {
                        let (n,): (i64,) = sqlx::query_as(
                            "SELECT COUNT(*) FROM interactions WHERE id = $1 AND appeal_id = $2",
                        )
                        .bind(i)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                        if n == 0 {
                            return Err($crate::StoreError::NotFound("interaction"));
                        }
                    }
                    None => new.interaction_id = open_interaction,
                }
                let inserted =
                    Self::insert_message(&mut tx, id, appeal.last_seq, channel, &new, actor, now).await;
                match inserted {
                    Ok((message, draft)) => {
                        Self::event(&mut tx, now, draft).await?;
                        if let Some(d) = &delivery {
                            let target = $crate::outbox::Target::Notice(message.id);
                            Self::insert_delivery(&mut tx, id, target, d, None, now).await?;
                        }
                        tx.commit().await?;
                        Ok($crate::Ingested { value: message, created: true })
                    }
                    Err($crate::StoreError::Conflict(c)) => {
                        drop(tx);
                        // A replay with the same external id: committed earlier (when the channel
                        // was not given up front) or concurrently.
                        if let Some(ext) = &new.external_id {
                            if let Some(existing) = self.message_by_external_id(channel, ext).await? {
                                return replay(existing);
                            }
                        }
                        Err($crate::StoreError::Conflict(c))
                    }
                    Err(e) => Err(e),
                }
            }
        }
    };
}
pub(crate) use impl_appeal_store;
