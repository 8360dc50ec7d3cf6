//! The routing engine. Each pass reads a snapshot of the store, decides with the pure
//! [`Router`], and writes its decisions through guarded store verbs, so a pass on any node is
//! safe: the database refuses a double offer or an over-full operator. Passes run on a short
//! tick and at once when something changes (a contact queued, an offer answered, an operator
//! coming online) — the API pokes [`RoutingEngine::kick`].

use std::sync::Arc;
use std::time::Duration;

use baylanys_domain::router::{Operator, OverflowAction, Presence, Router};
use baylanys_store::{Store, StoreResult};
use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::supervisor::{Next, StepError, Worker};

/// What one pass did, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Operators set away: their console was not seen for a while.
    pub away: usize,
    pub expired: usize,
    pub out_of_hours: usize,
    pub overflowed: usize,
    /// Contacts every able operator had declined, offered again (or escalated) by rule.
    pub reoffered: usize,
    pub offered: usize,
    /// Offers the store refused because something changed meanwhile.
    pub refused: usize,
}

/// How long an `online` operator's console may go unseen (each open console says it is there
/// every few seconds) before the operator is set `away`.
pub const ABSENT_AFTER: Duration = Duration::from_secs(60);

/// How long after the last decline a contact that every able operator declined is offered
/// again: long enough that an operator who declined is not handed it straight back, short next
/// to the minutes a citizen would otherwise wait for a supervisor to notice.
pub const REOFFER_AFTER: Duration = Duration::from_secs(30);

pub struct RoutingEngine {
    store: Arc<dyn Store>,
    kick: Arc<Notify>,
    tick: Duration,
    /// An `online` operator whose console has not been seen for this long is set `away`;
    /// `None` leaves presence to the operators alone.
    absent_after: Option<Duration>,
    /// A contact every able operator declined is offered again this long after the last
    /// decline.
    reoffer_after: Duration,
    /// Bumped after a pass that changed something, so staff sockets push at once.
    changes: Option<Arc<tokio::sync::watch::Sender<u64>>>,
}

impl std::fmt::Debug for RoutingEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutingEngine")
            .field("backend", &self.store.backend())
            .field("tick", &self.tick)
            .finish()
    }
}

/// Under a [`Supervisor`](crate::Supervisor), a step is one pass; the next comes on a kick, or
/// after a tick at the latest (offer timeouts and overflow steps are due by the clock).
impl Worker for RoutingEngine {
    async fn step(&self) -> Result<Next, StepError> {
        self.pass(baylanys_store::now()).await?;
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        let _ = tokio::time::timeout(self.tick, self.kick.notified()).await;
    }
}

impl RoutingEngine {
    /// Its name under the supervisor, in `/readyz`.
    pub const NAME: &'static str = "routing";

    pub fn new(store: Arc<dyn Store>, kick: Arc<Notify>) -> Self {
        RoutingEngine {
            store,
            kick,
            tick: Duration::from_secs(1),
            absent_after: Some(ABSENT_AFTER),
            reoffer_after: REOFFER_AFTER,
            changes: None,
        }
    }

    /// How long an `online` operator's console may be unseen before they are set `away`
    /// (`None`: never, e.g. for a benchmark that drives operators through the store alone).
    pub fn with_absent_after(mut self, after: Option<Duration>) -> Self {
        self.absent_after = after;
        self
    }

    /// How long after the last decline a contact nobody left will take is offered again.
    pub fn with_reoffer_after(mut self, after: Duration) -> Self {
        self.reoffer_after = after;
        self
    }

    /// Announces changes on this channel (the API's staff sockets listen to it).
    pub fn with_changes(mut self, changes: Arc<tokio::sync::watch::Sender<u64>>) -> Self {
        self.changes = Some(changes);
        self
    }

    /// Asks for a pass as soon as possible.
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    /// One routing pass at `now`.
    pub async fn pass(&self, now: DateTime<Utc>) -> StoreResult<PassReport> {
        let mut report = PassReport::default();
        let settings = self.store.router_settings().await?;
        let config = settings.validate()?;
        // Presence follows the consoles: an operator whose console closed gets no offer.
        if let Some(after) = self.absent_after {
            let cutoff = now - chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX);
            report.away = self.store.away_unseen(cutoff).await?.len();
        }
        let mut snap = self.store.routing_snapshot().await?;
        // Offers not answered in time go back in line, never to the same operator.
        let mut expired = false;
        for w in &snap.waiting {
            if let (Some(op), Some(at)) = (w.offered_to, w.offer_expires_at) {
                if at <= now {
                    self.store.decline_offer(w.interaction_id, op, true).await?;
                    report.expired += 1;
                    expired = true;
                }
            }
        }
        if expired {
            snap = self.store.routing_snapshot().await?;
        }
        // Out of hours, each waiting contact is told once, in its appeal's language (R12.3).
        let calendar = self.store.calendar().await?;
        let mut notice_settings = None;
        let open: std::collections::HashMap<uuid::Uuid, bool> = snap
            .queues
            .iter()
            .map(|q| {
                (
                    q.id,
                    q.hours.clone().unwrap_or_default().is_open(&calendar, now),
                )
            })
            .collect();
        for w in &snap.waiting {
            let (Some(queue_id), None, None) = (w.queue_id, w.offered_to, w.out_of_hours_at) else {
                continue;
            };
            if open.get(&queue_id).copied().unwrap_or(true) {
                continue;
            }
            let Some(queue) = snap.queues.iter().find(|q| q.id == queue_id) else {
                continue;
            };
            let hours = queue.hours.clone().unwrap_or_default();
            if notice_settings.is_none() {
                notice_settings = Some(self.store.out_of_hours_settings().await?);
            }
            let other = notice_settings
                .as_ref()
                .and_then(|s| s.other_channels(w.language));
            let text = baylanys_domain::notice::out_of_hours(
                w.language,
                &hours,
                hours.next_opening(&calendar, now),
                other,
            );
            if self
                .store
                .notify_out_of_hours(w.interaction_id, &text)
                .await?
            {
                report.out_of_hours += 1;
            }
        }
        let mut router = Router::new(config);
        for o in &snap.operators {
            router.upsert_operator(Operator {
                id: o.staff.id,
                online: o.staff.presence == Presence::Online,
                languages: o.staff.languages.clone(),
                skills: o
                    .staff
                    .skills
                    .iter()
                    .map(|s| (s.topic_id, s.level))
                    .collect(),
                capacity: o.staff.capacity.per_channel(),
                idle_since: o.staff.presence_at.unwrap_or(o.staff.created_at),
                supervisor: o.staff.role == baylanys_domain::Role::Supervisor,
            });
            router.restore_load(o.staff.id, o.load);
        }
        for w in &snap.waiting {
            // Contacts with a pending offer hold their operator's capacity (in the load) and
            // wait for the answer; contacts without a queue wait for a person to place them.
            let (Some(queue_id), None) = (w.queue_id, w.offered_to) else {
                continue;
            };
            let _ = router.enqueue(w.for_router(queue_id));
        }
        let rules: Vec<_> = snap
            .queues
            .iter()
            .flat_map(|q| q.overflow.iter().cloned())
            .collect();
        for (id, action) in router.apply_overflow(&rules, now) {
            let escalate = matches!(action, OverflowAction::MoveTo { queue_id }
                if Some(queue_id) == settings.escalation_queue_id);
            if escalate {
                router.require_supervisor(id);
            }
            self.store.overflow_contact(id, action, escalate).await?;
            report.overflowed += 1;
        }
        let decided: Vec<_> = router
            .route(now)
            .into_iter()
            .map(|o| (o.contact_id, o.operator_id, o.expires_at))
            .collect();
        report.offered = self.store.make_offers(&decided).await?;
        report.refused = decided.len() - report.offered;
        // A contact that every operator able to take it has declined would wait forever: a
        // while after the last decline it is offered again — to the supervisors, when an
        // escalation queue is set (R24.2).
        let offered: std::collections::HashSet<uuid::Uuid> =
            decided.iter().map(|(c, _, _)| *c).collect();
        let settle =
            chrono::Duration::from_std(self.reoffer_after).unwrap_or(chrono::Duration::MAX);
        for w in &snap.waiting {
            let (Some(queue_id), None, Some(at)) = (w.queue_id, w.offered_to, w.declined_at) else {
                continue;
            };
            if offered.contains(&w.interaction_id) || now - at < settle {
                continue;
            }
            if router.declined_by_all(&w.for_router(queue_id))
                && self
                    .store
                    .reoffer_contact(w.interaction_id, settings.escalation_queue_id)
                    .await?
            {
                report.reoffered += 1;
            }
        }
        if report != PassReport::default() {
            tracing::debug!(?report, "routing pass");
            if let Some(c) = &self.changes {
                c.send_modify(|v| *v = v.wrapping_add(1));
            }
        }
        Ok(report)
    }
}
