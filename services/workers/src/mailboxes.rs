//! Keeps one poller per mailbox running on this node: admins add and remove mailboxes through
//! the API while the node runs, so the set of pollers follows the table. Each poller runs under
//! its mailbox's lease, so however many nodes run, one reads each mailbox; each is a worker of
//! its own on the board (`mailbox <name>`), so one broken mailbox never stops the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use baylanys_centre::Centre;
use baylanys_store::Files;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::mailbox::{MailSettings, MailboxPoller};
use crate::supervisor::{Next, Spawner, StepError, Worker};
use crate::Leased;

pub struct MailboxKeeper {
    centre: Centre,
    files: Files,
    spawner: Spawner,
    settings: MailSettings,
    /// This node, as leases record their holder.
    node: String,
    stop: CancellationToken,
    /// Woken when an admin changed the mailboxes.
    wake: Arc<Notify>,
    /// The pollers started, by mailbox, with the name they run under.
    running: Mutex<HashMap<Uuid, String>>,
}

impl std::fmt::Debug for MailboxKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxKeeper")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl MailboxKeeper {
    pub const NAME: &'static str = "mailboxes";

    pub fn new(
        centre: Centre,
        files: Files,
        spawner: Spawner,
        settings: MailSettings,
        wake: Arc<Notify>,
    ) -> Self {
        let stop = spawner.token();
        MailboxKeeper {
            centre,
            files,
            spawner,
            settings,
            node: format!("node-{}", Uuid::new_v4()),
            stop,
            wake,
            running: Mutex::new(HashMap::new()),
        }
    }
}

impl Worker for MailboxKeeper {
    async fn step(&self) -> Result<Next, StepError> {
        let mailboxes = self.centre.store().list_mailboxes().await?;
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        // Removed mailboxes: their pollers stop (a disabled one idles on its own and logs out).
        running.retain(|id, name| {
            let kept = mailboxes.iter().any(|m| m.id == *id);
            if !kept {
                self.spawner.stop(name);
            }
            kept
        });
        for m in &mailboxes {
            if running.contains_key(&m.id) || self.spawner.stopping() {
                continue;
            }
            let poller = MailboxPoller::new(
                self.centre.clone(),
                self.files.clone(),
                m.id,
                self.settings.clone(),
                self.stop.clone(),
            );
            let leased = Leased::new(
                poller,
                self.centre.store().clone(),
                format!("mailbox:{}", m.id),
                self.node.clone(),
                self.settings.lease,
            );
            let name = format!("mailbox {}", m.name);
            match self.spawner.spawn(name.clone(), Arc::new(leased)) {
                Ok(()) => {
                    running.insert(m.id, name);
                }
                Err(e) => tracing::warn!(error = %e, "mailbox poller not started"),
            }
        }
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::select! {
            _ = self.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
    }
}
