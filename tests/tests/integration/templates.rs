//! Editable notification templates (R6): admins change what citizens are told, in kk/ru/en,
//! within each kind's placeholders; a bad template is refused and changes nothing; the citizen
//! receives the edited text, and `{}` restores the defaults.

use baylanys_tests::{Backend, TestApp};
use serde_json::json;

use crate::verification::{body_text, wait_for_mail, SmtpSink};

const PATH: &str = "/api/v1/settings/notification-templates";

#[tokio::test]
async fn admins_edit_what_citizens_are_told() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let delivery = sink.delivery()?;
    let app = TestApp::spawn_delivering(Backend::Sqlite, delivery).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;

    // Every kind, in three languages; supervisors read, operators do not.
    let r = app.get(PATH, &sup).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let kinds: Vec<&String> = r
        .body
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        [
            "accepted",
            "answered",
            "closed",
            "ended",
            "extended",
            "more_information",
            "reclassified",
            "redirected",
            "registered",
            "split",
            "survey"
        ]
    );
    assert!(r.body["registered"]["kk"]
        .as_str()
        .is_some_and(|t| t.contains("{number}") && t.contains("{date}")));
    assert_eq!(app.get(PATH, &op).await?.status, 403);

    // Refused, with the reason, and nothing changes.
    let before = app.event_count().await?;
    let texts = |kk: &str| json!({"kk": kk, "ru": "Обращение № {number}", "en": "Appeal {number}"});
    for (bad, why) in [
        (
            json!({"registered": texts("№ {numbr}")}),
            "unknown placeholder {numbr}",
        ),
        (
            json!({"registered": texts("№ {answer}")}),
            "unknown placeholder {answer}",
        ),
        (json!({"registered": texts("[a [b]]")}), "nested"),
        (json!({"registered": texts("   ")}), "characters"),
        (json!({"greeting": texts("Сәлем")}), ""),
        (json!({"registered": {"kk": "x {number}"}}), ""),
    ] {
        let r = app.put(PATH, app.admin(), bad.clone()).await?;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
        assert!(r.text.contains(why), "{bad}: {}", r.text);
    }
    assert_eq!(app.put(PATH, &sup, json!({})).await?.status, 403);
    assert_eq!(app.event_count().await?, before);

    // The edited text reaches the citizen.
    let edited = json!({"registered": {
        "kk": "Сәлеметсіз бе! № {number} өтінішіңіз қабылданды, жауап {date} дейін.[ {missing_is_fine}]",
        "ru": "Здравствуйте! Обращение № {number} принято, ответ до {date}.",
        "en": "Hello! Appeal {number} received, answer by {date}."}});
    let r = app.put(PATH, app.admin(), edited.clone()).await?;
    assert_eq!(
        r.status, 422,
        "a placeholder of no kind is refused even in a section"
    );
    let edited = json!({"registered": {
        "kk": "Сәлеметсіз бе! № {number} өтінішіңіз қабылданды, жауап {date} дейін.",
        "ru": "Здравствуйте! Обращение № {number} принято, ответ до {date}.",
        "en": "Hello! Appeal {number} received, answer by {date}."}});
    let r = app.put(PATH, app.admin(), edited).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["registered"]["kk"]
        .as_str()
        .is_some_and(|t| t.starts_with("Сәлеметсіз бе!")));
    assert!(
        r.body["answered"]["kk"]
            .as_str()
            .is_some_and(|t| t.contains("{answer}")),
        "others keep the default"
    );
    let changed = app
        .get("/api/v1/events?kind=setting.changed", app.admin())
        .await?;
    assert_eq!(changed.body["items"].as_array().map(Vec::len), Some(1));

    let client = app
        .client(
            &op,
            json!({"name": "Әлия", "language": "kk",
            "identities": [{"channel": "email", "address": "aliya@example.kz"}]}),
        )
        .await?;
    let appeal = app.appeal(&op, client, "Анықтама керек").await?;
    let number = app
        .get(&format!("/api/v1/appeals/{appeal}"), &op)
        .await?
        .body["appeal"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mail = body_text(&wait_for_mail(&sink, 1).await?);
    assert!(
        mail.starts_with(&format!(
            "Сәлеметсіз бе! № {number} өтінішіңіз қабылданды, жауап "
        )),
        "{mail}"
    );
    // `{}` restores the defaults.
    let r = app.put(PATH, app.admin(), json!({})).await?;
    assert!(
        r.body["registered"]["kk"]
            .as_str()
            .is_some_and(|t| t.starts_with("Өтінішіңіз №")),
        "{}",
        r.text
    );
    Ok(())
}
