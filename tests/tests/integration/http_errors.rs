//! Every bad input gets a clear 4xx problem with a stable `type`, and changes nothing: the event
//! log (which every state change writes to) has the same length before and after.

use baylanys_tests::{both, Reply, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(
    bad_inputs_change_nothing,
    iin_validation,
    illegal_transitions
);

fn assert_problem(r: &Reply, status: StatusCode, kind: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.content_type, "application/problem+json", "{}", r.text);
    assert_eq!(r.problem(), format!("/problems/{kind}"), "{}", r.text);
    assert_eq!(r.body["status"], status.as_u16());
    assert!(r.body["title"].is_string());
    assert!(r.body["request_id"].is_string());
}

async fn bad_inputs_change_nothing(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({"name": "Бар"})).await?;
    let appeal = app.appeal(&op, client, "мәтін").await?;
    let before = app.event_count().await?;
    let t = Some(op.as_str());
    let cases: Vec<(Reply, StatusCode, &str)> = vec![
        // Malformed JSON.
        (app.raw(Method::POST, "/api/v1/clients", t, "application/json", b"{\"name\":".to_vec()).await?,
         StatusCode::BAD_REQUEST, "malformed-json"),
        (app.raw(Method::POST, "/api/v1/appeals", t, "application/json", b"not json".to_vec()).await?,
         StatusCode::BAD_REQUEST, "malformed-json"),
        // Wrong content type.
        (app.raw(Method::POST, "/api/v1/clients", t, "text/plain", b"{}".to_vec()).await?,
         StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
        // Wrong-typed JSON, a missing field, an unknown field.
        (app.post("/api/v1/appeals", &op, json!({"client_id": 5, "kind": "request", "channel": "voice"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "invalid-body"),
        (app.post("/api/v1/appeals", &op, json!({"client_id": client, "channel": "voice"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "invalid-body"),
        (app.post("/api/v1/clients", &op, json!({"name": "x", "iin_typo": "1"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "invalid-body"),
        (app.post("/api/v1/clients", &op, json!({"name": 42})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "invalid-body"),
        // Unknown enum values, in a body and in a query.
        (app.post("/api/v1/appeals", &op, json!({"client_id": client, "kind": "wish", "channel": "voice"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "unknown-value"),
        (app.post("/api/v1/appeals", &op, json!({"client_id": client, "kind": "request", "channel": "fax"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "unknown-value"),
        (app.post(&format!("/api/v1/appeals/{appeal}/status"), &op, json!({"status": "done"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "unknown-value"),
        (app.get("/api/v1/appeals?status=bogus", &op).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "unknown-value"),
        (app.get("/api/v1/appeals?limit=many", &op).await?,
         StatusCode::BAD_REQUEST, "invalid-query"),
        (app.get("/api/v1/clients", &op).await?,
         StatusCode::BAD_REQUEST, "invalid-query"),
        // Body over the size limit (256 KiB by default).
        (app.post(&format!("/api/v1/appeals/{appeal}/messages"), &op, json!({"body": "ә".repeat(200_000)})).await?,
         StatusCode::PAYLOAD_TOO_LARGE, "body-too-large"),
        // Field rules.
        (app.post(&format!("/api/v1/appeals/{appeal}/messages"), &op, json!({"body": "   "})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (app.post(&format!("/api/v1/appeals/{appeal}/messages"), &op, json!({"body": "x".repeat(20_001)})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (app.post("/api/v1/appeals", &op, json!({"client_id": client, "kind": "request", "channel": "voice", "priority": 9})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (app.post(&format!("/api/v1/appeals/{appeal}/messages"), &op, json!({"body": "x", "author": "system"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        // Not found, and a malformed id.
        (app.post("/api/v1/appeals", &op, json!({"client_id": uuid::Uuid::now_v7(), "kind": "request", "channel": "voice", "language": "ru"})).await?,
         StatusCode::NOT_FOUND, "not-found"),
        (app.post("/api/v1/appeals", &op, json!({"client_id": client, "kind": "request", "channel": "voice", "topic_id": uuid::Uuid::now_v7()})).await?,
         StatusCode::NOT_FOUND, "not-found"),
        (app.get(&format!("/api/v1/appeals/{}", uuid::Uuid::now_v7()), &op).await?,
         StatusCode::NOT_FOUND, "not-found"),
        (app.get("/api/v1/appeals/not-a-uuid", &op).await?,
         StatusCode::BAD_REQUEST, "invalid-path"),
        (app.get("/api/v1/no-such-thing", &op).await?,
         StatusCode::NOT_FOUND, "not-found"),
        (app.call(Method::DELETE, "/api/v1/appeals", t, None).await?,
         StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
        // Missing, malformed and unknown tokens.
        (app.call(Method::GET, "/api/v1/appeals", None, None).await?,
         StatusCode::UNAUTHORIZED, "unauthorized"),
        (app.raw(Method::POST, "/api/v1/clients", None, "application/json", b"{}".to_vec()).await?,
         StatusCode::UNAUTHORIZED, "unauthorized"),
        (app.call(Method::GET, "/api/v1/appeals", Some("made-up-token"), None).await?,
         StatusCode::UNAUTHORIZED, "unauthorized"),
        // Wrong role.
        (app.post("/api/v1/queues", &op, json!({"code": "q1", "name": "Q"})).await?,
         StatusCode::FORBIDDEN, "forbidden"),
        // Duplicate unique values.
        (app.post("/api/v1/staff", app.admin(), json!({"login": "op", "password": "long-enough-pw", "display_name": "x", "role": "operator"})).await?,
         StatusCode::CONFLICT, "conflict"),
        (app.post("/api/v1/staff", app.admin(), json!({"login": "x y", "password": "long-enough-pw", "display_name": "x", "role": "operator"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (app.post("/api/v1/staff", app.admin(), json!({"login": "short", "password": "short", "display_name": "x", "role": "operator"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (app.post("/api/v1/staff", app.admin(), json!({"login": "officer", "password": "long-enough-pw", "display_name": "x", "role": "body_officer"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (app.post("/api/v1/bodies", app.admin(), json!({"name_kk": "a", "name_ru": "b", "delivery_method": "portal", "bin": "123456789012"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "invalid-bin"),
        (app.post("/api/v1/bodies", app.admin(), json!({"name_kk": "a", "name_ru": "b", "delivery_method": "pigeon"})).await?,
         StatusCode::UNPROCESSABLE_ENTITY, "unknown-value"),
    ];
    for (i, (reply, status, kind)) in cases.iter().enumerate() {
        assert!(
            reply.status == *status,
            "case {i}: want {status}, got {} {}",
            reply.status,
            reply.text
        );
        assert_problem(reply, *status, kind);
    }
    // Wrong login: 401 with its own type, and no session created.
    let r = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"login": "op", "password": "wrong-password"})),
        )
        .await?;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid-credentials");
    let r = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"login": "nobody", "password": "wrong-password"})),
        )
        .await?;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid-credentials");
    assert_eq!(
        app.event_count().await?,
        before,
        "a failed request wrote an event"
    );
    // And the appeal itself is as it was.
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert_eq!(d.body["appeal"]["status"], "new");
    assert_eq!(d.body["appeal"]["last_seq"], 1);
    Ok(())
}

async fn iin_validation(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    // Valid: first pass, and the second-pass case from DESIGN.md.
    for iin in ["900101300007", "061211600012"] {
        let r = app
            .post("/api/v1/clients", &op, json!({"iin": iin}))
            .await?;
        assert_eq!(r.status, StatusCode::CREATED, "{iin}: {}", r.text);
        assert_eq!(r.body["iin"], iin);
    }
    let before = app.event_count().await?;
    for iin in [
        "900101300008",  // wrong check digit
        "061211600013",  // second-pass case, wrong digit
        "90010130000",   // 11 digits
        "9001013000071", // 13 digits
        "90010130000a",  // a letter
        "9001013 0000",  // a space
        "902301300007",  // month 23
        "900101700007",  // century digit 7
        "",
    ] {
        let r = app
            .post("/api/v1/clients", &op, json!({"iin": iin}))
            .await?;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-iin");
        let r = app
            .get(
                &format!("/api/v1/clients?iin={}", iin.replace(' ', "%20")),
                &op,
            )
            .await?;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-iin");
    }
    // A duplicate IIN is a conflict, not a second client.
    let r = app
        .post("/api/v1/clients", &op, json!({"iin": "900101300007"}))
        .await?;
    assert_problem(&r, StatusCode::CONFLICT, "conflict");
    assert_eq!(app.event_count().await?, before);
    Ok(())
}

async fn illegal_transitions(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({})).await?;
    let id = app.appeal(&op, client, "x").await?;
    let path = format!("/api/v1/appeals/{id}/status");
    let r = app
        .post(
            &path,
            &op,
            json!({"status": "closed", "resolution": "spam"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id2 = app.appeal(&op, client, "y").await?;
    let before = app.event_count().await?;
    for to in [
        "new",
        "in_progress",
        "answered",
        "awaiting_client",
        "closed",
        "redirected",
    ] {
        let r = app
            .post(&path, &op, json!({"status": to, "resolution": "r"}))
            .await?;
        assert_problem(&r, StatusCode::CONFLICT, "illegal-transition");
    }
    let r = app
        .post(
            &format!("/api/v1/appeals/{id2}/status"),
            &op,
            json!({"status": "redirected"}),
        )
        .await?;
    assert_problem(&r, StatusCode::CONFLICT, "illegal-transition");
    let r = app
        .post(
            &format!("/api/v1/appeals/{id2}/status"),
            &op,
            json!({"status": "answered"}),
        )
        .await?;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(app.event_count().await?, before);
    Ok(())
}
