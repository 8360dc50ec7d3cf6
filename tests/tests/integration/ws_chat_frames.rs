//! The web chat beyond text: identification in `hello`, what the citizen is told when staff act
//! (assignment, transfer, close) as replayable entries, read receipts both ways, writing again
//! after a close, the queue-status period (R12.2), and the flood limits per visitor and per
//! address (web-chat issue, points 1, 4 and 9).

use std::time::Duration;

use baylanys_api::limits::ChatConfig;
use baylanys_api::ApiConfig;
use baylanys_tests::{both, eventually, Backend, TestApp, TEST_COST};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

use crate::http_dispatch::{offers, online};
use crate::ws_operator::{next, send, Socket};

both!(staff_actions_reach_the_citizen);

pub async fn chat_from(app: &TestApp, ip: Option<&str>) -> anyhow::Result<Socket> {
    let url = format!("{}/ws/chat", app.base.replacen("http://", "ws://", 1));
    let mut req = url.into_client_request()?;
    if let Some(ip) = ip {
        req.headers_mut().insert("x-forwarded-for", ip.parse()?);
    }
    Ok(tokio_tungstenite::connect_async(req).await?.0)
}

/// The next frame of `kind`, skipping queue status and other pushes.
pub async fn until(socket: &mut Socket, kind: &str) -> anyhow::Result<Value> {
    for _ in 0..60 {
        let f =
            anyhow::Context::with_context(next(socket).await, || format!("waiting for {kind}"))?;
        if f["type"] == kind {
            return Ok(f);
        }
        // A socket close (no `seq`), not the conversation's `close` entry.
        anyhow::ensure!(
            !(f["type"] == "close" && f["seq"].is_null()),
            "closed while waiting for {kind}: {f}"
        );
    }
    anyhow::bail!("no {kind}")
}

pub async fn say(socket: &mut Socket, body: &str) -> anyhow::Result<Value> {
    send(
        socket,
        json!({"type": "message", "client_id": Uuid::now_v7(), "body": body}),
    )
    .await?;
    until(socket, "ack").await
}

/// The first message of a new conversation, which begins its appeal (issue "Trustworthy in
/// the field", point 7): its `ack`, then the `welcome` naming the appeal, its number and the
/// token.
pub async fn first(socket: &mut Socket, body: &str) -> anyhow::Result<(Value, Value)> {
    send(
        socket,
        json!({"type": "message", "client_id": Uuid::now_v7(), "body": body}),
    )
    .await?;
    let ack = until(socket, "ack").await?;
    let welcome = until(socket, "welcome").await?;
    anyhow::ensure!(welcome["appeal_id"].is_string(), "{welcome}");
    Ok((ack, welcome))
}

/// Waits until the contact is offered to `token` and takes it.
pub(crate) async fn take(app: &TestApp, token: &str) -> anyhow::Result<String> {
    let id = eventually("an offer", || async {
        Ok(offers(app, token)
            .await?
            .first()
            .and_then(|o| o["id"].as_str().map(str::to_owned)))
    })
    .await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{id}/accept"),
            token,
            json!({}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "accept: {}", r.text);
    Ok(id)
}

async fn staff_actions_reach_the_citizen(app: TestApp) -> anyhow::Result<()> {
    let main = app.open_queue("main", "Main").await?;
    let second = app.open_queue("second", "Second line").await?;
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": main}),
    )
    .await?;
    let (_, op) = online(&app, "aigerim", "operator", json!(["kk", "ru"]), 3).await?;

    // A wrong IIN check digit is refused before anything is stored.
    let before = app.event_count().await?;
    let mut bad = chat_from(&app, None).await?;
    send(
        &mut bad,
        json!({"type": "hello", "v": 1, "language": "kk", "iin": "900101300008"}),
    )
    .await?;
    let f = next(&mut bad).await?;
    assert_eq!(f["code"], "invalid_frame", "{f}");
    let f = next(&mut bad).await?;
    assert_eq!(
        (f["type"].as_str(), f["code"].as_u64()),
        (Some("close"), Some(1008))
    );
    send(&mut bad, json!({"type": "hello", "v": 1, "phone": "12"}))
        .await
        .ok();
    assert_eq!(
        app.event_count().await?,
        before,
        "a refused hello stores nothing"
    );

    // Identification lands on the client card as claims, not as the record's identifiers (R11,
    // issue "Trustworthy in the field", point 8): normalised, unverified.
    let mut s = chat_from(&app, None).await?;
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "language": "kk", "name": "Айжан",
               "phone": "+7 701 123-45-67", "email": "Aizhan@Example.kz", "iin": "900101300007"}),
    )
    .await?;
    until(&mut s, "welcome").await?;
    let (_, welcome) = first(&mut s, "Сәлеметсіз бе").await?;
    assert_eq!(welcome["read_seq"], 0);
    let token = welcome["token"].as_str().unwrap_or_default().to_owned();
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    assert_eq!(d.body["client"]["name"], "Айжан");
    assert_eq!(d.body["client"]["iin"], Value::Null, "a claim, not on file");
    assert_eq!(d.body["client"]["identities"], json!([]));
    let claims: Vec<(String, String)> = d.body["client"]["claims"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or_default().to_owned(),
                c["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        claims,
        [
            ("iin".to_owned(), "900101300007".to_owned()),
            ("phone".to_owned(), "+77011234567".to_owned()),
            ("email".to_owned(), "aizhan@example.kz".to_owned())
        ]
    );

    // The operator takes it: the citizen is told who answers, in Kazakh, and the appeal is in
    // progress (it used to stay "new" through the whole conversation, issue 14).
    let contact = take(&app, &op).await?;
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    assert_eq!(
        d.body["appeal"]["status"], "in_progress",
        "{}",
        d.body["appeal"]
    );
    let a = until(&mut s, "assignment").await?;
    assert_eq!(a["operator"], "aigerim");
    assert!(
        a["text"]
            .as_str()
            .is_some_and(|t| t.contains("оператор aigerim")),
        "{a}"
    );
    assert_eq!(a["seq"], 2);

    // Read receipts both ways.
    let url = format!("{}/ws/operator", app.base.replacen("http://", "ws://", 1));
    let (mut o, _) = tokio_tungstenite::connect_async(url).await?;
    send(&mut o, json!({"type": "hello", "v": 1, "token": op})).await?;
    send(&mut o, json!({"type": "open", "appeal_id": appeal})).await?;
    let mark = until(&mut o, "read").await?;
    assert_eq!(mark["seq"], 0, "the citizen has read nothing yet");
    send(
        &mut o,
        json!({"type": "read", "appeal_id": appeal, "seq": 2}),
    )
    .await?;
    assert_eq!(until(&mut s, "read").await?["seq"], 2);
    send(&mut s, json!({"type": "read", "seq": 2})).await?;
    let mark = until(&mut o, "read").await?;
    assert_eq!(
        (mark["appeal_id"].as_str(), mark["seq"].as_i64()),
        (Some(appeal.as_str()), Some(2))
    );
    // A mark never moves back, and one beyond the conversation is refused.
    send(&mut s, json!({"type": "read", "seq": 1})).await?;
    send(&mut s, json!({"type": "read", "seq": 99})).await?;
    let e = until(&mut s, "error").await?;
    assert_eq!(e["code"], "invalid_frame");
    send(
        &mut o,
        json!({"type": "read", "appeal_id": Uuid::now_v7(), "seq": 1}),
    )
    .await?;
    assert_eq!(until(&mut o, "error").await?["code"], "not_following");

    // A transfer is told, then the queue status comes again.
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/transfer"),
            &op,
            json!({"to_queue": second, "reason": "екінші желі"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = until(&mut s, "transfer").await?;
    assert!(
        t["text"]
            .as_str()
            .is_some_and(|x| x.contains("басқа маманға")),
        "{t}"
    );
    until(&mut s, "queue_status").await?;

    // Taken on the second line — not offered straight back to the operator who passed it on —
    // and ended: the citizen is told once that the conversation ended.
    let (_, second_line) = online(&app, "dana", "operator", json!(["kk", "ru"]), 3).await?;
    let contact = take(&app, &second_line).await?;
    until(&mut s, "assignment").await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/end"),
            &second_line,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put(
            "/api/v1/auth/me/presence",
            &second_line,
            json!({"presence": "offline"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = until(&mut s, "close").await?;
    let number = welcome["number"].as_str().unwrap_or_default();
    assert!(
        c["text"].as_str().is_some_and(|x| x.contains(number)),
        "{c}"
    );

    // Writing again after the end puts the same appeal back in the queue.
    say(&mut s, "Тағы бір сұрақ").await?;
    take(&app, &op).await?;
    until(&mut s, "assignment").await?;

    // Closing the appeal tells the client once; writing then starts a new appeal.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            app.admin(),
            json!({"status": "closed", "resolution": "анықтама берілді"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    until(&mut s, "close").await?;
    send(
        &mut s,
        json!({"type": "message", "client_id": Uuid::now_v7(), "body": "Жаңа сұрақ"}),
    )
    .await?;
    let ack = until(&mut s, "ack").await?;
    assert_eq!(ack["seq"], 1);
    let fresh = until(&mut s, "welcome").await?;
    assert_ne!(fresh["appeal_id"], appeal.as_str());
    assert_eq!(fresh["token"], token.as_str());

    // Every entry of the old conversation replays in order from the store, notices included.
    let events: Vec<(i64, String)> = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["message"].is_object())
        .map(|e| &e["message"])
        .map(|m| {
            (
                m["seq"].as_i64().unwrap_or(0),
                m["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let kinds: Vec<&str> = events.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "assignment",
            "transfer",
            "assignment",
            "close",
            "text",
            "assignment",
            "close",
            "survey"
        ],
        "{events:?}"
    );
    let seqs: Vec<i64> = events.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=9).collect::<Vec<_>>());
    Ok(())
}

fn limited(chat: ChatConfig) -> ApiConfig {
    ApiConfig {
        hash_cost: TEST_COST,
        chat,
        ..ApiConfig::default()
    }
}

async fn hello_from(app: &TestApp, ip: &str) -> anyhow::Result<(Socket, Value)> {
    let mut s = chat_from(app, Some(ip)).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "language": "ru"})).await?;
    let f = next(&mut s).await?;
    Ok((s, f))
}

/// Messages past a visitor's or an address's limit are refused and not stored; sockets and
/// new conversations past the address's limit are refused with 1008; other addresses are not
/// affected. The address is the one the trusted proxy (here the loopback peer) reports.
#[tokio::test]
async fn flood_limits_per_visitor_and_address() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        limited(ChatConfig {
            visitor_messages_per_minute: 3,
            ip_messages_per_minute: 5,
            ip_sockets: 3,
            ip_conversations_per_hour: 3,
            trusted_proxies: vec!["127.0.0.1".parse().map_err(anyhow::Error::msg)?],
            ..ChatConfig::default()
        }),
    )
    .await?;
    let (mut a, w) = hello_from(&app, "198.51.100.7").await?;
    assert_eq!(w["type"], "welcome", "{w}");
    let mut appeal_a = String::new();
    let mut codes = Vec::new();
    for i in 0..4 {
        send(
            &mut a,
            json!({"type": "message", "client_id": Uuid::now_v7(), "body": format!("{i}")}),
        )
        .await?;
        let f = loop {
            let f = next(&mut a).await?;
            if let Some(id) = f["appeal_id"].as_str() {
                // The welcome after the first message's ack names the appeal.
                appeal_a = id.to_owned();
            }
            if f["type"] == "ack" || f["type"] == "error" {
                break f;
            }
        };
        codes.push(f["code"].as_str().unwrap_or("ack").to_owned());
    }
    assert_eq!(
        codes,
        ["ack", "ack", "ack", "rate_limited"],
        "3 a minute per visitor"
    );
    // A second visitor behind the same address has 2 left of the address's 5.
    let (mut b, w) = hello_from(&app, "198.51.100.7").await?;
    assert_eq!(w["type"], "welcome");
    let mut codes = Vec::new();
    for i in 0..3 {
        send(
            &mut b,
            json!({"type": "message", "client_id": Uuid::now_v7(), "body": format!("{i}")}),
        )
        .await?;
        let f = loop {
            let f = next(&mut b).await?;
            if f["type"] == "ack" || f["type"] == "error" {
                break f;
            }
        };
        codes.push(f["code"].as_str().unwrap_or("ack").to_owned());
    }
    assert_eq!(
        codes,
        ["ack", "ack", "rate_limited"],
        "5 a minute per address"
    );
    let d = app
        .get(&format!("/api/v1/appeals/{appeal_a}"), app.admin())
        .await?;
    assert_eq!(
        d.body["appeal"]["last_seq"], 3,
        "refused messages are not stored"
    );

    // A third socket is allowed, a fourth is not; another address is unaffected.
    let (_c, w) = hello_from(&app, "198.51.100.7").await?;
    assert_eq!(w["type"], "welcome");
    let mut d4 = chat_from(&app, Some("198.51.100.7")).await?;
    let f = next(&mut d4).await?;
    assert_eq!(f["code"], "rate_limited", "{f}");
    assert_eq!(next(&mut d4).await?["code"], 1008);
    let (_e, w) = hello_from(&app, "203.0.113.9").await?;
    assert_eq!(w["type"], "welcome", "another address is not limited");
    // New conversations are counted by their first message, not by page loads: three an hour
    // from an address (another one, with messages to spare).
    let mut open = Vec::new();
    for i in 0..3 {
        let (mut s, w) = hello_from(&app, "192.0.2.50").await?;
        assert_eq!(w["type"], "welcome", "{w}");
        first(&mut s, &format!("сұрақ {i}")).await?;
        open.push(s);
    }
    // A socket closed frees its place; a page load is still no conversation.
    drop(open.pop());
    let appeals_before = app.get("/api/v1/appeals?limit=50", app.admin()).await?.body["items"]
        .as_array()
        .map_or(0, Vec::len);
    let mut refused = None;
    for _ in 0..50 {
        let (mut s, w) = hello_from(&app, "192.0.2.50").await?;
        if w["type"] != "welcome" {
            // The closed socket's slot may not be released yet.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        send(
            &mut s,
            json!({"type": "message", "client_id": Uuid::now_v7(), "body": "төртінші"}),
        )
        .await?;
        refused = Some(loop {
            let f = next(&mut s).await?;
            if f["type"] == "ack" || f["type"] == "error" {
                break f;
            }
        });
        break;
    }
    let f = refused.ok_or_else(|| anyhow::anyhow!("no socket for the fourth conversation"))?;
    assert_eq!(f["code"], "rate_limited", "{f}");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("conversations")),
        "{f}"
    );
    let appeals_after = app.get("/api/v1/appeals?limit=50", app.admin()).await?.body["items"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        appeals_before, appeals_after,
        "no appeal for a refused conversation"
    );
    Ok(())
}

/// R12.2: with the period set to one second, a waiting citizen hears the queue status again
/// and again, each time saying that waiting is free.
#[tokio::test]
async fn queue_status_follows_the_configured_period() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        limited(ChatConfig {
            queue_status_every: Duration::from_secs(1),
            ..ChatConfig::default()
        }),
    )
    .await?;
    app.default_queue().await?;
    let (mut s, w) = hello_from(&app, "192.0.2.1").await?;
    assert_eq!(w["type"], "welcome");
    first(&mut s, "Вопрос").await?;
    let mut statuses = 0;
    while statuses < 3 {
        let f = until(&mut s, "queue_status").await?;
        assert!(
            f["text"]
                .as_str()
                .is_some_and(|t| t.contains("Ожидание бесплатное")),
            "{f}"
        );
        statuses += 1;
    }
    Ok(())
}

both!(resume_after_injected_disconnects);

/// Twenty times the citizen's connection drops — sometimes before an ack arrives — while an
/// operator keeps writing. The widget's rule (resend what was not acknowledged, resume from the
/// last `seq` seen) ends with every entry seen exactly once, in order, and every citizen
/// message stored exactly once (web-chat issue, point 3).
async fn resume_after_injected_disconnects(app: TestApp) -> anyhow::Result<()> {
    let mut s = chat_from(&app, None).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "language": "kk"})).await?;
    until(&mut s, "welcome").await?;
    let (_, welcome) = first(&mut s, "хабар бастау").await?;
    let token = welcome["token"].as_str().unwrap_or_default().to_owned();
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    let mut seen: Vec<i64> = Vec::new();
    let mut pending: Vec<(Uuid, String)> = Vec::new();
    let mut sent_bodies = vec!["хабар бастау".to_owned()];
    for round in 0..20u32 {
        // The operator writes while the citizen may be away.
        app.post(
            &format!("/api/v1/appeals/{appeal}/messages"),
            app.admin(),
            json!({"body": format!("жауап {round}")}),
        )
        .await?;
        // Reconnect from the last seq seen; resend what was never acknowledged.
        let last = seen.last().copied().unwrap_or(0);
        let mut s = chat_from(&app, None).await?;
        send(
            &mut s,
            json!({"type": "hello", "v": 1, "token": token, "last_seq": last}),
        )
        .await?;
        let body = format!("хабар {round}");
        let id = Uuid::now_v7();
        pending.push((id, body.clone()));
        sent_bodies.push(body);
        for (id, body) in &pending {
            send(
                &mut s,
                json!({"type": "message", "client_id": id, "body": body}),
            )
            .await?;
        }
        // Read a few frames, then drop the connection without waiting for the rest (on odd
        // rounds right after sending, so the ack may be lost).
        let reads = if round % 2 == 1 { 1 } else { 6 };
        for _ in 0..reads {
            let Ok(Ok(f)) = tokio::time::timeout(Duration::from_millis(300), next(&mut s)).await
            else {
                break;
            };
            match f["type"].as_str() {
                Some("message") => {
                    if let Some(seq) = f["seq"].as_i64() {
                        seen.push(seq);
                    }
                }
                Some("ack") => {
                    pending.retain(|(id, _)| f["client_id"] != id.to_string());
                }
                _ => {}
            }
        }
        drop(s);
    }
    // A last, patient connection collects everything left.
    let last = seen.last().copied().unwrap_or(0);
    let mut s = chat_from(&app, None).await?;
    send(
        &mut s,
        json!({"type": "hello", "v": 1, "token": token, "last_seq": last}),
    )
    .await?;
    for (id, body) in &pending {
        send(
            &mut s,
            json!({"type": "message", "client_id": id, "body": body}),
        )
        .await?;
    }
    while !pending.is_empty() {
        let f = next(&mut s).await?;
        match f["type"].as_str() {
            Some("message") => seen.extend(f["seq"].as_i64()),
            Some("ack") => pending.retain(|(id, _)| f["client_id"] != id.to_string()),
            _ => {}
        }
    }
    let total = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body["appeal"]["last_seq"]
        .as_i64()
        .unwrap_or(0);
    while seen.last().copied().unwrap_or(0) < total {
        let f = next(&mut s).await?;
        if f["type"] == "message" {
            if let Some(seq) = f["seq"].as_i64() {
                seen.push(seq);
            }
        }
    }
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "no gap, no duplicate, in order"
    );
    // 20 operator replies and 21 citizen messages, each stored once.
    assert_eq!(total, 41);
    let timeline = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body["timeline"]
        .clone();
    let mut stored: Vec<String> = timeline
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["message"]["author"] == "client")
        .filter_map(|e| e["message"]["body"].as_str().map(str::to_owned))
        .collect();
    stored.sort();
    sent_bodies.sort();
    assert_eq!(stored, sent_bodies);
    Ok(())
}
