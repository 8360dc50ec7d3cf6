//! Redirection with status tracking (clause 3.8, R30; АППК art. 65, 76): to a body and its
//! department with the body's own due date; the body accepts or returns it; body officers act
//! only on their own body's appeals (404 otherwise, R33); bad input changes nothing.

use baylanys_domain::deadline;
use baylanys_tests::{both, TestApp};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

both!(redirect_accept_and_return);

async fn redirect_accept_and_return(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let body_a = app.body("Цифрлық даму министрлігі").await?;
    let body_b = app.body("Әділет министрлігі").await?;
    let (_, officer_a) = app.staff("officer_a", "body_officer", Some(body_a)).await?;
    let (_, officer_b) = app.staff("officer_b", "body_officer", Some(body_b)).await?;
    // The directory: a department and its responsible position.
    let dept = app
        .post(
            &format!("/api/v1/bodies/{body_a}/departments"),
            app.admin(),
            json!({"name_kk": "Мемлекеттік көрсетілетін қызметтер департаменті",
                   "name_ru": "Департамент государственных услуг",
                   "position_kk": "Департамент директоры", "position_ru": "Директор департамента"}),
        )
        .await?;
    assert_eq!(dept.status, 201, "{}", dept.text);
    let dept_a = dept.id();
    let other = app
        .post(
            &format!("/api/v1/bodies/{body_b}/departments"),
            app.admin(),
            json!({"name_kk": "Тіркеу", "name_ru": "Регистрация", "position_kk": "Басшы", "position_ru": "Руководитель"}),
        )
        .await?
        .id();
    let r = app
        .post(
            &format!("/api/v1/bodies/{body_a}/departments"),
            &op,
            json!({"name_kk": "x", "name_ru": "x", "position_kk": "x", "position_ru": "x"}),
        )
        .await?;
    assert_eq!(r.status, 403, "only admins edit the directory");
    let listed = app
        .get(&format!("/api/v1/bodies/{body_a}/departments"), &officer_a)
        .await?;
    assert_eq!(listed.body[0]["position_ru"], "Директор департамента");

    let client = app.client(&op, json!({"name": "Дәурен"})).await?;
    let appeal = app.appeal(&op, client, "Мемлекеттік қызмет туралы").await?;
    let path = format!("/api/v1/appeals/{appeal}/redirect");
    // Bad redirections change nothing.
    let before = app.event_count().await?;
    for (body, status) in [
        (
            json!({"body_id": Uuid::now_v7(), "reason": "құзыреті"}),
            404,
        ),
        (
            json!({"body_id": body_a, "department_id": other, "reason": "құзыреті"}),
            422,
        ),
        (json!({"body_id": body_a, "reason": " "}), 422),
    ] {
        let r = app.post(&path, &op, body).await?;
        assert_eq!(r.status, status, "{}", r.text);
    }
    assert_eq!(app.event_count().await?, before);
    // Redirected within the centre's three working days: the body's 15 start today.
    let r = app
        .post(
            &path,
            &op,
            json!({"body_id": body_a, "department_id": dept_a, "reason": "Министрліктің құзыреті"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "redirected");
    assert_eq!(r.body["department_id"], dept_a.to_string());
    let calendar = app.store.calendar().await?;
    let expect = deadline::due_at(&calendar, Utc::now(), 15);
    assert_eq!(
        r.body["due_at"].as_str().and_then(|s| s.parse().ok()),
        Some(expect)
    );
    let again = app
        .post(&path, &op, json!({"body_id": body_a, "reason": "тағы"}))
        .await?;
    assert_eq!(again.status, 409, "already with this body: {}", again.text);
    let detail = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let chain: Vec<&serde_json::Value> = detail.body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "appeal.redirected")
        .filter_map(|e| e.get("redirection"))
        .collect();
    assert_eq!(chain.len(), 1);
    assert_eq!(
        (chain[0]["state"].as_str(), chain[0]["late"].as_bool()),
        (Some("sent"), Some(false))
    );

    // Body B's officer sees nothing of it and cannot answer it.
    let accept = format!("/api/v1/appeals/{appeal}/redirection/accept");
    let give_back = format!("/api/v1/appeals/{appeal}/redirection/return");
    assert_eq!(
        app.get(&format!("/api/v1/appeals/{appeal}"), &officer_b)
            .await?
            .status,
        404
    );
    assert_eq!(app.post(&accept, &officer_b, json!({})).await?.status, 404);
    assert_eq!(
        app.post(&give_back, &officer_b, json!({"reason": "x"}))
            .await?
            .status,
        404
    );
    // Operators do not answer for bodies.
    assert_eq!(app.post(&accept, &op, json!({})).await?.status, 403);
    // Body A accepts: in progress there; a second answer is a conflict.
    let r = app.post(&accept, &officer_a, json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "in_progress");
    assert_eq!(app.post(&accept, &officer_a, json!({})).await?.status, 409);

    // Another appeal: body A returns it, not its competence; it goes back to the centre.
    let second = app.appeal(&op, client, "Соттан анықтама").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{second}/redirect"),
            &op,
            json!({"body_id": body_a, "reason": "қате болуы мүмкін"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let give_back = format!("/api/v1/appeals/{second}/redirection/return");
    let r = app
        .post(&give_back, &officer_a, json!({"reason": "  "}))
        .await?;
    assert_eq!(r.status, 422, "a return needs a reason");
    let r = app
        .post(
            &give_back,
            &officer_a,
            json!({"reason": "Әділет министрлігінің құзыреті"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["status"].as_str(), r.body["body_id"].is_null()),
        (Some("in_progress"), true)
    );
    assert_eq!(
        app.get(&format!("/api/v1/appeals/{second}"), &officer_a)
            .await?
            .status,
        404
    );
    let returned = app
        .get("/api/v1/events?kind=redirection.returned", app.admin())
        .await?;
    assert_eq!(
        returned.body["items"][0]["data"]["reason"],
        "Әділет министрлігінің құзыреті"
    );
    // Re-redirected to the competent body: the chain keeps both steps.
    let r = app
        .post(
            &format!("/api/v1/appeals/{second}/redirect"),
            &op,
            json!({"body_id": body_b, "reason": "Әділет министрлігі"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let detail = app
        .get(&format!("/api/v1/appeals/{second}"), app.admin())
        .await?;
    let states: Vec<&str> = detail.body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "appeal.redirected")
        .filter_map(|e| e["redirection"]["state"].as_str())
        .collect();
    assert_eq!(states, ["returned", "sent"]);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
