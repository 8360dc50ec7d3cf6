//! A call passed on through a real PBX (issue "The phone", point 6): RustPBX runs the step IVR;
//! SIPp plays the caller and two operators' phones. Operator A takes the call on their phone
//! and passes it to colleague B in the console, then hangs up their phone — RustPBX 0.5's call
//! control cannot end A's leg alone, so A's hang-up is what passes the caller on. The caller
//! hears they are passed on and waits; B accepts and B's phone is put through. When the caller
//! hangs up, B's after-call work begins; A's part ended with the transfer. A hold asked for in
//! the console is refused with the reason (the phone's own hold key works through this PBX),
//! and changes nothing.

use std::time::Duration;

use baylanys_tests::pbx::{free_port, Pbx};
use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_twiml::offered;

const PBX_TOKEN: &str = "pbx-token-for-tests";

/// An online operator with the SIP phone on `port`.
async fn operator(app: &TestApp, login: &str, port: u16) -> anyhow::Result<(String, String)> {
    let (id, token) = online(app, login, "operator", json!(["kk", "ru"]), 1).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{id}"),
            app.admin(),
            json!({"extension": format!("sip:{login}@127.0.0.1:{port}")}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    Ok((id.to_string(), token))
}

/// The contacts of the only voice appeal, once `ready` says they are as awaited.
async fn contacts_when(
    app: &TestApp,
    pbx: &Pbx,
    what: &str,
    ready: impl Fn(&[Value]) -> bool,
) -> anyhow::Result<Vec<Value>> {
    for _ in 0..600 {
        let r = app
            .get("/api/v1/appeals?channel=voice&limit=5", app.admin())
            .await?;
        if let Some(id) = r.body["items"][0]["id"].as_str() {
            let d = app
                .get(&format!("/api/v1/appeals/{id}"), app.admin())
                .await?;
            let all = d.body["interactions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if ready(&all) {
                return Ok(all);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("never {what}\n{}", pbx.log())
}

async fn post_ok(app: &TestApp, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
    let r = app.post(path, token, body).await?;
    anyhow::ensure!(
        r.status == StatusCode::OK,
        "{path}: {} {}",
        r.status,
        r.text
    );
    Ok(r.body)
}

#[tokio::test]
async fn passed_on_through_rustpbx() -> anyhow::Result<()> {
    let (http_port, a_port, b_port) = (free_port(false)?, free_port(true)?, free_port(true)?);
    let app = crate::voice_placed::app_with_dialler(Backend::Sqlite, http_port, a_port).await?;
    let hook = format!("{}/webhooks/voice/rustpbx", app.base);
    let pbx = Pbx::start_at(&hook, PBX_TOKEN, http_port).await?;
    app.default_queue().await?;
    let (_, a) = operator(&app, "101", a_port).await?;

    // The caller goes straight to the queue (no menu) and stays on the line for 40 s.
    let mut caller = pbx.call("77011230009", '2', 2000, 40_000)?;
    let all = contacts_when(&app, &pbx, "queued", |c| {
        c.first().is_some_and(|c| c["state"] == "queued")
    })
    .await?;
    let first = all[0]["id"].as_str().unwrap_or_default().to_owned();
    // A's phone answers and hangs up eight seconds later.
    let mut phone_a = Pbx::answering(a_port, 8000)?;
    offered(&app, &a, &first).await?;
    post_ok(
        &app,
        &format!("/api/v1/interactions/{first}/accept"),
        &a,
        json!({}),
    )
    .await?;
    // A's phone answered: the PBX told the centre the transfer to it connected.
    let mut talking = false;
    for _ in 0..300 {
        let call = app.store.call_of_contact(first.parse()?).await?;
        if call.is_some_and(|c| c.phase == baylanys_domain::voice::CallPhase::Talking) {
            talking = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(talking, "never put through to A\n{}", pbx.log());

    // A hold from the console cannot be made through this PBX: refused, with the reason.
    let before = app.event_count().await?;
    let r = app
        .post(&format!("/api/v1/interactions/{first}/hold"), &a, json!({}))
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("hold key"), "{}", r.text);
    assert_eq!(
        app.event_count().await?,
        before,
        "the refusal changes nothing"
    );

    // A passes the caller to B, then hangs up: the caller is passed on and waits for B.
    let (b_id, b) = operator(&app, "102", b_port).await?;
    let mut phone_b = Pbx::phone(b_port)?;
    let moved = post_ok(
        &app,
        &format!("/api/v1/interactions/{first}/transfer"),
        &a,
        json!({"to_operator": b_id, "reason": "Маман керек"}),
    )
    .await?;
    let second = moved["id"].as_str().unwrap_or_default().to_owned();
    let a_done = tokio::time::timeout(Duration::from_secs(30), phone_a.wait())
        .await
        .map_err(|_| anyhow::anyhow!("A's phone never hung up\n{}", pbx.log()))??;
    assert!(a_done.success(), "A's phone: {a_done}\n{}", pbx.log());
    offered(&app, &b, &second).await?;
    post_ok(
        &app,
        &format!("/api/v1/interactions/{second}/accept"),
        &b,
        json!({}),
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        caller.try_wait()?.is_none(),
        "the caller is still on the line\n{}",
        pbx.log()
    );
    assert!(
        phone_b.try_wait()?.is_none(),
        "B's phone answered and talks\n{}",
        pbx.log()
    );

    // The caller hangs up: B's after-call work begins; A's part ended with the transfer.
    tokio::time::timeout(Duration::from_secs(60), caller.wait()).await??;
    let all = contacts_when(&app, &pbx, "B in after-call work", |c| {
        c.iter()
            .any(|i| i["id"] == second.as_str() && i["state"] == "wrap_up")
    })
    .await?;
    let a_part = all
        .iter()
        .find(|i| i["id"] == first.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(a_part["state"], "ended", "{all:?}");
    let b_part = all
        .iter()
        .find(|i| i["id"] == second.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(b_part["operator_id"], b_id.as_str(), "{all:?}");
    tokio::time::timeout(Duration::from_secs(20), phone_b.wait())
        .await
        .map_err(|_| anyhow::anyhow!("B's phone was never put through\n{}", pbx.log()))??;
    Ok(())
}
