//! The phone's calls (clause 3.15, R12, R13): each call's course as the centre runs it, the
//! answer given to each provider event (so a replay gets the same answer and changes nothing),
//! and the callbacks waiting callers ask for. The menus they run are in `ivr`.
//!
//! A call's row is written with a version check: two nodes answering two events of one call at
//! once (a status callback racing a wait tick) cannot both win; the loser reads again.

use async_trait::async_trait;
use baylanys_domain::events::CallMenu;
use baylanys_domain::voice::CallPhase;
use baylanys_domain::Language;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Actor, StoreResult};

/// One call as the centre runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `twilio`, `rustpbx`, …: the adapter that carries it.
    pub provider: String,
    /// The provider's id of the call.
    pub call_id: String,
    pub appeal_id: Uuid,
    /// The call's contact: its phases feed the KPIs.
    pub interaction_id: Uuid,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub phase: CallPhase,
    pub language: Language,
    /// The menu the caller is in.
    pub menu: String,
    /// How many times the caller was asked again in that menu.
    pub tries: u32,
    /// The options taken, in order, for the operator and the log.
    pub path: Vec<String>,
    /// Collections asked for so far: each one's answer has an id of its own.
    pub steps: i64,
    pub queued_at: Option<DateTime<Utc>>,
    pub announced_at: Option<DateTime<Utc>>,
    pub announcements: u32,
    /// The operator's phone the caller is put through to.
    pub bridge_to: Option<String>,
    /// The caller was told the call is recorded (its queue records calls): its recordings are
    /// kept, and only then.
    pub recorded: bool,
    /// 0 for a call not stored yet.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What one provider event did to a call, saved with it.
#[derive(Debug, Clone)]
pub struct CallStep {
    pub event_id: String,
    /// The event's short name (bounded, for the log).
    pub event: &'static str,
    /// The answer given (JSON of the actions), returned again on a replay.
    pub answer: String,
    /// Steps through the menu this event made, each an event of the log.
    pub menu_steps: Vec<CallMenu>,
    /// What a waiting caller was told, if this event announced (R12.1–2).
    pub announced: Option<baylanys_domain::events::CallAnnounced>,
}

/// A call an operator starts on an appeal.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub appeal_id: Uuid,
    pub number: String,
    pub language: Language,
    pub reason: String,
    pub operator_id: Uuid,
}

/// A call the centre owes a client: a callback a caller asked for, or a call an operator
/// starts on an appeal (with the reason they open with).
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    pub id: Uuid,
    pub appeal_id: Uuid,
    /// The inbound call a callback came from; none for an operator's call.
    pub interaction_id: Option<Uuid>,
    pub number: String,
    pub language: Language,
    /// `pending`, `placed`, `done`, `failed`, `cancelled`.
    pub state: String,
    pub attempts: i64,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Why an operator calls (their opening line), and who; none for a callback asked for.
    pub reason: Option<String>,
    pub requested_by: Option<Uuid>,
    /// The PBX's id of the last call placed for it, the operator it was placed for, and when.
    pub call_id: Option<String>,
    pub placed_by: Option<Uuid>,
    pub placed_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait CallStore: Send + Sync {
    async fn call(&self, provider: &str, call_id: &str) -> StoreResult<Option<Call>>;
    async fn call_of_contact(&self, interaction_id: Uuid) -> StoreResult<Option<Call>>;
    /// The contact that brought an appeal (a call's, the first of its appeal).
    async fn first_contact_of(&self, appeal_id: Uuid) -> StoreResult<Option<Uuid>>;
    /// The call and, when the event was taken already, the answer given to it, in one read:
    /// every step of every call asks both, and a waiting caller's steps are most of a busy
    /// centre's requests.
    async fn call_and_answer(
        &self,
        provider: &str,
        call_id: &str,
        event_id: &str,
    ) -> StoreResult<(Option<Call>, Option<String>)>;
    /// Saves the call's new state and the event's answer in one transaction; `false` (nothing
    /// written) when another node changed the call, or took the same event, first.
    async fn save_call(&self, call: &Call, step: CallStep, actor: Actor) -> StoreResult<bool>;
    /// The call's contact leaves the menu for a queue (the one named, or none for the routing
    /// table's default) and the appeal takes the topic chosen, if it had none; nothing when it
    /// already left.
    async fn enqueue_call(
        &self,
        interaction_id: Uuid,
        queue_id: Option<Uuid>,
        topic_id: Option<Uuid>,
        actor: Actor,
    ) -> StoreResult<()>;
    /// The waiting caller asked to be called back: the contact ends as a callback request (not
    /// a lost call) and the callback waits, in one transaction; the same request again returns
    /// the first.
    async fn request_callback(
        &self,
        interaction_id: Uuid,
        number: &str,
        language: Language,
        actor: Actor,
    ) -> StoreResult<Callback>;
    /// The operator holds the caller of the answered call contact `interaction_id` (`on`), or
    /// takes them back: `held_at` set or cleared with `call.held` / `call.resumed`, and the
    /// call's version moved (a step in flight is answered again from it), in one transaction.
    /// A contact not answered, or already in that state, is a conflict.
    async fn hold_contact(
        &self,
        interaction_id: Uuid,
        on: bool,
        actor: Actor,
    ) -> StoreResult<crate::Interaction>;
    /// Callbacks, oldest first; of one state when asked.
    async fn callbacks(&self, state: Option<&str>, limit: u32) -> StoreResult<Vec<Callback>>;
    async fn get_callback(&self, id: Uuid) -> StoreResult<Callback>;
    /// The callback a call placed through the PBX belongs to.
    async fn callback_of_call(&self, call_id: &str) -> StoreResult<Option<Callback>>;
    /// An operator calls the client of an appeal: the call to make, `placed` at once as
    /// `call_id`, with its reason and an event, in one transaction. Unanswered, it waits like a
    /// callback for the next attempt.
    async fn place_call(&self, call: NewCall, call_id: &str, actor: Actor)
        -> StoreResult<Callback>;
    /// A waiting callback is being dialled as `call_id` for `operator_id`: `placed`, with an
    /// event, in one transaction; one not waiting is a conflict (two operators pressing "call"
    /// at once place it once).
    async fn place_callback(
        &self,
        id: Uuid,
        call_id: &str,
        operator_id: Uuid,
        actor: Actor,
    ) -> StoreResult<Callback>;
    /// Records what came of an attempt to call back (or its cancellation): the attempts
    /// counted, the state it leaves, an event — in one transaction. A waiting or a placed
    /// callback takes it; one already done, failed or cancelled takes no more (conflict). With
    /// `call_id` (the PBX told the outcome of that call), only the placement of that call takes
    /// it, once: the same outcome told twice, or late, is a conflict.
    async fn callback_outcome(
        &self,
        id: Uuid,
        outcome: baylanys_domain::voice::outbound::Outcome,
        call_id: Option<&str>,
        actor: Actor,
    ) -> StoreResult<Callback>;
}

/// A call's row with the answer to one of its events, if it was taken.
#[derive(sqlx::FromRow)]
pub(crate) struct CallWithAnswer {
    #[sqlx(flatten)]
    pub call: CallRow,
    pub answer: Option<String>,
}

/// Columns of `calls` as read.
#[derive(sqlx::FromRow)]
pub(crate) struct CallRow {
    pub provider: String,
    pub call_id: String,
    pub appeal_id: Uuid,
    pub interaction_id: Uuid,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub phase: String,
    pub language: String,
    pub menu: String,
    pub tries: i32,
    pub path: String,
    pub steps: i64,
    pub queued_at: Option<DateTime<Utc>>,
    pub announced_at: Option<DateTime<Utc>>,
    pub announcements: i32,
    pub bridge_to: Option<String>,
    pub recorded: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str, v: &str) -> crate::StoreError {
    crate::StoreError::Corrupt(format!("{what} {v:?}"))
}

impl TryFrom<CallRow> for Call {
    type Error = crate::StoreError;
    fn try_from(r: CallRow) -> StoreResult<Call> {
        Ok(Call {
            phase: CallPhase::parse(&r.phase).ok_or_else(|| corrupt("call phase", &r.phase))?,
            language: r
                .language
                .parse()
                .map_err(|_| corrupt("call language", &r.language))?,
            path: serde_json::from_str(&r.path).map_err(|_| corrupt("call path", &r.path))?,
            provider: r.provider,
            call_id: r.call_id,
            appeal_id: r.appeal_id,
            interaction_id: r.interaction_id,
            from_number: r.from_number,
            to_number: r.to_number,
            menu: r.menu,
            tries: u32::try_from(r.tries).unwrap_or(0),
            steps: r.steps,
            queued_at: r.queued_at,
            announced_at: r.announced_at,
            announcements: u32::try_from(r.announcements).unwrap_or(0),
            bridge_to: r.bridge_to,
            recorded: r.recorded,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CallbackRow {
    pub id: Uuid,
    pub appeal_id: Uuid,
    pub interaction_id: Option<Uuid>,
    pub number: String,
    pub language: String,
    pub state: String,
    pub attempts: i32,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub requested_by: Option<Uuid>,
    pub call_id: Option<String>,
    pub placed_by: Option<Uuid>,
    pub placed_at: Option<DateTime<Utc>>,
}

impl TryFrom<CallbackRow> for Callback {
    type Error = crate::StoreError;
    fn try_from(r: CallbackRow) -> StoreResult<Callback> {
        Ok(Callback {
            language: r
                .language
                .parse()
                .map_err(|_| corrupt("callback language", &r.language))?,
            id: r.id,
            appeal_id: r.appeal_id,
            interaction_id: r.interaction_id,
            number: r.number,
            state: r.state,
            attempts: i64::from(r.attempts),
            requested_at: r.requested_at,
            updated_at: r.updated_at,
            reason: r.reason,
            requested_by: r.requested_by,
            call_id: r.call_id,
            placed_by: r.placed_by,
            placed_at: r.placed_at,
        })
    }
}

macro_rules! impl_call_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CallStore for $store {
            async fn call(
                &self,
                provider: &str,
                call_id: &str,
            ) -> $crate::StoreResult<Option<$crate::Call>> {
                let row: Option<$crate::voice::CallRow> =
                    sqlx::query_as("SELECT * FROM calls WHERE provider = $1 AND call_id = $2")
                        .bind(provider)
                        .bind(call_id)
                        .fetch_optional(&self.writer)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn call_of_contact(
                &self,
                interaction_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::Call>> {
                let row: Option<$crate::voice::CallRow> =
                    sqlx::query_as("SELECT * FROM calls WHERE interaction_id = $1")
                        .bind(interaction_id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn first_contact_of(
                &self,
                appeal_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<uuid::Uuid>> {
                let row: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT id FROM interactions WHERE appeal_id = $1 ORDER BY queued_at, id LIMIT 1",
                )
                .bind(appeal_id)
                .fetch_optional(&self.writer)
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn call_and_answer(
                &self,
                provider: &str,
                call_id: &str,
                event_id: &str,
            ) -> $crate::StoreResult<(Option<$crate::Call>, Option<String>)> {
                // The writer: a state or an answer just saved on this node must be seen at
                // once. An answer is only ever stored with its call (`save_call`).
                let row: Option<$crate::voice::CallWithAnswer> = sqlx::query_as(
                    "SELECT c.*, e.answer AS answer FROM calls c LEFT JOIN call_events e \
                     ON e.provider = c.provider AND e.call_id = c.call_id AND e.event_id = $3 \
                     WHERE c.provider = $1 AND c.call_id = $2",
                )
                .bind(provider)
                .bind(call_id)
                .bind(event_id)
                .fetch_optional(&self.writer)
                .await?;
                match row {
                    Some(r) => Ok((Some(r.call.try_into()?), r.answer)),
                    None => Ok((None, None)),
                }
            }

            async fn save_call(
                &self,
                call: &$crate::Call,
                step: $crate::CallStep,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<bool> {
                let now = $crate::now();
                let path = serde_json::to_string(&call.path)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let mut tx = self.writer.begin().await?;
                let taken = sqlx::query(
                    "INSERT INTO call_events (provider, call_id, event_id, event, answer, at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(&call.provider)
                .bind(&call.call_id)
                .bind(&step.event_id)
                .bind(step.event)
                .bind(&step.answer)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if taken == 0 {
                    return Ok(false);
                }
                let written = if call.version == 0 {
                    sqlx::query(
                        "INSERT INTO calls (provider, call_id, appeal_id, interaction_id, from_number, \
                         to_number, phase, language, menu, tries, path, steps, queued_at, announced_at, \
                         announcements, bridge_to, recorded, version, created_at, updated_at) VALUES ($1, $2, \
                         $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18, 1, $17, $17) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(&call.provider)
                    .bind(&call.call_id)
                    .bind(call.appeal_id)
                    .bind(call.interaction_id)
                    .bind(&call.from_number)
                    .bind(&call.to_number)
                    .bind(call.phase.as_str())
                    .bind(call.language.as_str())
                    .bind(&call.menu)
                    .bind(call.tries as i32)
                    .bind(&path)
                    .bind(call.steps)
                    .bind(call.queued_at)
                    .bind(call.announced_at)
                    .bind(call.announcements as i32)
                    .bind(&call.bridge_to)
                    .bind(now)
                    .bind(call.recorded)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                } else {
                    sqlx::query(
                        "UPDATE calls SET phase = $3, language = $4, menu = $5, tries = $6, path = $7, \
                         steps = $8, queued_at = $9, announced_at = $10, announcements = $11, \
                         bridge_to = $12, version = version + 1, updated_at = $13, recorded = $15 \
                         WHERE provider = $1 AND call_id = $2 AND version = $14",
                    )
                    .bind(&call.provider)
                    .bind(&call.call_id)
                    .bind(call.phase.as_str())
                    .bind(call.language.as_str())
                    .bind(&call.menu)
                    .bind(call.tries as i32)
                    .bind(&path)
                    .bind(call.steps)
                    .bind(call.queued_at)
                    .bind(call.announced_at)
                    .bind(call.announcements as i32)
                    .bind(&call.bridge_to)
                    .bind(now)
                    .bind(call.version)
                    .bind(call.recorded)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                };
                if written == 0 {
                    // Rolled back: the event is not taken, so it is answered again from the
                    // state the other node wrote.
                    return Ok(false);
                }
                let drafts = step
                    .menu_steps
                    .into_iter()
                    .map(baylanys_domain::Payload::CallMenu)
                    .chain(step.announced.map(baylanys_domain::Payload::CallAnnounced))
                    .map(|p| {
                        $crate::events::Draft::typed(actor, p)
                            .appeal(call.appeal_id)
                            .interaction(call.interaction_id)
                    })
                    .collect();
                Self::events(&mut tx, now, drafts).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn enqueue_call(
                &self,
                interaction_id: uuid::Uuid,
                queue_id: Option<uuid::Uuid>,
                topic_id: Option<uuid::Uuid>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                use baylanys_domain::events::ContactMoved;
                use baylanys_domain::{InteractionState, Payload};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                if let Some(q) = queue_id {
                    Self::ensure_exists(&mut tx, "queues", "queue", q).await?;
                }
                if let Some(t) = topic_id {
                    Self::ensure_exists(&mut tx, "topics", "topic", t).await?;
                }
                let row: Option<(uuid::Uuid, String)> = sqlx::query_as(
                    "UPDATE interactions SET state = 'queued', queued_at = $2, queue_id = $3 \
                     WHERE id = $1 AND state = 'menu' RETURNING appeal_id, channel",
                )
                .bind(interaction_id)
                .bind(now)
                .bind(queue_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((appeal_id, channel)) = row else {
                    // Already out of the menu: a replay, or the call ended.
                    return Ok(());
                };
                sqlx::query(
                    "UPDATE appeals SET topic_id = COALESCE(topic_id, $2), \
                     queue_id = COALESCE($3, queue_id) WHERE id = $1",
                )
                .bind(appeal_id)
                .bind(topic_id)
                .bind(queue_id)
                .execute(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        Payload::ContactMoved(ContactMoved {
                            from: Some(InteractionState::Menu),
                            state: InteractionState::Queued,
                            operator_id: None,
                            channel: channel.parse().ok(),
                            queue_id,
                            via: None,
                            at: None,
                        }),
                    )
                    .appeal(appeal_id)
                    .interaction(interaction_id),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn hold_contact(
                &self,
                interaction_id: uuid::Uuid,
                on: bool,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Interaction> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row = Self::interaction_row(&mut tx, interaction_id).await?;
                if row.state != "answered" || row.held_at.is_some() == on {
                    return Err($crate::StoreError::Conflict(if row.state != "answered" {
                        "only a call being answered is held or taken back".into()
                    } else if on {
                        "the caller is on hold already".into()
                    } else {
                        "the caller is not on hold".into()
                    }));
                }
                let operator_id = row
                    .operator_id
                    .ok_or($crate::StoreError::Corrupt("an answered contact without its operator".into()))?;
                let held_at = on.then_some(now);
                sqlx::query("UPDATE interactions SET held_at = $2 WHERE id = $1")
                    .bind(interaction_id)
                    .bind(held_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE calls SET version = version + 1 WHERE interaction_id = $1")
                    .bind(interaction_id)
                    .execute(&mut *tx)
                    .await?;
                let hold = baylanys_domain::events::CallHold {
                    operator_id,
                    held_secs: row.held_at.map(|at| (now - at).num_seconds()),
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        if on {
                            baylanys_domain::Payload::CallHeld(hold)
                        } else {
                            baylanys_domain::Payload::CallResumed(hold)
                        },
                    )
                    .appeal(row.appeal_id)
                    .interaction(interaction_id),
                )
                .await?;
                let out = Self::interaction_row(&mut tx, interaction_id).await?;
                tx.commit().await?;
                out.try_into()
            }

            async fn request_callback(
                &self,
                interaction_id: uuid::Uuid,
                number: &str,
                language: baylanys_domain::Language,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Callback> {
                use baylanys_domain::events::{CallbackRequested, ContactMoved, ContactVia};
                use baylanys_domain::{InteractionState, Payload};
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let existing: Option<$crate::voice::CallbackRow> =
                    sqlx::query_as("SELECT * FROM callbacks WHERE interaction_id = $1")
                        .bind(interaction_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(r) = existing {
                    return r.try_into();
                }
                // From the menu (closed hours), the queue, or an operator's phone that did not
                // answer.
                let current: Option<(String,)> =
                    sqlx::query_as("SELECT state FROM interactions WHERE id = $1")
                        .bind(interaction_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let from: InteractionState = match current {
                    Some((s,)) if matches!(s.as_str(), "menu" | "queued" | "answered") => s
                        .parse()
                        .map_err(|_| $crate::StoreError::Corrupt(format!("contact state {s:?}")))?,
                    Some(_) => {
                        return Err($crate::StoreError::Conflict(
                            "the call is no longer waiting".into(),
                        ))
                    }
                    None => return Err($crate::StoreError::NotFound("interaction")),
                };
                let row: Option<(uuid::Uuid, String, Option<uuid::Uuid>, chrono::DateTime<chrono::Utc>, Option<uuid::Uuid>)> =
                    sqlx::query_as(
                        "UPDATE interactions SET state = 'ended', ended_at = $2, offered_to = NULL, \
                         offer_expires_at = NULL WHERE id = $1 AND state = $3 \
                         RETURNING appeal_id, channel, queue_id, queued_at, operator_id",
                    )
                    .bind(interaction_id)
                    .bind(now)
                    .bind(from.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let (appeal_id, channel, queue_id, queued_at, operator_id) = row.ok_or_else(|| {
                    $crate::StoreError::Conflict("the call was changed concurrently".into())
                })?;
                let id = uuid::Uuid::now_v7();
                let callback: $crate::voice::CallbackRow = sqlx::query_as(
                    "INSERT INTO callbacks (id, appeal_id, interaction_id, number, language, state, \
                     attempts, requested_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) \
                     RETURNING *",
                )
                .bind(id)
                .bind(appeal_id)
                .bind(interaction_id)
                .bind(number)
                .bind(language.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let drafts = vec![
                    $crate::events::Draft::typed(
                        actor,
                        Payload::ContactMoved(ContactMoved {
                            from: Some(from),
                            state: InteractionState::Ended,
                            operator_id,
                            channel: channel.parse().ok(),
                            queue_id,
                            via: Some(ContactVia::Callback),
                            at: None,
                        }),
                    )
                    .appeal(appeal_id)
                    .interaction(interaction_id),
                    $crate::events::Draft::typed(
                        actor,
                        Payload::CallbackRequested(CallbackRequested {
                            callback_id: id,
                            waited_secs: (now - queued_at).num_seconds().max(0),
                        }),
                    )
                    .appeal(appeal_id)
                    .interaction(interaction_id),
                ];
                Self::events(&mut tx, now, drafts).await?;
                tx.commit().await?;
                callback.try_into()
            }

            async fn get_callback(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Callback> {
                let row: Option<$crate::voice::CallbackRow> =
                    sqlx::query_as("SELECT * FROM callbacks WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                row.ok_or($crate::StoreError::NotFound("callback"))?.try_into()
            }

            async fn callback_outcome(
                &self,
                id: uuid::Uuid,
                outcome: baylanys_domain::voice::outbound::Outcome,
                call_id: Option<&str>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Callback> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::voice::CallbackRow> =
                    sqlx::query_as("SELECT * FROM callbacks WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let current = row.ok_or($crate::StoreError::NotFound("callback"))?;
                if !matches!(current.state.as_str(), "pending" | "placed") {
                    return Err($crate::StoreError::Conflict(format!(
                        "the callback is {} already",
                        current.state
                    )));
                }
                if let Some(call_id) = call_id {
                    if current.state != "placed" || current.call_id.as_deref() != Some(call_id) {
                        return Err($crate::StoreError::Conflict(
                            "the outcome of this call is recorded already".into(),
                        ));
                    }
                }
                let attempts = i64::from(current.attempts) + i64::from(outcome.is_attempt());
                let state = outcome.next_state(attempts);
                let updated: Option<$crate::voice::CallbackRow> = sqlx::query_as(
                    "UPDATE callbacks SET state = $2, attempts = $3, updated_at = $4 \
                     WHERE id = $1 AND state = $5 RETURNING *",
                )
                .bind(id)
                .bind(state)
                .bind(attempts as i32)
                .bind(now)
                .bind(&current.state)
                .fetch_optional(&mut *tx)
                .await?;
                let updated = updated.ok_or_else(|| {
                    $crate::StoreError::Conflict("the callback was changed concurrently".into())
                })?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CallbackAttempted(
                            baylanys_domain::events::CallbackAttempted {
                                callback_id: id,
                                outcome: outcome.as_str().to_owned(),
                                attempts,
                                state: state.to_owned(),
                            },
                        ),
                    )
                    .appeal(current.appeal_id),
                )
                .await?;
                tx.commit().await?;
                updated.try_into()
            }

            async fn callback_of_call(
                &self,
                call_id: &str,
            ) -> $crate::StoreResult<Option<$crate::Callback>> {
                let row: Option<$crate::voice::CallbackRow> =
                    sqlx::query_as("SELECT * FROM callbacks WHERE call_id = $1")
                        .bind(call_id)
                        .fetch_optional(&self.writer)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn place_call(
                &self,
                call: $crate::NewCall,
                call_id: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Callback> {
                let now = $crate::now();
                let id = uuid::Uuid::now_v7();
                let mut tx = self.writer.begin().await?;
                let placed: $crate::voice::CallbackRow = sqlx::query_as(
                    "INSERT INTO callbacks (id, appeal_id, number, language, state, attempts, \
                     requested_at, updated_at, reason, requested_by, call_id, placed_by, placed_at) \
                     VALUES ($1, $2, $3, $4, 'placed', 0, $5, $5, $6, $7, $8, $7, $5) RETURNING *",
                )
                .bind(id)
                .bind(call.appeal_id)
                .bind(&call.number)
                .bind(call.language.as_str())
                .bind(now)
                .bind(&call.reason)
                .bind(call.operator_id)
                .bind(call_id)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CallbackPlaced(
                            baylanys_domain::events::CallbackPlaced {
                                callback_id: id,
                                call_id: call_id.to_owned(),
                                operator_id: call.operator_id,
                                reason: Some(call.reason),
                            },
                        ),
                    )
                    .appeal(call.appeal_id),
                )
                .await?;
                tx.commit().await?;
                placed.try_into()
            }

            async fn place_callback(
                &self,
                id: uuid::Uuid,
                call_id: &str,
                operator_id: uuid::Uuid,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Callback> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let placed: Option<$crate::voice::CallbackRow> = sqlx::query_as(
                    "UPDATE callbacks SET state = 'placed', call_id = $2, placed_by = $3, \
                     placed_at = $4, updated_at = $4 WHERE id = $1 AND state = 'pending' \
                     RETURNING *",
                )
                .bind(id)
                .bind(call_id)
                .bind(operator_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(placed) = placed else {
                    let state: Option<(String,)> =
                        sqlx::query_as("SELECT state FROM callbacks WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Err(match state {
                        Some((s,)) => $crate::StoreError::Conflict(format!(
                            "the callback is {s}, not waiting"
                        )),
                        None => $crate::StoreError::NotFound("callback"),
                    });
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CallbackPlaced(
                            baylanys_domain::events::CallbackPlaced {
                                callback_id: id,
                                call_id: call_id.to_owned(),
                                operator_id,
                                reason: None,
                            },
                        ),
                    )
                    .appeal(placed.appeal_id),
                )
                .await?;
                tx.commit().await?;
                placed.try_into()
            }

            async fn callbacks(
                &self,
                state: Option<&str>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Callback>> {
                let rows: Vec<$crate::voice::CallbackRow> = sqlx::query_as(
                    "SELECT * FROM callbacks WHERE ($1 IS NULL OR state = $1) \
                     ORDER BY requested_at, id LIMIT $2",
                )
                .bind(state)
                .bind($crate::page_limit(limit))
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}
pub(crate) use impl_call_store;
