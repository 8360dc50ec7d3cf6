//! Live statistics for a client who waits (R12.1, R12.2): their place in line and the wait to
//! expect, for every channel that tells a waiting client (the web chat's socket now; the bot and
//! the voice menu's announcements next). Drawn for all waiting contacts from one routing
//! snapshot, shared and a few seconds old at most, so a thousand waiting citizens cost one
//! snapshot, not a thousand.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baylanys_domain::router::Router;
use baylanys_domain::{InteractionState, Payload};
use baylanys_store::{Event, EventFilter};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::{Centre, CentreResult};

/// Where a waiting contact stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueStatus {
    pub interaction_id: Uuid,
    pub queue_id: Option<Uuid>,
    /// 1 for the next to be offered; `None` when not waiting in line.
    pub position: Option<u32>,
    /// How many wait in that queue.
    pub waiting: u32,
    /// At the pace of the last hour's answers; `None` when nothing was answered.
    pub estimated_wait_secs: Option<i64>,
}

/// Every waiting contact's place in its queue and each queue's pace of answers.
#[derive(Debug, Default)]
pub(crate) struct QueueBoard {
    drawn: Option<Instant>,
    positions: HashMap<Uuid, u32>,
    /// Each waiting appeal's contact and its queue, so a socket finds its place without a
    /// query of its own.
    by_appeal: HashMap<Uuid, (Uuid, Uuid)>,
    /// The channel and language of each waiting contact's appeal, by appeal.
    contact_of: HashMap<Uuid, (baylanys_domain::Channel, baylanys_domain::Language)>,
    waiting: HashMap<Uuid, u32>,
    answered_last_hour: HashMap<Uuid, usize>,
}

pub(crate) type Board = Arc<Mutex<Option<Arc<QueueBoard>>>>;

const BOARD_TTL: Duration = Duration::from_secs(5);

/// The wait of the `position`-th in line at the pace of the last hour's answers (R12.1).
fn estimate(position: Option<u32>, answered_last_hour: usize) -> Option<i64> {
    match position {
        Some(p) if answered_last_hour > 0 => Some(i64::from(p) * 3600 / answered_last_hour as i64),
        _ => None,
    }
}

impl QueueBoard {
    fn status(&self, interaction_id: Uuid, queue_id: Uuid) -> QueueStatus {
        let position = self.positions.get(&interaction_id).copied();
        let answered = self.answered_last_hour.get(&queue_id).copied().unwrap_or(0);
        QueueStatus {
            interaction_id,
            queue_id: Some(queue_id),
            position,
            waiting: self.waiting.get(&queue_id).copied().unwrap_or(0),
            estimated_wait_secs: estimate(position, answered),
        }
    }
}

impl Centre {
    /// A contact's place in line and estimated wait; read fresh when the board was drawn
    /// before it was queued.
    pub async fn queue_position(&self, id: Uuid) -> CentreResult<QueueStatus> {
        let interaction = self.store.get_interaction(id).await?;
        let Some(queue_id) = interaction.queue_id else {
            return Ok(QueueStatus {
                interaction_id: id,
                queue_id: None,
                position: None,
                waiting: 0,
                estimated_wait_secs: None,
            });
        };
        let mut board = self.queue_board(false).await?;
        let waiting_now =
            interaction.state == InteractionState::Queued && interaction.offered_to.is_none();
        if waiting_now && !board.positions.contains_key(&id) {
            // Queued after the board was drawn: draw it again rather than answer "not waiting".
            board = self.queue_board(true).await?;
        }
        let mut status = board.status(id, queue_id);
        // Ringing at an operator's console right now (offered after the caller's last read, or
        // after the board was drawn): next in line, not "not waiting".
        let offered =
            interaction.state == InteractionState::Queued && interaction.offered_to.is_some();
        if offered && status.position.is_none() {
            status.position = Some(1);
        }
        Ok(status)
    }

    /// The place in line of an appeal's waiting contact from the shared board alone (no query
    /// of its own; at most a few seconds old): what a channel repeats while its client waits.
    /// `None` when the appeal has no contact waiting.
    pub async fn queue_status(&self, appeal_id: Uuid) -> CentreResult<Option<QueueStatus>> {
        let board = self.queue_board(false).await?;
        Ok(board
            .by_appeal
            .get(&appeal_id)
            .map(|&(interaction_id, queue_id)| board.status(interaction_id, queue_id)))
    }

    /// Every contact waiting in line on `channel` now: its appeal, language and status.
    pub async fn waiting_on(
        &self,
        channel: baylanys_domain::Channel,
    ) -> CentreResult<Vec<(Uuid, baylanys_domain::Language, QueueStatus)>> {
        let board = self.queue_board(false).await?;
        Ok(board
            .contact_of
            .iter()
            .filter(|(_, (c, _))| *c == channel)
            .filter_map(|(appeal, (_, lang))| {
                let &(interaction_id, queue_id) = board.by_appeal.get(appeal)?;
                Some((*appeal, *lang, board.status(interaction_id, queue_id)))
            })
            .collect())
    }

    async fn queue_board(&self, force: bool) -> CentreResult<Arc<QueueBoard>> {
        // One drawing at a time; the others wait for it and share the result.
        let mut slot = self.queue_board.lock().await;
        if let Some(b) = slot.as_ref() {
            if !force && b.drawn.is_some_and(|d| d.elapsed() < BOARD_TTL) {
                return Ok(b.clone());
            }
        }
        let now = baylanys_store::now();
        let config = self.store.router_settings().await?.validate()?;
        let snap = self.store.routing_snapshot().await?;
        let mut routers: HashMap<Uuid, Router> = HashMap::new();
        let mut by_appeal = HashMap::new();
        let mut contact_of = HashMap::new();
        for w in snap.waiting.iter().filter(|w| w.offered_to.is_none()) {
            let Some(queue_id) = w.queue_id else { continue };
            by_appeal.insert(w.appeal_id, (w.interaction_id, queue_id));
            contact_of.insert(w.appeal_id, (w.channel, w.language));
            let _ = routers
                .entry(queue_id)
                .or_insert_with(|| Router::new(config.clone()))
                .enqueue(w.for_router(queue_id));
        }
        let mut board = QueueBoard {
            drawn: Some(Instant::now()),
            by_appeal,
            contact_of,
            ..QueueBoard::default()
        };
        for (queue_id, router) in &routers {
            board.waiting.insert(
                *queue_id,
                u32::try_from(router.waiting_len()).unwrap_or(u32::MAX),
            );
            for (i, c) in router.service_order(now).enumerate() {
                board
                    .positions
                    .insert(c, u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        let accepted = self
            .events_since(
                baylanys_domain::event_kind::ROUTING_ACCEPTED,
                now - chrono::Duration::hours(1),
            )
            .await?;
        for e in accepted {
            if let Ok(Some(Payload::RoutingAccepted(p))) = e.payload() {
                if let Some(q) = p.queue_id {
                    *board.answered_last_hour.entry(q).or_default() += 1;
                }
            }
        }
        let board = Arc::new(board);
        *slot = Some(board.clone());
        Ok(board)
    }

    /// Every event of a kind since an instant (paged through the log).
    async fn events_since(
        &self,
        kind: &str,
        from: chrono::DateTime<chrono::Utc>,
    ) -> CentreResult<Vec<Event>> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .list_events(EventFilter {
                    after,
                    kind: Some(kind.to_owned()),
                    from: Some(from),
                    limit: 500,
                    ..Default::default()
                })
                .await?;
            let done = page.len() < 500;
            after = page.last().map(|e| e.id);
            out.extend(page);
            if done {
                return Ok(out);
            }
        }
    }
}
