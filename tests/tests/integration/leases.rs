//! Work one node at a time does (a mailbox's poller, a bot's long poll) runs under a lease:
//! two nodes' supervisors run the same leased worker on one database; only the holder steps, a
//! node that stops (or dies) is taken over by the other once its lease lapses or is given up,
//! and two holders never step in the same lease period. On both backends.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baylanys_tests::{both, eventually, TestApp};
use baylanys_workers::{Leased, Next, StepError, Supervisor, SupervisorSettings, Worker};
use chrono::{DateTime, Utc};

both!(one_node_at_a_time_does_leased_work);

/// Each step: which node, and when it began and ended.
type Steps = Mutex<Vec<(&'static str, DateTime<Utc>, DateTime<Utc>)>>;

/// Records each step.
struct Poller {
    node: &'static str,
    steps: Arc<Steps>,
}

impl Worker for Poller {
    async fn step(&self) -> Result<Next, StepError> {
        let began = Utc::now();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let ended = Utc::now();
        if let Ok(mut s) = self.steps.lock() {
            s.push((self.node, began, ended));
        }
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn count(steps: &Steps, node: &str) -> usize {
    steps
        .lock()
        .map(|s| s.iter().filter(|x| x.0 == node).count())
        .unwrap_or(0)
}

async fn one_node_at_a_time_does_leased_work(app: TestApp) -> anyhow::Result<()> {
    let steps = Arc::new(Mutex::new(Vec::new()));
    let ttl = Duration::from_secs(3);
    let node = |name: &'static str| {
        let sup = Supervisor::new(SupervisorSettings::default());
        let worker = Arc::new(Leased::new(
            Poller {
                node: name,
                steps: steps.clone(),
            },
            app.store.clone(),
            "mailbox:support@centre.kz",
            name,
            ttl,
        ));
        sup.spawn("mailbox", worker.clone())
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        anyhow::Ok((sup, worker))
    };
    let (a, a_worker) = node("node-a")?;
    eventually("node-a steps", || async {
        Ok((count(&steps, "node-a") >= 3).then_some(()))
    })
    .await?;
    let (b, b_worker) = node("node-b")?;
    // node-b stands by while node-a holds the lease.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(a_worker.holds());
    assert!(!b_worker.holds());
    assert_eq!(count(&steps, "node-b"), 0, "only the holder steps");

    // node-a dies (its supervisor stops without giving the lease up): node-b takes over once
    // the lease lapses, not before.
    let died = Utc::now();
    assert!(a.shutdown(Duration::from_secs(5)).await);
    eventually("node-b takes over", || async {
        Ok((count(&steps, "node-b") >= 3).then_some(()))
    })
    .await?;
    let first_b = steps
        .lock()
        .map(|s| s.iter().find(|x| x.0 == "node-b").map(|x| x.1))
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        // Renewed at least every second, the lease outlives its holder by more than one.
        first_b - died >= chrono::Duration::seconds(1),
        "taken over only after the lease lapsed: {first_b} vs {died}"
    );
    let last_a = steps
        .lock()
        .map(|s| s.iter().filter(|x| x.0 == "node-a").map(|x| x.2).max())
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(last_a <= first_b, "the two never stepped at once");

    // A clean stop gives the lease up: a third node takes it over at once. The worker stops
    // stepping first, so no step of its own takes the lease back after it was given up.
    assert!(b.shutdown(Duration::from_secs(5)).await);
    b_worker
        .release()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = baylanys_store::now();
    assert!(
        app.store
            .take_lease(
                "mailbox:support@centre.kz",
                "node-c",
                now,
                now + chrono::Duration::seconds(1)
            )
            .await?,
        "a released lease is free at once"
    );
    // And node-c's lease keeps others out until it lapses.
    assert!(
        !app.store
            .take_lease(
                "mailbox:support@centre.kz",
                "node-a",
                now,
                now + chrono::Duration::seconds(1)
            )
            .await?
    );
    Ok(())
}
