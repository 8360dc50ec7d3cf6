//! The role matrix: every endpoint × every role (R11, R33). A body officer sees only the appeals
//! redirected to their own body; another body's appeal is 404, so even its existence stays hidden.

use baylanys_tests::{both, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both!(role_matrix, body_officer_isolation);

const ADMIN: u8 = 1;
const SUPERVISOR: u8 = 2;
const OPERATOR: u8 = 4;
const OFFICER: u8 = 8;
const ALL: u8 = ADMIN | SUPERVISOR | OPERATOR | OFFICER;
const CENTRE: u8 = ADMIN | SUPERVISOR | OPERATOR;
const OVERSIGHT: u8 = ADMIN | SUPERVISOR;

async fn role_matrix(app: TestApp) -> anyhow::Result<()> {
    let body_a = app.body("Body A").await?;
    let (sup_id, sup) = app.staff("sup", "supervisor", None).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let (_, officer) = app.staff("officer", "body_officer", Some(body_a)).await?;
    let admin_id = app.get("/api/v1/auth/me", app.admin()).await?.id();
    let client = app.client(&op, json!({"name": "Матрица"})).await?;
    let appeal_a = app.appeal(&op, client, "a").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal_a}/redirect"),
            &op,
            json!({"body_id": body_a, "reason": "құзыреті"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let appeal_c = app.appeal(&op, client, "c").await?;
    let queue = app
        .post(
            "/api/v1/queues",
            app.admin(),
            json!({"code": "main", "name": "Main"}),
        )
        .await?
        .id();
    let topic = app
        .post(
            "/api/v1/topics",
            app.admin(),
            json!({"code": "t1", "name_kk": "Т", "name_ru": "Т"}),
        )
        .await?
        .id();

    let roles: [(u8, &str, &str); 4] = [
        (ADMIN, "admin", app.admin()),
        (SUPERVISOR, "supervisor", &sup),
        (OPERATOR, "operator", &op),
        (OFFICER, "body_officer", &officer),
    ];
    let _ = (sup_id, op_id);
    for (bit, role, token) in roles {
        let uniq = role.replace('_', "-");
        let matrix: Vec<(Method, String, Option<Value>, u8)> = vec![
            (Method::GET, "/api/v1/auth/me".into(), None, ALL),
            (Method::GET, "/api/v1/staff".into(), None, ADMIN),
            (
                Method::POST,
                "/api/v1/staff".into(),
                Some(
                    json!({"login": format!("new-{uniq}"), "password": "long-enough-pw", "display_name": "n", "role": "operator"}),
                ),
                ADMIN,
            ),
            (
                Method::GET,
                format!("/api/v1/staff/{admin_id}"),
                None,
                ADMIN,
            ),
            (
                Method::PATCH,
                format!("/api/v1/staff/{op_id}"),
                Some(json!({"display_name": format!("by {role}")})),
                ADMIN,
            ),
            (
                Method::POST,
                "/api/v1/clients".into(),
                Some(json!({"name": role})),
                CENTRE,
            ),
            (
                Method::GET,
                "/api/v1/clients?name=%D0%BC%D0%B0".into(),
                None,
                CENTRE,
            ),
            (
                Method::GET,
                format!("/api/v1/clients/{client}"),
                None,
                CENTRE,
            ),
            (
                Method::GET,
                format!("/api/v1/clients/{client}/history"),
                None,
                CENTRE,
            ),
            (
                Method::POST,
                format!("/api/v1/clients/{client}/identities"),
                Some(json!({"channel": "email", "address": format!("{uniq}@example.kz")})),
                CENTRE,
            ),
            (
                Method::POST,
                "/api/v1/appeals".into(),
                Some(json!({"client_id": client, "kind": "request", "channel": "web_chat"})),
                CENTRE,
            ),
            (Method::GET, "/api/v1/appeals".into(), None, ALL),
            (
                Method::GET,
                format!("/api/v1/appeals/{appeal_a}"),
                None,
                ALL,
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_a}/messages"),
                Some(json!({"body": role})),
                ALL,
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_a}/notes"),
                Some(json!({"body": role})),
                ALL,
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_c}/assign"),
                Some(json!({"staff_id": null})),
                CENTRE,
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_c}/redirect"),
                Some(json!({"body_id": body_a, "reason": role})),
                // A body's officer sends their body's appeals on (re-redirection).
                ALL,
            ),
            (Method::GET, "/api/v1/queues".into(), None, ALL),
            (
                Method::POST,
                "/api/v1/queues".into(),
                Some(json!({"code": format!("q-{uniq}"), "name": "Q"})),
                ADMIN,
            ),
            (
                Method::PATCH,
                format!("/api/v1/queues/{queue}"),
                Some(json!({"name": role})),
                ADMIN,
            ),
            (Method::GET, "/api/v1/topics".into(), None, ALL),
            (
                Method::POST,
                "/api/v1/topics".into(),
                Some(json!({"code": format!("t-{uniq}"), "name_kk": "a", "name_ru": "b"})),
                ADMIN,
            ),
            (
                Method::PATCH,
                format!("/api/v1/topics/{topic}"),
                Some(json!({"name_ru": role})),
                ADMIN,
            ),
            (Method::GET, "/api/v1/bodies".into(), None, ALL),
            (Method::GET, format!("/api/v1/bodies/{body_a}"), None, ALL),
            (
                Method::POST,
                "/api/v1/bodies".into(),
                Some(json!({"name_kk": role, "name_ru": role, "delivery_method": "email"})),
                ADMIN,
            ),
            (
                Method::PATCH,
                format!("/api/v1/bodies/{body_a}"),
                Some(json!({"name_ru": "Body A"})),
                ADMIN,
            ),
            (
                Method::GET,
                "/api/v1/calendar/days?from=2026-03-20&to=2026-03-26".into(),
                None,
                ALL,
            ),
            (Method::GET, "/api/v1/calendar/overrides".into(), None, ALL),
            (
                Method::GET,
                "/api/v1/calendar/add-working-days?from=2026-03-16&days=15".into(),
                None,
                ALL,
            ),
            (
                Method::PUT,
                "/api/v1/calendar/overrides/2026-01-03".into(),
                Some(
                    json!({"kind": "working_day", "name_kk": "Жұмыс күні", "name_ru": "Рабочий день"}),
                ),
                ADMIN,
            ),
            (
                Method::PUT,
                format!("/api/v1/queues/{queue}/hours"),
                Some(json!({"monday": [{"from": "09:00", "to": "18:00"}]})),
                ADMIN,
            ),
            (
                Method::GET,
                format!("/api/v1/queues/{queue}/open"),
                None,
                ALL,
            ),
            (
                Method::PUT,
                "/api/v1/auth/me/presence".into(),
                Some(json!({"presence": "online"})),
                ALL,
            ),
            (
                Method::PUT,
                format!("/api/v1/queues/{queue}/overflow"),
                Some(json!([{"after_secs": 60, "widen_to_level": 2}])),
                ADMIN,
            ),
            (Method::GET, "/api/v1/routing/table".into(), None, CENTRE),
            (
                Method::PUT,
                "/api/v1/routing/table".into(),
                Some(json!({"entries": [], "default_queue_id": queue})),
                ADMIN,
            ),
            (Method::GET, "/api/v1/routing/settings".into(), None, CENTRE),
            (
                Method::PUT,
                "/api/v1/routing/settings".into(),
                Some(
                    json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 20}),
                ),
                ADMIN,
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_c}/interactions"),
                Some(json!({"channel": "voice", "queue_id": queue})),
                CENTRE,
            ),
            (Method::GET, "/api/v1/routing/offers".into(), None, ALL),
            (Method::GET, "/api/v1/routing/live".into(), None, OVERSIGHT),
            (Method::GET, "/api/v1/canned-replies".into(), None, CENTRE),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_a}/verify"),
                Some(json!({"iin": "900101300007", "on_file": "+77010000000"})),
                CENTRE,
            ),
            (
                Method::POST,
                "/api/v1/canned-replies".into(),
                Some(
                    json!({"title": format!("t-{uniq}"), "body_kk": "Сәлем", "body_ru": "Здравствуйте"}),
                ),
                OVERSIGHT,
            ),
            (Method::GET, "/api/v1/events".into(), None, OVERSIGHT),
            (Method::GET, "/api/v1/audit".into(), None, OVERSIGHT),
        ];
        for (method, path, body, allowed) in matrix {
            let r = app
                .call(method.clone(), &path, Some(token), body.as_ref())
                .await?;
            if allowed & bit != 0 {
                assert!(
                    r.status.is_success() || r.status == StatusCode::CONFLICT,
                    "{role} {method} {path}: want success, got {} {}",
                    r.status,
                    r.text
                );
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {path}: {}",
                    r.text
                );
                assert_eq!(r.problem(), "/problems/forbidden");
            }
            // Without a token every endpoint is 401.
            let r = app.call(method.clone(), &path, None, body.as_ref()).await?;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "anonymous {method} {path}"
            );
        }
    }
    // Staff may read their own account but nobody else's.
    let r = app.get(&format!("/api/v1/staff/{op_id}"), &op).await?;
    assert_eq!(r.status, StatusCode::OK);
    Ok(())
}

async fn body_officer_isolation(app: TestApp) -> anyhow::Result<()> {
    let body_a = app.body("Body A").await?;
    let body_b = app.body("Body B").await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let (_, officer_a) = app.staff("officer-a", "body_officer", Some(body_a)).await?;
    let (_, officer_b) = app.staff("officer-b", "body_officer", Some(body_b)).await?;
    let client = app
        .client(&op, json!({"name": "Азамат", "iin": "900101300007"}))
        .await?;
    let to_a = app.appeal(&op, client, "for A").await?;
    let to_b = app.appeal(&op, client, "for B").await?;
    let kept = app.appeal(&op, client, "kept").await?;
    for (id, body) in [(to_a, body_a), (to_b, body_b)] {
        let r = app
            .post(
                &format!("/api/v1/appeals/{id}/redirect"),
                &op,
                json!({"body_id": body, "reason": "құзыреті бойынша"}),
            )
            .await?;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["status"], "redirected");
        assert_eq!(r.body["body_id"], body.to_string());
    }
    // The list shows only the officer's body, whatever filter they try.
    for q in [
        "",
        "?status=redirected",
        &format!("?body_id={body_b}"),
        &format!("?client_id={client}"),
    ] {
        let r = app.get(&format!("/api/v1/appeals{q}"), &officer_a).await?;
        assert_eq!(r.status, StatusCode::OK);
        let ids: Vec<&str> = r.body["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
            .unwrap_or_default();
        let expect: Vec<String> = if q.contains(&body_b.to_string()) {
            vec![]
        } else {
            vec![to_a.to_string()]
        };
        assert_eq!(ids, expect, "query {q:?}");
    }
    // Another body's appeal, or one never redirected, does not exist for them.
    let before = app.event_count().await?;
    for id in [to_b, kept] {
        for (method, path, body) in [
            (Method::GET, format!("/api/v1/appeals/{id}"), None),
            (
                Method::POST,
                format!("/api/v1/appeals/{id}/messages"),
                Some(json!({"body": "x"})),
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{id}/notes"),
                Some(json!({"body": "x"})),
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{id}/status"),
                Some(json!({"status": "in_progress"})),
            ),
        ] {
            let r = app
                .call(method.clone(), &path, Some(&officer_a), body.as_ref())
                .await?;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                r.text
            );
        }
    }
    // Nor do clients directly.
    let r = app
        .get(&format!("/api/v1/clients/{client}"), &officer_a)
        .await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.event_count().await?, before);
    // Their own body's appeal: they read it (with the client card, audited) and work on it.
    let r = app
        .get(&format!("/api/v1/appeals/{to_a}"), &officer_a)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["client"]["name"], "Азамат");
    let kinds: Vec<&str> = r.body["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"appeal.redirected"));
    let r = app
        .post(
            &format!("/api/v1/appeals/{to_a}/status"),
            &officer_a,
            json!({"status": "in_progress"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/appeals/{to_a}/messages"),
            &officer_a,
            json!({"body": "Қаралуда"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let audit = app
        .get(&format!("/api/v1/audit?client_id={client}"), app.admin())
        .await?;
    assert_eq!(
        audit.body["items"][0]["endpoint"],
        "GET /api/v1/appeals/{id}"
    );
    // Re-redirected to body B: officer A loses it, officer B gains it; the chain is kept.
    let r = app
        .post(
            &format!("/api/v1/appeals/{to_a}/redirect"),
            &op,
            json!({"body_id": body_b, "reason": "B құзыреті"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .get(&format!("/api/v1/appeals/{to_a}"), &officer_a)
        .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/appeals/{to_a}"), &officer_b)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    let chain: Vec<Value> = r.body["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter(|e| e["kind"] == "appeal.redirected")
                .map(|e| e["redirection"]["body_id"].clone())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        chain,
        vec![json!(body_a.to_string()), json!(body_b.to_string())]
    );
    // A body officer cannot be detached from their body; made an operator, they see the centre.
    let officer_a_id = app.get("/api/v1/auth/me", &officer_a).await?.id();
    let r = app
        .patch(
            &format!("/api/v1/staff/{officer_a_id}"),
            app.admin(),
            json!({"body_id": null}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .patch(
            &format!("/api/v1/staff/{officer_a_id}"),
            app.admin(),
            json!({"role": "operator", "body_id": null}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .get(&format!("/api/v1/appeals/{kept}"), &officer_a)
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    Ok(())
}
