//! The citizens' chat socket: persist before ack, idempotent resend, resume without gaps,
//! queue status in the client's language, and bad input answered with error frames (web-chat
//! issue, points 1–4 and 9; protocol in proto/src/ws.rs).

use std::time::Duration;

use baylanys_tests::{both, TestApp};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::ws_operator::{send, Socket};

both!(persist_ack_and_resume, bad_input_and_closed_conversations);

async fn connect_chat(app: &TestApp) -> anyhow::Result<Socket> {
    let url = format!("{}/ws/chat", app.base.replacen("http://", "ws://", 1));
    Ok(tokio_tungstenite::connect_async(url).await?.0)
}

/// Every text frame until none arrives for `quiet` (the first may take up to 10 s, so a slow
/// machine does not end the collection before it began).
async fn drain(socket: &mut Socket, quiet: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    let mut wait = Duration::from_secs(10);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(wait, socket.next()).await {
        if let Message::Text(t) = msg {
            if let Ok(v) = serde_json::from_str(&t) {
                out.push(v);
            }
        }
        wait = quiet;
    }
    out
}

/// Waits for a frame of `kind` matching `pred`, keeping the others it passes in `seen`.
async fn expect(
    socket: &mut Socket,
    kind: &str,
    pred: impl Fn(&Value) -> bool,
    seen: &mut Vec<Value>,
) -> anyhow::Result<Value> {
    for _ in 0..100 {
        let f = crate::ws_operator::next(socket).await?;
        if f["type"] == kind && pred(&f) {
            return Ok(f);
        }
        anyhow::ensure!(f["type"] != "close", "closed while waiting for {kind}: {f}");
        seen.push(f);
    }
    anyhow::bail!("no {kind}")
}

fn seqs(frames: &[Value]) -> Vec<i64> {
    frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["seq"].as_i64())
        .collect()
}

async fn persist_ack_and_resume(app: TestApp) -> anyhow::Result<()> {
    app.default_queue().await?;
    let mut s = connect_chat(&app).await?;
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "language": "kk", "name": "Айжан"}),
    )
    .await?;
    let mut seen = Vec::new();
    // A page load stores nothing: the appeal begins with the first message (point 7).
    let before = app.event_count().await?;
    let pending = expect(&mut s, "welcome", |_| true, &mut seen).await?;
    assert!(
        pending.get("appeal_id").is_none() && pending.get("token").is_none(),
        "{pending}"
    );
    assert_eq!(app.event_count().await?, before);
    // Persist before ack; a resend is recognised.
    let c1 = Uuid::now_v7();
    send(&mut s, json!({"type": "message", "client_id": c1, "body": "Сәлеметсіз бе <script>alert(1)</script>"})).await?;
    let ack = expect(&mut s, "ack", |_| true, &mut seen).await?;
    assert_eq!(ack["seq"], 1);
    assert_eq!(ack["client_id"], c1.to_string());
    let welcome = expect(&mut s, "welcome", |_| true, &mut seen).await?;
    let token = welcome["token"].as_str().unwrap_or_default().to_owned();
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(welcome["last_seq"], 1);
    assert!(welcome["number"].as_str().is_some_and(|n| n.len() == 11));
    // Waiting: the queue status, in Kazakh, says that waiting is free (R12).
    let status = expect(&mut s, "queue_status", |_| true, &mut seen).await?;
    assert_eq!(status["position"], 1);
    assert!(
        status["text"]
            .as_str()
            .is_some_and(|t| t.contains("Күту тегін")),
        "{status}"
    );
    send(&mut s, json!({"type": "message", "client_id": c1, "body": "Сәлеметсіз бе <script>alert(1)</script>"})).await?;
    let again = expect(&mut s, "ack", |_| true, &mut seen).await?;
    assert_eq!(
        (again["seq"].clone(), again["message_id"].clone()),
        (json!(1), ack["message_id"].clone())
    );
    // The stored text is exactly what was sent (rendering it as text is the page's job).
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    assert_eq!(d.body["appeal"]["last_seq"], 1);
    assert_eq!(d.body["appeal"]["channel"], "web_chat");
    assert_eq!(d.body["client"]["name"], "Айжан");
    // An operator's reply reaches the citizen with the next seq.
    app.post(
        &format!("/api/v1/appeals/{appeal}/messages"),
        app.admin(),
        json!({"body": "Қайырлы күн!"}),
    )
    .await?;
    let reply = expect(&mut s, "message", |f| f["seq"] == 2, &mut seen).await?;
    assert_eq!(reply["author"], "operator");
    assert_eq!(reply["body"], "Қайырлы күн!");
    // Disconnected, the citizen misses two replies; on resume with last_seq 2 they come, once, in order.
    drop(s);
    for text in ["Бірінші", "Екінші"] {
        app.post(
            &format!("/api/v1/appeals/{appeal}/messages"),
            app.admin(),
            json!({"body": text}),
        )
        .await?;
    }
    let mut s = connect_chat(&app).await?;
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "token": token, "last_seq": 2}),
    )
    .await?;
    let frames = drain(&mut s, Duration::from_millis(700)).await;
    assert_eq!(frames[0]["type"], "welcome");
    assert_eq!(frames[0]["appeal_id"], appeal);
    assert_eq!(frames[0]["last_seq"], 4);
    assert_eq!(seqs(&frames), [3, 4]);
    let bodies: Vec<&str> = frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["body"].as_str())
        .collect();
    assert_eq!(bodies, ["Бірінші", "Екінші"]);
    // A second tab from the start gets the whole conversation.
    let mut t = connect_chat(&app).await?;
    send(&mut t, json!({"type": "hello", "v": 1, "token": token})).await?;
    let frames = drain(&mut t, Duration::from_millis(700)).await;
    assert_eq!(seqs(&frames), [1, 2, 3, 4]);
    Ok(())
}

async fn bad_input_and_closed_conversations(app: TestApp) -> anyhow::Result<()> {
    let mut s = connect_chat(&app).await?;
    // Anything but hello first.
    send(&mut s, json!({"type": "ping"})).await?;
    let f = crate::ws_operator::next(&mut s).await?;
    assert_eq!(f["code"], "hello_expected");
    let mut s = connect_chat(&app).await?;
    // An unknown token starts a fresh conversation rather than revealing anything.
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "token": "made-up", "language": "ru"}),
    )
    .await?;
    let mut seen = Vec::new();
    expect(&mut s, "welcome", |_| true, &mut seen).await?;
    let (_, welcome) = crate::ws_chat_frames::first(&mut s, "Здравствуйте").await?;
    assert_ne!(welcome["token"], "made-up");
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    let before = app.event_count().await?;
    s.send(Message::Text("{oops".into())).await?;
    expect(
        &mut s,
        "error",
        |f| f["code"] == "malformed_json",
        &mut seen,
    )
    .await?;
    send(&mut s, json!({"type": "shout", "body": "x"})).await?;
    expect(&mut s, "error", |f| f["code"] == "invalid_frame", &mut seen).await?;
    send(
        &mut s,
        json!({"type": "message", "client_id": Uuid::now_v7(), "body": "   "}),
    )
    .await?;
    expect(&mut s, "error", |f| f["code"] == "empty", &mut seen).await?;
    send(
        &mut s,
        json!({"type": "message", "client_id": Uuid::now_v7(), "body": "я".repeat(4001)}),
    )
    .await?;
    expect(&mut s, "error", |f| f["code"] == "too_long", &mut seen).await?;
    send(&mut s, json!({"type": "message", "body": "no id"})).await?;
    expect(&mut s, "error", |f| f["code"] == "invalid_frame", &mut seen).await?;
    s.send(Message::Binary(vec![0u8; 4].into())).await?;
    expect(&mut s, "error", |f| f["code"] == "invalid_frame", &mut seen).await?;
    assert_eq!(app.event_count().await?, before, "bad frames store nothing");
    // Flooding: beyond 30 messages a minute per visitor the rest are refused, not stored.
    for i in 0..31 {
        send(
            &mut s,
            json!({"type": "message", "client_id": Uuid::now_v7(), "body": format!("{i}")}),
        )
        .await?;
    }
    let frames = drain(&mut s, Duration::from_millis(800)).await;
    let acks = frames.iter().filter(|f| f["type"] == "ack").count();
    let limited = frames
        .iter()
        .filter(|f| f["code"] == "rate_limited")
        .count();
    // The first message and the two refused ones above (empty, too long) count in the same
    // window.
    assert_eq!((acks, limited), (27, 4), "{frames:?}");
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    assert_eq!(d.body["appeal"]["last_seq"], 28);
    assert_eq!(d.body["appeal"]["language"], "ru");
    // Resuming the token of a closed conversation shows it closed and opens nothing (a reload
    // is not an appeal, point 7); the next message begins a new appeal, same token.
    let token = welcome["token"].as_str().unwrap_or_default().to_owned();
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            app.admin(),
            json!({"status": "closed", "resolution": "тест"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let appeals_before = app.get("/api/v1/appeals", app.admin()).await?.body["items"]
        .as_array()
        .map(Vec::len);
    let mut s2 = connect_chat(&app).await?;
    send(&mut s2, json!({"type": "hello", "v": 1, "token": token})).await?;
    let again = expect(&mut s2, "welcome", |_| true, &mut seen).await?;
    assert_eq!(again["appeal_id"], appeal.as_str());
    let mut s3 = connect_chat(&app).await?;
    send(&mut s3, json!({"type": "hello", "v": 1, "token": token})).await?;
    expect(&mut s3, "welcome", |_| true, &mut seen).await?;
    drop(s3);
    assert_eq!(
        app.get("/api/v1/appeals", app.admin()).await?.body["items"]
            .as_array()
            .map(Vec::len),
        appeals_before,
        "reloads opened appeals"
    );
    let (ack, next) = crate::ws_chat_frames::first(&mut s2, "Тағы бір сұрақ").await?;
    assert_eq!(ack["seq"], 1);
    assert_ne!(next["appeal_id"], appeal.as_str());
    assert_eq!(next["token"], token.as_str());
    // An oversize frame ends that socket; the server stays up.
    let _ = s2.send(Message::Text("x".repeat(20 * 1024).into())).await;
    let frames = drain(&mut s2, Duration::from_millis(500)).await;
    assert!(frames.iter().all(|f| f["type"] != "ack"));
    assert_eq!(
        app.call(reqwest::Method::GET, "/healthz", None, None)
            .await?
            .status,
        200
    );
    Ok(())
}
