//! Contacts through the router end to end: language, capacity, declines, overflow and offer
//! timeouts, with the events they leave (routing issue, points 1–3, 6, 7).

use baylanys_tests::{both, eventually, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

both!(
    language_capacity_and_declines,
    overflow_and_live_view,
    transfer_escalation_and_queue_status,
    escalation_by_rule,
    out_of_hours_reply,
);

/// An operator online with the given languages and web-chat capacity; returns (id, token).
async fn operator(
    app: &TestApp,
    login: &str,
    languages: Value,
    chats: u8,
) -> anyhow::Result<(Uuid, String)> {
    online(app, login, "operator", languages, chats).await
}

/// A staff member of `role` online with the given languages and web-chat capacity.
pub async fn online(
    app: &TestApp,
    login: &str,
    role: &str,
    languages: Value,
    chats: u8,
) -> anyhow::Result<(Uuid, String)> {
    let (id, token) = app.staff(login, role, None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{id}"),
            app.admin(),
            json!({"languages": languages, "capacity": {"web_chat": chats, "voice": 1}}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    let r = app
        .put(
            "/api/v1/auth/me/presence",
            &token,
            json!({"presence": "online"}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    Ok((id, token))
}

pub async fn offers(app: &TestApp, token: &str) -> anyhow::Result<Vec<Value>> {
    Ok(app
        .get("/api/v1/routing/offers", token)
        .await?
        .body
        .as_array()
        .cloned()
        .unwrap_or_default())
}

/// Waits until exactly this contact is offered to the operator.
async fn offered(app: &TestApp, token: &str, contact: Uuid) -> anyhow::Result<()> {
    eventually("an offer", || async {
        let o = offers(app, token).await?;
        Ok(o.iter()
            .any(|x| x["id"] == contact.to_string())
            .then_some(()))
    })
    .await
}

/// A Kazakh-language appeal with a web-chat contact queued; returns the interaction id.
async fn chat(app: &TestApp, client: Uuid, language: &str) -> anyhow::Result<Uuid> {
    let appeal = app
        .post("/api/v1/appeals", app.admin(),
              json!({"client_id": client, "kind": "request", "channel": "web_chat", "language": language}))
        .await?
        .id();
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/interactions"),
            app.admin(),
            json!({"channel": "web_chat"}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::CREATED, "{}", r.text);
    anyhow::ensure!(r.body["state"] == "queued", "{}", r.text);
    Ok(r.id())
}

async fn language_capacity_and_declines(app: TestApp) -> anyhow::Result<()> {
    let main = app.open_queue("main", "Main").await?;
    let r = app
        .put(
            "/api/v1/routing/table",
            app.admin(),
            json!({"entries": [], "default_queue_id": main}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (ru_id, ru) = operator(&app, "ru-speaker", json!(["ru"]), 3).await?;
    let (kk_id, kk) = operator(&app, "kk-speaker", json!(["kk"]), 1).await?;
    let client = app
        .client(app.admin(), json!({"name": "Дана", "language": "kk"}))
        .await?;

    // A Kazakh chat reaches the Kazakh speaker, never the Russian one.
    let first = chat(&app, client, "kk").await?;
    offered(&app, &kk, first).await?;
    assert!(offers(&app, &ru).await?.is_empty());
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{first}/accept"),
            Some(&kk),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "answered");
    assert_eq!(r.body["operator_id"], kk_id.to_string());
    // Capacity 1 is full: the next Kazakh chat waits and shows in the live view.
    let second = chat(&app, client, "kk").await?;
    let live = eventually("the second chat waiting", || async {
        let r = app.get("/api/v1/routing/live", app.admin()).await?;
        let q = r.body["queues"]
            .as_array()
            .and_then(|a| a.first().cloned())
            .unwrap_or_default();
        Ok((q["waiting"] == 1).then_some(r.body))
    })
    .await?;
    assert!(offers(&app, &kk).await?.is_empty(), "over capacity");
    // Today's answered and lost calls and the service level are the KPI engine's (one
    // definition, report rows 15 and 18): chats are not calls that waited after a voice menu.
    assert_eq!(live["queues"][0]["answered_today"], 0);
    assert_eq!(live["queues"][0]["abandoned_today"], 0);
    assert!(live["queues"][0]["service_level_today"].is_null());
    let ops = live["operators"].as_array().cloned().unwrap_or_default();
    let kk_live = ops
        .iter()
        .find(|o| o["staff_id"] == kk_id.to_string())
        .cloned()
        .unwrap_or_default();
    assert_eq!(kk_live["load"]["web_chat"], 1);
    assert_eq!(kk_live["presence"], "online");
    // Ending the first frees the slot: the second is offered.
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{first}/end"),
            Some(&kk),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    offered(&app, &kk, second).await?;
    // A declined offer goes to the next competent operator and never returns.
    let (kk2_id, kk2) = operator(&app, "kk-second", json!(["kk", "ru"]), 2).await?;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{second}/decline"),
            Some(&kk),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    offered(&app, &kk2, second).await?;
    assert!(offers(&app, &kk).await?.is_empty());
    // Answering someone else's offer, or nothing, is refused and changes nothing.
    let before = app.event_count().await?;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{second}/accept"),
            Some(&ru),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{}/accept", Uuid::now_v7()),
            Some(&ru),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{first}/end"),
            Some(&ru),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{second}/abandon"),
            Some(&ru),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.event_count().await?, before);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{second}/accept"),
            Some(&kk2),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    // The log tells the whole story of the second chat.
    let r = app
        .get("/api/v1/events?kind=routing.declined", app.admin())
        .await?;
    assert_eq!(r.body["items"][0]["data"]["operator_id"], kk_id.to_string());
    assert_eq!(r.body["items"][0]["interaction_id"], second.to_string());
    let r = app
        .get("/api/v1/events?kind=routing.accepted", app.admin())
        .await?;
    let accepted: Vec<&str> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["data"]["operator_id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(accepted, [kk_id.to_string(), kk2_id.to_string()]);
    let _ = ru_id;
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn overflow_and_live_view(app: TestApp) -> anyhow::Result<()> {
    let first = app.open_queue("first", "First line").await?;
    let second = app.open_queue("second", "Second line").await?;
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": first}),
    )
    .await?;
    let r = app
        .put(
            &format!("/api/v1/queues/{first}/overflow"),
            app.admin(),
            json!([{"after_secs": 1, "move_to_queue": second}]),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let client = app.client(app.admin(), json!({"name": "Overflow"})).await?;
    // Nobody speaks English: the contact waits, then overflows to the second line.
    let (_, _kk) = operator(&app, "kk-only", json!(["kk"]), 3).await?;
    let contact = chat(&app, client, "en").await?;
    let moved = eventually("the overflow", || async {
        let r = app
            .get("/api/v1/events?kind=routing.overflowed", app.admin())
            .await?;
        Ok(r.body["items"].as_array().and_then(|a| a.first().cloned()))
    })
    .await?;
    assert_eq!(moved["interaction_id"], contact.to_string());
    assert_eq!(moved["data"]["from_queue"], first.to_string());
    assert_eq!(moved["data"]["action"]["to_queue_id"], second.to_string());
    let live = app.get("/api/v1/routing/live", app.admin()).await?;
    let by_code = |code: &str| {
        live.body["queues"]
            .as_array()
            .and_then(|a| a.iter().find(|q| q["code"] == code).cloned())
            .unwrap_or_default()
    };
    assert_eq!(by_code("first")["waiting"], 0);
    assert_eq!(by_code("second")["waiting"], 1);
    assert!(by_code("second")["longest_wait_secs"]
        .as_i64()
        .is_some_and(|s| s >= 1));
    // An English speaker on the second line gets it.
    let (_, en) = operator(&app, "en-speaker", json!(["en"]), 1).await?;
    offered(&app, &en, contact).await?;
    // Operators cannot see the live view.
    let (_, op) = app.staff("plain", "operator", None).await?;
    assert_eq!(
        app.get("/api/v1/routing/live", &op).await?.status,
        StatusCode::FORBIDDEN
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn transfer_escalation_and_queue_status(app: TestApp) -> anyhow::Result<()> {
    let main = app.open_queue("main", "Main").await?;
    let sup_q = app.open_queue("supervisors", "Supervisors").await?;
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": main}),
    )
    .await?;
    let r = app.put("/api/v1/routing/settings", app.admin(),
                    json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 60, "escalation_queue_id": sup_q})).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (a_id, a) = operator(&app, "op-a", json!(["kk"]), 1).await?;
    let client = app.client(app.admin(), json!({"name": "Transfer"})).await?;
    let first = chat(&app, client, "kk").await?;
    offered(&app, &a, first).await?;
    app.call(
        Method::POST,
        &format!("/api/v1/interactions/{first}/accept"),
        Some(&a),
        None,
    )
    .await?;
    // A second contact waits behind: position 1 in line, no estimate until the queue answered
    // someone in the last hour… which it has (op-a took the first), so there is one.
    let waiting = chat(&app, client, "kk").await?;
    let r = app
        .get(
            &format!("/api/v1/interactions/{waiting}/queue"),
            app.admin(),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["position"], 1);
    assert_eq!(r.body["waiting"], 1);
    assert_eq!(r.body["estimated_wait_secs"], 3600);
    // op-a hands the first chat to op-b, with a reason op-b will read.
    let (b_id, b) = operator(&app, "op-b", json!(["kk"]), 2).await?;
    // op-b may be offered the waiting one by the router meanwhile; take it out of the way.
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{waiting}/abandon"),
            Some(app.admin()),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // An abandoned chat is not a lost call: the live view's calls are the KPI engine's.
    let live = app.get("/api/v1/routing/live", app.admin()).await?;
    let q = live.body["queues"]
        .as_array()
        .and_then(|a| a.iter().find(|q| q["code"] == "main").cloned())
        .unwrap_or_default();
    assert_eq!(
        (q["answered_today"].clone(), q["abandoned_today"].clone()),
        (json!(0), json!(0))
    );
    assert!(q["service_level_today"].is_null());
    let r = app
        .post(
            &format!("/api/v1/interactions/{first}/transfer"),
            &a,
            json!({"to_operator": b_id, "reason": "зейнетақы бойынша маман керек"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let second = r.id();
    assert_ne!(second, first, "an answered contact continues as a new one");
    assert_eq!(r.body["offered_to"], b_id.to_string());
    offered(&app, &b, second).await?;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{second}/accept"),
            Some(&b),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let appeal = r.body["appeal_id"].as_str().unwrap_or_default().to_owned();
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &b).await?;
    let notes: Vec<String> = d.body["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|e| e["note"]["body"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        notes,
        ["Ауыстыру / Transfer: зейнетақы бойынша маман керек"]
    );
    let states: Vec<(String, String)> = d.body["interactions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["state"].as_str().unwrap_or("").to_owned(),
                        i["operator_id"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        states.contains(&("ended".into(), a_id.to_string())),
        "{states:?}"
    );
    assert!(
        states.contains(&("answered".into(), b_id.to_string())),
        "{states:?}"
    );
    // op-b escalates: the contact waits for a supervisor, not for op-a (who has room now).
    let r = app
        .post(
            &format!("/api/v1/interactions/{second}/escalate"),
            &b,
            json!({"reason": "клиент басшыны сұрайды"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let third = r.id();
    assert_eq!(r.body["queue_id"], sup_q.to_string());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        offers(&app, &a).await?.is_empty(),
        "operators do not take escalations"
    );
    let (_, sup) = online(&app, "supervisor-1", "supervisor", json!(["kk"]), 3).await?;
    offered(&app, &sup, third).await?;
    let r = app
        .get("/api/v1/events?kind=routing.escalated", app.admin())
        .await?;
    assert_eq!(
        r.body["items"][0]["data"]["from_operator"],
        b_id.to_string()
    );
    assert_eq!(r.body["items"][0]["data"]["to_queue"], sup_q.to_string());
    // Refusals change nothing: a stranger's transfer, both targets, no target, an offline target.
    let (_, stranger) = app.staff("stranger", "operator", None).await?;
    let before = app.event_count().await?;
    for (token, body, status) in [
        (
            stranger.as_str(),
            json!({"to_queue": main, "reason": "x"}),
            StatusCode::FORBIDDEN,
        ),
        (
            sup.as_str(),
            json!({"to_queue": main, "to_operator": a_id, "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            sup.as_str(),
            json!({"reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            sup.as_str(),
            json!({"to_queue": main, "reason": " "}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            sup.as_str(),
            json!({"to_operator": Uuid::now_v7(), "reason": "x"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = app
            .post(
                &format!("/api/v1/interactions/{third}/transfer"),
                token,
                body.clone(),
            )
            .await?;
        assert_eq!(r.status, status, "{body}: {}", r.text);
    }
    app.put(
        "/api/v1/auth/me/presence",
        &a,
        json!({"presence": "offline"}),
    )
    .await?;
    let before_offline = app.event_count().await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{third}/transfer"),
            &sup,
            json!({"to_operator": a_id, "reason": "x"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(app.event_count().await?, before_offline);
    assert_eq!(
        before_offline,
        before + 1,
        "only the presence change was written"
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// An overflow step into the escalation queue escalates: only supervisors take the contact.
async fn escalation_by_rule(app: TestApp) -> anyhow::Result<()> {
    let main = app.open_queue("main", "Main").await?;
    let sup_q = app.open_queue("sup", "Supervisors").await?;
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": main}),
    )
    .await?;
    app.put("/api/v1/routing/settings", app.admin(),
            json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 20, "escalation_queue_id": sup_q})).await?;
    app.put(
        &format!("/api/v1/queues/{main}/overflow"),
        app.admin(),
        json!([{"after_secs": 1, "move_to_queue": sup_q}]),
    )
    .await?;
    let client = app.client(app.admin(), json!({})).await?;
    let contact = chat(&app, client, "en").await?;
    let escalated = eventually("the escalation", || async {
        let r = app
            .get("/api/v1/events?kind=routing.escalated", app.admin())
            .await?;
        Ok(r.body["items"].as_array().and_then(|a| a.first().cloned()))
    })
    .await?;
    assert_eq!(escalated["interaction_id"], contact.to_string());
    assert_eq!(escalated["data"]["reason"], "overflow rule");
    let (_, op) = operator(&app, "en-operator", json!(["en"]), 2).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        offers(&app, &op).await?.is_empty(),
        "an operator does not take an escalation"
    );
    let (_, sup) = online(&app, "en-supervisor", "supervisor", json!(["en"]), 3).await?;
    offered(&app, &sup, contact).await?;
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// A contact queued while its queue is closed is told so once, in its language, with the hours
/// and the other channels (R12.3).
async fn out_of_hours_reply(app: TestApp) -> anyhow::Result<()> {
    let closed = app
        .post(
            "/api/v1/queues",
            app.admin(),
            json!({"code": "closed", "name": "Closed"}),
        )
        .await?
        .id();
    // No opening hours at all: closed whenever the test runs.
    let r = app
        .put(
            &format!("/api/v1/queues/{closed}/hours"),
            app.admin(),
            json!({}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.put(
        "/api/v1/routing/table",
        app.admin(),
        json!({"entries": [], "default_queue_id": closed}),
    )
    .await?;
    let r = app
        .put(
            "/api/v1/routing/out-of-hours",
            app.admin(),
            json!({"other_channels_kk": "Telegram: @egov_kz_bot, e-mail: info@example.kz"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let client = app.client(app.admin(), json!({"language": "kk"})).await?;
    let contact = chat(&app, client, "kk").await?;
    let notice = eventually("the out-of-hours reply", || async {
        let r = app
            .get("/api/v1/events?kind=routing.out_of_hours", app.admin())
            .await?;
        Ok(r.body["items"].as_array().and_then(|a| a.first().cloned()))
    })
    .await?;
    assert_eq!(notice["interaction_id"], contact.to_string());
    let appeal = notice["appeal_id"].as_str().unwrap_or_default().to_owned();
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let system: Vec<String> = d.body["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter(|e| e["message"]["author"] == "system")
                .filter_map(|e| e["message"]["body"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(system.len(), 1, "{system:?}");
    assert!(
        system[0].starts_with("Сәлеметсіз бе! Байланыс орталығы қазір жұмыс істемейді."),
        "{}",
        system[0]
    );
    assert!(
        system[0].ends_with("Telegram: @egov_kz_bot, e-mail: info@example.kz"),
        "{}",
        system[0]
    );
    // Once only, however many passes run.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let r = app
        .get("/api/v1/events?kind=routing.out_of_hours", app.admin())
        .await?;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = app
        .put(
            "/api/v1/routing/out-of-hours",
            app.admin(),
            json!({"other_channels_xx": "?"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// An offer nobody answers times out and moves on (the shortest timeout is 5 s). A timeout is
/// not a decline (issue "Trustworthy in the field", point 6): the operator who let it ring is
/// set away — evidently not at the console — and once back online may be offered the same
/// contact again.
async fn offer_timeout(app: TestApp) -> anyhow::Result<()> {
    app.default_queue().await?;
    let r = app.put("/api/v1/routing/settings", app.admin(),
                    json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 5})).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (a_id, a) = operator(&app, "first-op", json!(["kk"]), 1).await?;
    let client = app.client(app.admin(), json!({})).await?;
    let contact = chat(&app, client, "kk").await?;
    offered(&app, &a, contact).await?;
    let (_, b) = operator(&app, "second-op", json!(["kk"]), 1).await?;
    // First-op ignores it; after 5 s it goes to second-op.
    tokio::time::sleep(std::time::Duration::from_millis(5200)).await;
    offered(&app, &b, contact).await?;
    assert!(offers(&app, &a).await?.is_empty());
    let r = app
        .get("/api/v1/events?kind=routing.timed_out", app.admin())
        .await?;
    assert_eq!(r.body["items"][0]["data"]["operator_id"], a_id.to_string());
    let me = app.get("/api/v1/auth/me", &a).await?;
    assert_eq!(me.body["presence"], "away", "{}", me.text);
    let r = app
        .get("/api/v1/events?kind=staff.presence_changed", app.admin())
        .await?;
    let set_away = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["data"]["reason"] == "offer_unanswered")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        set_away["data"]["operator_id"],
        a_id.to_string(),
        "{}",
        r.text
    );
    assert_eq!(set_away["data"]["to"], "away");
    // Back at the console: when the second operator declines, the contact can come back.
    let r = app
        .put(
            "/api/v1/auth/me/presence",
            &a,
            json!({"presence": "online"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/interactions/{contact}/decline"),
            Some(&b),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    offered(&app, &a, contact).await?;
    Ok(())
}

#[tokio::test]
async fn offer_timeout_sqlite() -> anyhow::Result<()> {
    baylanys_tests::run(baylanys_tests::Backend::Sqlite, offer_timeout).await
}

#[tokio::test]
async fn offer_timeout_postgres() -> anyhow::Result<()> {
    baylanys_tests::run(baylanys_tests::Backend::Postgres, offer_timeout).await
}
