//! Work one node at a time does — a mailbox's poller, a bot's long poll, the PBX connection —
//! runs on every node under a named lease: each step first takes or renews the lease, and only
//! the holder steps; the others stand by. A holder that dies stops renewing, its lease lapses
//! after `ttl`, and a standing-by node takes the work over. A clean stop gives the lease up at
//! once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use baylanys_store::Store;

use crate::supervisor::{Next, StepError, Worker};

/// `W`, stepped only while this node holds the lease `name`.
pub struct Leased<W> {
    inner: W,
    store: Arc<dyn Store>,
    name: String,
    /// This node, as the lease records its holder.
    holder: String,
    ttl: Duration,
    held: AtomicBool,
}

impl<W> std::fmt::Debug for Leased<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leased")
            .field("name", &self.name)
            .field("holder", &self.holder)
            .field("ttl", &self.ttl)
            .field("held", &self.held.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<W: Worker> Leased<W> {
    /// `ttl` is how long a node that stopped renewing keeps the work from the others; the
    /// lease is renewed at least every third of it.
    pub fn new(
        inner: W,
        store: Arc<dyn Store>,
        name: impl Into<String>,
        holder: impl Into<String>,
        ttl: Duration,
    ) -> Self {
        Leased {
            inner,
            store,
            name: name.into(),
            holder: holder.into(),
            ttl: ttl.max(Duration::from_millis(300)),
            held: AtomicBool::new(false),
        }
    }

    /// Whether this node held the lease at its last step.
    pub fn holds(&self) -> bool {
        self.held.load(Ordering::Relaxed)
    }

    /// Gives the lease up, so another node takes the work over at once (a clean stop).
    pub async fn release(&self) -> Result<(), StepError> {
        self.held.store(false, Ordering::Relaxed);
        self.store.release_lease(&self.name, &self.holder).await?;
        Ok(())
    }

    pub fn inner(&self) -> &W {
        &self.inner
    }
}

impl<W: Worker> Worker for Leased<W> {
    async fn step(&self) -> Result<Next, StepError> {
        let now = baylanys_store::now();
        let until = now + chrono::Duration::from_std(self.ttl).unwrap_or_default();
        let held = self
            .store
            .take_lease(&self.name, &self.holder, now, until)
            .await?;
        self.held.store(held, Ordering::Relaxed);
        if !held {
            // Another node does this work now; look again before its lease could lapse.
            return Ok(Next::Wait);
        }
        self.inner.step().await
    }

    /// The work's own wait while holding the lease, but never longer than a third of the lease,
    /// so it is renewed before it lapses; a node standing by looks as often.
    async fn idle(&self) {
        let renew = self.ttl / 3;
        if self.holds() {
            tokio::select! {
                _ = self.inner.idle() => {}
                _ = tokio::time::sleep(renew) => {}
            }
        } else {
            tokio::time::sleep(renew).await;
        }
    }
}
