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
    assert_eq!(app.event_count().await?, before);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
