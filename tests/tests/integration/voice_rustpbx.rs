//! The phone through a real PBX (issue "The phone", adapter 1): RustPBX on 127.0.0.1 hands
//! calls to the centre's step webhook; SIPp places the calls with RTP and RFC 2833 keys and
//! plays the operator's SIP phone. A caller takes the Kazakh menu to an operator, waits in the
//! centre's queue, is put through to the operator's phone when the operator accepts in the
//! console's API, talks, and hangs up: the after-call work begins. A second caller waits while
//! the operator is busy and hangs up: a lost call. The operator ends A's after-call work and
//! answers the appeal at the first contact. The KPIs of these two calls — wait after the menu,
//! lost share, first-contact resolution, handling time — equal figures worked out here from the
//! contacts' own times; a wrong token changes nothing.

use baylanys_tests::pbx::{centre_with_pbx, contact_in_state, free_port, kk_menu, Pbx};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_twiml::offered;

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(|s| s.parse().ok())
}

#[tokio::test]
async fn calls_through_rustpbx_and_sipp() -> anyhow::Result<()> {
    let (app, pbx) = centre_with_pbx().await?;
    let hook = format!("{}/webhooks/voice/rustpbx", app.base);
    let from = Utc::now() - chrono::Duration::seconds(5);

    // A wrong token is refused before anything is read.
    let r = app
        .http
        .post(format!("{hook}/step"))
        .header("x-baylanys-token", "guess")
        .json(&json!({"session_id": "x", "event": {"type": "session_start"}}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The operator's phone on its own port, and the menu: a recorded prompt, 2 for an operator.
    let phone_port = free_port(true)?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let extension = format!("sip:101@127.0.0.1:{phone_port}");
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": extension}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    kk_menu(&app, &pbx, None).await?;

    // A: presses 2, waits, is put through when the operator accepts, talks, hangs up.
    let mut phone = Pbx::phone(phone_port)?;
    let mut a = pbx.call("77011230001", '2', 2500, 16000)?;
    let queued = contact_in_state(&app, "77011230001", "queued").await?;
    let a_contact = queued["id"].as_str().unwrap_or_default().to_owned();
    offered(&app, &op, &a_contact).await?;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let r = app
        .post(
            &format!("/api/v1/interactions/{a_contact}/accept"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let answered = tokio::time::timeout(std::time::Duration::from_secs(60), phone.wait()).await??;
    assert!(
        answered.success(),
        "the operator's phone answered and the call ended: {answered}\n{}",
        pbx.log()
    );
    let a_end = tokio::time::timeout(std::time::Duration::from_secs(60), a.wait()).await??;
    assert!(a_end.success(), "caller A: {a_end}");
    let a_after = contact_in_state(&app, "77011230001", "wrap_up").await?;
    assert_eq!(a_after["operator_id"], op_id.to_string());
    let menu: Vec<Value> = app
        .get("/api/v1/events?kind=call.menu", app.admin())
        .await?
        .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(menu.len(), 1, "{menu:?}");
    assert_eq!(menu[0]["data"]["digit"], "2");
    assert_eq!(menu[0]["data"]["led_to"], "operator");

    // B: the operator is still in A's after-call work; B presses 2, waits and hangs up: lost.
    let mut b = pbx.call("77011230002", '2', 2000, 5000)?;
    contact_in_state(&app, "77011230002", "queued").await?;
    let b_end = tokio::time::timeout(std::time::Duration::from_secs(60), b.wait()).await??;
    assert!(b_end.success(), "caller B: {b_end}");
    contact_in_state(&app, "77011230002", "abandoned").await?;

    // A's operator ends the after-call work and answers the appeal at the first contact.
    let a_id = a_after["id"].as_str().unwrap_or_default();
    let r = app
        .post(&format!("/api/v1/interactions/{a_id}/end"), &op, json!({}))
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let a_appeal = a_after["appeal_id"].as_str().unwrap_or_default();
    let r = app
        .post(
            &format!("/api/v1/appeals/{a_appeal}/status"),
            &op,
            json!({"status": "answered", "resolution": "Жауап берілді", "first_contact_resolved": true}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let a_done = app
        .get(&format!("/api/v1/appeals/{a_appeal}"), app.admin())
        .await?
        .body["interactions"][0]
        .clone();
    assert_eq!(a_done["state"], "ended", "{a_done}");
    // Handling time: from the answer to the end of the after-call work.
    let handling = (instant(&a_done["ended_at"]).unwrap_or_default()
        - instant(&a_done["answered_at"]).unwrap_or_default())
    .num_microseconds()
    .unwrap_or_default() as f64
        / 60e6;

    // The KPIs of the two calls, from the contacts' own times.
    let wait = (instant(&a_after["answered_at"]).unwrap_or_default()
        - instant(&a_after["queued_at"]).unwrap_or_default())
    .num_microseconds()
    .unwrap_or_default() as f64
        / 1e6;
    let k = app.kpis_since(from).await?;
    let figure = |name: &str| {
        k[name]["value"]
            .as_f64()
            .or_else(|| k[name].as_f64())
            .map(|v| (v * 100.0).round() / 100.0)
    };
    assert_eq!(figure("calls_entered"), Some(2.0), "{k}");
    assert_eq!(figure("calls_lost"), Some(1.0), "{k}");
    assert_eq!(
        figure("wait_after_ivr_secs"),
        Some((wait * 100.0).round() / 100.0),
        "{k}"
    );
    assert!(wait >= 1.0, "A waited: {wait}");
    assert_eq!(figure("lost_calls_pct"), Some(50.0), "{k}");
    assert_eq!(
        figure("fcr_pct"),
        Some(100.0),
        "one appeal resolved, at the first contact: {k}"
    );
    assert_eq!(k["aht_minutes"]["count"].as_u64(), Some(1), "{k}");
    assert_eq!(
        figure("aht_minutes"),
        Some((handling * 100.0).round() / 100.0),
        "{k}"
    );
    Ok(())
}
