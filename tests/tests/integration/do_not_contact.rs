//! Do-not-contact on every outbound notice (R13.4; issue "Trustworthy in the field", point 11):
//! a client who asked not to be contacted is not reached out to on any channel they did not
//! write from. What the law makes the centre tell them about their own appeal (registration,
//! redirection — R6, АППК art. 65) still reaches them where they wrote from — their e-mail
//! thread — and a call's appeal, with no written channel of its own, sends nothing. The same
//! client without the flag is told by e-mail, as the control.

use baylanys_tests::{Backend, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::verification::SmtpSink;

async fn deliveries(app: &TestApp, appeal: Uuid) -> anyhow::Result<Vec<Value>> {
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    Ok(d.body["deliveries"].as_array().cloned().unwrap_or_default())
}

async fn client(app: &TestApp, op: &str, n: u8, dnc: bool) -> anyhow::Result<Uuid> {
    app.client(
        op,
        json!({"name": format!("Клиент {n}"), "do_not_contact": dnc, "identities": [
            {"channel": "email", "address": format!("client{n}@example.kz")},
            {"channel": "voice", "address": format!("+7701555000{n}")}]}),
    )
    .await
}

async fn notices_respect_do_not_contact(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let app = TestApp::spawn_delivering(backend, sink.delivery()?).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let body = app.body("Әділет министрлігі").await?;
    let quiet = client(&app, &op, 1, true).await?;
    let told = client(&app, &op, 2, false).await?;

    // A call's appeal: the control is told by e-mail of its registration and redirection; the
    // client who asked not to be contacted is not.
    for (who, expect_mail) in [(told, true), (quiet, false)] {
        let appeal = app.appeal(&op, who, "Қоңырау: анықтама туралы").await?;
        let r = app
            .post(
                &format!("/api/v1/appeals/{appeal}/redirect"),
                &op,
                json!({"body_id": body, "reason": "құзыреті бойынша"}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        let to_client: Vec<Value> = deliveries(&app, appeal)
            .await?
            .into_iter()
            .filter(|d| d["recipient"] == "client")
            .collect();
        if expect_mail {
            assert_eq!(to_client.len(), 2, "{to_client:?}");
            assert!(to_client.iter().all(|d| d["method"] == "email"));
        } else {
            assert_eq!(
                to_client,
                Vec::<Value>::new(),
                "a do-not-contact client was written to"
            );
        }
    }

    // An e-mail appeal of the same client: answered in their own thread, nowhere else.
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": quiet, "kind": "request", "channel": "email",
                   "text": "Хат арқылы сұрақ", "contact": {"type": "answered"}}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let appeal = r.id();
    let to_client: Vec<Value> = deliveries(&app, appeal)
        .await?
        .into_iter()
        .filter(|d| d["recipient"] == "client")
        .collect();
    assert_eq!(to_client.len(), 1, "{to_client:?}");
    assert_eq!(to_client[0]["method"], "email");
    assert_eq!(to_client[0]["address"], "client1@example.kz");
    Ok(())
}

#[tokio::test]
async fn notices_respect_do_not_contact_sqlite() -> anyhow::Result<()> {
    notices_respect_do_not_contact(Backend::Sqlite).await
}

#[tokio::test]
async fn notices_respect_do_not_contact_postgres() -> anyhow::Result<()> {
    notices_respect_do_not_contact(Backend::Postgres).await
}
