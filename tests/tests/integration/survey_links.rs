//! Surveys by link (R5.7, KPI 3): a client answered by e-mail is asked in the same e-mail
//! channel with a one-time link; the page (in Chromium) takes one rating with a comment; the
//! answer lands in the event log with its channel; the token never appears on the timeline; a
//! wrong token, a bad score and a second answer are refused and change nothing.

use baylanys_tests::{Backend, TestApp};
use serde_json::json;

use crate::verification::{body_text, wait_for_mail, SmtpSink};

#[tokio::test]
async fn survey_by_link_in_email_and_chromium() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let delivery = sink.delivery()?;
    let app = TestApp::spawn_delivering(Backend::Sqlite, delivery).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app
        .client(
            &op,
            json!({"name": "Ольга", "language": "ru",
            "identities": [{"channel": "email", "address": "olga@example.kz"}]}),
        )
        .await?;
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "request", "channel": "email", "language": "ru",
                   "text": "Как получить справку о несудимости?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let appeal = r.id();
    wait_for_mail(&sink, 1).await?; // registered
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            &op,
            json!({"status": "answered", "resolution": "Справка выдаётся на eGov.kz за 5 минут."}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // The answer, then the survey, both by e-mail.
    let survey = body_text(&wait_for_mail(&sink, 3).await?);
    let link = survey
        .split_whitespace()
        .find(|w| w.contains("/survey/"))
        .map(|w| w.trim_end_matches(['.', ',']).to_owned())
        .ok_or_else(|| anyhow::anyhow!("no link in {survey}"))?;
    assert!(
        survey.contains("Оцените, пожалуйста, качество обслуживания"),
        "{survey}"
    );
    let token = link.rsplit('/').next().unwrap_or_default().to_owned();
    assert_eq!(token.len(), 43);
    // Staff see that the survey was sent, not the token.
    let detail = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert!(
        !detail.text.contains(&token),
        "the token stays with the client"
    );
    let asked = app
        .get("/api/v1/events?kind=survey.asked", app.admin())
        .await?;
    assert_eq!(asked.body["items"][0]["data"]["channel"], "email");
    assert_eq!(asked.body["items"][0]["data"]["by_link"], true);

    // Bad input: refused, nothing changes.
    let api = format!("/api/v1/public/surveys/{token}");
    let before = app.event_count().await?;
    let wrong = format!("/api/v1/public/surveys/{}", "A".repeat(43));
    assert_eq!(app.get(&wrong, "").await?.status, 404);
    assert_eq!(app.post(&wrong, "", json!({"score": 5})).await?.status, 404);
    assert_eq!(
        app.get("/api/v1/public/surveys/short", "").await?.status,
        404
    );
    for bad in [
        json!({"score": 0}),
        json!({"score": 6}),
        json!({"score": "5"}),
        json!({"score": 5, "extra": 1}),
        json!({"score": 5, "comment": "я".repeat(2001)}),
    ] {
        let r = app.post(&api, "", bad.clone()).await?;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    assert_eq!(app.event_count().await?, before);
    let info = app.get(&api, "").await?;
    assert_eq!(info.body["language"], "ru");
    assert_eq!(info.body["answered"], false);
    assert_eq!(info.body["number"], detail.body["appeal"]["number"]);

    // The citizen's page, in Chromium.
    crate::browser::run_script(
        &app,
        "survey.mjs",
        &[("SURVEY_LINK", format!("{}/survey/{token}", app.base))],
    )
    .await?;
    let answered = app
        .get("/api/v1/events?kind=survey.answered", app.admin())
        .await?;
    let e = &answered.body["items"][0];
    assert_eq!(e["data"]["score"], 4);
    assert_eq!(e["data"]["channel"], "email");
    assert_eq!(e["data"]["commented"], true);
    assert_eq!(e["appeal_id"], appeal.to_string());
    // One answer per appeal.
    let r = app.post(&api, "", json!({"score": 1})).await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(app.get(&api, "").await?.body["answered"], true);
    // Closed: told by e-mail too (R6), and not asked to rate again.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            &op,
            json!({"status": "closed"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let closed = body_text(&wait_for_mail(&sink, 4).await?);
    assert!(closed.contains("обращение закрыто"), "{closed}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 4, "one survey per appeal");
    Ok(())
}
