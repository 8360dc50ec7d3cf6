//! Citizen and staff sockets of the load: opening them and reading what arrives.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use super::*;

/// What a citizen socket has received besides acks.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// `seq` of every conversation entry, in arrival order.
    pub(super) seqs: Vec<i64>,
    /// `error`, `resync` and unexpected `welcome` frames, verbatim.
    pub(super) errors: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Citizen {
    pub(super) token: String,
    pub(super) appeal_id: Uuid,
    pub(super) sink: Sink,
    pub(super) acks: mpsc::UnboundedReceiver<(Uuid, i64)>,
    pub(super) seen: Arc<Mutex<Seen>>,
    pub(super) reader: JoinHandle<()>,
}

impl Citizen {
    pub(super) fn drop_connection(self) {
        self.reader.abort();
        drop(self.sink);
    }

    pub(super) fn max_seen(&self) -> i64 {
        lock(&self.seen).seqs.iter().copied().max().unwrap_or(0)
    }
}

/// Either target: the real chat socket or the echo ceiling.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub(super) echo: bool,
    pub(super) ws: String,
}

/// Opens a citizen socket, says `hello` and waits for `welcome` (the echo of `hello` on the echo
/// server); a new conversation then writes its first message, which begins the appeal. Returns
/// it with the welcome frame that names the appeal.
pub(super) async fn open_citizen(t: &Target, hello: &Value) -> anyhow::Result<(Citizen, Value)> {
    let url = if t.echo {
        format!("{}/", t.ws)
    } else {
        format!("{}/ws/chat", t.ws)
    };
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("connect")?;
    let (mut sink, mut stream) = ws.split();
    sink.send(Message::text(hello.to_string())).await?;
    let welcome = loop {
        let m = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .context("no welcome")?;
        let Some(m) = m else {
            bail!("closed before welcome")
        };
        let t_ = match m? {
            Message::Text(t_) => t_,
            Message::Close(c) => bail!("closed before welcome: {c:?}"),
            _ => continue,
        };
        let v: Value = serde_json::from_str(&t_)?;
        match v["type"].as_str() {
            Some("welcome") => break v,
            Some("hello") if t.echo => break v,
            Some("error") => bail!("error before welcome: {v}"),
            _ => {}
        }
    };
    // A new conversation has no appeal until its first message: say hello in it, and take the
    // `welcome` that follows the message's `ack`, naming the appeal.
    let welcome = if !t.echo && welcome["appeal_id"].is_null() {
        let first =
            json!({"type": "message", "client_id": Uuid::now_v7(), "body": "Сәлеметсіз бе"});
        sink.send(Message::text(first.to_string())).await?;
        loop {
            let m = tokio::time::timeout(PATIENCE, stream.next())
                .await
                .context("no welcome after the first message")?
                .context("closed before the first message's welcome")??;
            let Message::Text(t_) = m else { continue };
            let v: Value = serde_json::from_str(&t_)?;
            match v["type"].as_str() {
                Some("welcome") if !v["appeal_id"].is_null() => break v,
                Some("error") => bail!("error on the first message: {v}"),
                _ => {}
            }
        }
    } else {
        welcome
    };
    let (tx, acks) = mpsc::unbounded_channel();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let reader = tokio::spawn(read_citizen(stream, seen.clone(), tx, t.echo));
    let c = Citizen {
        token: welcome["token"].as_str().unwrap_or_default().to_owned(),
        appeal_id: welcome["appeal_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_default(),
        sink,
        acks,
        seen,
        reader,
    };
    Ok((c, welcome))
}

pub(super) async fn read_citizen(
    mut stream: Stream,
    seen: Arc<Mutex<Seen>>,
    acks: mpsc::UnboundedSender<(Uuid, i64)>,
    echo: bool,
) {
    while let Some(Ok(m)) = stream.next().await {
        let text = match m {
            Message::Text(t) => t,
            Message::Close(c) => {
                lock(&seen).errors.push(format!("closed by server: {c:?}"));
                return;
            }
            _ => continue,
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            lock(&seen).errors.push(format!("not JSON: {text}"));
            continue;
        };
        let id = || v["client_id"].as_str().and_then(|s| s.parse::<Uuid>().ok());
        match v["type"].as_str().unwrap_or_default() {
            "message" if echo => {
                if let Some(id) = id() {
                    let _ = acks.send((id, 0));
                }
            }
            "message" | "notice" | "assignment" | "transfer" | "close" => {
                if let Some(seq) = v["seq"].as_i64() {
                    lock(&seen).seqs.push(seq);
                }
            }
            "ack" => {
                if let (Some(id), Some(seq)) = (id(), v["seq"].as_i64()) {
                    let _ = acks.send((id, seq));
                }
            }
            "error" | "resync" | "welcome" => lock(&seen).errors.push(text.to_string()),
            _ => {}
        }
    }
}

/// What the staff sockets have received.
#[derive(Debug, Default)]
pub(super) struct OpSeen {
    pub(super) seqs: HashMap<Uuid, Vec<i64>>,
    /// Conversations whose `open` was answered (by the `read` frame that ends the replay).
    pub(super) opened: HashSet<Uuid>,
    /// Benchmark messages delivered since the last reset, their latency from the citizen's send
    /// and the time of the last one (since the epoch).
    pub(super) delivered: usize,
    pub(super) latencies: Vec<Duration>,
    pub(super) last: Duration,
    pub(super) errors: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Operator {
    pub(super) sink: Sink,
    pub(super) acks: mpsc::UnboundedReceiver<(Uuid, i64)>,
    pub(super) reader: JoinHandle<()>,
}

pub(super) async fn open_operator(
    ws: &str,
    token: &str,
    seen: Arc<Mutex<OpSeen>>,
    epoch: Instant,
) -> anyhow::Result<Operator> {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{ws}/ws/operator")).await?;
    let (mut sink, mut stream) = ws.split();
    let hello = json!({"type": "hello", "v": 1, "token": token});
    sink.send(Message::text(hello.to_string())).await?;
    loop {
        let m = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .context("no operator welcome")?;
        let Some(Ok(Message::Text(t))) = m else {
            bail!("operator socket closed before welcome: {m:?}")
        };
        let v: Value = serde_json::from_str(&t)?;
        match v["type"].as_str() {
            Some("welcome") => break,
            Some("error") => bail!("operator: {v}"),
            _ => {}
        }
    }
    let (tx, acks) = mpsc::unbounded_channel();
    let reader = tokio::spawn(read_operator(stream, seen, tx, epoch));
    Ok(Operator { sink, acks, reader })
}

pub(super) async fn read_operator(
    mut stream: Stream,
    seen: Arc<Mutex<OpSeen>>,
    acks: mpsc::UnboundedSender<(Uuid, i64)>,
    epoch: Instant,
) {
    while let Some(Ok(m)) = stream.next().await {
        let text = match m {
            Message::Text(t) => t,
            Message::Close(c) => {
                lock(&seen).errors.push(format!("operator closed: {c:?}"));
                return;
            }
            _ => continue,
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            lock(&seen).errors.push(format!("not JSON: {text}"));
            continue;
        };
        let appeal = v["appeal_id"].as_str().and_then(|s| s.parse::<Uuid>().ok());
        match v["type"].as_str().unwrap_or_default() {
            "message" => {
                let (Some(appeal), Some(seq)) = (appeal, v["seq"].as_i64()) else {
                    continue;
                };
                // Benchmark bodies end with the send time in nanoseconds since the epoch.
                let sent = v["body"]
                    .as_str()
                    .filter(|b| b.starts_with("b "))
                    .and_then(|b| b.rsplit(' ').next())
                    .and_then(|n| n.parse::<u64>().ok());
                let now = epoch.elapsed();
                let mut g = lock(&seen);
                g.seqs.entry(appeal).or_default().push(seq);
                if let Some(sent) = sent {
                    g.delivered += 1;
                    g.latencies
                        .push(now.saturating_sub(Duration::from_nanos(sent)));
                    g.last = now;
                }
            }
            "read" => {
                if let Some(appeal) = appeal {
                    lock(&seen).opened.insert(appeal);
                }
            }
            "ack" => {
                if let (Some(appeal), Some(seq)) = (appeal, v["seq"].as_i64()) {
                    let _ = acks.send((appeal, seq));
                }
            }
            "error" | "resync" => lock(&seen).errors.push(text.to_string()),
            _ => {}
        }
    }
}
