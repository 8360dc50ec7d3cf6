//! Callbacks the centre places itself through the PBX (R13; issue "The phone", point 7): a
//! caller who asked to be called back is dialled by RustPBX over its call control (RWI) when
//! an operator presses "call"; SIPp plays the client's phone and the operator's. The first try
//! finds nobody at the client's number — an attempt not answered, the callback waits again;
//! the second reaches the client, the operator's phone is put through, the call becomes an
//! outbound contact answered by that operator, and when the client hangs up the operator's
//! after-call work begins. Refusals (R13.4 do-not-contact, a callback not waiting, an operator
//! without a phone, no PBX connected) change nothing, on both backends.

use std::time::Duration;

use baylanys_api::Secret;
use baylanys_channels::rwi::RwiSettings;
use baylanys_tests::pbx::{free_port, Pbx, RWI_TOKEN};
use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_twiml::{always, ask_for_callback, provider, PUBLIC, TOKEN};

const PBX_TOKEN: &str = "pbx-token-for-tests";
const NUMBER: &str = "+77011110002";

/// The centre, with the PBX's call control at `http_port` dialling clients at `client_port`.
pub(crate) async fn app_with_dialler(
    backend: Backend,
    http_port: u16,
    client_port: u16,
) -> anyhow::Result<TestApp> {
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = Some(Secret(TOKEN.into()));
    config.rustpbx_token = Some(Secret(PBX_TOKEN.into()));
    config.voice.calling_window = always();
    config.rwi = Some(RwiSettings {
        url: Pbx::rwi_url(http_port),
        token: RWI_TOKEN.into(),
        dial: format!("sip:{{number}}@127.0.0.1:{client_port}"),
        trunk: None,
        caller_id: "1414".into(),
        ring_secs: 10,
    });
    TestApp::spawn_with(backend, config).await
}

/// A caller waits in the queue, presses 1 at the announcement and hangs up: a callback
/// waiting (through the TwiML adapter: where the request came from does not matter).
async fn callback_requested(app: &TestApp) -> anyhow::Result<String> {
    ask_for_callback(&provider(app), "CA-CB", NUMBER).await?;
    let r = app
        .get("/api/v1/callbacks?state=pending", app.admin())
        .await?;
    let id = r.body[0]["id"].as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(!id.is_empty(), "no callback waits: {}", r.text);
    Ok(id)
}

async fn callback(app: &TestApp, id: &str) -> anyhow::Result<Value> {
    let r = app.get("/api/v1/callbacks?limit=500", app.admin()).await?;
    Ok(r.body
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_default())
}

/// Waits until the callback is no longer being dialled.
async fn settled(app: &TestApp, id: &str) -> anyhow::Result<Value> {
    for _ in 0..400 {
        let c = callback(app, id).await?;
        if c["state"] != "placed" {
            return Ok(c);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the placed callback was never settled")
}

/// Presses "call" until the PBX's call control is connected (the worker connects at start).
async fn place(app: &TestApp, op: &str, id: &str) -> anyhow::Result<Value> {
    for _ in 0..100 {
        let r = app
            .post(&format!("/api/v1/callbacks/{id}/place"), op, json!({}))
            .await?;
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        anyhow::ensure!(r.status == StatusCode::ACCEPTED, "{} {}", r.status, r.text);
        return Ok(r.body);
    }
    anyhow::bail!("the PBX's call control never connected")
}

async fn events(app: &TestApp, kind: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(
            &format!("/api/v1/events?kind={kind}&limit=500"),
            app.admin(),
        )
        .await?;
    Ok(r.body["items"].as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn a_callback_placed_through_rustpbx() -> anyhow::Result<()> {
    let (http_port, client_port, phone_port) =
        (free_port(false)?, free_port(true)?, free_port(true)?);
    let app = app_with_dialler(Backend::Sqlite, http_port, client_port).await?;
    let hook = format!("{}/webhooks/voice/rustpbx", app.base);
    let pbx = Pbx::start_at(&hook, PBX_TOKEN, http_port).await?;
    app.default_queue().await?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let phone = format!("sip:101@127.0.0.1:{phone_port}");
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": phone}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = callback_requested(&app).await?;

    // First try: nobody is at the client's number — not answered, the callback waits again.
    let placed = place(&app, &op, &id).await?;
    assert_eq!(placed["state"], "placed", "{placed}");
    assert_eq!(placed["placed_by"], op_id.to_string(), "{placed}");
    let again = app
        .post(&format!("/api/v1/callbacks/{id}/place"), &op, json!({}))
        .await?;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "placed once: {}",
        again.text
    );
    let first = settled(&app, &id).await?;
    assert_eq!(
        (first["state"].as_str(), first["attempts"].as_i64()),
        (Some("pending"), Some(1)),
        "{first}\n{}",
        pbx.log()
    );

    // Second try: the client answers, the operator's phone is put through; the client hangs
    // up after three seconds.
    let mut client = Pbx::answering(client_port, 3000)?;
    let mut operator = Pbx::phone(phone_port)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    place(&app, &op, &id).await?;
    let second = settled(&app, &id).await?;
    assert_eq!(
        (second["state"].as_str(), second["attempts"].as_i64()),
        (Some("done"), Some(2)),
        "{second}\n{}",
        pbx.log()
    );
    let appeal = second["appeal_id"].as_str().unwrap_or_default().to_owned();
    // The call is an outbound contact answered by the operator; the client hangs up and the
    // operator's after-call work begins.
    let mut contact = Value::Null;
    for _ in 0..100 {
        let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
        contact = d.body["interactions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["direction"] == "outbound")
            .cloned()
            .unwrap_or_default();
        if contact["state"] == "wrap_up" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(contact["state"], "wrap_up", "{contact}\n{}", pbx.log());
    assert_eq!(contact["channel"], "voice");
    assert_eq!(contact["operator_id"], op_id.to_string());
    assert!(contact["answered_at"].is_string(), "{contact}");
    // Both phones took the call: the client's ended cleanly, and the operator's phone was put
    // through — it rang and its call ended with the client's. (Its SIPp may count that call
    // as failed under load, when the PBX re-negotiates the bridged media in a way the
    // scenario does not script; a phone never rung would still be waiting.)
    let client_done = tokio::time::timeout(Duration::from_secs(20), client.wait()).await??;
    assert!(client_done.success(), "the client's phone: {client_done}");
    tokio::time::timeout(Duration::from_secs(20), operator.wait())
        .await
        .map_err(|_| anyhow::anyhow!("the operator's phone never rang\n{}", pbx.log()))??;

    // The KPIs count the calls that came in and waited (KPIs 1 and 5): the caller who asked to
    // be called back left the queue neither answered nor lost, and the centre's own call to
    // them, answered by the operator, is not an inbound call.
    let k = app
        .kpis_since(chrono::Utc::now() - chrono::Duration::minutes(5))
        .await?;
    assert_eq!(
        (k["calls_entered"].as_i64(), k["calls_answered"].as_i64()),
        (Some(0), Some(0)),
        "{k}"
    );

    // The log: placed twice (for this operator), two attempts, the second answered.
    let placed = events(&app, "call.callback_placed").await?;
    assert_eq!(placed.len(), 2, "{placed:?}");
    assert!(placed
        .iter()
        .all(|e| e["data"]["operator_id"] == op_id.to_string()));
    let attempts: Vec<(String, i64)> = events(&app, "call.callback_attempted")
        .await?
        .iter()
        .map(|e| {
            (
                e["data"]["outcome"].as_str().unwrap_or_default().to_owned(),
                e["data"]["attempts"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    let mut attempts = attempts;
    attempts.sort_by_key(|a| a.1);
    assert_eq!(
        attempts,
        [("no_answer".to_owned(), 1), ("answered".to_owned(), 2)]
    );

    // The operator calls the client again on the same appeal, to clarify something: the
    // reason is kept as their opening line, and the client answers.
    let mut client = Pbx::answering(client_port, 2000)?;
    let mut operator = Pbx::phone(phone_port)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reason = "Өтінішке қажетті құжаттарды нақтылау";
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/call"),
            &op,
            json!({"reason": reason}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(
        (&r.body["reason"], &r.body["number"], &r.body["state"]),
        (&json!(reason), &json!(NUMBER), &json!("placed")),
        "{}",
        r.text
    );
    let own = settled(&app, r.body["id"].as_str().unwrap_or_default()).await?;
    assert_eq!(
        (own["state"].as_str(), own["attempts"].as_i64()),
        (Some("done"), Some(1)),
        "{own}\n{}",
        pbx.log()
    );
    let client_done = tokio::time::timeout(Duration::from_secs(20), client.wait()).await??;
    assert!(client_done.success(), "the client's phone: {client_done}");
    tokio::time::timeout(Duration::from_secs(20), operator.wait())
        .await
        .map_err(|_| anyhow::anyhow!("the operator's phone never rang\n{}", pbx.log()))??;
    let placed = events(&app, "call.callback_placed").await?;
    assert!(
        placed.iter().any(|e| e["data"]["reason"] == reason),
        "{placed:?}"
    );
    Ok(())
}

#[tokio::test]
async fn placing_refusals_change_nothing_sqlite() -> anyhow::Result<()> {
    placing_refusals_change_nothing(Backend::Sqlite).await
}

#[tokio::test]
async fn placing_refusals_change_nothing_postgres() -> anyhow::Result<()> {
    placing_refusals_change_nothing(Backend::Postgres).await
}

/// Every refusal leaves the callback waiting, with no attempt counted and nothing placed.
async fn placing_refusals_change_nothing(backend: Backend) -> anyhow::Result<()> {
    // The PBX's call control is configured but nobody listens there.
    let app = app_with_dialler(backend, free_port(false)?, free_port(true)?).await?;
    app.default_queue().await?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let id = callback_requested(&app).await?;
    let place = |who: &str, id: &str| {
        let (app, who, id) = (&app, who.to_owned(), id.to_owned());
        async move {
            app.post(&format!("/api/v1/callbacks/{id}/place"), &who, json!({}))
                .await
        }
    };
    // An operator without a phone.
    let r = place(&op, &id).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("extension"), "{}", r.text);
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": "sip:101@127.0.0.1:5070"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The PBX is not connected: call from your phone instead.
    let r = place(&op, &id).await?;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    // An unknown callback.
    let r = place(&op, &uuid::Uuid::now_v7().to_string()).await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A client who asked not to be contacted (R13.4).
    let client = callback(&app, &id).await?;
    let appeal = client["appeal_id"].as_str().unwrap_or_default().to_owned();
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let client_id = d.body["appeal"]["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .patch(
            &format!("/api/v1/clients/{client_id}"),
            app.admin(),
            json!({"do_not_contact": true, "reason": "Клиент қоңырау шалмауды сұрады"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = place(&op, &id).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("R13.4"), "{}", r.text);
    // An operator's own call: the same rule, and a reason is required.
    let call = |body: Value| {
        let (app, op, appeal) = (&app, op.clone(), appeal.clone());
        async move {
            app.post(&format!("/api/v1/appeals/{appeal}/call"), &op, body)
                .await
        }
    };
    let r = call(json!({"reason": "Құжаттарды нақтылау"})).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("R13.4"), "{}", r.text);
    for bad in [
        json!({"reason": "  "}),
        json!({"reason": "a\u{0}b"}),
        json!({}),
        json!({"reason": "x", "to": "+7"}),
    ] {
        let r = call(bad.clone()).await?;
        assert!(r.status.is_client_error(), "{bad}: {} {}", r.status, r.text);
    }
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/call", uuid::Uuid::now_v7()),
            &op,
            json!({"reason": "Құжаттарды нақтылау"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A cancelled callback is not placed.
    let r = app
        .post(
            &format!("/api/v1/callbacks/{id}/outcome"),
            &op,
            json!({"outcome": "cancelled"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = place(&op, &id).await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Nothing was placed or counted.
    let c = callback(&app, &id).await?;
    assert_eq!(
        (c["attempts"].as_i64(), &c["placed_by"]),
        (Some(0), &Value::Null),
        "{c}"
    );
    assert!(events(&app, "call.callback_placed").await?.is_empty());
    let all = app.get("/api/v1/callbacks?limit=500", app.admin()).await?;
    assert_eq!(all.body.as_array().map(Vec::len), Some(1), "{}", all.text);

    // A PBX nobody answers for is not this node's failure: the node stays ready (the web chat,
    // mail and Telegram go on) and the socket's worker is not failing.
    let r = app.get("/readyz", app.admin()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let workers = app.get("/api/v1/workers", app.admin()).await?;
    let socket = workers
        .body
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["name"] == "pbx_socket")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&socket["state"], socket["consecutive_failures"].as_u64()),
        (&json!("running"), Some(0)),
        "{}",
        workers.text
    );

    // A centre without the PBX's call control says so.
    let plain = crate::voice_twiml::voice_app(backend, Some(TOKEN)).await?;
    plain.default_queue().await?;
    let (_, op2) = online(&plain, "op", "operator", json!(["kk"]), 1).await?;
    let id2 = callback_requested(&plain).await?;
    let r = plain
        .post(&format!("/api/v1/callbacks/{id2}/place"), &op2, json!({}))
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("no PBX"), "{}", r.text);
    Ok(())
}
