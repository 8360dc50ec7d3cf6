//! A claim is not an identity (R11, DESIGN principle 11; issue "Trustworthy in the field",
//! points 8 and 9). A web-chat visitor who types another person's IIN, phone and e-mail gets a
//! record of their own: nothing of that person's history reaches the conversation, the
//! conversation reaches nothing of theirs, and nothing is sent to them. The operator's one-time
//! code goes to the address *on file* of the record the claims point at — so the impostor
//! cannot read it out — and only a right code joins the conversation to that record, as an
//! event. A code to a claimed phone nobody has on file proves the visitor holds it.

use std::sync::Arc;

use anyhow::Context;
use baylanys_api::Delivery;
use baylanys_channels::SmsGateway;
use baylanys_tests::{Backend, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::verification::{code_in, gateway, Gateway, SID, TOKEN};
use crate::ws_chat_frames::chat_from;
use crate::ws_operator::{next, send};

const IIN: &str = "061211600012";
const PHONE: &str = "+77011234567";

/// A visitor opens the chat with these claims and writes; the appeal their message landed in.
async fn visitor(app: &TestApp, claims: Value, text: &str) -> anyhow::Result<(Uuid, Vec<Value>)> {
    let mut s = chat_from(app, None).await?;
    let mut hello = json!({"type": "hello", "v": 1, "language": "kk"});
    if let (Some(h), Some(c)) = (hello.as_object_mut(), claims.as_object()) {
        h.extend(c.clone());
    }
    send(&mut s, hello).await?;
    send(
        &mut s,
        json!({"type": "message", "client_id": Uuid::now_v7(), "body": text}),
    )
    .await?;
    let mut frames = Vec::new();
    let mut appeal = None;
    // Until the message is stored, and the welcome that follows names the appeal it began.
    while appeal.is_none() {
        let f = next(&mut s).await.context("waiting for the appeal")?;
        if f["type"] == "welcome" {
            if let Some(a) = f["appeal_id"].as_str() {
                appeal = Some(a.parse()?);
            }
        }
        frames.push(f);
    }
    Ok((appeal.context("no welcome with the appeal")?, frames))
}

fn sent(gw: &Gateway) -> Vec<(String, String, String)> {
    gw.sent.lock().map(|s| s.clone()).unwrap_or_default()
}

/// The operator sends a one-time code by SMS for the appeal; where it went and the code.
async fn sms_code(
    app: &TestApp,
    gw: &Gateway,
    op: &str,
    appeal: Uuid,
) -> anyhow::Result<(String, String)> {
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/verify/code"),
            op,
            json!({"via": "sms"}),
        )
        .await?;
    anyhow::ensure!(r.status == 202, "{}", r.text);
    let (to, _, body) = sent(gw).last().cloned().context("no SMS")?;
    Ok((to, code_in(&body).context("no code")?))
}

async fn claims(backend: Backend) -> anyhow::Result<()> {
    let (gw_base, gw) = gateway().await?;
    let delivery = Delivery {
        mailer: None,
        sms: Some(Arc::new(SmsGateway::new(
            &gw_base,
            SID,
            TOKEN,
            "+77000000000",
        )?)),
    };
    let app = TestApp::spawn_delivering(backend, delivery).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    // Айжан is on file, with a confidential appeal.
    let aizhan = app
        .client(
            &op,
            json!({"name": "Айжан", "iin": IIN, "identities": [
                {"channel": "voice", "address": PHONE},
                {"channel": "email", "address": "aizhan@example.kz"}]}),
        )
        .await?;
    let secret = app
        .appeal(&op, aizhan, "Менің жеке мәселем: ажырасу")
        .await?;
    // Her appeal's registration notice reaches her phone first (R6).
    let texts_before = baylanys_tests::eventually("the registration SMS", || async {
        let n = sent(&gw).len();
        Ok((n >= 1).then_some(n))
    })
    .await?;

    // An impostor types her IIN, phone and e-mail.
    let (fake, frames) = visitor(
        &app,
        json!({"name": "Айжан", "iin": IIN, "phone": "8 701 123 45 67", "email": "Aizhan@Example.kz"}),
        "Менің өтініштерім қайда?",
    )
    .await?;
    let seen = serde_json::to_string(&frames)?;
    assert!(!seen.contains("ажырасу"), "{seen}");
    let d = app.get(&format!("/api/v1/appeals/{fake}"), &op).await?;
    let own = d.body["client"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(
        own,
        aizhan.to_string(),
        "the claim attached the chat to her record"
    );
    assert_eq!(d.body["client"]["iin"], Value::Null, "{}", d.body);
    assert_eq!(d.body["client"]["identities"], json!([]), "{}", d.body);
    let kinds: Vec<&str> = d.body["client"]["claims"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["iin", "phone", "email"], "{}", d.body);
    // The operator is offered a code to her phone on file, which would join the two.
    assert_eq!(d.body["verification"]["joins_record"], true, "{}", d.body);
    assert_eq!(
        d.body["verification"]["codes"],
        json!([{"via": "sms", "sent_to": "********4567", "claimed": false}])
    );
    // Her history does not hold the impostor's appeal, nor his hers.
    let history = app
        .get(&format!("/api/v1/clients/{aizhan}/history"), &op)
        .await?;
    let hers = serde_json::to_string(&history.body)?;
    assert!(hers.contains(&secret.to_string()), "{hers}");
    assert!(!hers.contains(&fake.to_string()), "{hers}");
    let his = app
        .get(&format!("/api/v1/clients/{own}/history"), &op)
        .await?;
    assert!(!serde_json::to_string(&his.body)?.contains(&secret.to_string()));
    // Nothing went to her phone.
    assert_eq!(sent(&gw).len(), texts_before);

    // The code goes to her phone; the impostor guesses; the conversation stays his own.
    let (to, code) = sms_code(&app, &gw, &op, fake).await?;
    assert_eq!(to, PHONE);
    let wrong = format!("{:06}", (code.parse::<u32>()? + 1) % 1_000_000);
    let r = app
        .post(
            &format!("/api/v1/appeals/{fake}/verify"),
            &op,
            json!({"code": wrong}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let d = app.get(&format!("/api/v1/appeals/{fake}"), &op).await?;
    assert_eq!(d.body["client"]["id"], own.as_str());
    // Nor does naming her IIN with a guessed phone join them.
    let r = app
        .post(
            &format!("/api/v1/appeals/{fake}/verify"),
            &op,
            json!({"iin": IIN, "on_file": "+77019999999"}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let d = app.get(&format!("/api/v1/appeals/{fake}"), &op).await?;
    assert_eq!(d.body["client"]["id"], own.as_str());
    assert_eq!(d.body["appeal"]["verified_at"], Value::Null);

    // Айжан herself, in a chat: the code reaches her phone, she reads it out, and the chat
    // joins her record — its appeal is in her history, as an event.
    let (real, _) = visitor(&app, json!({"iin": IIN}), "Сәлем, мен Айжанмын").await?;
    let (to, code) = sms_code(&app, &gw, &op, real).await?;
    assert_eq!(to, PHONE);
    let d = app.get(&format!("/api/v1/appeals/{real}"), &op).await?;
    let emptied = d.body["client"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/appeals/{real}/verify"),
            &op,
            json!({"code": code}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["client_id"], aizhan.to_string(), "{}", r.text);
    let d = app.get(&format!("/api/v1/appeals/{real}"), &op).await?;
    assert_eq!(d.body["client"]["iin"], IIN, "verified: unmasked");
    let history = app
        .get(&format!("/api/v1/clients/{aizhan}/history"), &op)
        .await?;
    assert!(serde_json::to_string(&history.body)?.contains(&real.to_string()));
    let linked = app
        .get(
            &format!("/api/v1/events?kind=client.linked&appeal_id={real}"),
            app.admin(),
        )
        .await?;
    let event = &linked.body["items"][0];
    assert_eq!(event["client_id"], aizhan.to_string(), "{}", linked.body);
    assert_eq!(event["data"]["from"], emptied.as_str());
    assert_eq!(event["data"]["method"], "otp_sms");
    assert!(!serde_json::to_string(event)?.contains(IIN));
    // The impostor's conversation is still his own, unverified.
    let d = app.get(&format!("/api/v1/appeals/{fake}"), &op).await?;
    assert_eq!(d.body["client"]["id"], own.as_str());

    // A phone nobody has on file: the code goes to the claimed number, and a right code makes
    // it the record's own.
    let (newcomer, _) = visitor(&app, json!({"phone": "+77017770000"}), "Сәлеметсіз бе").await?;
    let d = app.get(&format!("/api/v1/appeals/{newcomer}"), &op).await?;
    assert_eq!(d.body["verification"]["joins_record"], false);
    assert_eq!(
        d.body["verification"]["codes"],
        json!([{"via": "sms", "sent_to": "********0000", "claimed": true}])
    );
    let (to, code) = sms_code(&app, &gw, &op, newcomer).await?;
    assert_eq!(to, "+77017770000");
    let r = app
        .post(
            &format!("/api/v1/appeals/{newcomer}/verify"),
            &op,
            json!({"code": code}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = app.get(&format!("/api/v1/appeals/{newcomer}"), &op).await?;
    assert_eq!(
        d.body["client"]["identities"][0]["address"], "+77017770000",
        "{}",
        d.body
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

#[tokio::test]
async fn a_claim_is_not_an_identity_sqlite() -> anyhow::Result<()> {
    claims(Backend::Sqlite).await
}

#[tokio::test]
async fn a_claim_is_not_an_identity_postgres() -> anyhow::Result<()> {
    claims(Backend::Postgres).await
}
