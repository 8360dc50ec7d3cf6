//! The fault test (issue "Trustworthy in the field", Tests and CI; R5.4): two `baylanys serve`
//! processes on PostgreSQL and a private Redis this test starts and stops. Citizens write on
//! node A, an operator follows every conversation on node B, each side through its own
//! WebSocket client (not the load tool's). During the traffic Redis is stopped for 10 s, and
//! later node A is killed with SIGKILL and replaced; the citizens reconnect with their tokens
//! and send again what was not acknowledged. Then:
//! - every acknowledged message is stored exactly once (nothing lost, nothing doubled);
//! - the operator's socket gets every stored entry of every conversation once, in order;
//! - and each acknowledged message reaches it within 5 s of its acknowledgement, or of the end
//!   of the fault it was acknowledged in.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use baylanys_tests::{fresh_database, Backend};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::bus_faults::Redis;
use crate::process::{login, start_env};
use crate::ws_operator::{connect, send, Socket};

const CITIZENS: usize = 6;
/// Each citizen writes about four messages a second.
const PAUSE: Duration = Duration::from_millis(250);
/// How long after its acknowledgement (or the end of its fault) a message may take to reach
/// the operator.
const WITHIN: Duration = Duration::from_secs(5);

/// One citizen's acknowledged message.
struct Acked {
    appeal: String,
    body: String,
    at: Instant,
}

/// The next text frame, or `None` when the socket failed or closed (or 3 s passed).
async fn frame(s: &mut Socket) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(3), s.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).ok(),
            Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Opens (or resumes) a citizen's conversation on `base`: the socket, the appeal, the token.
async fn open(base: &str, token: Option<&str>) -> Option<(Socket, String, String)> {
    let url = format!("{}/ws/chat", base.replacen("http://", "ws://", 1));
    let (mut s, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "language": "kk", "token": token}),
    )
    .await
    .ok()?;
    if token.is_none() {
        // A new conversation begins with its first message.
        send(
            &mut s,
            json!({"type": "message", "client_id": Uuid::now_v7(), "body": "Сәлем"}),
        )
        .await
        .ok()?;
    }
    loop {
        let f = frame(&mut s).await?;
        if f["type"] == "welcome" && f["appeal_id"].is_string() {
            let appeal = f["appeal_id"].as_str()?.to_owned();
            let token = f["token"].as_str()?.to_owned();
            return Some((s, appeal, token));
        }
    }
}

/// Writes until `stop`, one message at a time: each is sent until acknowledged, through
/// reconnects to whatever node A is at the moment.
async fn citizen(
    i: usize,
    node_a: Arc<Mutex<String>>,
    first: (Socket, String, String),
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<Acked>>>,
) {
    let (socket, appeal, token) = first;
    let mut socket = Some(socket);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let body = format!("азамат {i}: хабарлама {n}");
        let client_id = Uuid::now_v7();
        loop {
            let mut s = match socket.take() {
                Some(s) => s,
                None => {
                    let base = node_a.lock().map(|b| b.clone()).unwrap_or_default();
                    match open(&base, Some(&token)).await {
                        Some((s, same, _)) if same == appeal => s,
                        _ => {
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            continue;
                        }
                    }
                }
            };
            let sent = send(
                &mut s,
                json!({"type": "message", "client_id": client_id, "body": body}),
            )
            .await;
            if sent.is_err() {
                continue;
            }
            let mut ok = false;
            while let Some(f) = frame(&mut s).await {
                if f["type"] == "ack" && f["client_id"] == client_id.to_string() {
                    ok = true;
                    break;
                }
            }
            if ok {
                if let Ok(mut a) = acked.lock() {
                    a.push(Acked {
                        appeal: appeal.clone(),
                        body: body.clone(),
                        at: Instant::now(),
                    });
                }
                socket = Some(s);
                break;
            }
            // No ack: the socket is gone (or hopeless). Reconnect and send it again; the
            // server recognises it by its client id if it was stored.
        }
        tokio::time::sleep(PAUSE).await;
    }
}

#[tokio::test]
async fn nothing_acknowledged_is_lost_through_a_node_kill_and_a_redis_outage() -> anyhow::Result<()>
{
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let redis = Redis::start(port).await?;
    let (db, _) = fresh_database(Backend::Postgres).await?;
    let workdir = std::env::temp_dir().join(format!("bl_fault_{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&workdir)?;
    let env = [
        ("BAYLANYS_REDIS_URL", format!("redis://127.0.0.1:{port}")),
        (
            "BAYLANYS_REDIS_PREFIX",
            format!("fault-{}", Uuid::now_v7().simple()),
        ),
        ("BAYLANYS_CHAT_VISITOR_MESSAGES_PER_MINUTE", "100000".into()),
        ("BAYLANYS_CHAT_IP_MESSAGES_PER_MINUTE", "100000".into()),
        ("BAYLANYS_CHAT_IP_CONVERSATIONS_PER_HOUR", "100000".into()),
    ];
    let password = "fault-admin-password";
    let node_a = start_env(&db, Some(password), &workdir, "warn", None, &env).await?;
    let node_b = start_env(&db, Some(password), &workdir, "warn", None, &env).await?;
    let http = reqwest::Client::new();
    let admin = login(&http, &node_b.base, password).await?;

    // Citizens on A, the operator on B following each conversation.
    let mut firsts = Vec::new();
    for _ in 0..CITIZENS {
        firsts.push(open(&node_a.base, None).await.context("a citizen's chat")?);
    }
    let appeals: Vec<String> = firsts.iter().map(|(_, a, _)| a.clone()).collect();
    let mut op = connect(&node_b.base).await?;
    send(&mut op, json!({"type": "hello", "v": 1, "token": admin})).await?;
    for a in &appeals {
        send(
            &mut op,
            json!({"type": "open", "appeal_id": a, "last_seq": 0}),
        )
        .await?;
    }
    // What reaches the operator: (appeal, seq) → (body, when), and any duplicate.
    type Seen = BTreeMap<(String, i64), (String, Instant)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let doubled: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let reader = {
        let (seen, doubled) = (seen.clone(), doubled.clone());
        tokio::spawn(async move {
            while let Some(Ok(m)) = op.next().await {
                let Message::Text(t) = m else { continue };
                let Ok(f) = serde_json::from_str::<Value>(&t) else {
                    continue;
                };
                if f["type"] != "message" {
                    continue;
                }
                let key = (
                    f["appeal_id"].as_str().unwrap_or_default().to_owned(),
                    f["seq"].as_i64().unwrap_or(0),
                );
                let body = f["body"].as_str().unwrap_or_default().to_owned();
                if let (Ok(mut s), Ok(mut d)) = (seen.lock(), doubled.lock()) {
                    if s.insert(key.clone(), (body, Instant::now())).is_some() {
                        d.push(key);
                    }
                }
            }
        })
    };

    let node_a_base = Arc::new(Mutex::new(node_a.base.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let mut writers = Vec::new();
    for (i, first) in firsts.into_iter().enumerate() {
        writers.push(tokio::spawn(citizen(
            i,
            node_a_base.clone(),
            first,
            stop.clone(),
            acked.clone(),
        )));
    }

    // The faults: Redis away for 10 s; then node A killed and replaced.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let redis_down = Instant::now();
    let port = redis.stop().await?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let redis = Redis::start(port).await?;
    let redis_up = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = node_a.child.id().context("node A's pid")?;
    let killed = Instant::now();
    tokio::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .await?;
    let replacement = start_env(&db, None, &workdir, "warn", None, &env).await?;
    if let Ok(mut b) = node_a_base.lock() {
        *b = replacement.base.clone();
    }
    let back = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        tokio::time::timeout(Duration::from_secs(30), w)
            .await
            .context("a citizen never got its last message acknowledged")??;
    }
    let stopped = Instant::now();

    // What the store holds, per conversation.
    let mut stored: HashMap<String, Vec<(i64, String, String)>> = HashMap::new();
    for a in &appeals {
        let d = http
            .get(format!("{}/api/v1/appeals/{a}", node_b.base))
            .bearer_auth(&admin)
            .send()
            .await?
            .json::<Value>()
            .await?;
        let entries = d["timeline"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let m = &e["message"];
                Some((
                    m["seq"].as_i64()?,
                    m["author"].as_str()?.to_owned(),
                    m["body"].as_str()?.to_owned(),
                ))
            })
            .collect();
        stored.insert(a.clone(), entries);
    }
    let acked = std::mem::take(&mut *acked.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    assert!(
        acked.len() > CITIZENS * 20,
        "too little traffic: {}",
        acked.len()
    );
    // Every acknowledged message stored exactly once; nothing stored twice.
    for a in &acked {
        let n = stored[&a.appeal]
            .iter()
            .filter(|(_, author, body)| author == "client" && *body == a.body)
            .count();
        assert_eq!(n, 1, "{:?} stored {n} times", a.body);
    }
    for (appeal, entries) in &stored {
        let mut bodies: Vec<&String> = entries
            .iter()
            .filter(|(_, author, _)| author == "client")
            .map(|(_, _, b)| b)
            .collect();
        let all = bodies.len();
        bodies.sort();
        bodies.dedup();
        assert_eq!(bodies.len(), all, "a message of {appeal} stored twice");
    }

    // Every stored entry reaches the operator, once, within 5 s of the traffic's end at most…
    let everything = || {
        let s = seen.lock().map(|s| s.clone()).unwrap_or_default();
        stored.iter().all(|(a, entries)| {
            entries
                .iter()
                .all(|(seq, _, _)| s.contains_key(&(a.clone(), *seq)))
        })
    };
    while !everything() && stopped.elapsed() < WITHIN {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let s = seen.lock().map(|s| s.clone()).unwrap_or_default();
    for (a, entries) in &stored {
        for (seq, _, body) in entries {
            let got = s.get(&(a.clone(), *seq)).map(|(b, _)| b);
            assert_eq!(
                got,
                Some(body),
                "{a} entry {seq} did not reach the operator"
            );
        }
    }
    assert_eq!(
        doubled.lock().map(|d| d.clone()).unwrap_or_default(),
        Vec::<(String, i64)>::new(),
        "entries the operator got twice"
    );
    // …and each acknowledged message within 5 s of its acknowledgement, or of the end of the
    // fault it was acknowledged in.
    let mut late = Vec::new();
    for a in &acked {
        let since = if (redis_down..redis_up).contains(&a.at) {
            redis_up
        } else if (killed..back).contains(&a.at) {
            back
        } else {
            a.at
        };
        let reached = stored[&a.appeal]
            .iter()
            .find(|(_, author, body)| author == "client" && *body == a.body)
            .and_then(|(seq, _, _)| s.get(&(a.appeal.clone(), *seq)))
            .map(|(_, at)| *at);
        match reached {
            Some(at) if at <= since + WITHIN => {}
            Some(at) => late.push(format!(
                "{}: {:.1} s",
                a.body,
                at.duration_since(since).as_secs_f64()
            )),
            None => late.push(format!("{}: never", a.body)),
        }
    }
    let during =
        |from: Instant, to: Instant| acked.iter().filter(|a| (from..to).contains(&a.at)).count();
    eprintln!(
        "fault test: {} acknowledged, {} during the Redis outage, {} while node A was down, \
         {} entries stored",
        acked.len(),
        during(redis_down, redis_up),
        during(killed, back),
        stored.values().map(Vec::len).sum::<usize>()
    );
    // The outage must have been lived through, not slept through.
    assert!(during(redis_down, redis_up) > CITIZENS * 10);
    assert!(late.is_empty(), "late at the operator: {late:?}");
    reader.abort();
    drop((redis, replacement, node_b));
    let _ = std::fs::remove_dir_all(&workdir);
    Ok(())
}
