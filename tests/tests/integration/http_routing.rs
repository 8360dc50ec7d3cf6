//! Routing configuration over HTTP: presence, capacity, overflow steps, the routing table and
//! the router's settings. Invalid rules are refused with a problem and leave the config as it
//! was (routing issue, point 8).

use baylanys_tests::{both, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both!(presence_and_capacity, overflow_table_and_settings);

async fn put(
    app: &TestApp,
    token: &str,
    path: String,
    body: Value,
) -> anyhow::Result<baylanys_tests::Reply> {
    app.put(&path, token, body).await
}

async fn presence_and_capacity(app: TestApp) -> anyhow::Result<()> {
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let me = app.get("/api/v1/auth/me", &op).await?;
    assert_eq!(me.body["presence"], "offline");
    assert_eq!(
        me.body["capacity"],
        json!({"web_chat": 3, "email": 5, "telegram": 3, "voice": 1, "in_person": 0})
    );
    let r = app
        .call(
            Method::PUT,
            "/api/v1/auth/me/presence",
            Some(&op),
            Some(&json!({"presence": "online"})),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["presence"], "online");
    assert!(r.body["presence_at"].is_string());
    let events = app
        .get("/api/v1/events?kind=staff.presence_changed", app.admin())
        .await?;
    assert_eq!(
        events.body["items"][0]["data"],
        json!({"from": "offline", "to": "online"})
    );
    assert_eq!(events.body["items"][0]["actor_id"], op_id.to_string());
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"capacity": {"web_chat": 2, "voice": 1}}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["capacity"]["web_chat"], 2);
    assert_eq!(
        r.body["capacity"]["email"], 0,
        "a channel left out is disabled"
    );
    let before = app.event_count().await?;
    let bad: [(Method, String, &str, Value, StatusCode, &str); 4] = [
        (
            Method::PUT,
            "/api/v1/auth/me/presence".into(),
            op.as_str(),
            json!({"presence": "busy"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        ),
        (
            Method::PATCH,
            format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"capacity": {"web_chat": 60}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            Method::PATCH,
            format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"capacity": {"fax": 1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
        ),
        (
            Method::PATCH,
            format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"capacity": {"web_chat": -1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
        ),
    ];
    for (method, path, token, body, status, kind) in bad {
        let r = app
            .call(method.clone(), &path, Some(token), Some(&body))
            .await?;
        assert_eq!(r.status, status, "{method} {path} {body}: {}", r.text);
        assert_eq!(r.problem(), format!("/problems/{kind}"));
    }
    assert_eq!(app.event_count().await?, before);
    assert_eq!(
        app.get("/api/v1/auth/me", &op).await?.body["capacity"]["web_chat"],
        2
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn overflow_table_and_settings(app: TestApp) -> anyhow::Result<()> {
    let admin = app.admin();
    let mut q = Vec::new();
    for code in ["first", "second", "supervisors"] {
        q.push(
            app.post("/api/v1/queues", admin, json!({"code": code, "name": code}))
                .await?
                .id(),
        );
    }
    let topic = app
        .post("/api/v1/topics", admin, json!({"code": "pension", "name_kk": "Зейнетақы", "name_ru": "Пенсия", "queue_id": q[1]}))
        .await?
        .id();
    // first → second after 3 min, with a widening before it; second → supervisors.
    let r = put(&app, admin, format!("/api/v1/queues/{}/overflow", q[0]),
                json!([{"after_secs": 60, "widen_to_level": 2}, {"after_secs": 180, "move_to_queue": q[1]}])).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["overflow"][1]["move_to_queue"], q[1].to_string());
    let r = put(
        &app,
        admin,
        format!("/api/v1/queues/{}/overflow", q[1]),
        json!([{"after_secs": 300, "move_to_queue": q[2]}]),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let table = json!({
        "entries": [
            {"kind": "complaint", "queue_id": q[2]},
            {"language": "kk", "channel": "voice", "queue_id": q[0]},
            {"topic_id": topic, "queue_id": q[1]},
        ],
        "default_queue_id": q[0],
    });
    let r = put(&app, admin, "/api/v1/routing/table".into(), table.clone()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.get("/api/v1/routing/settings", admin).await?;
    assert_eq!(
        r.body,
        json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 20, "escalation_queue_id": null})
    );
    let r = put(&app, admin, "/api/v1/routing/settings".into(), json!({"strategy": "least_occupied", "starvation_bound_secs": 120, "offer_timeout_secs": 30})).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Everything below is refused and changes nothing.
    let before = app.event_count().await?;
    let unknown = uuid::Uuid::now_v7();
    let cases: Vec<(String, Value, StatusCode, &str)> = vec![
        // supervisors → first closes the cycle first → second → supervisors → first.
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": 60, "move_to_queue": q[0]}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": 60, "move_to_queue": q[2]}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": -5, "widen_to_level": 2}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": 5, "widen_to_level": 7}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": 5}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": 5, "widen_to_level": 2, "move_to_queue": q[0]}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{}/overflow", q[2]),
            json!([{"after_secs": 5, "move_to_queue": unknown}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            format!("/api/v1/queues/{unknown}/overflow"),
            json!([]),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            "/api/v1/routing/table".into(),
            json!({"entries": [{"queue_id": unknown}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "/api/v1/routing/table".into(),
            json!({"entries": [{"topic_id": unknown, "queue_id": q[0]}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "/api/v1/routing/table".into(),
            json!({"entries": [], "default_queue_id": unknown}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "/api/v1/routing/table".into(),
            json!({"entries": [{"language": "de", "queue_id": q[0]}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        ),
        (
            "/api/v1/routing/settings".into(),
            json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "/api/v1/routing/settings".into(),
            json!({"strategy": "random", "starvation_bound_secs": 300, "offer_timeout_secs": 20}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        ),
        (
            "/api/v1/routing/settings".into(),
            json!({"strategy": "longest_idle", "starvation_bound_secs": -1, "offer_timeout_secs": 20}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
        ),
    ];
    for (path, body, status, kind) in cases {
        let r = put(&app, admin, path.clone(), body.clone()).await?;
        assert_eq!(r.status, status, "PUT {path} {body}: {}", r.text);
        assert_eq!(r.problem(), format!("/problems/{kind}"), "{}", r.text);
    }
    assert_eq!(app.event_count().await?, before);
    let queues = app.get("/api/v1/queues", admin).await?;
    let supervisors = queues
        .body
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == "supervisors").cloned());
    assert_eq!(supervisors.map(|s| s["overflow"].clone()), Some(json!([])));
    assert_eq!(app.get("/api/v1/routing/table", admin).await?.body, table);
    assert_eq!(
        app.get("/api/v1/routing/settings", admin).await?.body["offer_timeout_secs"],
        30
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
