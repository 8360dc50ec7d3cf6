//! After-contact work ends by itself at the centre's limit (issue "The phone", point 6): a call
//! whose operator forgot to finish the wrap-up is ended by the system once the limit is up —
//! its handling time (report row 19) stops there and the operator's capacity is free — while
//! a wrap-up still within the limit, and one its operator finished, are left alone.

use std::time::Duration;

use baylanys_tests::{both, TestApp};
use baylanys_workers::WrapUpLimit;
use serde_json::{json, Value};
use uuid::Uuid;

both!(after_contact_work_ends_at_the_limit);

/// A call answered by the operator who records it, then hung up: in after-contact work.
async fn call_in_wrap_up(app: &TestApp, op: &str, client: Uuid) -> anyhow::Result<(Uuid, String)> {
    let r = app
        .post(
            "/api/v1/appeals",
            op,
            json!({"client_id": client, "kind": "request", "channel": "voice",
                   "text": "Анықтама туралы қоңырау", "contact": {"type": "answered"}}),
        )
        .await?;
    anyhow::ensure!(r.status == 201, "{}", r.text);
    let appeal = r.id();
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), op).await?;
    let contact = d.body["interactions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/wrap-up"),
            op,
            json!({}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    Ok((appeal, contact))
}

/// The contact as its appeal's detail shows it.
async fn contact(app: &TestApp, (appeal, id): &(Uuid, String)) -> anyhow::Result<Value> {
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    Ok(d.body["interactions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == id.as_str())
        .cloned()
        .unwrap_or_default())
}

async fn after_contact_work_ends_at_the_limit(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({"name": "Қоңырау шалушы"})).await?;
    let forgotten = call_in_wrap_up(&app, &op, client).await?;
    let finished = call_in_wrap_up(&app, &op, client).await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{}/end", finished.1),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let limit = WrapUpLimit::new(app.centre.clone(), Duration::from_secs(120));
    // Within the limit: nothing happens.
    assert_eq!(limit.pass(baylanys_store::now()).await?, 0);
    let c = contact(&app, &forgotten).await?;
    assert_eq!(c["state"], "wrap_up");
    // The console counts down to the centre's limit (three minutes unless configured).
    let at = |k: &str| {
        c[k].as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.timestamp_millis())
    };
    assert_eq!(
        at("wrap_up_ends_at")
            .zip(at("wrap_up_at"))
            .map(|(e, b)| e - b),
        Some(180_000),
        "{c}"
    );
    // Past it (the clock moved on by three minutes): the forgotten one ends, by the system.
    let later = baylanys_store::now() + chrono::Duration::seconds(180);
    assert_eq!(limit.pass(later).await?, 1);
    let c = contact(&app, &forgotten).await?;
    assert_eq!(c["state"], "ended", "{c}");
    // Once: another node's pass finds nothing left.
    assert_eq!(limit.pass(later).await?, 0);
    let r = app
        .get(
            &format!(
                "/api/v1/events?kind=interaction.updated&appeal_id={}",
                forgotten.0
            ),
            app.admin(),
        )
        .await?;
    let ended: Vec<&Value> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["data"]["from"] == "wrap_up" && e["data"]["state"] == "ended")
        .collect();
    assert_eq!(ended.len(), 1, "{}", r.body);
    assert_eq!(ended[0]["actor_id"], Value::Null, "ended by the system");
    // The one its operator finished is untouched.
    let f = contact(&app, &finished).await?;
    assert_eq!(f["state"], "ended");
    assert_eq!(
        f["wrap_up_ends_at"],
        Value::Null,
        "no limit runs on an ended contact"
    );
    Ok(())
}
