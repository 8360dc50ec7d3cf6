//! Callbacks placed through the TwiML provider (R13; issue "The phone", point 7), on both
//! backends: with no PBX, the centre calls the client through the provider's REST API
//! (`POST …/Calls.json`, a local server here) from the centre's number. The first try is not
//! answered — the provider's status callback says `no-answer` and the callback waits again;
//! the second is answered: the provider fetches the centre's TwiML, which puts the operator's
//! phone through; the call is an outbound contact answered by that operator, and when it ends
//! the operator's after-call work begins.

use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_transfer::{calls_api, ACCOUNT};
use crate::voice_twiml::{always, ask_for_callback, ok, provider, PUBLIC, TOKEN};

mod per_backend {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn sqlite() -> anyhow::Result<()> {
        super::a_callback_placed_through_the_provider(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn postgres() -> anyhow::Result<()> {
        super::a_callback_placed_through_the_provider(Backend::Postgres).await
    }
}

const NUMBER: &str = "+77011110002";
const CENTRE: &str = "+77172000000";

/// The centre's id of the call it last placed, from the answer URL it gave the provider.
fn placed_call(api: &crate::voice_transfer::CallsApi) -> anyhow::Result<String> {
    let placed = api
        .placed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let url = placed
        .last()
        .and_then(|f| f.iter().find(|(k, _)| k == "Url").map(|(_, v)| v.clone()))
        .ok_or_else(|| anyhow::anyhow!("no call placed"))?;
    url.split_once("?call=")
        .map(|(_, c)| c.to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| anyhow::anyhow!("no call id in {url}"))
}

async fn callback(app: &TestApp, id: &str) -> anyhow::Result<Value> {
    let r = app.get("/api/v1/callbacks?limit=500", app.admin()).await?;
    Ok(r.body
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_default())
}

async fn a_callback_placed_through_the_provider(backend: Backend) -> anyhow::Result<()> {
    let (api_base, api) = calls_api().await?;
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = Some(baylanys_api::Secret(TOKEN.into()));
    config.twilio_account_sid = ACCOUNT.into();
    config.twilio_api_url = api_base;
    config.twilio_caller_id = CENTRE.into();
    config.voice.calling_window = always();
    let app = TestApp::spawn_with(backend, config).await?;
    app.default_queue().await?;
    let tw = provider(&app);
    ask_for_callback(&tw, "CA-CB", NUMBER).await?;
    let r = app
        .get("/api/v1/callbacks?state=pending", app.admin())
        .await?;
    let id = r.body[0]["id"].as_str().unwrap_or_default().to_owned();
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": "sip:101@127.0.0.1:5060"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // First try: the provider places the call from the centre's number; nobody answers.
    let r = app
        .post(&format!("/api/v1/callbacks/{id}/place"), &op, json!({}))
        .await?;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let form = api
        .placed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .last()
        .cloned()
        .unwrap_or_default();
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let hooks = format!("{PUBLIC}/webhooks/voice/twilio");
    let call = placed_call(&api)?;
    assert_eq!(get("To"), NUMBER);
    assert_eq!(get("From"), CENTRE);
    assert_eq!(get("Url"), format!("{hooks}/placed?call={call}"));
    assert_eq!(
        get("StatusCallback"),
        format!("{hooks}/placed-status?call={call}")
    );
    assert_eq!(get("Timeout"), "30");
    ok(&tw
        .post(
            &format!("{hooks}/placed-status?call={call}"),
            &[("CallSid", "CA1"), ("CallStatus", "no-answer")],
        )
        .await?)?;
    let first = callback(&app, &id).await?;
    assert_eq!(
        (first["state"].as_str(), first["attempts"].as_i64()),
        (Some("pending"), Some(1)),
        "{first}"
    );

    // Second try: answered; the provider fetches the TwiML that puts the operator through.
    let r = app
        .post(&format!("/api/v1/callbacks/{id}/place"), &op, json!({}))
        .await?;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let call = placed_call(&api)?;
    let answered = tw
        .post(
            &format!("{hooks}/placed?call={call}"),
            &[("CallSid", "CA2"), ("CallStatus", "in-progress")],
        )
        .await?;
    assert_eq!(
        answered.text_of("Sip").as_deref(),
        Some("sip:101@127.0.0.1:5060"),
        "{}",
        answered.xml
    );
    let done = callback(&app, &id).await?;
    assert_eq!(
        (done["state"].as_str(), done["attempts"].as_i64()),
        (Some("done"), Some(2)),
        "{done}"
    );
    let appeal = done["appeal_id"].as_str().unwrap_or_default().to_owned();
    let outbound = |d: &Value| {
        d["interactions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["direction"] == "outbound")
            .cloned()
            .unwrap_or_default()
    };
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert_eq!(outbound(&d.body)["state"], "answered", "{}", d.text);
    assert_eq!(outbound(&d.body)["operator_id"], op_id.to_string());
    // The provider retries the answered request: nothing opened twice.
    let again = tw
        .post(
            &format!("{hooks}/placed?call={call}"),
            &[("CallSid", "CA2"), ("CallStatus", "in-progress")],
        )
        .await?;
    assert_eq!(again.xml, answered.xml);
    // The call ends: the operator's after-call work begins.
    ok(&tw
        .post(
            &format!("{hooks}/placed-status?call={call}"),
            &[("CallSid", "CA2"), ("CallStatus", "completed")],
        )
        .await?)?;
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    let contacts: Vec<&Value> = d.body["interactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["direction"] == "outbound")
        .collect();
    assert_eq!(contacts.len(), 1, "{}", d.text);
    assert_eq!(contacts[0]["state"], "wrap_up", "{}", d.text);
    Ok(())
}
