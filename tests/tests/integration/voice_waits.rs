//! Waiting callers through a real PBX (R12.1–2; issue "The phone", point 5): two callers take
//! the Kazakh menu into the queue while no operator is free. One waits over a minute: on
//! entering they hear their place and expected wait, and a minute later — never sooner — that
//! waiting is free and the new estimate; each announcement is on the record
//! (`call.announced`). The other hangs up three seconds into the queue: under the centre's
//! short-abandon setting (five seconds) that call counts neither as entered nor as lost. The
//! KPIs say so. Out of hours, a caller hears when the queue opens and is not queued at all. A
//! caller who presses 1 at the first announcement leaves a callback request, not a lost call.

use std::time::Duration;

use baylanys_tests::pbx::{centre_with_pbx, contact_in_state, kk_menu};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn at(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(|s| s.parse().ok())
}

#[tokio::test]
async fn waiting_callers_through_rustpbx() -> anyhow::Result<()> {
    let (app, pbx) = centre_with_pbx().await?;
    let from = Utc::now() - chrono::Duration::seconds(5);
    let mut kpi = app.get("/api/v1/settings/kpi", app.admin()).await?.body;
    kpi["short_abandon_secs"] = json!(5);
    let r = app.put("/api/v1/settings/kpi", app.admin(), kpi).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    kk_menu(&app, &pbx, None).await?;

    // Nobody is online: W waits 66 s after pressing 2, S hangs up 3 s after.
    let mut w = pbx.call("77011240001", '2', 2000, 66_000)?;
    let w_queued = contact_in_state(&app, "77011240001", "queued").await?;
    let mut s = pbx.call("77011240002", '2', 2000, 3000)?;
    let s_end = tokio::time::timeout(Duration::from_secs(60), s.wait()).await??;
    assert!(s_end.success(), "caller S: {s_end}");
    let s_gone = contact_in_state(&app, "77011240002", "abandoned").await?;
    let w_end = tokio::time::timeout(Duration::from_secs(120), w.wait()).await??;
    assert!(w_end.success(), "caller W: {w_end}\n{}", pbx.log());
    let w_gone = contact_in_state(&app, "77011240001", "abandoned").await?;

    // The announcements on the record: W's first on entering (place 1), the next a minute
    // later, no sooner; S heard the first only (place 2, behind W).
    let told: Vec<Value> = app
        .get("/api/v1/events?kind=call.announced&limit=50", app.admin())
        .await?
        .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let of = |c: &Value| -> Vec<Value> {
        let mut v: Vec<Value> = told
            .iter()
            .filter(|e| e["interaction_id"] == c["id"])
            .cloned()
            .collect();
        v.sort_by_key(|e| e["data"]["number"].as_u64());
        v
    };
    let (wt, st) = (of(&w_gone), of(&s_gone));
    assert_eq!(wt.len(), 2, "{told:?}");
    assert_eq!(
        (
            wt[0]["data"]["number"].as_u64(),
            wt[0]["data"]["position"].as_u64()
        ),
        (Some(1), Some(1)),
        "{wt:?}"
    );
    let entered = at(&w_queued["queued_at"]).unwrap_or_default();
    let first = at(&wt[0]["at"]).unwrap_or_default();
    let second = at(&wt[1]["at"]).unwrap_or_default();
    assert!(
        (first - entered).num_milliseconds() < 5000,
        "told on entering: {entered} → {first}"
    );
    let gap = (second - first).num_milliseconds();
    assert!(
        (60_000..70_000).contains(&gap),
        "at least a minute apart, and not much more: {gap} ms"
    );
    assert_eq!(st.len(), 1, "{told:?}");
    assert_eq!(st[0]["data"]["position"].as_u64(), Some(2), "{st:?}");

    // The KPIs: W entered and was lost; S's three seconds are under the short-abandon
    // setting and count nowhere.
    let s_wait = (at(&s_gone["abandoned_at"]).unwrap_or_default()
        - at(&s_gone["queued_at"]).unwrap_or_default())
    .num_milliseconds();
    assert!(
        s_wait < 5000,
        "S left within the short-abandon time: {s_wait} ms"
    );
    let k = app.kpis_since(from).await?;
    assert_eq!(
        (k["calls_entered"].as_i64(), k["calls_lost"].as_i64()),
        (Some(1), Some(1)),
        "{k}"
    );
    Ok(())
}

/// Out of hours through the PBX: the queue the menu leads to is closed, so the caller hears
/// when it opens and the callback offer instead of waiting; pressing nothing, they are told
/// goodbye and the PBX hangs up. The call never entered a queue (the KPIs do not count it)
/// and its appeal closes as served by the menu, not left open to go overdue.
#[tokio::test]
async fn out_of_hours_through_rustpbx() -> anyhow::Result<()> {
    let (app, pbx) = centre_with_pbx().await?;
    let from = Utc::now() - chrono::Duration::seconds(5);
    let night = app
        .post(
            "/api/v1/queues",
            app.admin(),
            json!({"code": "night", "name": "Түнгі кезек"}),
        )
        .await?
        .id();
    let none = json!([]);
    let r = app
        .put(
            &format!("/api/v1/queues/{night}/hours"),
            app.admin(),
            json!({"monday": none, "tuesday": none, "wednesday": none, "thursday": none,
                   "friday": none, "saturday": none, "sunday": none, "open_on_holidays": false}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    kk_menu(&app, &pbx, Some(night)).await?;

    // The caller would stay 40 s; the PBX hangs up first, after the offer's silence.
    let started = std::time::Instant::now();
    let mut c = pbx.call("77011250001", '2', 2000, 40_000)?;
    let end = tokio::time::timeout(Duration::from_secs(60), c.wait()).await??;
    assert!(end.success(), "the caller: {end}\n{}", pbx.log());
    assert!(
        started.elapsed() < Duration::from_secs(35),
        "the PBX hung up, not the caller: {:?}",
        started.elapsed()
    );
    let contact = contact_in_state(&app, "77011250001", "ended").await?;
    let moves = app
        .get(
            &format!(
                "/api/v1/events?kind=interaction.updated&appeal_id={}",
                contact["appeal_id"].as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?
        .body;
    let states: Vec<&str> = moves["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["data"]["state"].as_str())
        .collect();
    assert!(!states.contains(&"queued"), "never queued: {states:?}");
    assert_eq!(states.last(), Some(&"ended"), "{states:?}");
    let d = app
        .get(
            &format!(
                "/api/v1/appeals/{}",
                contact["appeal_id"].as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?
        .body;
    assert_eq!(d["appeal"]["status"], "closed", "{}", d["appeal"]);
    let k = app.kpis_since(from).await?;
    assert_eq!(k["calls_entered"].as_i64(), Some(0), "{k}");
    Ok(())
}

/// A waiting caller presses 1 at the first announcement (R12.2, R13): through the PBX the key
/// arrives as RFC 2833 DTMF, the contact ends as a callback request — not a lost call — the
/// callback waits with the caller's number and language, and the PBX hangs up after saying so.
#[tokio::test]
async fn callback_asked_for_by_key_through_rustpbx() -> anyhow::Result<()> {
    let (app, pbx) = centre_with_pbx().await?;
    let from = Utc::now() - chrono::Duration::seconds(5);
    // No menu: the call goes straight to the queue; the key falls in the first announcement.
    let started = std::time::Instant::now();
    let mut c = pbx.call("77011250002", '1', 2000, 40_000)?;
    let end = tokio::time::timeout(Duration::from_secs(60), c.wait()).await??;
    assert!(end.success(), "the caller: {end}\n{}", pbx.log());
    assert!(
        started.elapsed() < Duration::from_secs(35),
        "the PBX hung up after taking the request: {:?}",
        started.elapsed()
    );
    let contact = contact_in_state(&app, "77011250002", "ended").await?;
    let r = app
        .get("/api/v1/callbacks?state=pending", app.admin())
        .await?;
    let waiting = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(waiting.len(), 1, "{}", r.text);
    assert_eq!(waiting[0]["number"], "77011250002", "{}", r.text);
    assert_eq!(waiting[0]["language"], "kk");
    assert_eq!(waiting[0]["appeal_id"], contact["appeal_id"]);
    let asked = app
        .get("/api/v1/events?kind=call.callback_requested", app.admin())
        .await?;
    assert_eq!(
        asked.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        asked.text
    );
    // Not a lost call: it entered the queue and left it asking to be called back.
    let k = app.kpis_since(from).await?;
    let lost = k["calls_lost"]["value"]
        .as_f64()
        .or_else(|| k["calls_lost"].as_f64());
    assert_eq!(lost, Some(0.0), "{k}");
    Ok(())
}
