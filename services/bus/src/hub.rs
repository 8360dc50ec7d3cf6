//! This node's delivery of signals to the sockets that follow an appeal. Only the sockets of
//! that appeal are woken — with ten thousand citizens connected, a message wakes its two or three
//! sockets, not ten thousand — and a socket that cannot keep up is told it lagged, so it catches
//! up from the store instead of missing anything.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use uuid::Uuid;

use crate::Signal;

/// Signals a watcher may have pending before it counts as lagging.
const PENDING: usize = 256;

struct Entry {
    watcher: u64,
    tx: mpsc::Sender<Signal>,
    lagged: Arc<AtomicBool>,
}

#[derive(Default)]
pub(crate) struct Hub {
    followers: Mutex<HashMap<Uuid, Vec<Entry>>>,
    next: AtomicU64,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let appeals = self.followers.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("Hub").field("appeals", &appeals).finish()
    }
}

impl Hub {
    /// Hands the signal to the watchers of its appeal.
    pub(crate) fn deliver(&self, signal: Signal) {
        let Ok(map) = self.followers.lock() else {
            return;
        };
        let Some(entries) = map.get(&signal.appeal_id()) else {
            return;
        };
        for e in entries {
            if e.tx.try_send(signal.clone()).is_err() {
                e.lagged.store(true, Ordering::Release);
            }
        }
    }

    /// Tells every watcher it lagged, and wakes it: after signals may have been lost (the
    /// Redis subscription came back), every socket catches up from the store.
    pub(crate) fn resync(&self) {
        let Ok(map) = self.followers.lock() else {
            return;
        };
        for (appeal_id, entries) in map.iter() {
            for e in entries {
                e.lagged.store(true, Ordering::Release);
                // A wake with nothing new in it: `seq` 0 is behind every socket.
                let _ = e.tx.try_send(Signal::Message {
                    appeal_id: *appeal_id,
                    seq: 0,
                });
            }
        }
    }

    pub(crate) fn watch(self: &Arc<Self>) -> Watch {
        let (tx, rx) = mpsc::channel(PENDING);
        Watch {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            hub: self.clone(),
            tx,
            rx,
            lagged: Arc::new(AtomicBool::new(false)),
            appeals: HashSet::new(),
        }
    }
}

/// One socket's view of the bus: the signals of the appeals it follows.
pub struct Watch {
    id: u64,
    hub: Arc<Hub>,
    tx: mpsc::Sender<Signal>,
    rx: mpsc::Receiver<Signal>,
    lagged: Arc<AtomicBool>,
    appeals: HashSet<Uuid>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("id", &self.id)
            .field("appeals", &self.appeals.len())
            .finish()
    }
}

impl Watch {
    /// Starts receiving the signals of `appeal_id`.
    pub fn follow(&mut self, appeal_id: Uuid) {
        if !self.appeals.insert(appeal_id) {
            return;
        }
        if let Ok(mut map) = self.hub.followers.lock() {
            map.entry(appeal_id).or_default().push(Entry {
                watcher: self.id,
                tx: self.tx.clone(),
                lagged: self.lagged.clone(),
            });
        }
    }

    pub fn unfollow(&mut self, appeal_id: Uuid) {
        if self.appeals.remove(&appeal_id) {
            self.hub.remove(self.id, appeal_id);
        }
    }

    /// The next signal. `None` never happens while the watch lives (it holds a sender).
    pub async fn recv(&mut self) -> Option<Signal> {
        self.rx.recv().await
    }

    /// A signal already waiting, if any (to handle a burst in one go).
    pub fn try_recv(&mut self) -> Option<Signal> {
        self.rx.try_recv().ok()
    }

    /// Whether signals were dropped since the last call: then catch up from the store.
    pub fn take_lagged(&self) -> bool {
        self.lagged.swap(false, Ordering::AcqRel)
    }

    pub fn follows(&self, appeal_id: &Uuid) -> bool {
        self.appeals.contains(appeal_id)
    }
}

impl Hub {
    fn remove(&self, watcher: u64, appeal_id: Uuid) {
        if let Ok(mut map) = self.followers.lock() {
            if let Some(entries) = map.get_mut(&appeal_id) {
                entries.retain(|e| e.watcher != watcher);
                if entries.is_empty() {
                    map.remove(&appeal_id);
                }
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        for appeal_id in std::mem::take(&mut self.appeals) {
            self.hub.remove(self.id, appeal_id);
        }
    }
}
