//! Presence follows the operator's console (issue "Trustworthy in the field", point 6): an
//! operator who is online with the console open stays online; once the console is closed for
//! longer than the routing engine allows, they are set away by the system, so the next citizen
//! is not offered to an empty chair; signing out is going offline.

use std::sync::Arc;
use std::time::Duration;

use baylanys_tests::{both, TestApp};
use baylanys_workers::RoutingEngine;
use serde_json::json;

use crate::http_dispatch::online;
use crate::ws_operator::{connect, next, send};

both!(presence_follows_the_console);

async fn presence_follows_the_console(app: TestApp) -> anyhow::Result<()> {
    // Passes are made here, with a five-second allowance, not by the node's engine.
    app.stop_worker(RoutingEngine::NAME).await?;
    let engine = RoutingEngine::new(app.store.clone(), Arc::new(tokio::sync::Notify::new()))
        .with_absent_after(Some(Duration::from_secs(5)));
    let (id, op) = online(&app, "aigerim", "operator", json!(["kk"]), 2).await?;
    let presence = || async {
        let r = app.get(&format!("/api/v1/staff/{id}"), app.admin()).await?;
        anyhow::Ok(r.body["presence"].as_str().unwrap_or_default().to_owned())
    };
    let mut console = connect(&app.base).await?;
    send(&mut console, json!({"type": "hello", "v": 1, "token": op})).await?;
    assert_eq!(next(&mut console).await?["type"], "welcome");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let report = engine.pass(baylanys_store::now()).await?;
    assert_eq!((report.away, presence().await?), (0, "online".into()));

    // The console closes (the browser tab, the laptop's lid): after the allowance, away.
    drop(console);
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let report = engine.pass(baylanys_store::now()).await?;
    assert_eq!(report.away, 1);
    assert_eq!(presence().await?, "away");
    let r = app
        .get("/api/v1/events?kind=staff.presence_changed", app.admin())
        .await?;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    let by_system = items
        .iter()
        .find(|e| e["data"]["reason"] == "console_closed")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        by_system["data"]["operator_id"],
        id.to_string(),
        "{}",
        r.text
    );
    assert_eq!(by_system["actor"]["type"], "system", "{by_system}");

    // Back, then signed out: offline.
    let r = app
        .put(
            "/api/v1/auth/me/presence",
            &op,
            json!({"presence": "online"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/logout",
            Some(&op),
            None,
        )
        .await?;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(presence().await?, "offline");
    Ok(())
}
