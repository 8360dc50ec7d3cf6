//! What the citizen is told of their appeal on their own channel, in its language (R6, R30):
//! the redirection (body, department, responsible position, new date), an extension and why,
//! a request for more information, the answer, then the survey — the whole story of a chat
//! redirected to a ministry, in one test, with every step in the event log.

use baylanys_tests::{both, TestApp};
use serde_json::json;

use crate::http_dispatch::online;
use crate::ws_chat_frames::{chat_from, until};
use crate::ws_operator::send;

both!(citizen_is_told_of_redirection_and_extension);

/// R6, R30: a citizen chatting in Kazakh is told, in the chat, where the appeal went, the
/// department and the position responsible, and the new expected date; then that the date
/// moved, and why.
async fn citizen_is_told_of_redirection_and_extension(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = online(&app, "aigerim", "operator", json!(["kk"]), 3).await?;
    let body = app.body("Әділет министрлігі").await?;
    let dept = app
        .post(
            &format!("/api/v1/bodies/{body}/departments"),
            app.admin(),
            json!({"name_kk": "Тіркеу қызметі департаменті", "name_ru": "Департамент регистрационной службы",
                   "position_kk": "Департамент директоры", "position_ru": "Директор департамента"}),
        )
        .await?
        .id();
    let mut s = chat_from(&app, None).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "language": "kk"})).await?;
    until(&mut s, "welcome").await?;
    let (_, welcome) = crate::ws_chat_frames::first(&mut s, "Мүлікті тіркеу туралы сұрақ").await?;
    let appeal = welcome["appeal_id"].as_str().unwrap_or_default().to_owned();
    let number = welcome["number"].as_str().unwrap_or_default().to_owned();
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirect"),
            &op,
            json!({"body_id": body, "department_id": dept, "reason": "құзыреті бойынша"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let due: chrono::DateTime<chrono::Utc> =
        r.body["due_at"].as_str().unwrap_or_default().parse()?;
    let due_text = baylanys_domain::deadline::local_date(due)
        .format("%d.%m.%Y")
        .to_string();
    let told = until(&mut s, "notice").await?;
    let text = told["text"].as_str().unwrap_or_default();
    for part in [
        number.as_str(),
        "Әділет министрлігі (kk)",
        "Тіркеу қызметі департаменті",
        "Департамент директоры",
        due_text.as_str(),
    ] {
        assert!(text.contains(part), "{part:?} missing in {text}");
    }
    // The body accepts; the date moves by a reasoned decision and the citizen hears why.
    let new_date = baylanys_domain::deadline::local_date(due) + chrono::Duration::days(10);
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/extend"),
            app.admin(),
            json!({"due_date": new_date, "reason": "қосымша құжаттар сұратылды"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let told = until(&mut s, "notice").await?;
    let text = told["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(&new_date.format("%d.%m.%Y").to_string()),
        "{text}"
    );
    assert!(text.contains("қосымша құжаттар сұратылды"), "{text}");
    // The ministry's officer accepts, asks for more, then answers: the citizen hears each.
    let (_, officer) = app.staff("officer", "body_officer", Some(body)).await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirection/accept"),
            &officer,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // The body took it: the citizen hears who considers it now and by when (R6).
    let taken = until(&mut s, "notice").await?;
    assert!(
        taken["text"]
            .as_str()
            .is_some_and(|t| t.contains("қарауға қабылдады") && t.contains("Әділет министрлігі")),
        "{taken}"
    );
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            &officer,
            json!({"status": "awaiting_client", "reason": "Жер учаскесінің кадастрлық нөмірін жазыңыз."}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let told = until(&mut s, "notice").await?;
    assert!(
        told["text"]
            .as_str()
            .is_some_and(|t| t.contains("кадастрлық нөмірін")),
        "{told}"
    );
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            &officer,
            json!({"status": "answered", "resolution": "Тіркеу eGov арқылы жүргізіледі."}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let told = until(&mut s, "notice").await?;
    let text = told["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("жауап берілді") && text.contains("eGov арқылы"),
        "{text}"
    );
    // The survey follows; the citizen rates it.
    until(&mut s, "survey").await?;
    send(&mut s, json!({"type": "rate", "score": 4})).await?;
    assert_eq!(until(&mut s, "rated").await?["score"], 4);
    // Every step is in the event log of the appeal, in order, and the redirection was in time.
    let events = app
        .get(
            &format!("/api/v1/events?appeal_id={appeal}&limit=200"),
            app.admin(),
        )
        .await?;
    let items = events.body["items"].as_array().cloned().unwrap_or_default();
    let kinds: Vec<&str> = items.iter().filter_map(|e| e["kind"].as_str()).collect();
    let story = [
        "appeal.created",
        "appeal.redirected",
        "appeal.extended",
        "redirection.accepted",
        "appeal.status_changed",
        "survey.asked",
        "survey.answered",
    ];
    let mut at = 0;
    for k in &kinds {
        if at < story.len() && *k == story[at] {
            at += 1;
        }
    }
    assert_eq!(at, story.len(), "story {story:?} not in order in {kinds:?}");
    let redirected = items
        .iter()
        .find(|e| e["kind"] == "appeal.redirected")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        redirected["data"]["late"], false,
        "forwarded within three working days"
    );
    Ok(())
}
