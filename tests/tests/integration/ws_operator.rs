//! The staff socket: offers pushed to operators as they change, the live view to supervisors,
//! and every bad frame or token answered with an error frame or close code (routing issue,
//! point 7; protocol in proto/src/ws.rs).

use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_tests::{both, TestApp};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

both!(
    pushes_offers_and_live_view,
    bad_frames_and_tokens,
    conversation_both_ways,
);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn connect(base: &str) -> anyhow::Result<Socket> {
    let url = format!("{}/ws/operator", base.replacen("http://", "ws://", 1));
    let (socket, _) = tokio_tungstenite::connect_async(url).await?;
    Ok(socket)
}

pub async fn send(socket: &mut Socket, frame: Value) -> anyhow::Result<()> {
    socket.send(Message::Text(frame.to_string().into())).await?;
    Ok(())
}

/// The next text frame, or the close frame as `{"type": "close", "code": …}`.
pub async fn next(socket: &mut Socket) -> anyhow::Result<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .context("no frame within 10 s")?;
        match msg {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t)?),
            Some(Ok(Message::Close(frame))) => {
                return Ok(json!({"type": "close", "code": frame.map(|f| u16::from(f.code))}))
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Ok(json!({"type": "close", "error": e.to_string()})),
            None => return Ok(json!({"type": "close"})),
        }
    }
}

/// Waits for a frame of `kind` matching `pred`, skipping others.
async fn until(
    socket: &mut Socket,
    kind: &str,
    pred: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    for _ in 0..50 {
        let f = next(socket).await?;
        if f["type"] == kind && pred(&f) {
            return Ok(f);
        }
        if f["type"] == "close" {
            bail!("closed while waiting for {kind}: {f}");
        }
    }
    bail!("no {kind} frame")
}

async fn hello(app: &TestApp, token: &str) -> anyhow::Result<(Socket, Value)> {
    let mut s = connect(&app.base).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "token": token})).await?;
    let welcome = next(&mut s).await?;
    Ok((s, welcome))
}

async fn pushes_offers_and_live_view(app: TestApp) -> anyhow::Result<()> {
    app.default_queue().await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk"]}),
    )
    .await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;

    let (mut sup_socket, welcome) = hello(&app, &sup).await?;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    assert_eq!(welcome["role"], "supervisor");
    let live = until(&mut sup_socket, "live", |_| true).await?;
    assert_eq!(live["view"]["queues"][0]["code"], "main");
    send(&mut sup_socket, json!({"type": "ping"})).await?;
    until(&mut sup_socket, "pong", |_| true).await?;

    let (mut op_socket, welcome) = hello(&app, &op).await?;
    assert_eq!(welcome["staff_id"], op_id.to_string());
    let first = until(&mut op_socket, "offers", |_| true).await?;
    assert_eq!(first["items"], json!([]));
    app.put(
        "/api/v1/auth/me/presence",
        &op,
        json!({"presence": "online"}),
    )
    .await?;
    let client = app.client(app.admin(), json!({})).await?;
    let appeal = app
        .post("/api/v1/appeals", app.admin(), json!({"client_id": client, "kind": "request", "channel": "web_chat", "language": "kk"}))
        .await?
        .id();
    let contact = app
        .post(
            &format!("/api/v1/appeals/{appeal}/interactions"),
            app.admin(),
            json!({"channel": "web_chat"}),
        )
        .await?
        .id();
    let offered = until(&mut op_socket, "offers", |f| {
        f["items"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await?;
    assert_eq!(offered["items"][0]["id"], contact.to_string());
    // The supervisor sees it in the live view at the same time.
    until(&mut sup_socket, "live", |f| {
        f["view"]["queues"][0]["offered"] == 1
    })
    .await?;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{contact}/accept"),
            Some(&op),
            None,
        )
        .await?;
    assert!(r.status.is_success(), "{}", r.text);
    let cleared = until(&mut op_socket, "offers", |f| f["items"] == json!([])).await?;
    assert_eq!(cleared["items"], json!([]));
    Ok(())
}

async fn bad_frames_and_tokens(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    // A wrong token: an error frame, then close 4401.
    let (mut s, reply) = hello(&app, "not-a-token").await?;
    assert_eq!(reply["code"], "unauthorized", "{reply}");
    assert_eq!(next(&mut s).await?["code"], 4401);
    // Anything but hello first: 4401.
    let mut s = connect(&app.base).await?;
    send(&mut s, json!({"type": "ping"})).await?;
    assert_eq!(next(&mut s).await?["code"], "hello_expected");
    assert_eq!(next(&mut s).await?["code"], 4401);
    // An unsupported version.
    let mut s = connect(&app.base).await?;
    send(&mut s, json!({"type": "hello", "v": 2, "token": op})).await?;
    assert_eq!(next(&mut s).await?["code"], "unsupported_version");
    // Once in: bad frames get error frames and the socket stays usable.
    let (mut s, welcome) = hello(&app, &op).await?;
    assert_eq!(welcome["type"], "welcome");
    s.send(Message::Text("{not json".into())).await?;
    until(&mut s, "error", |f| f["code"] == "malformed_json").await?;
    send(&mut s, json!({"type": "subscribe_everything"})).await?;
    until(&mut s, "error", |f| f["code"] == "invalid_frame").await?;
    s.send(Message::Binary(vec![1, 2, 3].into())).await?;
    until(&mut s, "error", |f| f["code"] == "invalid_frame").await?;
    send(&mut s, json!({"type": "ping"})).await?;
    until(&mut s, "pong", |_| true).await?;
    // A frame over 64 KiB ends the socket; the server stays up.
    let (mut big, _) = hello(&app, &op).await?;
    let _ = big.send(Message::Text("x".repeat(70 * 1024).into())).await;
    let mut closed = false;
    for _ in 0..10 {
        if next(&mut big).await?["type"] == "close" {
            closed = true;
            break;
        }
    }
    assert!(closed, "oversize frame did not close the socket");
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await?.status,
        200
    );
    // Logging out ends the socket at its next refresh.
    app.call(Method::POST, "/api/v1/auth/logout", Some(&op), None)
        .await?;
    let ended = until(&mut s, "error", |f| f["code"] == "unauthorized").await?;
    assert_eq!(ended["code"], "unauthorized");
    assert_eq!(next(&mut s).await?["code"], 4401);
    Ok(())
}

/// A citizen on /ws/chat and an operator on /ws/operator talk in real time; typing crosses both
/// ways; a body officer cannot follow a conversation outside their body.
async fn conversation_both_ways(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let body = app.body("Body").await?;
    let (_, officer) = app.staff("officer", "body_officer", Some(body)).await?;
    let url = format!("{}/ws/chat", app.base.replacen("http://", "ws://", 1));
    let (mut citizen, _) = tokio_tungstenite::connect_async(url).await?;
    send(
        &mut citizen,
        json!({"type": "hello", "v": 1, "language": "kk"}),
    )
    .await?;
    until(&mut citizen, "welcome", |_| true).await?;
    send(
        &mut citizen,
        json!({"type": "message", "client_id": uuid::Uuid::now_v7(), "body": "Сәлем"}),
    )
    .await?;
    until(&mut citizen, "ack", |_| true).await?;
    // The first message began the appeal; the welcome after its ack names it.
    let welcome = until(&mut citizen, "welcome", |_| true).await?;
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();

    let (mut s, _) = hello(&app, &op).await?;
    send(
        &mut s,
        json!({"type": "open", "appeal_id": appeal, "last_seq": 0}),
    )
    .await?;
    let first = until(&mut s, "message", |f| f["seq"] == 1).await?;
    assert_eq!(
        (first["author"].clone(), first["body"].clone()),
        (json!("client"), json!("Сәлем"))
    );
    // The citizen types and writes; the operator sees both live.
    send(&mut citizen, json!({"type": "typing"})).await?;
    until(&mut s, "typing", |f| f["appeal_id"] == appeal.as_str()).await?;
    send(
        &mut citizen,
        json!({"type": "message", "client_id": uuid::Uuid::now_v7(), "body": "Анықтама керек"}),
    )
    .await?;
    until(&mut s, "message", |f| f["seq"] == 2).await?;
    // The operator replies over the socket: stored, acknowledged, delivered.
    let cid = uuid::Uuid::now_v7();
    send(&mut s, json!({"type": "typing", "appeal_id": appeal})).await?;
    until(&mut citizen, "typing", |_| true).await?;
    send(&mut s, json!({"type": "message", "appeal_id": appeal, "client_id": cid, "body": "Қазір көмектесемін"})).await?;
    let ack = until(&mut s, "ack", |f| f["client_id"] == cid.to_string()).await?;
    assert_eq!(ack["seq"], 3);
    let heard = until(&mut citizen, "message", |f| f["seq"] == 3).await?;
    assert_eq!(heard["author"], "operator");
    // A resend with the same client id stores nothing new.
    send(&mut s, json!({"type": "message", "appeal_id": appeal, "client_id": cid, "body": "Қазір көмектесемін"})).await?;
    let again = until(&mut s, "ack", |f| f["client_id"] == cid.to_string()).await?;
    assert_eq!(again["seq"], 3);
    // Bad frames and scope.
    send(&mut s, json!({"type": "message", "appeal_id": appeal, "client_id": uuid::Uuid::now_v7(), "body": " "})).await?;
    until(&mut s, "error", |f| f["code"] == "empty").await?;
    send(
        &mut s,
        json!({"type": "open", "appeal_id": uuid::Uuid::now_v7()}),
    )
    .await?;
    until(&mut s, "error", |f| f["code"] == "not_found").await?;
    let (mut o, _) = hello(&app, &officer).await?;
    send(&mut o, json!({"type": "open", "appeal_id": appeal})).await?;
    until(&mut o, "error", |f| f["code"] == "not_found").await?;
    send(&mut o, json!({"type": "message", "appeal_id": appeal, "client_id": uuid::Uuid::now_v7(), "body": "x"})).await?;
    until(&mut o, "error", |f| f["code"] == "not_found").await?;
    // Reopening from the last seq seen replays only what came after.
    let (mut s2, _) = hello(&app, &op).await?;
    send(
        &mut s2,
        json!({"type": "open", "appeal_id": appeal, "last_seq": 2}),
    )
    .await?;
    let replay = until(&mut s2, "message", |_| true).await?;
    assert_eq!(replay["seq"], 3);
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    assert_eq!(d.body["appeal"]["last_seq"], 3);
    Ok(())
}
