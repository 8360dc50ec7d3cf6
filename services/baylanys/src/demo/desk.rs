//! The operators at their desks. Each one polls the offers the server's router makes to them
//! (`GET /api/v1/routing/offers`, what the console shows) and accepts after the phone has rung
//! a moment, concurrently with the others. Once a contact is taken, the task that plays that
//! contact is handed the operator and carries on the conversation with their session.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baylanys_proto::InteractionView;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::de::IgnoredAny;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::api::Empty;
use super::Stage;

/// A contact an operator took.
#[derive(Debug)]
pub struct Taken {
    /// Index into the cast's operators.
    pub operator: usize,
    pub interaction: Uuid,
}

#[derive(Debug)]
struct Waiting {
    /// False for a caller who will hang up: the operators let it ring.
    take: bool,
    tx: Option<oneshot::Sender<Taken>>,
}

/// The demo's contacts waiting for an operator, by appeal.
#[derive(Debug, Default)]
pub struct Desk {
    waiting: Mutex<HashMap<Uuid, Waiting>>,
}

impl Desk {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Waiting>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Announces a contact of the demo on `appeal`; the receiver gets the operator who takes it.
    pub fn expect(&self, appeal: Uuid, take: bool) -> oneshot::Receiver<Taken> {
        let (tx, rx) = oneshot::channel();
        self.lock().insert(appeal, Waiting { take, tx: Some(tx) });
        rx
    }

    /// The contact no longer waits (its client left).
    pub fn forget(&self, appeal: Uuid) {
        self.lock().remove(&appeal);
    }

    /// Whether to take an offer on `appeal`: `None` when it is not the demo's.
    fn intent(&self, appeal: Uuid) -> Option<bool> {
        self.lock().get(&appeal).map(|w| w.take)
    }

    /// Hands the taken contact over; false when nobody waits for it any more.
    fn deliver(&self, appeal: Uuid, taken: Taken) -> bool {
        let tx = self.lock().remove(&appeal).and_then(|mut w| w.tx.take());
        tx.is_some_and(|tx| tx.send(taken).is_ok())
    }
}

/// Waits up to `patience` for an operator. A contact taken just as the client gave up still
/// counts as taken.
pub async fn wait(
    desk: &Desk,
    appeal: Uuid,
    mut rx: oneshot::Receiver<Taken>,
    patience: Duration,
) -> Option<Taken> {
    match tokio::time::timeout(patience, &mut rx).await {
        Ok(r) => r.ok(),
        Err(_) => {
            desk.forget(appeal);
            rx.try_recv().ok()
        }
    }
}

/// Offers of contacts that are not the demo's are declined after this long, so a real
/// citizen's chat goes to a real operator.
const NOT_OURS: Duration = Duration::from_secs(10);

/// One operator's shift: poll, take, repeat, until `stop`.
pub async fn shift(stage: Arc<Stage>, index: usize, stop: CancellationToken) {
    let Some(me) = stage.cast.operators.get(index).cloned() else {
        return;
    };
    // At the desk means the console is open.
    let console = {
        let (me, stop) = (me.clone(), stop.clone());
        tokio::spawn(async move { me.keep_console(stop).await })
    };
    let mut rng = StdRng::seed_from_u64(stage.seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9));
    let mut handled: HashSet<Uuid> = HashSet::new();
    let mut strangers: HashMap<Uuid, Instant> = HashMap::new();
    let mut failing = false;
    while !stop.is_cancelled() {
        match me
            .get::<Vec<InteractionView>>("/api/v1/routing/offers")
            .await
        {
            Ok(offers) => {
                failing = false;
                for offer in offers {
                    if handled.contains(&offer.id) {
                        continue;
                    }
                    match stage.desk.intent(offer.appeal_id) {
                        Some(true) => {
                            handled.insert(offer.id);
                            let ring = Duration::from_millis(rng.gen_range(400..2000));
                            tokio::spawn(take(stage.clone(), index, offer, ring));
                        }
                        // The caller is about to hang up: let it ring.
                        Some(false) => {}
                        None => {
                            let first = *strangers.entry(offer.id).or_insert_with(Instant::now);
                            if first.elapsed() >= NOT_OURS {
                                handled.insert(offer.id);
                                let path = format!("/api/v1/interactions/{}/decline", offer.id);
                                if let Err(e) = me.post::<IgnoredAny, _>(&path, &Empty {}).await {
                                    stage.stats.refused(&format!("{}: {e}", me.login()));
                                }
                            }
                        }
                    }
                }
            }
            // Reported once per outage, not every poll.
            Err(e) if !failing => {
                failing = true;
                stage.stats.refused(&format!("{}: {e}", me.login()));
            }
            Err(_) => {}
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(Duration::from_millis(350)) => {}
        }
    }
    let _ = console.await;
}

/// Picks up after the ring and hands the contact to whoever plays it.
async fn take(stage: Arc<Stage>, index: usize, offer: InteractionView, ring: Duration) {
    let Some(me) = stage.cast.operators.get(index) else {
        return;
    };
    tokio::time::sleep(ring).await;
    let path = format!("/api/v1/interactions/{}/accept", offer.id);
    if let Err(e) = me.post::<InteractionView, _>(&path, &Empty {}).await {
        // The client hung up during the ring, or the offer lapsed: nothing to answer.
        if !e.is(reqwest::StatusCode::CONFLICT) && !e.is(reqwest::StatusCode::NOT_FOUND) {
            stage.stats.refused(&format!("{}: {e}", me.login()));
        }
        return;
    }
    let taken = Taken {
        operator: index,
        interaction: offer.id,
    };
    if !stage.desk.deliver(offer.appeal_id, taken) {
        // The client gave up the moment it was answered: the operator ends it.
        let path = format!("/api/v1/interactions/{}/end", offer.id);
        if let Err(e) = me.post::<IgnoredAny, _>(&path, &Empty {}).await {
            stage.stats.refused(&format!("{}: {e}", me.login()));
        }
    }
}
