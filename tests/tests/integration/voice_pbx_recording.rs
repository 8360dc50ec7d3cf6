//! A call recorded by a real PBX (issue "The phone", point 9): RustPBX records only the calls
//! the centre asks it to (a `record_start` node before the operator's phone; its `[recording]`
//! policy enabled with `auto_start = false`) and uploads each file to the centre (`type =
//! "http"`). A caller to a queue that records is told so and put through to the operator's
//! phone; when the call ends, the PBX's upload is kept, linked to the call's contact, and a
//! supervisor plays it. A call to a queue that does not record is not recorded at all.

use std::time::Duration;

use baylanys_tests::pbx::{free_port, Pbx, PBX_TOKEN};
use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_twiml::offered;

async fn recordings(app: &TestApp, appeal: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(&format!("/api/v1/appeals/{appeal}/recordings"), app.admin())
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    Ok(r.body.as_array().cloned().unwrap_or_default())
}

/// One call from `number` put through to the operator, who talks until the caller hangs up
/// after `hold_ms`; returns the call's appeal.
async fn one_call(
    app: &TestApp,
    pbx: &Pbx,
    op: &str,
    phone_port: u16,
    number: &str,
) -> anyhow::Result<String> {
    let mut phone = Pbx::phone(phone_port)?;
    let mut caller = pbx.call(number, '2', 2000, 12_000)?;
    let queued = baylanys_tests::pbx::contact_in_state(app, number, "queued").await?;
    let contact = queued["id"].as_str().unwrap_or_default().to_owned();
    offered(app, op, &contact).await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/accept"),
            op,
            json!({}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    let done = tokio::time::timeout(Duration::from_secs(60), caller.wait()).await??;
    anyhow::ensure!(done.success(), "the caller: {done}\n{}", pbx.log());
    let _ = tokio::time::timeout(Duration::from_secs(20), phone.wait()).await;
    let after = baylanys_tests::pbx::contact_in_state(app, number, "wrap_up").await?;
    let r = app
        .post(
            &format!(
                "/api/v1/interactions/{}/end",
                after["id"].as_str().unwrap_or_default()
            ),
            op,
            json!({}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    Ok(after["appeal_id"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn recorded_by_rustpbx() -> anyhow::Result<()> {
    let mut config = baylanys_tests::test_config();
    config.rustpbx_token = Some(baylanys_api::Secret(PBX_TOKEN.into()));
    let app = TestApp::spawn_with(Backend::Sqlite, config).await?;
    let queue = app.default_queue().await?;
    let r = app
        .patch(
            &format!("/api/v1/queues/{queue}"),
            app.admin(),
            json!({"records_calls": true}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let hook = format!("{}/webhooks/voice/rustpbx", app.base);
    let pbx = Pbx::start_recording(&hook, PBX_TOKEN, free_port(false)?).await?;
    let phone_port = free_port(true)?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": format!("sip:101@127.0.0.1:{phone_port}")}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Recorded: the PBX uploads the file after the call; the centre keeps it.
    let appeal = one_call(&app, &pbx, &op, phone_port, "77011230021").await?;
    let mut kept = Vec::new();
    for _ in 0..300 {
        kept = recordings(&app, &appeal).await?;
        if !kept.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!kept.is_empty(), "no recording arrived\n{}", pbx.log());
    assert_eq!(kept[0]["state"], "stored", "{kept:?}");
    assert_eq!(kept[0]["provider"], "rustpbx");
    let id = kept[0]["id"].as_str().unwrap_or_default();
    let got = app
        .http
        .get(format!("{}/api/v1/recordings/{id}/audio", app.base))
        .bearer_auth(app.admin())
        .send()
        .await?;
    assert_eq!(got.status(), 200);
    let audio = got.bytes().await?;
    assert!(
        audio.len() > 44 && audio.starts_with(b"RIFF"),
        "a WAV file: {} bytes",
        audio.len()
    );

    // Not recorded: the PBX is not asked to record, so it uploads nothing, and nothing is kept.
    let uploads = |log: &str| log.matches("recording uploaded").count();
    let uploaded_before = uploads(&pbx.log());
    assert!(uploaded_before >= 1, "{}", pbx.log());
    let r = app
        .patch(
            &format!("/api/v1/queues/{queue}"),
            app.admin(),
            json!({"records_calls": false}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let quiet = one_call(&app, &pbx, &op, phone_port, "77011230022").await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(recordings(&app, &quiet).await?.is_empty());
    assert_eq!(
        uploads(&pbx.log()),
        uploaded_before,
        "the PBX recorded the call it was not asked to\n{}",
        pbx.log()
    );
    Ok(())
}
