//! Hostile input found by trying the running service from outside (issue "Trustworthy in the
//! field", points 12–18): each case is refused with a clear answer and changes nothing, on both
//! backends — made-up HTTP methods do not grow `/metrics`, junk logins neither lock a real
//! operator out nor switch the lockout off, a control character is `invalid-text` everywhere
//! (PostgreSQL would answer 500 to a NUL), an over-long socket frame closes with 1009, a bad
//! hello closes with a close frame, every response says `nosniff` and sends no referrer, an
//! array is not an object, a page size past the documented maximum is refused, and
//! `X-Forwarded-For` names nobody until a proxy is configured.

use std::time::Duration;

use baylanys_api::limits::ChatConfig;
use baylanys_api::ApiConfig;
use baylanys_tests::{both, Backend, Reply, TestApp, TEST_COST};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::ws_chat_frames::chat_from;
use crate::ws_operator::connect;

both!(control_characters_are_refused_alike, shapes_and_bounds);

fn assert_problem(r: &Reply, status: StatusCode, kind: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.problem(), format!("/problems/{kind}"), "{}", r.text);
}

/// Points 14: a NUL or another control character in a body, a query or a path is 422
/// `invalid-text` before anything is read or written — the login included — and nothing
/// changes. Tab and line breaks stay allowed.
async fn control_characters_are_refused_alike(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({"name": "Бар"})).await?;
    let appeal = app.appeal(&op, client, "мәтін").await?;
    let before = app.event_count().await?;
    let login = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"login": "ad\u{0}min", "password": "x"})),
        )
        .await?;
    assert_problem(&login, StatusCode::UNPROCESSABLE_ENTITY, "invalid-text");
    for body in [
        "a\u{0}b",
        "escape \u{1b}[31m",
        "bell\u{7}",
        "del\u{7f}",
        "c1\u{85}",
    ] {
        let r = app
            .post(
                &format!("/api/v1/appeals/{appeal}/messages"),
                &op,
                json!({ "body": body }),
            )
            .await?;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-text");
    }
    let r = app
        .post("/api/v1/clients", &op, json!({"name": "Ай\u{0}гүл"}))
        .await?;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-text");
    for path in [
        "/api/v1/clients?name=ad%00min",
        "/api/v1/appeals?status=new%1b",
        "/api/v1/clients/%00",
    ] {
        let r = app.get(path, &op).await?;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-text");
    }
    assert_eq!(app.event_count().await?, before, "nothing changed");
    // Tab and line breaks are text.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/messages"),
            &op,
            json!({ "body": "бірінші жол\r\nекінші\tжол" }),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    Ok(())
}

/// Points 16 and 17: an array where an object is expected is `invalid-shape` and creates
/// nothing (serde would read a struct from an array of its fields); a list endpoint still takes
/// its list; a page size past the maximum is refused; every response carries `nosniff` and
/// `no-referrer`, errors and pages alike.
async fn shapes_and_bounds(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let before = app.event_count().await?;
    let r = app
        .raw(
            Method::POST,
            "/api/v1/clients",
            Some(&op),
            "application/json",
            br#"["x"]"#.to_vec(),
        )
        .await?;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-shape");
    let r = app
        .raw(
            Method::POST,
            "/api/v1/clients",
            Some(&op),
            "application/json",
            b"\"x\"".to_vec(),
        )
        .await?;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-shape");
    assert_eq!(app.event_count().await?, before, "nothing created");
    // The overflow rules of a queue are a list, and stay one.
    let queue = app.default_queue().await?;
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/queues/{queue}/overflow"),
            Some(app.admin()),
            Some(&json!([])),
        )
        .await?;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);

    for path in [
        "/api/v1/appeals?limit=501",
        "/api/v1/appeals?limit=0",
        "/api/v1/deliveries?limit=100000",
    ] {
        let r = app.get(path, app.admin()).await?;
        assert_problem(&r, StatusCode::BAD_REQUEST, "invalid-query");
    }
    let r = app.get("/api/v1/appeals?limit=500", &op).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    for path in ["/healthz", "/console", "/api/v1/appeals", "/no/such/page"] {
        let res = app.http.get(format!("{}{path}", app.base)).send().await?;
        let h = res.headers();
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert_eq!(
            h.get("referrer-policy").map(|v| v.as_bytes()),
            Some(&b"no-referrer"[..]),
            "{path}"
        );
    }
    Ok(())
}

/// Point 12: 300 requests with made-up methods grow `/metrics` by one series at most.
#[tokio::test]
async fn made_up_methods_do_not_grow_metrics() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let size = || async {
        let text = app
            .http
            .get(format!("{}/metrics", app.base))
            .send()
            .await?
            .text()
            .await?;
        anyhow::Ok(text)
    };
    // Reading /metrics is a request too: its own series exists from here on.
    size().await?;
    for i in 0..300 {
        let m = Method::from_bytes(format!("JUNK{i}").as_bytes())?;
        app.http
            .request(m, format!("{}/healthz", app.base))
            .send()
            .await?;
    }
    let first = size().await?;
    assert!(!first.contains("JUNK"), "a made-up method became a label");
    assert!(first.contains("method=\"other\""), "{first}");
    for i in 300..600 {
        let m = Method::from_bytes(format!("JUNK{i}").as_bytes())?;
        app.http
            .request(m, format!("{}/healthz", app.base))
            .send()
            .await?;
    }
    let second = size().await?;
    assert_eq!(
        first.lines().count(),
        second.lines().count(),
        "the same series, only their counts grew"
    );
    Ok(())
}

fn behind_proxy() -> ApiConfig {
    ApiConfig {
        hash_cost: TEST_COST,
        chat: ChatConfig {
            trusted_proxies: vec!["127.0.0.1"
                .parse()
                .unwrap_or_else(|e: String| panic!("{e}"))],
            ..ChatConfig::default()
        },
        ..ApiConfig::default()
    }
}

async fn login_from(app: &TestApp, from: &str, login: &str, password: &str) -> anyhow::Result<u16> {
    Ok(app
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-for", from)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await?
        .status()
        .as_u16())
}

/// Point 13: five wrong passwords from one address lock that login there only — the operator
/// logs in from their own desk — while an address spraying made-up logins is locked for all of
/// them, admin included.
#[tokio::test]
async fn a_stranger_cannot_lock_an_operator_out() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(Backend::Sqlite, behind_proxy()).await?;
    app.staff("aigerim", "operator", None).await?;
    let stranger = "203.0.113.9";
    for _ in 0..5 {
        assert_eq!(login_from(&app, stranger, "aigerim", "guess").await?, 401);
    }
    assert_eq!(
        login_from(&app, stranger, "aigerim", "aigerim-password").await?,
        429
    );
    assert_eq!(
        login_from(&app, "198.51.100.20", "aigerim", "aigerim-password").await?,
        200,
        "the operator's own desk is not locked"
    );
    let sprayer = "203.0.113.77";
    for i in 0..50 {
        login_from(&app, sprayer, &format!("junk{i}"), "x").await?;
    }
    assert_eq!(login_from(&app, sprayer, "admin", "anything").await?, 429);
    Ok(())
}

/// Point 18: without a configured proxy, `X-Forwarded-For` is the client's word and names
/// nobody: a guesser cannot step around the lock by changing it.
#[tokio::test]
async fn forwarded_for_is_not_believed_by_default() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.staff("aigerim", "operator", None).await?;
    for i in 0..5 {
        login_from(&app, &format!("203.0.113.{i}"), "aigerim", "guess").await?;
    }
    assert_eq!(
        login_from(&app, "203.0.113.99", "aigerim", "guess").await?,
        429,
        "a new header is the same address"
    );
    Ok(())
}

/// The close frame that ends a socket, skipping frames before it.
async fn close_code(socket: &mut crate::ws_operator::Socket) -> anyhow::Result<Option<u16>> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), socket.next()).await?;
        match msg {
            Some(Ok(Message::Close(frame))) => return Ok(frame.map(|f| u16::from(f.code))),
            Some(Ok(_)) => continue,
            other => anyhow::bail!("the socket ended without a close frame: {other:?}"),
        }
    }
}

/// Point 15: a frame over the 64 KiB limit closes the socket with 1009 (chat and operator), and
/// a failed hello closes with a close frame, not a dropped connection.
#[tokio::test]
async fn sockets_close_with_a_reason() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let big = "я".repeat(40 * 1024);
    let mut chat = chat_from(&app, None).await?;
    chat.send(Message::Text(big.clone().into())).await?;
    assert_eq!(close_code(&mut chat).await?, Some(1009));
    let mut op = connect(&app.base).await?;
    op.send(Message::Text(big.into())).await?;
    assert_eq!(close_code(&mut op).await?, Some(1009));
    let mut chat = chat_from(&app, None).await?;
    chat.send(Message::Text(
        json!({"type": "message", "body": "сәлем"})
            .to_string()
            .into(),
    ))
    .await?;
    assert_eq!(close_code(&mut chat).await?, Some(1008));
    let mut chat = chat_from(&app, None).await?;
    chat.send(Message::Text("{not json".into())).await?;
    assert_eq!(close_code(&mut chat).await?, Some(1008));
    Ok(())
}
