//! The routing engine's persistence: the snapshot it routes from and the guarded writes of its
//! decisions, each with its event (routing.offered, accepted, declined, timed_out, overflowed).

macro_rules! impl_dispatch_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Answered plus offered contacts of one operator on one channel.
            async fn load_on(
                tx: &mut sqlx::Transaction<'static, $db>,
                operator_id: uuid::Uuid,
                channel: &str,
            ) -> $crate::StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM interactions WHERE channel = $2 AND \
                     ((state IN ('answered', 'wrap_up') AND operator_id = $1) OR (state = 'queued' AND offered_to = $1))",
                )
                .bind(operator_id)
                .bind(channel)
                .fetch_one(&mut **tx)
                .await?;
                Ok(n)
            }

            async fn interaction_row(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::rows::InteractionRow> {
                let row: Option<$crate::rows::InteractionRow> =
                    sqlx::query_as("SELECT * FROM interactions WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut **tx)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("interaction"))
            }
        }

        #[async_trait::async_trait]
        impl $crate::DispatchStore for $store {
            async fn routing_snapshot(&self) -> $crate::StoreResult<$crate::RoutingSnapshot> {
                use baylanys_domain::{Channel, Role};
                let staff: Vec<$crate::rows::StaffRow> = sqlx::query_as(
                    "SELECT * FROM staff WHERE active = $1 AND role IN ($2, $3)",
                )
                .bind(true)
                .bind(Role::Operator.as_str())
                .bind(Role::Supervisor.as_str())
                .fetch_all(&self.reader)
                .await?;
                let loads: Vec<(uuid::Uuid, String, i64)> = sqlx::query_as(
                    "SELECT operator_id, channel, COUNT(*) FROM interactions \
                     WHERE state IN ('answered', 'wrap_up') AND operator_id IS NOT NULL GROUP BY operator_id, channel \
                     UNION ALL \
                     SELECT offered_to, channel, COUNT(*) FROM interactions \
                     WHERE state = 'queued' AND offered_to IS NOT NULL GROUP BY offered_to, channel",
                )
                .fetch_all(&self.reader)
                .await?;
                let mut operators = Vec::with_capacity(staff.len());
                for row in staff {
                    let staff = row.into_staff()?;
                    let mut load = [0u8; 5];
                    for (op, channel, n) in &loads {
                        if *op == staff.id {
                            if let Some(i) = Channel::ALL.iter().position(|c| c.as_str() == channel) {
                                load[i] = load[i].saturating_add(u8::try_from(*n).unwrap_or(u8::MAX));
                            }
                        }
                    }
                    operators.push($crate::RoutableOperator { staff, load });
                }
                let waiting: Vec<$crate::rows::WaitingRow> = sqlx::query_as(
                    "SELECT i.id AS interaction_id, i.appeal_id, i.queue_id, i.channel, i.min_level, \
                     i.queued_at, i.declined_by, i.declined_at, i.offered_to, i.offer_expires_at, \
                     i.escalated, i.out_of_hours_at, a.topic_id, a.language, a.kind, a.priority AS appeal_priority, c.vulnerable, \
                     (SELECT COUNT(*) FROM interactions j WHERE j.appeal_id = i.appeal_id) AS contacts \
                     FROM interactions i JOIN appeals a ON a.id = i.appeal_id \
                     JOIN clients c ON c.id = a.client_id \
                     WHERE i.state = 'queued' ORDER BY i.queued_at, i.id",
                )
                .fetch_all(&self.reader)
                .await?;
                Ok($crate::RoutingSnapshot {
                    operators,
                    waiting: $crate::rows::convert(waiting)?,
                    queues: $crate::CatalogStore::list_queues(self).await?,
                })
            }

            async fn make_offers(
                &self,
                offers: &[(uuid::Uuid, uuid::Uuid, chrono::DateTime<chrono::Utc>)],
            ) -> $crate::StoreResult<usize> {
                use baylanys_domain::{router::Presence, Channel};
                use std::collections::HashMap;
                if offers.is_empty() {
                    return Ok(0);
                }
                let now = $crate::now();
                // Operators are locked in id order, so engines on several nodes taking the same
                // operators never deadlock.
                let mut sorted = offers.to_vec();
                sorted.sort_by_key(|(contact, operator, _)| (*operator, *contact));
                let mut tx = self.writer.begin().await?;
                let mut capacity: HashMap<uuid::Uuid, Option<baylanys_domain::router::Capacity>> =
                    HashMap::new();
                let mut load: HashMap<(uuid::Uuid, Channel), i64> = HashMap::new();
                let mut drafts = Vec::new();
                for (interaction_id, operator_id, expires_at) in sorted {
                    if !capacity.contains_key(&operator_id) {
                        // A no-op update locks the operator's row (PostgreSQL) so that two nodes
                        // cannot both fill the operator's last slot; SQLite has one writer anyway.
                        let op: Option<(Option<sqlx::types::Json<baylanys_domain::router::Capacity>>, String, bool)> =
                            sqlx::query_as(
                                "UPDATE staff SET presence = presence WHERE id = $1 \
                                 RETURNING capacity, presence, active",
                            )
                            .bind(operator_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                        let usable = op.and_then(|(cap, presence, active)| {
                            (active && presence == Presence::Online.as_str())
                                .then(|| cap.map(|c| c.0).unwrap_or_default())
                        });
                        capacity.insert(operator_id, usable);
                    }
                    let Some(Some(cap)) = capacity.get(&operator_id).copied() else { continue };
                    let row = Self::interaction_row(&mut tx, interaction_id).await?;
                    let channel: Channel = row.channel.parse().map_err(|e: baylanys_domain::DomainError| {
                        $crate::StoreError::Corrupt(e.to_string())
                    })?;
                    let used = match load.get(&(operator_id, channel)) {
                        Some(n) => *n,
                        None => Self::load_on(&mut tx, operator_id, channel.as_str()).await?,
                    };
                    if used >= i64::from(cap.get(channel)) {
                        load.insert((operator_id, channel), used);
                        continue;
                    }
                    let done = sqlx::query(
                        "UPDATE interactions SET offered_to = $2, offered_at = $3, offer_expires_at = $4 \
                         WHERE id = $1 AND state = 'queued' AND offered_to IS NULL",
                    )
                    .bind(interaction_id)
                    .bind(operator_id)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                    load.insert((operator_id, channel), used + i64::from(done));
                    if done {
                        drafts.push(
                            $crate::events::Draft::typed(
                                $crate::Actor::SYSTEM,
                                baylanys_domain::Payload::RoutingOffered(baylanys_domain::events::RoutingOffered {
                                    operator_id,
                                    queue_id: row.queue_id,
                                    channel,
                                    expires_at,
                                    via: None,
                                }),
                            )
                            .appeal(row.appeal_id)
                            .interaction(interaction_id),
                        );
                    }
                }
                let made = drafts.len();
                // Bounded statements: 9 parameters an event, well under both backends' limits.
                let mut drafts = drafts.into_iter().peekable();
                while drafts.peek().is_some() {
                    let chunk: Vec<_> = drafts.by_ref().take(500).collect();
                    Self::events(&mut tx, now, chunk).await?;
                }
                tx.commit().await?;
                Ok(made)
            }

            async fn accept_offer(
                &self,
                interaction_id: uuid::Uuid,
                operator_id: uuid::Uuid,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Interaction> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::rows::InteractionRow> = sqlx::query_as(
                    "UPDATE interactions SET state = 'answered', answered_at = $3, operator_id = $2, \
                     offered_to = NULL, offered_at = NULL, offer_expires_at = NULL \
                     WHERE id = $1 AND state = 'queued' AND offered_to = $2 RETURNING *",
                )
                .bind(interaction_id)
                .bind(operator_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    drop(tx);
                    return match $crate::DispatchStore::get_interaction(self, interaction_id).await {
                        Ok(_) => Err($crate::StoreError::Conflict(
                            "there is no pending offer of this contact to you (it may have timed out)".into(),
                        )),
                        Err(e) => Err(e),
                    };
                };
                let assigned = sqlx::query(
                    "UPDATE appeals SET assignee_id = $2, updated_at = $3 WHERE id = $1 AND assignee_id IS NULL",
                )
                .bind(row.appeal_id)
                .bind(operator_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                let actor = $crate::Actor::staff(operator_id);
                let wait = (now - row.queued_at).num_milliseconds() as f64 / 1000.0;
                let channel: Option<baylanys_domain::Channel> = row.channel.parse().ok();
                let mut drafts = vec![
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::RoutingAccepted(baylanys_domain::events::RoutingAccepted {
                            operator_id,
                            queue_id: row.queue_id,
                            wait_secs: wait,
                        }),
                    )
                    .appeal(row.appeal_id)
                    .interaction(interaction_id),
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ContactMoved(baylanys_domain::events::ContactMoved {
                            from: Some(baylanys_domain::InteractionState::Queued),
                            state: baylanys_domain::InteractionState::Answered,
                            operator_id: Some(operator_id),
                            channel,
                            queue_id: row.queue_id,
                            via: None,
                            at: None,
                        }),
                    )
                    .appeal(row.appeal_id)
                    .interaction(interaction_id),
                ];
                if assigned {
                    drafts.push(
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::Assigned(baylanys_domain::events::Assigned {
                                from: None,
                                to: Some(operator_id),
                                via: Some(baylanys_domain::events::AssignedVia::Routing),
                            }),
                        )
                        .appeal(row.appeal_id),
                    );
                }
                // An operator took it: a new appeal is in progress from now on (the console
                // showed "new" through whole conversations).
                let started = sqlx::query(
                    "UPDATE appeals SET status = $3, updated_at = $2 WHERE id = $1 AND status = $4",
                )
                .bind(row.appeal_id)
                .bind(now)
                .bind(baylanys_domain::AppealStatus::InProgress.as_str())
                .bind(baylanys_domain::AppealStatus::New.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if started {
                    drafts.push(
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::StatusChanged(baylanys_domain::events::StatusChanged {
                                from: baylanys_domain::AppealStatus::New,
                                to: baylanys_domain::AppealStatus::InProgress,
                                reason: None,
                                first_contact_resolved: None,
                            }),
                        )
                        .appeal(row.appeal_id),
                    );
                }
                Self::events(&mut tx, now, drafts).await?;
                Self::also_for(&mut tx, row.appeal_id, also, now).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn decline_offer(
                &self,
                interaction_id: uuid::Uuid,
                operator_id: uuid::Uuid,
                timed_out: bool,
            ) -> $crate::StoreResult<$crate::Interaction> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let current: Option<(sqlx::types::Json<Vec<uuid::Uuid>>,)> = sqlx::query_as(
                    "SELECT declined_by FROM interactions WHERE id = $1 AND state = 'queued' AND offered_to = $2",
                )
                .bind(interaction_id)
                .bind(operator_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((mut declined,)) = current else {
                    drop(tx);
                    return match $crate::DispatchStore::get_interaction(self, interaction_id).await {
                        Ok(_) => Err($crate::StoreError::Conflict(
                            "there is no pending offer of this contact to you".into(),
                        )),
                        Err(e) => Err(e),
                    };
                };
                // A timeout is not a decline: the contact may come back to this operator, who
                // is set away instead — they are evidently not at the console — so offers stop
                // going to them until they say they are back.
                if !timed_out && !declined.0.contains(&operator_id) {
                    declined.0.push(operator_id);
                }
                if timed_out {
                    let was: Option<(String,)> = sqlx::query_as(
                        "UPDATE staff SET presence = 'away', presence_at = $2 WHERE id = $1 \
                         AND presence = 'online' RETURNING presence",
                    )
                    .bind(operator_id)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if was.is_some() {
                        let away = $crate::staff::set_away(operator_id, "offer_unanswered");
                        Self::event(&mut tx, now, away).await?;
                    }
                }
                let row: $crate::rows::InteractionRow = sqlx::query_as(
                    "UPDATE interactions SET offered_to = NULL, offered_at = NULL, offer_expires_at = NULL, \
                     declined_by = $2, declined_at = CASE WHEN $3 THEN declined_at ELSE $4 END \
                     WHERE id = $1 RETURNING *",
                )
                .bind(interaction_id)
                .bind(&declined)
                .bind(timed_out)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let declined = baylanys_domain::events::RoutingDeclined { operator_id, queue_id: row.queue_id };
                let (payload, actor) = if timed_out {
                    (baylanys_domain::Payload::RoutingTimedOut(declined), $crate::Actor::SYSTEM)
                } else {
                    (baylanys_domain::Payload::RoutingDeclined(declined), $crate::Actor::staff(operator_id))
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(actor, payload)
                    .appeal(row.appeal_id)
                    .interaction(interaction_id),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn reoffer_contact(
                &self,
                interaction_id: uuid::Uuid,
                escalate_to: Option<uuid::Uuid>,
            ) -> $crate::StoreResult<bool> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                // Only a contact still waiting, with no offer out and declines to forget.
                let current: Option<(uuid::Uuid, sqlx::types::Json<Vec<uuid::Uuid>>, Option<uuid::Uuid>, bool)> =
                    sqlx::query_as(
                        "SELECT appeal_id, declined_by, queue_id, escalated FROM interactions \
                         WHERE id = $1 AND state = 'queued' AND offered_to IS NULL",
                    )
                    .bind(interaction_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((appeal_id, declined, queue_id, escalated)) = current else {
                    return Ok(false);
                };
                if declined.0.is_empty() {
                    return Ok(false);
                }
                let escalate_to = escalate_to.filter(|_| !escalated);
                sqlx::query(
                    "UPDATE interactions SET declined_by = $2, declined_at = NULL, \
                     queue_id = COALESCE($3, queue_id), escalated = (escalated OR $4) WHERE id = $1",
                )
                .bind(interaction_id)
                .bind(sqlx::types::Json(Vec::<uuid::Uuid>::new()))
                .bind(escalate_to)
                .bind(escalate_to.is_some())
                .execute(&mut *tx)
                .await?;
                let mut drafts = vec![$crate::events::Draft::typed(
                    $crate::Actor::SYSTEM,
                    baylanys_domain::Payload::RoutingReoffered(baylanys_domain::events::RoutingReoffered {
                        declined_by: declined.0,
                        escalated_to: escalate_to,
                    }),
                )
                .appeal(appeal_id)
                .interaction(interaction_id)];
                if let Some(to) = escalate_to {
                    drafts.push(
                        $crate::events::Draft::typed(
                            $crate::Actor::SYSTEM,
                            baylanys_domain::Payload::RoutingEscalated(baylanys_domain::events::RoutingMoved {
                                from_interaction: interaction_id,
                                from_operator: None,
                                to_queue: Some(to),
                                to_operator: None,
                                reason: Some(format!(
                                    "declined by every operator who could take it (from queue {})",
                                    queue_id.map(|q| q.to_string()).unwrap_or_default()
                                )),
                                reason_note_id: None,
                            }),
                        )
                        .appeal(appeal_id)
                        .interaction(interaction_id),
                    );
                }
                Self::events(&mut tx, now, drafts).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn overflow_contact(
                &self,
                interaction_id: uuid::Uuid,
                action: baylanys_domain::router::OverflowAction,
                escalate: bool,
            ) -> $crate::StoreResult<()> {
                use baylanys_domain::router::OverflowAction;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row = Self::interaction_row(&mut tx, interaction_id).await?;
                let done = match action {
                    OverflowAction::WidenLevel { min_level } => sqlx::query(
                        "UPDATE interactions SET min_level = $2 WHERE id = $1 AND state = 'queued'",
                    )
                    .bind(interaction_id)
                    .bind(i64::from(min_level))
                    .execute(&mut *tx)
                    .await?,
                    OverflowAction::MoveTo { queue_id } => sqlx::query(
                        "UPDATE interactions SET queue_id = $2, escalated = (escalated OR $3) \
                         WHERE id = $1 AND state = 'queued'",
                    )
                    .bind(interaction_id)
                    .bind(queue_id)
                    .bind(escalate)
                    .execute(&mut *tx)
                    .await?,
                }
                .rows_affected()
                    == 1;
                if done {
                    let mut drafts = vec![$crate::events::Draft::typed(
                        $crate::Actor::SYSTEM,
                        baylanys_domain::Payload::RoutingOverflowed(baylanys_domain::events::RoutingOverflowed {
                            from_queue: row.queue_id,
                            action,
                        }),
                    )
                    .appeal(row.appeal_id)
                    .interaction(interaction_id)];
                    if let (true, OverflowAction::MoveTo { queue_id }) = (escalate, action) {
                        // Escalation by rule (R24.2): the contact now waits for a supervisor.
                        drafts.push(
                            $crate::events::Draft::typed(
                                $crate::Actor::SYSTEM,
                                baylanys_domain::Payload::RoutingEscalated(baylanys_domain::events::RoutingMoved {
                                    from_interaction: interaction_id,
                                    from_operator: None,
                                    to_queue: Some(queue_id),
                                    to_operator: None,
                                    reason: Some("overflow rule".into()),
                                    reason_note_id: None,
                                }),
                            )
                            .appeal(row.appeal_id)
                            .interaction(interaction_id),
                        );
                    }
                    Self::events(&mut tx, now, drafts).await?;
                    tx.commit().await?;
                }
                Ok(())
            }

            async fn transfer(
                &self,
                interaction_id: uuid::Uuid,
                transfer: $crate::Transfer,
                actor: $crate::Actor,
                also: $crate::Also,
            ) -> $crate::StoreResult<$crate::Interaction> {
                use baylanys_domain::router::Presence;
                use baylanys_domain::{Channel, DomainError, Role};
                let by = actor.staff_id().ok_or(DomainError::InvalidField {
                    field: "actor",
                    reason: "transfers are made by staff".into(),
                })?;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row = Self::interaction_row(&mut tx, interaction_id).await?;
                let channel: Channel = row
                    .channel
                    .parse()
                    .map_err(|e: DomainError| $crate::StoreError::Corrupt(e.to_string()))?;
                if row.state != "queued" && row.state != "answered" {
                    return Err($crate::StoreError::Conflict(format!(
                        "a contact in state {} cannot be transferred",
                        row.state
                    )));
                }
                let (queue_id, offer) = match transfer.target {
                    $crate::TransferTarget::Queue(q) => {
                        Self::ensure_exists(&mut tx, "queues", "queue", q).await?;
                        (Some(q), None)
                    }
                    $crate::TransferTarget::Operator { id, expires_at } => {
                        let op: Option<(Option<sqlx::types::Json<baylanys_domain::router::Capacity>>, String, bool, String)> =
                            sqlx::query_as(
                                "UPDATE staff SET presence = presence WHERE id = $1                                  RETURNING capacity, presence, active, role",
                            )
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                        let (capacity, presence, active, role) =
                            op.ok_or($crate::StoreError::NotFound("staff member"))?;
                        if !active || (role != Role::Operator.as_str() && role != Role::Supervisor.as_str()) {
                            return Err(DomainError::InvalidField {
                                field: "to_operator",
                                reason: "contacts go to active operators and supervisors".into(),
                            }
                            .into());
                        }
                        if presence != Presence::Online.as_str() {
                            return Err($crate::StoreError::Conflict("that operator is not online".into()));
                        }
                        let cap = i64::from(capacity.map(|c| c.0).unwrap_or_default().get(channel));
                        if Self::load_on(&mut tx, id, channel.as_str()).await? >= cap {
                            return Err($crate::StoreError::Conflict(
                                "that operator has no room on this channel".into(),
                            ));
                        }
                        (row.queue_id, Some((id, expires_at)))
                    }
                };
                let (offered_to, expires) = match offer {
                    Some((o, e)) => (Some(o), Some(e)),
                    None => (None, None),
                };
                let mut drafts = Vec::new();
                let target_id = if row.state == "answered" {
                    sqlx::query("UPDATE interactions SET state = 'ended', ended_at = $2 WHERE id = $1")
                        .bind(interaction_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    drafts.push(
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::ContactMoved(baylanys_domain::events::ContactMoved {
                                from: Some(baylanys_domain::InteractionState::Answered),
                                state: baylanys_domain::InteractionState::Ended,
                                operator_id: row.operator_id,
                                channel: Some(channel),
                                queue_id: row.queue_id,
                                via: Some(baylanys_domain::events::ContactVia::Transfer),
                                at: None,
                            }),
                        )
                        .appeal(row.appeal_id)
                        .interaction(interaction_id),
                    );
                    let new_id = uuid::Uuid::now_v7();
                    // Sent to a queue, the contact is not offered straight back to the operator
                    // who let it go: they count as having declined it. When nobody else is able
                    // to take it, the re-offer rule gives it back to them after its pause.
                    let passed_on: Vec<uuid::Uuid> = match offered_to {
                        None => row.operator_id.into_iter().collect(),
                        Some(_) => Vec::new(),
                    };
                    let declined_at = (!passed_on.is_empty()).then_some(now);
                    sqlx::query(
                        "INSERT INTO interactions (id, appeal_id, channel, direction, state, queue_id, \
                         queued_at, offered_to, offered_at, offer_expires_at, escalated, declined_by, declined_at) \
                         VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(new_id)
                    .bind(row.appeal_id)
                    .bind(&row.channel)
                    .bind(&row.direction)
                    .bind(queue_id)
                    .bind(now)
                    .bind(offered_to)
                    .bind(offered_to.map(|_| now))
                    .bind(expires)
                    .bind(transfer.escalation)
                    .bind(sqlx::types::Json(&passed_on))
                    .bind(declined_at)
                    .execute(&mut *tx)
                    .await?;
                    // A call follows its contact: its next event finds the caller's new place
                    // (the version moves, so a step in flight is answered again from it).
                    sqlx::query(
                        "UPDATE calls SET interaction_id = $2, version = version + 1 \
                         WHERE interaction_id = $1",
                    )
                    .bind(interaction_id)
                    .bind(new_id)
                    .execute(&mut *tx)
                    .await?;
                    drafts.push(
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::ContactStarted(baylanys_domain::events::ContactStarted {
                                channel,
                                direction: row
                                    .direction
                                    .parse()
                                    .map_err(|e: DomainError| $crate::StoreError::Corrupt(e.to_string()))?,
                                state: baylanys_domain::InteractionState::Queued,
                                queue_id,
                                via: Some(baylanys_domain::events::ContactVia::Transfer),
                                at: None,
                                operator_id: None,
                            }),
                        )
                        .appeal(row.appeal_id)
                        .interaction(new_id),
                    );
                    new_id
                } else {
                    sqlx::query(
                        "UPDATE interactions SET queue_id = $2, offered_to = $3, offered_at = $4, \
                         offer_expires_at = $5, escalated = (escalated OR $6) WHERE id = $1",
                    )
                    .bind(interaction_id)
                    .bind(queue_id)
                    .bind(offered_to)
                    .bind(offered_to.map(|_| now))
                    .bind(expires)
                    .bind(transfer.escalation)
                    .execute(&mut *tx)
                    .await?;
                    interaction_id
                };
                let label = if transfer.escalation { "Эскалация / Escalation" } else { "Ауыстыру / Transfer" };
                let note_id = uuid::Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO notes (id, appeal_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(note_id)
                .bind(row.appeal_id)
                .bind(by)
                .bind(format!("{label}: {}", transfer.reason))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                drafts.push(
                    $crate::events::Draft::typed(actor, {
                        let moved = baylanys_domain::events::RoutingMoved {
                            from_interaction: interaction_id,
                            from_operator: row.operator_id.or(row.offered_to),
                            to_queue: queue_id,
                            to_operator: offered_to,
                            reason: Some(transfer.reason.clone()),
                            // The note itself hangs on the appeal.note_added event.
                            reason_note_id: Some(note_id),
                        };
                        if transfer.escalation {
                            baylanys_domain::Payload::RoutingEscalated(moved)
                        } else {
                            baylanys_domain::Payload::RoutingTransferred(moved)
                        }
                    })
                    .appeal(row.appeal_id)
                    .interaction(target_id),
                );
                drafts.push(
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::NoteAdded(baylanys_domain::events::NoteAdded { note_id }),
                    )
                        .appeal(row.appeal_id),
                );
                if let Some((o, expires)) = offer {
                    drafts.push(
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::RoutingOffered(baylanys_domain::events::RoutingOffered {
                                operator_id: o,
                                queue_id,
                                channel,
                                expires_at: expires,
                                via: Some(baylanys_domain::events::ContactVia::Transfer),
                            }),
                        )
                        .appeal(row.appeal_id)
                        .interaction(target_id),
                    );
                }
                Self::events(&mut tx, now, drafts).await?;
                let out: $crate::rows::InteractionRow = Self::interaction_row(&mut tx, target_id).await?;
                Self::also_for(&mut tx, out.appeal_id, also, now).await?;
                tx.commit().await?;
                out.try_into()
            }

            async fn notify_out_of_hours(
                &self,
                interaction_id: uuid::Uuid,
                text: &str,
            ) -> $crate::StoreResult<bool> {
                use baylanys_domain::{Author, Channel};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let marked: Option<(uuid::Uuid, String, Option<uuid::Uuid>)> = sqlx::query_as(
                    "UPDATE interactions SET out_of_hours_at = $2 \
                     WHERE id = $1 AND state = 'queued' AND out_of_hours_at IS NULL \
                     RETURNING appeal_id, channel, queue_id",
                )
                .bind(interaction_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((appeal_id, channel, queue_id)) = marked else {
                    return Ok(false);
                };
                let channel: Channel = channel
                    .parse()
                    .map_err(|e: baylanys_domain::DomainError| $crate::StoreError::Corrupt(e.to_string()))?;
                let (seq,): (i64,) = sqlx::query_as(
                    "UPDATE appeals SET last_seq = last_seq + 1, updated_at = $2 WHERE id = $1 RETURNING last_seq",
                )
                .bind(appeal_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let message = $crate::NewMessage {
                    author: Author::System,
                    kind: baylanys_domain::MessageKind::Notice,
                    staff_id: None,
                    channel: Some(channel),
                    body: text.to_owned(),
                    interaction_id: Some(interaction_id),
                    external_id: None,
                    extras: Default::default(),
                };
                let (_, draft) =
                    Self::insert_message(&mut tx, appeal_id, seq, channel, &message, $crate::Actor::SYSTEM, now)
                        .await?;
                let notice = $crate::events::Draft::typed(
                    $crate::Actor::SYSTEM,
                    baylanys_domain::Payload::RoutingOutOfHours(baylanys_domain::events::OutOfHours {
                        queue_id,
                        channel,
                    }),
                )
                .appeal(appeal_id)
                .interaction(interaction_id);
                Self::events(&mut tx, now, vec![notice, draft]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn offers_for(
                &self,
                operator_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Interaction>> {
                let rows: Vec<$crate::rows::InteractionRow> = sqlx::query_as(
                    "SELECT * FROM interactions WHERE offered_to = $1 AND state = 'queued' ORDER BY offered_at",
                )
                .bind(operator_id)
                .fetch_all(&self.reader)
                .await?;
                $crate::rows::convert(rows)
            }

            async fn contacts_of(
                &self,
                operator_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::Interaction>> {
                let rows: Vec<$crate::rows::InteractionRow> = sqlx::query_as(
                    "SELECT * FROM interactions WHERE operator_id = $1 AND state IN ('answered', 'wrap_up') \
                     ORDER BY answered_at",
                )
                .bind(operator_id)
                .fetch_all(&self.reader)
                .await?;
                $crate::rows::convert(rows)
            }

            async fn get_interaction(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<$crate::Interaction> {
                let row: Option<$crate::rows::InteractionRow> =
                    sqlx::query_as("SELECT * FROM interactions WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("interaction"))?.try_into()
            }

            async fn wrap_ups_before(
                &self,
                before: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<uuid::Uuid>> {
                let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT id FROM interactions WHERE state = 'wrap_up' AND wrap_up_at < $1 \
                     ORDER BY wrap_up_at, id LIMIT $2",
                )
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }
        }
    };
}
pub(crate) use impl_dispatch_store;
