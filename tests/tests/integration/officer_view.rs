//! Personal data by role (R11, R33; issue "Trustworthy in the field", point 10): a body's
//! officer sees of a redirected appeal what the redirection letter says — the applicant's
//! name, the text, the redirection — and not the client's IIN, phone, e-mail, flags, the
//! centre's notes or the notices to the citizen's addresses; an operator sees a client's IIN
//! masked unless reading through an appeal on which the client is verified.

use baylanys_tests::{both, TestApp};
use serde_json::json;

both!(officers_see_the_letter_and_operators_a_masked_iin);

const IIN: &str = "061211600012";

async fn officers_see_the_letter_and_operators_a_masked_iin(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let client = app
        .client(
            &op,
            json!({"name": "Дана Серікқызы", "iin": IIN, "vulnerable": true, "identities": [
                {"channel": "voice", "address": "+77015550101"},
                {"channel": "email", "address": "dana@example.kz"}]}),
        )
        .await?;
    let appeal = app
        .appeal(&op, client, "Жер учаскесін тіркеу туралы сұрақ")
        .await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/notes"),
            &op,
            json!({"body": "Ішкі жазба: клиент ашуланған"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = app.body("Жер ресурстары басқармасы").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirect"),
            &op,
            json!({"body_id": body, "reason": "құзыреті бойынша"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, officer) = app.staff("officer", "body_officer", Some(body)).await?;

    // The officer: the letter's content, nothing more.
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), &officer)
        .await?;
    assert_eq!(d.status, 200, "{}", d.text);
    let seen = &d.text;
    assert!(seen.contains("Дана Серікқызы"), "{seen}");
    assert!(seen.contains("Жер учаскесін тіркеу"), "{seen}");
    for secret in [
        IIN,
        "**********12",
        "+77015550101",
        "dana@example.kz",
        "Ішкі жазба",
    ] {
        assert!(!seen.contains(secret), "{secret} in {seen}");
    }
    assert_eq!(d.body["client"]["vulnerable"], false);
    assert_eq!(d.body["interactions"], json!([]));
    assert!(
        d.body["deliveries"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|x| x["recipient"] == "body"),
        "{}",
        d.body["deliveries"]
    );
    assert!(
        d.body["timeline"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["redirection"].is_object()),
        "the redirection is there"
    );
    // The centre's operator still sees the whole appeal.
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert!(d.text.contains("Ішкі жазба") && d.text.contains("+77015550101"));

    // An operator reads the client's IIN masked, by id and in a search…
    let card = app.get(&format!("/api/v1/clients/{client}"), &op).await?;
    assert_eq!(card.body["iin"], "**********12", "{}", card.text);
    let found = app.get(&format!("/api/v1/clients?iin={IIN}"), &op).await?;
    assert_eq!(found.body["items"][0]["iin"], "**********12");
    // …also through an appeal on which the client is not verified…
    let card = app
        .get(&format!("/api/v1/clients/{client}?appeal_id={appeal}"), &op)
        .await?;
    assert_eq!(card.body["iin"], "**********12");
    // …and whole through one on which they are.
    let second = app.appeal(&op, client, "Тағы бір сұрақ").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{second}/verify"),
            &op,
            json!({"iin": IIN, "on_file": "dana@example.kz"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let card = app
        .get(&format!("/api/v1/clients/{client}?appeal_id={second}"), &op)
        .await?;
    assert_eq!(card.body["iin"], IIN);
    // An appeal of someone else proves nothing about this client.
    let other = app.client(&op, json!({"name": "Басқа"})).await?;
    let card = app
        .get(&format!("/api/v1/clients/{other}?appeal_id={second}"), &op)
        .await?;
    assert_eq!(card.body["iin"], serde_json::Value::Null);
    // A supervisor keeps the records whole.
    let card = app.get(&format!("/api/v1/clients/{client}"), &sup).await?;
    assert_eq!(card.body["iin"], IIN);
    Ok(())
}
