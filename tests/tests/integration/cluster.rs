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
    loop {
        let f = crate::ws_operator::next(&mut s).await?;
        if f["type"] == "welcome" {
            return Ok((s, f["appeal_id"].as_str().unwrap_or_default().to_owned()));
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
    let b = TestApp::spawn_node(&a, baylanys_bus::Bus::redis(&redis_url()).await?).await?;
    let c = TestApp::spawn_node(&a, baylanys_bus::Bus::redis(&redis_url()).await?).await?;
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
    assert_eq!(f.map(|f| f["seq"].clone()), Some(json!(1)));

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
