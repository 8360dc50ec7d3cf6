//! The bus only wakes (DESIGN principle 5): it tells sockets that an appeal has news, and each
//! socket reads what it missed from the store by `seq`. A lost or late signal therefore costs a
//! moment, never a message.
//!
//! On one node the bus delivers in process, to the sockets that follow the appeal only. With Redis, every signal goes through one
//! Redis pub/sub channel and comes back to every node (this one included), so a citizen on node
//! A and an operator on node B talk in real time. Redis pub/sub is at-most-once; the store and
//! the sockets' `seq` catch-up make up for anything it drops.

mod hub;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;

use hub::Hub;
pub use hub::Watch;

/// The Redis channel all nodes share.
const CHANNEL: &str = "baylanys:signals";

/// What happened on an appeal's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Messages up to this `seq` are stored.
    Message { appeal_id: Uuid, seq: i64 },
    /// Someone is typing (not stored).
    Typing { appeal_id: Uuid, client: bool },
    /// One side has read the conversation up to `seq` (the mark is stored).
    Read {
        appeal_id: Uuid,
        client: bool,
        seq: i64,
    },
}

impl Signal {
    pub fn appeal_id(&self) -> Uuid {
        match self {
            Signal::Message { appeal_id, .. }
            | Signal::Typing { appeal_id, .. }
            | Signal::Read { appeal_id, .. } => *appeal_id,
        }
    }

    fn encode(&self) -> String {
        match self {
            Signal::Message { appeal_id, seq } => {
                serde_json::json!({"t": "m", "a": appeal_id, "s": seq}).to_string()
            }
            Signal::Typing { appeal_id, client } => {
                serde_json::json!({"t": "y", "a": appeal_id, "c": client}).to_string()
            }
            Signal::Read {
                appeal_id,
                client,
                seq,
            } => serde_json::json!({"t": "r", "a": appeal_id, "c": client, "s": seq}).to_string(),
        }
    }

    fn decode(text: &str) -> Option<Signal> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let appeal_id = v["a"].as_str()?.parse().ok()?;
        match v["t"].as_str()? {
            "m" => Some(Signal::Message {
                appeal_id,
                seq: v["s"].as_i64()?,
            }),
            "y" => Some(Signal::Typing {
                appeal_id,
                client: v["c"].as_bool()?,
            }),
            "r" => Some(Signal::Read {
                appeal_id,
                client: v["c"].as_bool()?,
                seq: v["s"].as_i64()?,
            }),
            _ => None,
        }
    }
}

/// The node's bus. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Bus {
    hub: Arc<Hub>,
    /// With Redis: signals go out through the publisher task and come back through the
    /// subscriber task.
    out: Option<mpsc::UnboundedSender<Signal>>,
}

impl Default for Bus {
    fn default() -> Self {
        Bus::local()
    }
}

impl Bus {
    /// The in-process bus of a single node.
    pub fn local() -> Self {
        Bus {
            hub: Arc::default(),
            out: None,
        }
    }

    /// A bus shared by every node through Redis. Fails at start-up if Redis cannot be reached;
    /// later outages are retried in the background while signals still reach this node's own
    /// sockets.
    pub async fn redis(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let publisher = redis::aio::ConnectionManager::new(client.clone()).await?;
        let hub: Arc<Hub> = Arc::default();
        let (out, mut queue) = mpsc::unbounded_channel::<Signal>();
        // Publisher: one connection, signals in order.
        {
            let hub = hub.clone();
            let mut conn = publisher;
            tokio::spawn(async move {
                while let Some(signal) = queue.recv().await {
                    let sent: Result<i64, _> = redis::cmd("PUBLISH")
                        .arg(CHANNEL)
                        .arg(signal.encode())
                        .query_async(&mut conn)
                        .await;
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "redis publish failed; waking this node only");
                        hub.deliver(signal);
                    }
                }
            });
        }
        // Subscriber: reconnects with backoff for as long as the node runs.
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        {
            let hub = hub.clone();
            tokio::spawn(async move {
                let mut ready = Some(ready_tx);
                let mut backoff = Duration::from_millis(200);
                loop {
                    match client.get_async_pubsub().await {
                        Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                            Ok(()) => {
                                backoff = Duration::from_millis(200);
                                if let Some(r) = ready.take() {
                                    let _ = r.send(());
                                }
                                use futures_util::StreamExt as _;
                                let mut stream = pubsub.on_message();
                                while let Some(msg) = stream.next().await {
                                    if let Ok(text) = msg.get_payload::<String>() {
                                        if let Some(signal) = Signal::decode(&text) {
                                            hub.deliver(signal);
                                        }
                                    }
                                }
                                tracing::warn!("redis subscription ended; reconnecting");
                            }
                            Err(e) => tracing::warn!(error = %e, "redis subscribe failed"),
                        },
                        Err(e) => tracing::warn!(error = %e, "redis unreachable"),
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            });
        }
        // Do not report ready before the subscription is live, or early signals would be lost.
        let _ = tokio::time::timeout(Duration::from_secs(5), ready_rx).await;
        Ok(Bus {
            hub,
            out: Some(out),
        })
    }

    pub fn publish(&self, signal: Signal) {
        match &self.out {
            Some(out) => {
                if let Err(e) = out.send(signal) {
                    self.hub.deliver(e.0);
                }
            }
            None => self.hub.deliver(signal),
        }
    }

    /// Whether signals cross nodes (Redis): then they may be lost, and sockets also catch up on
    /// a timer.
    pub fn is_shared(&self) -> bool {
        self.out.is_some()
    }

    /// A socket's subscription: it receives the signals of the appeals it follows.
    pub fn watch(&self) -> Watch {
        self.hub.watch()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signals_reach_the_followers_of_their_appeal_only() {
        let bus = Bus::local();
        let (mut a, mut b, mut other) = (bus.watch(), bus.watch(), bus.watch());
        let id = Uuid::now_v7();
        a.follow(id);
        b.follow(id);
        other.follow(Uuid::now_v7());
        bus.publish(Signal::Message {
            appeal_id: id,
            seq: 3,
        });
        assert_eq!(
            a.recv().await,
            Some(Signal::Message {
                appeal_id: id,
                seq: 3
            })
        );
        assert_eq!(b.recv().await.map(|s| s.appeal_id()), Some(id));
        assert_eq!(other.try_recv(), None);
        // Unfollowed or dropped watchers get nothing more.
        b.unfollow(id);
        drop(a);
        bus.publish(Signal::Typing {
            appeal_id: id,
            client: true,
        });
        assert_eq!(b.try_recv(), None);
    }

    #[tokio::test]
    async fn a_slow_watcher_is_told_it_lagged() {
        let bus = Bus::local();
        let mut w = bus.watch();
        let id = Uuid::now_v7();
        w.follow(id);
        for seq in 0..1000 {
            bus.publish(Signal::Message { appeal_id: id, seq });
        }
        assert!(w.take_lagged());
        assert!(!w.take_lagged());
        assert!(w.try_recv().is_some());
    }

    #[test]
    fn wire_form_round_trips() {
        let id = Uuid::now_v7();
        for s in [
            Signal::Message {
                appeal_id: id,
                seq: 9,
            },
            Signal::Typing {
                appeal_id: id,
                client: true,
            },
            Signal::Read {
                appeal_id: id,
                client: false,
                seq: 4,
            },
        ] {
            assert_eq!(Signal::decode(&s.encode()), Some(s));
        }
        assert_eq!(Signal::decode("{\"t\":\"x\"}"), None);
        assert_eq!(Signal::decode("not json"), None);
    }
}
