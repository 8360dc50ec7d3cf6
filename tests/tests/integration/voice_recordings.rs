//! Recordings of calls (issue "The phone", point 9; R32–R33), on both backends, through the
//! TwiML adapter: the test plays the provider (signed webhooks, and its recordings API as a
//! local server behind basic authentication) and staff through the REST API.
//! - a queue that records says so to the caller, in their language, before anyone answers, and
//!   its `<Dial>` records; a queue that does not record neither says nor records, and a
//!   recording of its call is not kept;
//! - the provider's callback is signed and idempotent; the recording is fetched (a 404 while
//!   the provider finishes the file is retried), stored, linked to the contact it recorded;
//! - supervisors play it, every play is logged; an operator may not; after the retention the
//!   audio is deleted (410);
//! - bad callbacks are refused and change nothing;
//! - RustPBX's recording upload (`[recording] type = "http"`: multipart `call_id`, `track_id`,
//!   `recording`, as its `upload_http` sends it) is kept for a recorded call, once, and
//!   answered `kept: false` without a byte kept for a call whose caller was not told.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::IntoResponse;
use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_twiml::{offered, ok, provider, voice_app, TOKEN};

mod per_backend {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn sqlite() -> anyhow::Result<()> {
        super::recorded_queue_and_unrecorded_queue(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn postgres() -> anyhow::Result<()> {
        super::recorded_queue_and_unrecorded_queue(Backend::Postgres).await
    }
    #[tokio::test]
    async fn rustpbx_upload_sqlite() -> anyhow::Result<()> {
        super::rustpbx_uploads(Backend::Sqlite, false).await
    }
    #[tokio::test]
    async fn rustpbx_upload_postgres() -> anyhow::Result<()> {
        super::rustpbx_uploads(Backend::Postgres, false).await
    }
    /// The same with the files in an S3-compatible bucket: the long recording goes up as a
    /// multipart upload and comes back by ranged reads.
    #[tokio::test]
    async fn rustpbx_upload_into_s3() -> anyhow::Result<()> {
        super::rustpbx_uploads(Backend::Sqlite, true).await
    }
}

pub(crate) const ACCOUNT: &str = "AC00000000000000000000000000000042";

/// One second of 8 kHz 16-bit mono silence with a rising tone, as a WAV file.
pub(crate) fn wav() -> Vec<u8> {
    let samples: Vec<i16> = (0..8000).map(|i| ((i % 80) * 200 - 8000) as i16).collect();
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// The provider's recordings API: `GET /2010-04-01/Accounts/{AC}/Recordings/{RE}.wav` behind
/// basic authentication with the account id and auth token; the first request for a file
/// answers 404 (the provider still writing it), as Twilio may right after its callback.
#[derive(Clone)]
pub(crate) struct RecordingsApi {
    asked: Arc<AtomicUsize>,
    file: Arc<Vec<u8>>,
}

async fn serve_recording(
    State(api): State<RecordingsApi>,
    headers: HeaderMap,
    axum::extract::Path((account, file)): axum::extract::Path<(String, String)>,
) -> axum::response::Response {
    if !baylanys_tests::twilio::authorised(&headers, &account, ACCOUNT, TOKEN) {
        return AxumStatus::UNAUTHORIZED.into_response();
    }
    if file != "RE00000000000000000000000000000001.wav" {
        return AxumStatus::NOT_FOUND.into_response();
    }
    if api.asked.fetch_add(1, Ordering::SeqCst) == 0 {
        return AxumStatus::NOT_FOUND.into_response();
    }
    ([("content-type", "audio/x-wav")], api.file.as_ref().clone()).into_response()
}

pub(crate) async fn recordings_api(file: Vec<u8>) -> anyhow::Result<(String, RecordingsApi)> {
    let api = RecordingsApi {
        asked: Arc::new(AtomicUsize::new(0)),
        file: Arc::new(file),
    };
    let app = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Recordings/{file}",
            axum::routing::get(serve_recording),
        )
        .with_state(api.clone());
    Ok((baylanys_tests::twilio::serve(app).await?, api))
}

/// Says whether a queue records its calls, as `token`.
async fn records_calls(
    app: &TestApp,
    queue: uuid::Uuid,
    on: bool,
    token: &str,
) -> anyhow::Result<baylanys_tests::Reply> {
    app.patch(
        &format!("/api/v1/queues/{queue}"),
        token,
        json!({"records_calls": on}),
    )
    .await
}

async fn recordings_of(app: &TestApp, appeal: &str, token: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(&format!("/api/v1/appeals/{appeal}/recordings"), token)
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{} {}", r.status, r.text);
    Ok(r.body.as_array().cloned().unwrap_or_default())
}

async fn audio(app: &TestApp, id: &str, token: &str) -> anyhow::Result<reqwest::Response> {
    Ok(app
        .http
        .get(format!("{}/api/v1/recordings/{id}/audio", app.base))
        .bearer_auth(token)
        .send()
        .await?)
}

/// The caller from `from` reaches the operator as call `sid` and they talk; returns the
/// appeal's id, the contact's id and the `<Dial>` answer's XML.
async fn talk(
    app: &TestApp,
    op: &str,
    sid: &str,
    from: &str,
) -> anyhow::Result<(
    String,
    String,
    baylanys_tests::twilio::Twiml,
    baylanys_tests::twilio::Twiml,
)> {
    let tw = provider(app);
    let first = tw
        .post(&tw.hook("incoming"), &[("CallSid", sid), ("From", from)])
        .await?;
    ok(&first)?;
    let r = app
        .get("/api/v1/appeals?channel=voice&limit=1", app.admin())
        .await?;
    let appeal = r.body["items"][0]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no voice appeal: {}", r.text))?
        .to_owned();
    let a = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let contact = a.body["interactions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    offered(app, op, &contact).await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/accept"),
            op,
            json!({}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    let w = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "2")])
        .await?;
    anyhow::ensure!(w.has("Leave"), "{}", w.xml);
    let dial = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", sid),
                ("QueueResult", "leave"),
                ("QueueTime", "2"),
            ],
        )
        .await?;
    ok(&dial)?;
    ok(&tw
        .post(
            &tw.hook("dial"),
            &[("CallSid", sid), ("DialCallStatus", "completed")],
        )
        .await?)?;
    ok(&tw
        .post(
            &tw.hook("status"),
            &[("CallSid", sid), ("CallStatus", "completed")],
        )
        .await?)?;
    Ok((appeal, contact, first, dial))
}

async fn recorded_queue_and_unrecorded_queue(backend: Backend) -> anyhow::Result<()> {
    let app = voice_app(backend, Some(TOKEN)).await?;
    // The test drives the keeper itself, with the provider's account and its own clock.
    app.stop_worker(baylanys_workers::RecordingKeeper::NAME)
        .await?;
    let queue = app.default_queue().await?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": "sip:101@127.0.0.1:5060"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let r = records_calls(&app, queue, true, app.admin()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["records_calls"], true);
    // Only an administrator decides what is recorded.
    let r = records_calls(&app, queue, false, &sup).await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    let file = wav();
    let (api_base, api) = recordings_api(file.clone()).await?;
    let tw = provider(&app);
    let sid = "CA00000000000000000000000000000101";
    let (appeal, contact, first, dial) = talk(&app, &op, sid, "+77011234567").await?;

    // Told in Kazakh before anyone answers; then the operator's leg is recorded.
    let said = first.said();
    let told = said
        .find("Сапаны бақылау үшін сөйлесу жазылады.")
        .ok_or_else(|| anyhow::anyhow!("the caller was not told: {}", first.xml))?;
    assert!(first.has("Enqueue"), "{}", first.xml);
    assert!(told > 0, "after the greeting: {said}");
    assert_eq!(
        dial.attr("Dial", "record").as_deref(),
        Some("record-from-answer-dual"),
        "{}",
        dial.xml
    );
    assert_eq!(
        dial.attr("Dial", "recordingStatusCallback"),
        Some(tw.hook("recording"))
    );

    // The provider's callback: signed, the file's address without an extension.
    let url = format!(
        "{api_base}/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE00000000000000000000000000000001"
    );
    let callback = [
        ("AccountSid", ACCOUNT),
        ("CallSid", sid),
        ("RecordingSid", "RE00000000000000000000000000000001"),
        ("RecordingUrl", url.as_str()),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "7"),
        ("RecordingChannels", "2"),
        ("RecordingSource", "DialVerb"),
    ];
    // Refused before anything is written: a wrong signature, a link that is not http(s), a
    // call nobody knows, a duration that is not a number.
    let before = app.event_count().await?;
    let forged = tw
        .post_signed(&tw.hook("recording"), &callback, "bm90IGEgc2lnbmF0dXJl")
        .await?;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.xml);
    let mut bad = callback;
    bad[3] = ("RecordingUrl", "file:///etc/passwd");
    let r = tw.post(&tw.hook("recording"), &bad).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.xml);
    let mut bad = callback;
    bad[1] = ("CallSid", "CA0000000000000000000000000000dead");
    let r = tw.post(&tw.hook("recording"), &bad).await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.xml);
    let mut bad = callback;
    bad[5] = ("RecordingDuration", "seven");
    let r = tw.post(&tw.hook("recording"), &bad).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.xml);
    assert_eq!(app.event_count().await?, before, "refusals write nothing");
    assert!(recordings_of(&app, &appeal, &sup).await?.is_empty());

    ok(&tw.post(&tw.hook("recording"), &callback).await?)?;
    // The provider retries its callback: one recording still.
    ok(&tw.post(&tw.hook("recording"), &callback).await?)?;
    let listed = recordings_of(&app, &appeal, &sup).await?;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let rec = &listed[0];
    let rec_id = rec["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(rec["state"], "fetching");
    assert_eq!(rec["interaction_id"], contact.as_str());
    assert_eq!(rec["duration_secs"], 7);
    assert_eq!(audio(&app, &rec_id, &sup).await?.status(), 409);

    // The keeper fetches it: the provider's first answer is 404, so it is tried again later.
    let fetcher =
        baylanys_channels::RecordingFetcher::new(Some((ACCOUNT.to_owned(), TOKEN.to_owned())))?;
    let keeper =
        baylanys_workers::RecordingKeeper::new(app.store.clone(), app.files.clone(), fetcher);
    let now = baylanys_store::now();
    let pass = keeper.pass(now).await?;
    assert_eq!((pass.fetched, pass.failed), (0, 1), "{pass:?}");
    let pass = keeper.pass(now + chrono::Duration::seconds(5)).await?;
    assert_eq!((pass.fetched, pass.failed), (0, 0), "not due yet: {pass:?}");
    let pass = keeper.pass(now + chrono::Duration::seconds(31)).await?;
    assert_eq!((pass.fetched, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(api.asked.load(Ordering::SeqCst), 2);
    let listed = recordings_of(&app, &appeal, &sup).await?;
    assert_eq!(listed[0]["state"], "stored", "{listed:?}");
    assert_eq!(listed[0]["size"], file.len());

    // A supervisor plays it (logged); an operator may not even list it.
    let got = audio(&app, &rec_id, &sup).await?;
    assert_eq!(got.status(), 200);
    assert_eq!(
        got.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("audio/wav")
    );
    assert_eq!(got.bytes().await?.as_ref(), file.as_slice());
    assert_eq!(audio(&app, &rec_id, &op).await?.status(), 403);
    let r = app
        .get(&format!("/api/v1/appeals/{appeal}/recordings"), &op)
        .await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let played = app
        .get(
            "/api/v1/events?kind=call.recording_played&limit=10",
            app.admin(),
        )
        .await?;
    let played = played.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(played.len(), 1, "{played:?}");
    assert_eq!(played[0]["data"]["recording_id"], rec_id.as_str());
    let stored = app
        .get(
            "/api/v1/events?kind=call.recording_stored&limit=10",
            app.admin(),
        )
        .await?;
    let stored = stored.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["interaction_id"], contact.as_str());

    // A queue that does not record: nothing said, nothing recorded, nothing kept.
    let r = records_calls(&app, queue, false, app.admin()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let sid2 = "CA00000000000000000000000000000102";
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/end"),
            &op,
            json!({}),
        )
        .await?;
    assert!(r.status.is_success(), "{}", r.text);
    let (appeal2, _, first2, dial2) = talk(&app, &op, sid2, "+77011234568").await?;
    assert!(!first2.said().contains("жазылады"), "{}", first2.xml);
    assert_eq!(dial2.attr("Dial", "record"), None, "{}", dial2.xml);
    let mut other = callback;
    other[1] = ("CallSid", sid2);
    other[2] = ("RecordingSid", "RE00000000000000000000000000000002");
    ok(&tw.post(&tw.hook("recording"), &other).await?)?;
    assert!(recordings_of(&app, &appeal2, &sup).await?.is_empty());

    // After the retention (a year by default) the audio is deleted.
    let sha = baylanys_store::Files::key(&file);
    assert!(app.files.get(&sha).await.is_ok());
    let pass = keeper.pass(now + chrono::Duration::days(366)).await?;
    assert_eq!(pass.expired, 1, "{pass:?}");
    assert!(app.files.get(&sha).await.is_err(), "the audio is deleted");
    assert_eq!(audio(&app, &rec_id, &sup).await?.status(), 410);
    let listed = recordings_of(&app, &appeal, &sup).await?;
    assert_eq!(listed[0]["state"], "expired", "{listed:?}");
    Ok(())
}

/// A body as RustPBX's recording upload sends it (reqwest's multipart form: `call_id`,
/// `track_id`, then the file as `recording`, `audio/wav`).
fn pbx_upload(call_id: &str, track: &str, file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "d1b0c4f7a9e3b2c8-5f6e7d8c9b0a1f2e";
    let mut body = Vec::new();
    for (name, value) in [("call_id", call_id), ("track_id", track)] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(file) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"recording\"; \
                 filename=\"{call_id}_{track}.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    token: &str,
    (content_type, body): (String, Vec<u8>),
) -> anyhow::Result<(StatusCode, Value)> {
    let r = app
        .http
        .post(format!("{}/webhooks/voice/rustpbx/recordings", app.base))
        .header("x-baylanys-token", token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    let status = r.status();
    let text = r.text().await?;
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

/// A call's step as RustPBX's step IVR posts it.
async fn pbx_step(app: &TestApp, session: &str, caller: &str) -> anyhow::Result<Value> {
    let r = app
        .http
        .post(format!("{}/webhooks/voice/rustpbx/step", app.base))
        .header("x-baylanys-token", baylanys_tests::pbx::PBX_TOKEN)
        .json(
            &json!({"session_id": session, "app_execution_id": 1, "step_index": 0,
            "caller": format!("sip:{caller}@127.0.0.1"), "callee": "sip:1000@127.0.0.1",
            "event": {"type": "session_start"}}),
        )
        .send()
        .await?;
    anyhow::ensure!(r.status() == 200, "{}", r.status());
    Ok(r.json().await?)
}

async fn rustpbx_uploads(backend: Backend, s3: bool) -> anyhow::Result<()> {
    let mut config = baylanys_tests::test_config();
    config.rustpbx_token = Some(baylanys_api::Secret(baylanys_tests::pbx::PBX_TOKEN.into()));
    let bucket = match s3 {
        true => Some(crate::mail_sync::S3Server::start("recordings").await?),
        false => None,
    };
    let app = match &bucket {
        Some(b) => TestApp::spawn_storing_with(backend, config, b.files()?).await?,
        None => TestApp::spawn_with(backend, config).await?,
    };
    let queue = app.default_queue().await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let r = records_calls(&app, queue, true, app.admin()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = baylanys_tests::pbx::PBX_TOKEN;

    // Into a queue that records: the PBX's first node tells the caller (logged without a
    // synthesiser) and the call waits.
    let session = "4c1f0a2e-rec-1@127.0.0.1";
    pbx_step(&app, session, "+77011230001").await?;
    let r = app
        .get("/api/v1/appeals?channel=voice&limit=1", app.admin())
        .await?;
    let appeal = r.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let file = wav();
    let before = app.event_count().await?;
    // Refused, nothing written: a wrong token, no file, no call id, a call nobody knows.
    let (s, _) = upload(&app, "wrong", pbx_upload(session, "mixed", Some(&file))).await?;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = upload(&app, token, pbx_upload(session, "mixed", None)).await?;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = upload(
        &app,
        token,
        pbx_upload("nobody@127.0.0.1", "mixed", Some(&file)),
    )
    .await?;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = upload(
        &app,
        token,
        (
            "multipart/form-data; boundary=x".into(),
            b"not a form".to_vec(),
        ),
    )
    .await?;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(app.event_count().await?, before, "refusals write nothing");

    let (s, b) = upload(&app, token, pbx_upload(session, "mixed", Some(&file))).await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["kept"], true, "{b}");
    // The PBX retries an upload it did not see answered: kept once.
    let (s, b) = upload(&app, token, pbx_upload(session, "mixed", Some(&file))).await?;
    assert_eq!((s, b["kept"].clone()), (StatusCode::OK, json!(true)));
    let listed = recordings_of(&app, &appeal, &sup).await?;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["state"], "stored");
    assert_eq!(listed[0]["provider"], "rustpbx");
    let got = audio(&app, listed[0]["id"].as_str().unwrap_or_default(), &sup).await?;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await?.as_ref(), file.as_slice());

    // An hour-long call: 7 MiB, streamed into the store and played back by ranges, as a
    // browser's player seeks in it.
    let long_call = "4c1f0a2e-rec-long@127.0.0.1";
    pbx_step(&app, long_call, "+77011230003").await?;
    let long: Vec<u8> = (0..7 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let (s, b) = upload(&app, token, pbx_upload(long_call, "mixed", Some(&long))).await?;
    assert_eq!((s, b["kept"].clone()), (StatusCode::OK, json!(true)), "{b}");
    let r = app
        .get("/api/v1/appeals?channel=voice&limit=10", app.admin())
        .await?;
    let long_appeal = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"] != appeal.as_str())
        .and_then(|a| a["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let listed = recordings_of(&app, &long_appeal, &sup).await?;
    assert_eq!(listed[0]["size"], long.len(), "{listed:?}");
    let long_id = listed[0]["id"].as_str().unwrap_or_default().to_owned();
    let plays = || async {
        let r = app
            .get(
                "/api/v1/events?kind=call.recording_played&limit=50",
                app.admin(),
            )
            .await?;
        anyhow::Ok(r.body["items"].as_array().map_or(0, Vec::len))
    };
    let plays_before = plays().await?;
    let ranged = |range: &'static str| {
        app.http
            .get(format!("{}/api/v1/recordings/{long_id}/audio", app.base))
            .bearer_auth(&sup)
            .header("range", range)
            .send()
    };
    let n = long.len();
    let first = ranged("bytes=0-").await?;
    assert_eq!(first.status(), 206);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header(&first, "content-range"),
        Some(format!("bytes 0-{}/{n}", n - 1))
    );
    assert_eq!(first.bytes().await?.as_ref(), long.as_slice());
    let seek = ranged("bytes=5000000-5000999").await?;
    assert_eq!(seek.status(), 206);
    assert_eq!(header(&seek, "content-length").as_deref(), Some("1000"));
    assert_eq!(seek.bytes().await?.as_ref(), &long[5_000_000..5_001_000]);
    let tail = ranged("bytes=-16").await?;
    assert_eq!(tail.bytes().await?.as_ref(), &long[n - 16..]);
    let past = ranged("bytes=99999999-").await?;
    assert_eq!(past.status(), 416);
    assert_eq!(header(&past, "content-range"), Some(format!("bytes */{n}")));
    // One play (from its first byte); the seek and the tail are the same play.
    assert_eq!(plays().await?, plays_before + 1);

    // An upload cut off midway (the PBX's connection broke): refused, and not a byte kept,
    // not even a temporary.
    let cut_call = "4c1f0a2e-rec-cut@127.0.0.1";
    pbx_step(&app, cut_call, "+77011230004").await?;
    let (ct, mut body) = pbx_upload(cut_call, "mixed", Some(&long[..3_000_000]));
    body.truncate(body.len() - 1_000_000);
    let (s, b) = upload(&app, token, (ct, body)).await?;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("recording"),
        "{b}"
    );
    if let Some(dir) = app.files.dir() {
        let left = std::fs::read_dir(dir.join(".incoming"))?.count();
        assert_eq!(left, 0, "a temporary was left behind");
    }
    if let Some(b) = &bucket {
        let listing = reqwest::get(format!("{}/recordings?list-type=2", b.endpoint))
            .await?
            .text()
            .await?;
        assert!(
            listing.contains(&baylanys_store::Files::key(&long)),
            "{listing}"
        );
        assert!(
            !listing.contains("incoming/"),
            "a temporary was left: {listing}"
        );
    }

    // A queue that does not record: the upload is answered and nothing is kept.
    let r = records_calls(&app, queue, false, app.admin()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let quiet = "4c1f0a2e-rec-2@127.0.0.1";
    pbx_step(&app, quiet, "+77011230002").await?;
    let other = [9u8; 64];
    let (s, b) = upload(&app, token, pbx_upload(quiet, "mixed", Some(&other))).await?;
    assert_eq!(
        (s, b["kept"].clone()),
        (StatusCode::OK, json!(false)),
        "{b}"
    );
    assert!(
        app.files
            .get(&baylanys_store::Files::key(&other))
            .await
            .is_err(),
        "not a byte of it is kept"
    );
    Ok(())
}
