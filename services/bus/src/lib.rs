//! The bus only wakes (DESIGN principle 5): it tells sockets that an appeal has news, and each
//! socket reads what it missed from the store by `seq`. A lost or late signal therefore costs a
//! moment, never a message.
//!
//! On one node the bus delivers in process, to the sockets that follow the appeal only. With
//! Redis, a signal is first delivered to this node's own sockets — whatever Redis does — and
//! then published on the deployment's channel, so a citizen on node A and an operator on node B
//! talk in real time; each node skips its own signals coming back. Redis pub/sub is
//! at-most-once: while Redis is away other nodes miss signals, and when the subscription comes
//! back every socket of this node is told to catch up from the store.

mod hub;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;

use hub::Hub;
pub use hub::Watch;

/// Signals waiting for Redis at most; past that (Redis away) they are dropped, as a lost
/// signal is: the other nodes' sockets catch up on their timers.
const OUTBOX: usize = 4096;
/// The longest a publish may wait for Redis before the signal is given up.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(1);

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

    /// The signal as published, with the node it comes from (`n`).
    fn encode(&self, node: Uuid) -> String {
        match self {
            Signal::Message { appeal_id, seq } => {
                serde_json::json!({"t": "m", "a": appeal_id, "s": seq, "n": node}).to_string()
            }
            Signal::Typing { appeal_id, client } => {
                serde_json::json!({"t": "y", "a": appeal_id, "c": client, "n": node}).to_string()
            }
            Signal::Read {
                appeal_id,
                client,
                seq,
            } => serde_json::json!({"t": "r", "a": appeal_id, "c": client, "s": seq, "n": node})
                .to_string(),
        }
    }

    /// A published signal and the node it came from.
    fn decode(text: &str) -> Option<(Signal, Option<Uuid>)> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let node = v["n"].as_str().and_then(|n| n.parse().ok());
        Some((Self::decode_signal(&v)?, node))
    }

    fn decode_signal(v: &serde_json::Value) -> Option<Signal> {
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
    /// With Redis: signals for the other nodes go out through the publisher task.
    out: Option<mpsc::Sender<Signal>>,
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

    /// A bus shared by every node of the deployment through Redis, on the channel
    /// `<deployment>:signals` (two deployments on one Redis keep apart). Fails at start-up if
    /// Redis cannot be reached; later outages are retried in the background while signals
    /// still reach this node's own sockets.
    pub async fn redis(url: &str, deployment: &str) -> Result<Self, redis::RedisError> {
        let channel = format!("{deployment}:signals");
        let node = Uuid::new_v4();
        let client = redis::Client::open(url)?;
        let publisher = redis::aio::ConnectionManager::new(client.clone()).await?;
        let hub: Arc<Hub> = Arc::default();
        let (out, mut queue) = mpsc::channel::<Signal>(OUTBOX);
        // Publisher: one connection, signals in order. This node's sockets have them already.
        {
            let mut conn = publisher;
            let channel = channel.clone();
            tokio::spawn(async move {
                while let Some(signal) = queue.recv().await {
                    let mut cmd = redis::cmd("PUBLISH");
                    cmd.arg(&channel).arg(signal.encode(node));
                    let publish = cmd.query_async::<i64>(&mut conn);
                    match tokio::time::timeout(PUBLISH_TIMEOUT, publish).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "redis publish failed; other nodes catch up")
                        }
                        Err(_) => tracing::debug!("redis publish timed out; other nodes catch up"),
                    }
                }
            });
        }
        // Subscriber: reconnects with backoff for as long as the node runs; each return after
        // a loss tells every socket here to catch up (what other nodes published meanwhile
        // never arrived).
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        {
            let hub = hub.clone();
            tokio::spawn(async move {
                let mut ready = Some(ready_tx);
                let mut backoff = Duration::from_millis(200);
                loop {
                    match client.get_async_pubsub().await {
                        Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                            Ok(()) => {
                                backoff = Duration::from_millis(200);
                                match ready.take() {
                                    Some(r) => {
                                        let _ = r.send(());
                                    }
                                    None => {
                                        tracing::info!("redis subscription back; sockets catch up");
                                        hub.resync();
                                    }
                                }
                                use futures_util::StreamExt as _;
                                let mut stream = pubsub.on_message();
                                while let Some(msg) = stream.next().await {
                                    let Ok(text) = msg.get_payload::<String>() else {
                                        continue;
                                    };
                                    match Signal::decode(&text) {
                                        Some((_, Some(from))) if from == node => {}
                                        Some((signal, _)) => hub.deliver(signal),
                                        None => {}
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

    /// Wakes this node's sockets that follow the appeal at once, and the other nodes' through
    /// Redis when there is Redis.
    pub fn publish(&self, signal: Signal) {
        if let Some(out) = &self.out {
            // Full (Redis away a while): dropped; the other nodes' sockets catch up on a timer.
            let _ = out.try_send(signal.clone());
        }
        self.hub.deliver(signal);
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

    #[tokio::test]
    async fn a_resync_wakes_every_watcher_as_lagged() {
        let bus = Bus::local();
        let (mut a, mut b) = (bus.watch(), bus.watch());
        a.follow(Uuid::now_v7());
        b.follow(Uuid::now_v7());
        let idle = bus.watch();
        bus.hub.resync();
        assert!(a.recv().await.is_some() && a.take_lagged());
        assert!(b.recv().await.is_some() && b.take_lagged());
        assert!(!idle.take_lagged());
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
            let node = Uuid::new_v4();
            assert_eq!(Signal::decode(&s.encode(node)), Some((s, Some(node))));
        }
        assert_eq!(Signal::decode("{\"t\":\"x\"}"), None);
        assert_eq!(Signal::decode("not json"), None);
    }
}
