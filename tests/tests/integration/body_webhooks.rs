//! Delivery to bodies and their signed webhook API (clause 3.8, R30), and the fallback of client
//! notices (R6), through the outbox:
//! - a redirected appeal reaches a body's system by a signed webhook; the endpoint fails twice
//!   and the third attempt delivers it, every attempt with the same id and a valid signature;
//! - the body's system accepts and answers by signed calls; a tampered, stale, unsigned,
//!   wrongly keyed or replayed call is refused and changes nothing, and so is a call about an
//!   appeal of another body;
//! - a body that takes appeals by e-mail gets the letter through a real SMTP server;
//! - a notice whose e-mail cannot be delivered falls back to SMS, both visible on the timeline.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use baylanys_api::Delivery;
use baylanys_channels::{webhook, Mailer, SmsGateway};
use baylanys_tests::{both, eventually, Backend, TestApp};
use serde_json::{json, Value};

use crate::verification::{body_text, gateway, wait_for_mail, SmtpSink, SID, TOKEN};

both!(body_webhooks_both_ways);

/// A body's system: checks each call's signature with the shared secret as the Standard
/// Webhooks receiver does, answers 503 to the first `fail` calls and records all of them.
#[derive(Clone, Default)]
struct BodySystem {
    secret: Arc<Mutex<String>>,
    fail: Arc<Mutex<u32>>,
    calls: Arc<Mutex<Vec<(String, bool, Value)>>>,
}

async fn receive(State(b): State<BodySystem>, headers: HeaderMap, raw: Bytes) -> StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let secret = b.secret.lock().map(|s| s.clone()).unwrap_or_default();
    let valid = webhook::verify(
        &secret,
        &h("webhook-id"),
        &h("webhook-timestamp"),
        &h("webhook-signature"),
        &raw,
        chrono::Utc::now().timestamp(),
    )
    .is_ok();
    let doc: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    if let Ok(mut c) = b.calls.lock() {
        c.push((h("webhook-id"), valid, doc));
    }
    if let Ok(mut f) = b.fail.lock() {
        if *f > 0 {
            *f -= 1;
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    if valid {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::UNAUTHORIZED
    }
}

async fn body_system() -> anyhow::Result<(String, BodySystem)> {
    let b = BodySystem::default();
    let app = axum::Router::new()
        .route("/baylanys", axum::routing::post(receive))
        .with_state(b.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/baylanys", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, b))
}

/// Posts a call of the body's system with explicit headers.
async fn call(
    app: &TestApp,
    body: &str,
    headers: &[(&str, String)],
    payload: &str,
) -> anyhow::Result<(u16, Value)> {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/webhooks/bodies/{body}", app.base))
        .header("content-type", "application/json")
        .body(payload.to_owned());
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let r = req.send().await?;
    let status = r.status().as_u16();
    let text = r.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

type Headers = Vec<(&'static str, String)>;

fn signed(secret: &str, id: &str, at: i64, payload: &str) -> anyhow::Result<Headers> {
    Ok(vec![
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", at.to_string()),
        (
            "webhook-signature",
            webhook::sign(secret, id, at, payload.as_bytes())
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
    ])
}

async fn status_of(app: &TestApp, appeal: &str) -> anyhow::Result<String> {
    let r = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    Ok(r.body["appeal"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn body_webhooks_both_ways(app: TestApp) -> anyhow::Result<()> {
    let (url, system) = body_system().await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let r = app
        .post(
            "/api/v1/bodies",
            app.admin(),
            json!({"name_kk": "Цифрлық даму министрлігі", "name_ru": "Министерство цифрового развития",
                   "delivery_method": "webhook", "delivery_address": url}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.id().to_string();
    // Only an admin issues the secret; it is shown once, with the endpoint to call.
    let r = app
        .post(
            &format!("/api/v1/bodies/{body}/webhook-secret"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/bodies/{body}/webhook-secret"),
            app.admin(),
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap_or_default().to_owned();
    assert!(secret.starts_with("whsec_"), "{}", r.text);
    assert!(
        r.body["endpoint"]
            .as_str()
            .is_some_and(|e| e.ends_with(&format!("/api/v1/webhooks/bodies/{body}"))),
        "{}",
        r.text
    );
    if let Ok(mut s) = system.secret.lock() {
        *s = secret.clone();
    }
    if let Ok(mut f) = system.fail.lock() {
        *f = 2;
    }

    // Redirected: the outbox posts it; the endpoint fails twice, the third attempt lands.
    let client = app
        .client(&op, json!({"name": "Ерлан Сейітов", "iin": "900101300007"}))
        .await?;
    let appeal = app
        .appeal(&op, client, "eGov порталында ЭЦҚ жұмыс істемейді")
        .await?
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirect"),
            &op,
            json!({"body_id": body, "reason": "ЭЦҚ мәселесі министрліктің құзыретінде"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let delivery = eventually("the webhook delivered", || async {
        let r = app
            .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
            .await?;
        Ok(r.body["deliveries"]
            .as_array()
            .and_then(|d| d.first().cloned())
            .filter(|d| d["state"] == "sent"))
    })
    .await?;
    assert_eq!(delivery["attempts"], 3, "{delivery}");
    assert_eq!(delivery["recipient"], "body");
    assert_eq!(delivery["method"], "webhook");
    let calls = system.calls.lock().map(|c| c.clone()).unwrap_or_default();
    assert_eq!(calls.len(), 3);
    assert!(
        calls.iter().all(|(_, valid, _)| *valid),
        "every attempt is signed"
    );
    assert!(
        calls.iter().all(|(id, _, _)| *id == calls[0].0),
        "one id across retries, so the body can deduplicate"
    );
    let doc = &calls[2].2;
    assert_eq!(doc["type"], "appeal.redirected");
    assert_eq!(doc["appeal"]["id"], appeal.as_str());
    assert_eq!(doc["client"]["name"], "Ерлан Сейітов");
    assert_eq!(
        doc["messages"][0]["text"],
        "eGov порталында ЭЦҚ жұмыс істемейді"
    );
    assert!(
        doc.to_string().find("900101300007").is_none(),
        "no IIN leaves the centre"
    );
    let kinds: Vec<String> = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            e["kind"]
                .as_str()
                .filter(|k| k.starts_with("delivery."))
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        kinds,
        ["delivery.failed", "delivery.failed", "delivery.sent"]
    );

    // The body's system answers. Every bad call first: refused, nothing changes.
    let now = chrono::Utc::now().timestamp();
    let accept = json!({"appeal_id": appeal, "action": "accept"}).to_string();
    let other = app.appeal(&op, client, "басқа сұрақ").await?.to_string();
    let before = app.event_count().await?;
    let tampered = json!({"appeal_id": appeal, "action": "answer", "text": "x"}).to_string();
    let bad: Vec<(&str, Headers, String)> = vec![
        ("unsigned", vec![], accept.clone()),
        ("tampered", signed(&secret, "c1", now, &accept)?, tampered),
        (
            "stale",
            signed(&secret, "c1", now - 3600, &accept)?,
            accept.clone(),
        ),
        (
            "wrong key",
            signed(&webhook::new_secret(), "c1", now, &accept)?,
            accept.clone(),
        ),
        (
            "another id",
            {
                let mut h = signed(&secret, "c1", now, &accept)?;
                h[0].1 = "c2".into();
                h
            },
            accept.clone(),
        ),
    ];
    for (what, headers, payload) in &bad {
        let (status, problem) = call(&app, &body, headers, payload).await?;
        assert_eq!(status, 401, "{what}: {problem}");
        assert_eq!(problem["type"], "/problems/invalid-signature", "{what}");
    }
    // An unknown body looks like a wrong signature.
    let (status, _) = call(
        &app,
        &uuid::Uuid::now_v7().to_string(),
        &signed(&secret, "c1", now, &accept)?,
        &accept,
    )
    .await?;
    assert_eq!(status, 401);
    // Signed but malformed: 422 (and the id stays unused, so it can be corrected).
    let junk = json!({"appeal_id": appeal, "action": "approve"}).to_string();
    let (status, _) = call(&app, &body, &signed(&secret, "c1", now, &junk)?, &junk).await?;
    assert_eq!(status, 422);
    let no_text = json!({"appeal_id": appeal, "action": "return"}).to_string();
    let (status, _) = call(
        &app,
        &body,
        &signed(&secret, "c1", now, &no_text)?,
        &no_text,
    )
    .await?;
    assert_eq!(status, 422);
    // An appeal that is not with this body: 404, as for a portal officer.
    let foreign = json!({"appeal_id": other, "action": "accept"}).to_string();
    let (status, _) = call(
        &app,
        &body,
        &signed(&secret, "c1", now, &foreign)?,
        &foreign,
    )
    .await?;
    assert_eq!(status, 404);
    assert_eq!(
        app.event_count().await?,
        before,
        "no refused call changed anything"
    );
    assert_eq!(status_of(&app, &appeal).await?, "redirected");

    // A valid call: accepted; the same call again is a replay.
    let headers = signed(&secret, "c1", now, &accept)?;
    let (status, v) = call(&app, &body, &headers, &accept).await?;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "in_progress");
    let after_accept = app.event_count().await?;
    let (status, problem) = call(&app, &body, &headers, &accept).await?;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("/problems/replayed"))
    );
    assert_eq!(app.event_count().await?, after_accept);
    // And the answer, which the citizen is told.
    let answer = json!({"appeal_id": appeal, "action": "answer",
                        "text": "ЭЦҚ қайта шығарылды, порталда тексеріңіз."})
    .to_string();
    let (status, v) = call(&app, &body, &signed(&secret, "c2", now, &answer)?, &answer).await?;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "answered");
    assert_eq!(v["resolution"], "ЭЦҚ қайта шығарылды, порталда тексеріңіз.");
    let events = app
        .get("/api/v1/events?kind=body.webhook_received", app.admin())
        .await?;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["data"]["action"].as_str())
        .collect();
    assert_eq!(actions, ["accept", "answer"]);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// A body taking appeals by e-mail gets the letter; a notice whose e-mail fails falls back to
/// SMS (R6), both deliveries on the timeline.
#[tokio::test]
async fn mail_to_bodies_and_notice_fallback() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let (gw_base, gw) = gateway().await?;
    let delivery = Delivery {
        mailer: Some(Arc::new(Mailer::new(
            &format!("smtp://127.0.0.1:{}", sink.port),
            "Байланыс <noreply@baylanys.test>",
        )?)),
        sms: Some(Arc::new(SmsGateway::new(
            &gw_base,
            SID,
            TOKEN,
            "+77000000000",
        )?)),
    };
    let app = TestApp::spawn_delivering(Backend::Sqlite, delivery).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let r = app
        .post(
            "/api/v1/bodies",
            app.admin(),
            json!({"name_kk": "Еңбек министрлігі", "name_ru": "Министерство труда",
                   "delivery_method": "email", "delivery_address": "kense@enbek.example.kz"}),
        )
        .await?;
    let body = r.id();
    let client = app
        .client(
            &op,
            json!({"name": "Гүлнар", "language": "ru", "identities": [
                {"channel": "voice", "address": "+77017654321"}]}),
        )
        .await?;
    let appeal = app.appeal(&op, client, "Когда назначат пособие?").await?;
    // No e-mail on file: the registration notice goes by SMS straight away.
    let sms = eventually("the registration SMS", || async {
        Ok(gw.sent.lock().ok().and_then(|s| s.first().cloned()))
    })
    .await?;
    assert!(
        sms.2.contains("зарегистрировано") || sms.2.contains("№"),
        "{}",
        sms.2
    );
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirect"),
            &op,
            json!({"body_id": body, "reason": "назначение пособий"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let letter = body_text(&wait_for_mail(&sink, 1).await?);
    assert!(letter.contains("Когда назначат пособие?"), "{letter}");
    assert!(letter.contains("назначение пособий"), "{letter}");
    assert!(letter.contains("/console"), "{letter}");
    // The citizen hears of the redirection by SMS too; two deliveries to the client, one to the body.
    let detail = eventually("every delivery sent", || async {
        let r = app
            .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
            .await?;
        let d = r.body["deliveries"].as_array().cloned().unwrap_or_default();
        Ok((d.len() == 3 && d.iter().all(|x| x["state"] == "sent")).then_some(d))
    })
    .await?;
    let methods: Vec<(&str, &str)> = detail
        .iter()
        .map(|d| {
            (
                d["recipient"].as_str().unwrap_or(""),
                d["method"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        methods,
        [("client", "sms"), ("body", "email"), ("client", "sms")]
    );

    // A centre whose mail server is down: the notice's e-mail is tried, retried, given up, and
    // the SMS to the phone on file carries it instead.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let delivery = Delivery {
        mailer: Some(Arc::new(Mailer::new(
            &format!("smtp://127.0.0.1:{closed}"),
            "Байланыс <noreply@baylanys.test>",
        )?)),
        sms: Some(Arc::new(SmsGateway::new(
            &gw_base,
            SID,
            TOKEN,
            "+77000000000",
        )?)),
    };
    let down = TestApp::spawn_delivering(Backend::Sqlite, delivery).await?;
    let (_, op) = down.staff("op", "operator", None).await?;
    let client = down
        .client(
            &op,
            json!({"name": "Дәурен", "language": "kk", "identities": [
                {"channel": "email", "address": "dauren@example.kz"},
                {"channel": "voice", "address": "+77015550000"}]}),
        )
        .await?;
    let appeal = down.appeal(&op, client, "Жәрдемақы қашан?").await?;
    let d = eventually("the SMS fallback sent", || async {
        let r = down
            .get(&format!("/api/v1/appeals/{appeal}"), down.admin())
            .await?;
        let d = r.body["deliveries"].as_array().cloned().unwrap_or_default();
        Ok((d.len() == 2 && d[1]["state"] == "sent").then_some(d))
    })
    .await?;
    assert_eq!(
        (d[0]["method"].as_str(), d[0]["state"].as_str()),
        (Some("email"), Some("failed"))
    );
    assert_eq!(d[0]["attempts"], 3, "tried, retried, then given up");
    assert!(d[0]["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(d[1]["method"], "sms");
    assert_eq!(d[1]["fallback_of"], d[0]["id"]);
    let texts = gw.sent.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(
        texts
            .iter()
            .any(|(to, _, text)| to == "+77015550000" && text.contains("тіркелді")),
        "{texts:?}"
    );
    let fallback = down
        .get("/api/v1/events?kind=delivery.fallback", down.admin())
        .await?;
    assert_eq!(fallback.body["items"].as_array().map(Vec::len), Some(1));
    // Supervisors see the failed one and may try it again.
    let failed = down
        .get("/api/v1/deliveries?state=failed", down.admin())
        .await?;
    assert_eq!(
        failed.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        failed.text
    );
    let id = d[0]["id"].as_str().unwrap_or_default();
    let r = down
        .post(&format!("/api/v1/deliveries/{id}/retry"), &op, json!({}))
        .await?;
    assert_eq!(r.status, 403, "operators do not manage deliveries");
    let r = down
        .post(
            &format!("/api/v1/deliveries/{id}/retry"),
            down.admin(),
            json!({}),
        )
        .await?;
    assert_eq!(
        (r.status.as_u16(), r.body["state"].as_str()),
        (200, Some("pending")),
        "{}",
        r.text
    );
    let r = down
        .post(
            &format!(
                "/api/v1/deliveries/{}/retry",
                d[1]["id"].as_str().unwrap_or_default()
            ),
            down.admin(),
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 409, "a sent delivery is not tried again");
    Ok(())
}
