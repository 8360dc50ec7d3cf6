//! Two nodes on one PostgreSQL with the Redis bus: a citizen chatting on node B hears an
//! operator who answered on node C at once (web-chat issue, point 8). The same pair on
//! in-process buses does not — which is what shows the Redis bus carries it.

use std::time::Duration;

use baylanys_tests::{Backend, TestApp};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::ws_operator::{send, Socket};

fn redis_url() -> String {
    std::env::var("BAYLANYS_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

async fn chat_on(node: &TestApp) -> anyhow::Result<(Socket, String)> {
    let url = format!("{}/ws/chat", node.base.replacen("http://", "ws://", 1));
    let (mut s, _) = tokio_tungstenite::connect_async(url).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "language": "ru"})).await?;
    // The appeal begins with the first message; the welcome after its ack names it.
    send(
        &mut s,
        json!({"type": "message", "client_id": uuid::Uuid::now_v7(), "body": "Здравствуйте"}),
    )
    .await?;
    loop {
        let f = crate::ws_operator::next(&mut s).await?;
        if let (Some("welcome"), Some(appeal)) = (f["type"].as_str(), f["appeal_id"].as_str()) {
            return Ok((s, appeal.to_owned()));
        }
    }
}

/// The operator's message, if it reaches the socket within `wait`.
async fn heard(s: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, s.next()).await {
        if let Message::Text(t) = msg {
            let f: Value = serde_json::from_str(&t).ok()?;
            if f["type"] == "message" && f["author"] == "operator" {
                return Some(f);
            }
        }
    }
    None
}

#[tokio::test]
async fn citizen_and_operator_on_different_nodes() -> anyhow::Result<()> {
    let a = TestApp::spawn(Backend::Postgres).await?;
    // A deployment of its own on the shared Redis: tests running side by side keep apart.
    let prefix = format!("test-{}", uuid::Uuid::now_v7().simple());
    let b = TestApp::spawn_node(&a, baylanys_bus::Bus::redis(&redis_url(), &prefix).await?).await?;
    let c = TestApp::spawn_node(&a, baylanys_bus::Bus::redis(&redis_url(), &prefix).await?).await?;
    let (mut citizen, appeal) = chat_on(&b).await?;
    let r = c
        .post(
            &format!("/api/v1/appeals/{appeal}/messages"),
            a.admin(),
            json!({"body": "Здравствуйте!"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let f = heard(&mut citizen, Duration::from_secs(3)).await;
    assert_eq!(
        f.as_ref().map(|f| f["body"].clone()),
        Some(json!("Здравствуйте!")),
        "{f:?}"
    );
    // After the citizen's first message, which began the appeal.
    assert_eq!(f.map(|f| f["seq"].clone()), Some(json!(2)));

    // Control: nodes with in-process buses do not wake each other.
    let d = TestApp::spawn_node(&a, baylanys_bus::Bus::local()).await?;
    let e = TestApp::spawn_node(&a, baylanys_bus::Bus::local()).await?;
    let (mut other, appeal) = chat_on(&d).await?;
    // Let the socket's first catch-up pass (it runs at once, then every 30 s).
    tokio::time::sleep(Duration::from_millis(300)).await;
    e.post(
        &format!("/api/v1/appeals/{appeal}/messages"),
        a.admin(),
        json!({"body": "тишина"}),
    )
    .await?;
    assert!(heard(&mut other, Duration::from_secs(2)).await.is_none());
    Ok(())
}

/// A staff socket catches up on a timer when signals cross nodes (issue "Trustworthy in the
/// field", point 1): here the two nodes publish on different Redis channels, so no signal of
/// the citizen's node ever reaches the operator's — every message still arrives within seconds,
/// read from the store.
#[tokio::test]
async fn a_staff_socket_catches_up_without_signals() -> anyhow::Result<()> {
    let a = TestApp::spawn(Backend::Postgres).await?;
    let apart = |n: u8| format!("test-{}-{n}", uuid::Uuid::now_v7().simple());
    let b =
        TestApp::spawn_node(&a, baylanys_bus::Bus::redis(&redis_url(), &apart(1)).await?).await?;
    let c =
        TestApp::spawn_node(&a, baylanys_bus::Bus::redis(&redis_url(), &apart(2)).await?).await?;
    let (mut citizen, appeal) = chat_on(&b).await?;
    let ws = format!("{}/ws/operator", c.base.replacen("http://", "ws://", 1));
    let (mut op, _) = tokio_tungstenite::connect_async(ws).await?;
    send(
        &mut op,
        json!({"type": "hello", "v": 1, "token": a.admin()}),
    )
    .await?;
    until(&mut op, "welcome", |_| true).await?;
    send(
        &mut op,
        json!({"type": "open", "appeal_id": appeal, "last_seq": 0}),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for (i, body) in ["Сәлеметсіз бе", "Анықтама керек", "Рақмет"]
        .iter()
        .enumerate()
    {
        send(
            &mut citizen,
            json!({"type": "message", "client_id": uuid::Uuid::now_v7(), "body": body}),
        )
        .await?;
        let f = tokio::time::timeout(
            Duration::from_secs(8),
            until(&mut op, "message", |f| f["body"] == *body),
        )
        .await
        .map_err(|_| anyhow::anyhow!("message {i} did not reach the operator"))??;
        assert_eq!(f["appeal_id"], json!(appeal));
    }
    Ok(())
}

/// Frames of `kind` from `s` until one matches, failing on close.
async fn until(s: &mut Socket, kind: &str, pred: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    for _ in 0..100 {
        let f = crate::ws_operator::next(s).await?;
        if f["type"] == kind && pred(&f) {
            return Ok(f);
        }
        anyhow::ensure!(f["type"] != "close", "closed while waiting for {kind}: {f}");
    }
    anyhow::bail!("no {kind}")
}

/// Two `baylanys serve` processes on one PostgreSQL with Redis: a citizen on node A and an
/// operator on node B talk both ways in real time (messages, typing, read receipts). Node A
/// is then stopped with SIGTERM: the citizen's socket closes with 1001, the citizen reconnects
/// to node B with its token and last `seq`, and gets exactly what it missed, once, in order
/// (web-chat issue, points 8 and 10).
#[tokio::test]
async fn two_server_processes_share_a_conversation() -> anyhow::Result<()> {
    use crate::process::{login, start_env};
    let (db, _) = baylanys_tests::fresh_database(Backend::Postgres).await?;
    let workdir =
        std::env::temp_dir().join(format!("bl_cluster_{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&workdir)?;
    let env = [
        ("BAYLANYS_REDIS_URL", redis_url()),
        (
            "BAYLANYS_REDIS_PREFIX",
            format!("test-{}", uuid::Uuid::now_v7().simple()),
        ),
    ];
    let password = "cluster-admin-password";
    let node_a = start_env(&db, Some(password), &workdir, "warn", None, &env).await?;
    let node_b = start_env(&db, Some(password), &workdir, "warn", None, &env).await?;
    let http = reqwest::Client::new();
    let token = login(&http, &node_b.base, password).await?;

    let (mut citizen, appeal, visitor) = chat_on_base(&node_a.base, None, 0).await?;
    let mut op = crate::ws_operator::connect(&node_b.base).await?;
    send(&mut op, json!({"type": "hello", "v": 1, "token": token})).await?;
    send(
        &mut op,
        json!({"type": "open", "appeal_id": appeal, "last_seq": 0}),
    )
    .await?;
    // Citizen on A → operator on B (the first message, sent by `chat_on_base`).
    let m = until(&mut op, "message", |f| f["seq"] == 1).await?;
    assert_eq!(m["body"], "Сәлем, A түйінінен");
    send(&mut citizen, json!({"type": "typing"})).await?;
    until(&mut op, "typing", |_| true).await?;
    // Operator on B → citizen on A, and the read receipt back.
    send(&mut op, json!({"type": "message", "appeal_id": appeal, "client_id": uuid::Uuid::now_v7(), "body": "Жауап B түйінінен"})).await?;
    let m = until(&mut citizen, "message", |f| f["seq"] == 2).await?;
    assert_eq!(m["body"], "Жауап B түйінінен");
    send(&mut citizen, json!({"type": "read", "seq": 2})).await?;
    until(&mut op, "read", |f| f["seq"] == 2).await?;

    // Node A stops: its sockets close with 1001 (going away).
    let pid = node_a.child.id().ok_or_else(|| anyhow::anyhow!("no pid"))?;
    tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await?;
    let bye = until(&mut citizen, "close", |_| true).await?;
    assert_eq!(bye["code"], 1001, "{bye}");
    // While the citizen is away the operator writes twice.
    for body in ["Бірінші", "Екінші"] {
        send(&mut op, json!({"type": "message", "appeal_id": appeal, "client_id": uuid::Uuid::now_v7(), "body": body})).await?;
        until(&mut op, "ack", |_| true).await?;
    }
    // The widget reconnects to node B with its token and the last seq it saw.
    let (mut again, same, _) = chat_on_base(&node_b.base, Some(visitor), 2).await?;
    assert_eq!(same, appeal);
    let mut bodies = Vec::new();
    while bodies.len() < 2 {
        let f = until(&mut again, "message", |_| true).await?;
        bodies.push((
            f["seq"].as_i64().unwrap_or(0),
            f["body"].as_str().unwrap_or("").to_owned(),
        ));
    }
    assert_eq!(
        bodies,
        [(3, "Бірінші".to_owned()), (4, "Екінші".to_owned())]
    );
    send(
        &mut again,
        json!({"type": "message", "client_id": uuid::Uuid::now_v7(), "body": "Рақмет"}),
    )
    .await?;
    assert_eq!(until(&mut again, "ack", |_| true).await?["seq"], 5);
    until(&mut op, "message", |f| f["seq"] == 5).await?;
    drop(node_b);
    let _ = std::fs::remove_dir_all(&workdir);
    Ok(())
}

/// Opens (or resumes, with `token` and `last_seq`) a citizen's chat on a node; returns the
/// socket, the appeal and the visitor token. A new chat writes its first message, which begins
/// the appeal.
async fn chat_on_base(
    base: &str,
    token: Option<String>,
    last_seq: i64,
) -> anyhow::Result<(Socket, String, String)> {
    let url = format!("{}/ws/chat", base.replacen("http://", "ws://", 1));
    let (mut s, _) = tokio_tungstenite::connect_async(url).await?;
    let new = token.is_none();
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "language": "kk", "token": token, "last_seq": last_seq}),
    )
    .await?;
    let mut w = until(&mut s, "welcome", |_| true).await?;
    if new {
        send(
            &mut s,
            json!({"type": "message", "client_id": uuid::Uuid::now_v7(), "body": "Сәлем, A түйінінен"}),
        )
        .await?;
        until(&mut s, "ack", |_| true).await?;
        w = until(&mut s, "welcome", |_| true).await?;
    }
    Ok((
        s,
        w["appeal_id"].as_str().unwrap_or_default().to_owned(),
        w["token"].as_str().unwrap_or_default().to_owned(),
    ))
}
