//! The bus only wakes (DESIGN principle 5): it tells sockets that an appeal has news, and each
//! socket reads what it missed from the store by `seq`. A lost or late signal therefore costs a
//! moment, never a message. This is the in-process bus of a single node; the Redis bus for
//! several nodes carries the same signals.

use tokio::sync::broadcast;
use uuid::Uuid;

/// What happened on an appeal's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Messages up to this `seq` are stored.
    Message { appeal_id: Uuid, seq: i64 },
    /// Someone is typing (not stored).
    Typing { appeal_id: Uuid, client: bool },
}

impl Signal {
    pub fn appeal_id(&self) -> Uuid {
        match self {
            Signal::Message { appeal_id, .. } | Signal::Typing { appeal_id, .. } => *appeal_id,
        }
    }
}

/// In-process broadcast. Slow receivers lag and are told so; they then catch up from the store.
#[derive(Debug, Clone)]
pub struct LocalBus {
    tx: broadcast::Sender<Signal>,
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus {
            tx: broadcast::channel(4096).0,
        }
    }
}

impl LocalBus {
    pub fn publish(&self, signal: Signal) {
        // No receivers is fine: nobody is watching that conversation.
        let _ = self.tx.send(signal);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signals_reach_every_subscriber() {
        let bus = LocalBus::default();
        let mut a = bus.subscribe();
        let mut b = bus.subscribe();
        let id = Uuid::now_v7();
        bus.publish(Signal::Message {
            appeal_id: id,
            seq: 3,
        });
        assert_eq!(
            a.recv().await.ok(),
            Some(Signal::Message {
                appeal_id: id,
                seq: 3
            })
        );
        assert_eq!(b.recv().await.ok().map(|s| s.appeal_id()), Some(id));
    }
}
