//! A contact nobody will take does not wait forever (issue "Trustworthy in the field", point
//! 6): once every operator able to take it has declined it, and a while has passed since the
//! last decline, the routing engine offers it again by rule — to the supervisors when an
//! escalation queue is set (R24.2) — with a `routing.reoffered` event. A timed-out offer is not
//! a decline (the operator is set away instead; see `presence.rs`).

use std::sync::Arc;
use std::time::Duration;

use baylanys_tests::{both, TestApp};
use baylanys_workers::RoutingEngine;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::http_dispatch::{offers, online};

both!(declined_by_everyone_is_offered_again);
both!(a_contact_passed_on_is_not_offered_straight_back);

async fn offered_to(app: &TestApp, who: &[(&str, &str)], contact: Uuid) -> anyhow::Result<String> {
    for (name, token) in who {
        if offers(app, token)
            .await?
            .iter()
            .any(|o| o["id"] == contact.to_string())
        {
            return Ok((*name).to_owned());
        }
    }
    Ok(String::new())
}

async fn decline(app: &TestApp, token: &str, contact: Uuid) -> anyhow::Result<()> {
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{contact}/decline"),
            Some(token),
            None,
        )
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    Ok(())
}

async fn events(app: &TestApp, kind: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(&format!("/api/v1/events?kind={kind}"), app.admin())
        .await?;
    Ok(r.body["items"].as_array().cloned().unwrap_or_default())
}

/// Passes are made by the test, not by the node's engine; declines settle for two seconds.
async fn own_engine(app: &TestApp) -> anyhow::Result<RoutingEngine> {
    app.stop_worker(RoutingEngine::NAME).await?;
    Ok(
        RoutingEngine::new(app.store.clone(), Arc::new(tokio::sync::Notify::new()))
            .with_absent_after(None)
            .with_reoffer_after(Duration::from_secs(2)),
    )
}

async fn declined_by_everyone_is_offered_again(app: TestApp) -> anyhow::Result<()> {
    let engine = own_engine(&app).await?;
    let main = app.open_queue("main", "Main").await?;
    let sup_q = app.open_queue("supervisors", "Supervisors").await?;
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": main}),
    )
    .await?;
    let (_, a) = online(&app, "op-a", "operator", json!(["kk"]), 2).await?;
    let (_, b) = online(&app, "op-b", "operator", json!(["kk"]), 2).await?;
    // A Russian speaker cannot take a Kazakh chat: their silence does not keep it waiting.
    let (_, _ru) = online(&app, "op-ru", "operator", json!(["ru"]), 2).await?;
    let ops = [("a", a.as_str()), ("b", b.as_str())];
    let client = app.client(app.admin(), json!({"name": "Дана"})).await?;
    let appeal = app.appeal(app.admin(), client, "Сәлем").await?;
    let contact = app
        .post(
            &format!("/api/v1/appeals/{appeal}/interactions"),
            app.admin(),
            json!({"channel": "web_chat", "queue_id": main}),
        )
        .await?
        .id();

    // Both able operators decline it in turn.
    let now = baylanys_store::now;
    assert_eq!(engine.pass(now()).await?.offered, 1);
    let first = offered_to(&app, &ops, contact).await?;
    let first_token = if first == "a" { &a } else { &b };
    decline(&app, first_token, contact).await?;
    assert_eq!(engine.pass(now()).await?.offered, 1);
    let second = offered_to(&app, &ops, contact).await?;
    assert!(
        !second.is_empty() && second != first,
        "{first} then {second}"
    );
    decline(&app, if second == "a" { &a } else { &b }, contact).await?;
    // Nobody left: it waits, but only while the declines settle.
    let r = engine.pass(now()).await?;
    assert_eq!((r.offered, r.reoffered), (0, 0));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = engine.pass(now()).await?;
    assert_eq!(r.reoffered, 1, "{r:?}");
    let e = events(&app, "routing.reoffered").await?;
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0]["data"]["declined_by"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(e[0]["data"]["escalated_to"], Value::Null);
    // Offered again.
    assert_eq!(engine.pass(now()).await?.offered, 1);
    let third = offered_to(&app, &ops, contact).await?;
    assert!(!third.is_empty());

    // With an escalation queue, the next time it goes to the supervisors.
    let r = app.put("/api/v1/routing/settings", app.admin(),
                    json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 60, "escalation_queue_id": sup_q})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    decline(&app, if third == "a" { &a } else { &b }, contact).await?;
    engine.pass(now()).await?;
    let fourth = offered_to(&app, &ops, contact).await?;
    decline(&app, if fourth == "a" { &a } else { &b }, contact).await?;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(engine.pass(now()).await?.reoffered, 1);
    let e = events(&app, "routing.reoffered").await?;
    assert_eq!(e.len(), 2);
    assert!(
        e.iter()
            .any(|x| x["data"]["escalated_to"] == sup_q.to_string()),
        "{e:?}"
    );
    assert!(!events(&app, "routing.escalated").await?.is_empty());
    // Operators are not offered it any more; a supervisor coming online is.
    engine.pass(now()).await?;
    assert_eq!(offered_to(&app, &ops, contact).await?, "");
    let (_, sup) = online(&app, "sup", "supervisor", json!(["kk"]), 2).await?;
    assert_eq!(engine.pass(now()).await?.offered, 1);
    assert_eq!(
        offered_to(&app, &[("sup", sup.as_str())], contact).await?,
        "sup"
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// A contact an operator sent to another queue is not offered straight back to them (issue 14:
/// a shift at the single window): they count as having declined it. With nobody else able to
/// take it, the re-offer rule gives it back to them after its pause, so it never strands.
async fn a_contact_passed_on_is_not_offered_straight_back(app: TestApp) -> anyhow::Result<()> {
    let engine = own_engine(&app).await?;
    let main = app.open_queue("main", "Main").await?;
    let second = app.open_queue("second", "Second line").await?;
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": main}),
    )
    .await?;
    let (_, a) = online(&app, "op-a", "operator", json!(["kk"]), 2).await?;
    let client = app.client(app.admin(), json!({"name": "Дана"})).await?;
    let appeal = app.appeal(app.admin(), client, "Сәлем").await?;
    let contact = app
        .post(
            &format!("/api/v1/appeals/{appeal}/interactions"),
            app.admin(),
            json!({"channel": "web_chat", "queue_id": main}),
        )
        .await?
        .id();
    let now = baylanys_store::now;
    assert_eq!(engine.pass(now()).await?.offered, 1);
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/accept"),
            &a,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/transfer"),
            &a,
            json!({"to_queue": second, "reason": "екінші желі"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let moved: Uuid = r.id();
    // Not back to the one who passed it on, while the pause lasts.
    let r = engine.pass(now()).await?;
    assert_eq!((r.offered, r.reoffered), (0, 0), "{r:?}");
    assert_eq!(offered_to(&app, &[("a", a.as_str())], moved).await?, "");
    // Nobody else came: after the pause it is theirs again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(engine.pass(now()).await?.reoffered, 1);
    assert_eq!(engine.pass(now()).await?.offered, 1);
    assert_eq!(offered_to(&app, &[("a", a.as_str())], moved).await?, "a");
    Ok(())
}
