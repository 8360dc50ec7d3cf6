//! Satisfaction surveys in the web chat (R5.7, KPI 3): asked once the appeal is answered or
//! closed, answered once with 1–5 and an optional comment; bad or repeated answers are refused
//! and change nothing.

use baylanys_tests::{both, TestApp};
use serde_json::json;

use crate::ws_chat_frames::{chat_from, until};
use crate::ws_operator::send;

both!(rate_once_after_the_answer);

async fn rate_once_after_the_answer(app: TestApp) -> anyhow::Result<()> {
    let mut s = chat_from(&app, None).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "language": "ru"})).await?;
    until(&mut s, "welcome").await?;
    let (_, welcome) = crate::ws_chat_frames::first(&mut s, "Вопрос по справке").await?;
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    // Nothing to rate yet.
    send(&mut s, json!({"type": "rate", "score": 5})).await?;
    assert_eq!(until(&mut s, "error").await?["code"], "no_survey");
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            app.admin(),
            json!({"status": "closed", "resolution": "Справка выдана"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let survey = until(&mut s, "survey").await?;
    assert!(
        survey["text"]
            .as_str()
            .is_some_and(|t| t.contains("от 1 до 5")),
        "{survey}"
    );
    // Out of range, or too long a comment: refused, nothing stored.
    let before = app.event_count().await?;
    for bad in [
        json!({"type": "rate", "score": 0}),
        json!({"type": "rate", "score": 6}),
        json!({"type": "rate", "score": 4, "comment": "я".repeat(1001)}),
    ] {
        send(&mut s, bad).await?;
        assert_eq!(until(&mut s, "error").await?["code"], "invalid_frame");
    }
    send(&mut s, json!({"type": "rate", "score": 300})).await?;
    assert_eq!(until(&mut s, "error").await?["code"], "invalid_frame");
    assert_eq!(app.event_count().await?, before);
    send(
        &mut s,
        json!({"type": "rate", "score": 5, "comment": "Спасибо, быстро"}),
    )
    .await?;
    assert_eq!(until(&mut s, "rated").await?["score"], 5);
    send(&mut s, json!({"type": "rate", "score": 1})).await?;
    assert_eq!(until(&mut s, "error").await?["code"], "already_rated");
    let events = app
        .get("/api/v1/events?kind=survey.answered", app.admin())
        .await?;
    let items = events.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (
            items[0]["data"]["score"].as_u64(),
            items[0]["data"]["channel"].as_str()
        ),
        (Some(5), Some("web_chat"))
    );
    // Asked once: a second close-like change does not ask again.
    let asked = app
        .get("/api/v1/events?kind=survey.asked", app.admin())
        .await?;
    assert_eq!(asked.body["items"].as_array().map(Vec::len), Some(1));
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

both!(a_client_who_asked_not_to_be_contacted_is_not_asked);

/// Issue 13 point 11: the flags change after creation, with the reason on record (R5.6,
/// R13.4); a do-not-contact client is not asked to rate the service.
async fn a_client_who_asked_not_to_be_contacted_is_not_asked(app: TestApp) -> anyhow::Result<()> {
    let mut s = chat_from(&app, None).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "language": "kk"})).await?;
    until(&mut s, "welcome").await?;
    let (_, welcome) = crate::ws_chat_frames::first(&mut s, "Маған енді хабарласпаңыз").await?;
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    let detail = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let client = detail.body["appeal"]["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/api/v1/clients/{client}");

    // A reason is required; nothing changes without one.
    let before = app.event_count().await?;
    let r = app
        .patch(
            &path,
            app.admin(),
            json!({"do_not_contact": true, "reason": " "}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(app.event_count().await?, before);
    let r = app
        .patch(
            &path,
            app.admin(),
            json!({"do_not_contact": true, "vulnerable": true, "reason": "Клиенттің өтініші"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.body["do_not_contact"].as_bool(),
            r.body["vulnerable"].as_bool()
        ),
        (Some(true), Some(true))
    );
    // The same again changes nothing and writes nothing.
    let after = app.event_count().await?;
    let r = app
        .patch(
            &path,
            app.admin(),
            json!({"do_not_contact": true, "reason": "again"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let flags = app
        .get("/api/v1/events?kind=client.flags_changed", app.admin())
        .await?;
    let items = flags.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", flags.text);
    assert_eq!(items[0]["data"]["reason"], "Клиенттің өтініші");
    assert_eq!(
        items[0]["data"]["changed"],
        json!(["vulnerable", "do_not_contact"])
    );
    assert_eq!(items[0]["client_id"], client.as_str());
    assert!(app.event_count().await? >= after);

    // Closed: no survey for this client.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            app.admin(),
            json!({"status": "closed", "resolution": "Жауап берілді"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let asked = app
        .get("/api/v1/events?kind=survey.asked", app.admin())
        .await?;
    assert_eq!(
        asked.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        asked.text
    );
    Ok(())
}
