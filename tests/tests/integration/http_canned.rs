//! Canned replies: supervisors keep them in Kazakh and Russian, operators read them.

use baylanys_tests::{both, TestApp};
use reqwest::StatusCode;
use serde_json::json;

both!(kept_by_supervisors_read_by_operators);

async fn kept_by_supervisors_read_by_operators(app: TestApp) -> anyhow::Result<()> {
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let r = app
        .post("/api/v1/canned-replies", &sup, json!({"title": "Сәлемдесу", "body_kk": "Сәлеметсіз бе! Қалай көмектесе аламын?", "body_ru": "Здравствуйте! Чем могу помочь?"}))
        .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["active"], true);
    let id = r.id();
    let list = app.get("/api/v1/canned-replies", &op).await?;
    assert_eq!(list.body[0]["body_ru"], "Здравствуйте! Чем могу помочь?");
    let r = app
        .put(&format!("/api/v1/canned-replies/{id}"), &sup, json!({"title": "Сәлемдесу", "body_kk": "Сәлем!", "body_ru": "Привет!", "active": false}))
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["active"].clone(), r.body["body_kk"].clone()),
        (json!(false), json!("Сәлем!"))
    );
    let before = app.event_count().await?;
    for (body, status) in [
        (
            json!({"title": " ", "body_kk": "a", "body_ru": "b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"title": "t", "body_kk": "a"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"title": "t", "body_kk": "a", "body_ru": "b", "topic_id": uuid::Uuid::now_v7()}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = app
            .post("/api/v1/canned-replies", &sup, body.clone())
            .await?;
        assert_eq!(r.status, status, "{body}: {}", r.text);
    }
    let r = app
        .put(
            &format!("/api/v1/canned-replies/{}", uuid::Uuid::now_v7()),
            &sup,
            json!({"title": "t", "body_kk": "a", "body_ru": "b"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post("/api/v1/canned-replies", &sup, json!({"title": "t", "body_kk": "a", "body_ru": "b", "article_id": uuid::Uuid::now_v7()}))
        .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(app.event_count().await?, before);

    // A reply standing on a knowledge-base article says when the article went stale (issue 18).
    let a = app
        .post("/api/v1/knowledge/articles", &sup, json!({
            "texts": [{"language": "kk", "title": "ХҚКО жұмыс уақыты", "body": "Дүйсенбі–жұма 9:00–18:00."}],
            "sources": [{"document": "«Мемлекеттік көрсетілетін қызметтер туралы» Заң"}],
            "review_by": "2026-01-15"}))
        .await?;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let article = a.id();
    let r = app
        .post(
            &format!("/api/v1/knowledge/articles/{article}/state"),
            &sup,
            json!({"to": "published", "revision": 1}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post("/api/v1/canned-replies", &sup, json!({"title": "Уақыт", "body_kk": "9:00–18:00", "body_ru": "9:00–18:00", "article_id": article}))
        .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let list = app.get("/api/v1/canned-replies", &op).await?;
    let linked = list
        .body
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["title"] == "Уақыт")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            linked["article"]["served"].clone(),
            linked["article"]["stale"].clone()
        ),
        (json!(true), json!(true)),
        "{}",
        list.text
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
