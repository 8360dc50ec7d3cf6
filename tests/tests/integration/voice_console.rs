//! A call in the operator's console, in a real Chromium (issue "The phone", point 6): the test
//! plays the TwiML provider; the operator accepts the ringing call in the console and sees the
//! number it came from (evidence from the network), where the call stands and the way the caller
//! took through the voice menu, in Kazakh and Russian; the callbacks panel lists a caller's
//! request and counts the attempt the operator records. The operator puts the caller on hold
//! (the provider's first refusal said in Kazakh) and takes them back. After the accept, the
//! provider's next wait tick takes the caller to the operator's phone. The queue records its
//! calls: a supervisor plays the recording in the console, and the play is logged.

use baylanys_tests::twilio::Provider;
use baylanys_tests::Backend;
use reqwest::StatusCode;
use serde_json::json;

use crate::browser::run_script;
use crate::voice_twiml::{always, kk_and_ru_menus, PUBLIC, TOKEN};

#[tokio::test]
async fn a_call_in_chromium() -> anyhow::Result<()> {
    // The provider's calls API answers the first redirect with 503.
    let (calls_base, calls) = crate::voice_transfer::calls_api().await?;
    calls
        .fail_next
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = Some(baylanys_api::Secret(TOKEN.into()));
    config.twilio_account_sid = crate::voice_transfer::ACCOUNT.into();
    config.twilio_api_url = calls_base;
    config.voice.calling_window = always();
    let app = baylanys_tests::TestApp::spawn_with(Backend::Sqlite, config).await?;
    // The test drives the recordings keeper itself, with the provider's account.
    app.stop_worker(baylanys_workers::RecordingKeeper::NAME)
        .await?;
    let queue = app.default_queue().await?;
    let r = app
        .patch(
            &format!("/api/v1/queues/{queue}"),
            app.admin(),
            json!({"records_calls": true}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (sup_id, _) = app.staff("sup", "supervisor", None).await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"languages": ["kk", "ru"], "capacity": {"voice": 1}, "extension": "sip:101@127.0.0.1:5070"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    kk_and_ru_menus(&app).await?;
    let tw = Provider {
        app: &app,
        token: TOKEN.into(),
        public: PUBLIC.into(),
    };

    // Before anyone is online, a caller asks to be called back.
    let callback = "+77011110002";
    let b = tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-B"), ("From", callback)],
        )
        .await?;
    let bq = tw
        .post(
            &b.gather().unwrap_or_default(),
            &[("CallSid", "CA-B"), ("Digits", "0")],
        )
        .await?;
    assert!(bq.has("Enqueue"), "{}", bq.xml);
    let bw = tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-B"), ("QueueTime", "0")])
        .await?;
    let bk = tw
        .post(
            &bw.gather().unwrap_or_default(),
            &[("CallSid", "CA-B"), ("Digits", "1")],
        )
        .await?;
    assert!(bk.has("Hangup"), "{}", bk.xml);

    // The caller the operator will take: the hours, then an operator.
    let caller = "+77011234567";
    let a = tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-A"), ("From", caller)],
        )
        .await?;
    let a1 = tw
        .post(
            &a.gather().unwrap_or_default(),
            &[("CallSid", "CA-A"), ("Digits", "1")],
        )
        .await?;
    let a2 = tw
        .post(
            &a1.gather().unwrap_or_default(),
            &[("CallSid", "CA-A"), ("Digits", "2")],
        )
        .await?;
    assert!(a2.has("Enqueue"), "{}", a2.xml);

    run_script(
        &app,
        "voice.mjs",
        &[
            ("BAYLANYS_CALLER", caller.to_owned()),
            ("BAYLANYS_CALLBACK", callback.to_owned()),
        ],
    )
    .await?;

    // Accepted in the console: the next wait tick leaves the holding area for the phone.
    let w = tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-A"), ("QueueTime", "9")])
        .await?;
    assert!(w.has("Leave"), "{}", w.xml);
    let l = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", "CA-A"),
                ("QueueResult", "leave"),
                ("QueueTime", "9"),
            ],
        )
        .await?;
    assert_eq!(
        l.text_of("Sip").as_deref(),
        Some("sip:101@127.0.0.1:5070"),
        "{}",
        l.xml
    );
    // On the phone: the operator holds from the console and takes the caller back. The
    // provider fetches the release the hold asked for after the take-back: the caller goes
    // back through the holding area to the operator's phone, not cut off.
    run_script(&app, "voice-hold.mjs", &[]).await?;
    let released = calls
        .redirects
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .last()
        .map(|(_, url, _)| url.clone())
        .ok_or_else(|| anyhow::anyhow!("the provider was not asked to hold"))?;
    let back = tw.post(&released, &[("CallSid", "CA-A")]).await?;
    assert!(back.has("Enqueue") && !back.has("Hangup"), "{}", back.xml);
    let w = tw
        .post(
            &tw.hook("wait"),
            &[("CallSid", "CA-A"), ("QueueTime", "12")],
        )
        .await?;
    assert!(w.has("Leave"), "{}", w.xml);
    let again = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", "CA-A"),
                ("QueueResult", "leave"),
                ("QueueTime", "12"),
            ],
        )
        .await?;
    assert_eq!(
        again.text_of("Sip").as_deref(),
        Some("sip:101@127.0.0.1:5070"),
        "{}",
        again.xml
    );
    // They talk; the operator's leg ends while the console shows the call: the card turns to
    // the after-call work by itself, which is then finished. The provider's request is signed
    // here and sent by the page's script once the call is on screen.
    let dial = tw.hook("dial");
    let params = [("CallSid", "CA-A"), ("DialCallStatus", "completed")];
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = baylanys_channels::twiml::signature(&tw.token, &dial, &owned);
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        body.append_pair(k, v);
    }
    let path = dial.strip_prefix(&tw.public).unwrap_or(&dial).to_owned();
    run_script(
        &app,
        "voice-wrapup.mjs",
        &[
            ("BAYLANYS_CALLER", caller.to_owned()),
            ("BAYLANYS_END_URL", format!("{}{path}", app.base)),
            ("BAYLANYS_END_BODY", body.finish()),
            ("BAYLANYS_END_SIGNATURE", signature),
        ],
    )
    .await?;
    let ended = app
        .get(
            "/api/v1/events?kind=interaction.updated&limit=500",
            app.admin(),
        )
        .await?
        .body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["data"]["from"] == "wrap_up" && e["data"]["state"] == "ended")
        .count();
    assert_eq!(
        ended, 1,
        "the after-call work was finished from the console"
    );
    // The hold from the console: tried twice (the provider refused the first), taken back.
    assert_eq!(
        calls
            .redirects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len(),
        1
    );
    // The log shows both: the hold the provider refused was taken back at once, then the
    // operator's own.
    let resumed = app
        .get("/api/v1/events?kind=call.resumed&limit=10", app.admin())
        .await?;
    assert_eq!(
        resumed.body["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        resumed.text
    );

    // The recording of the call, fetched from the provider; the supervisor plays it.
    let file = crate::voice_recordings::wav();
    let (api_base, _) = crate::voice_recordings::recordings_api(file).await?;
    let url = format!(
        "{api_base}/2010-04-01/Accounts/{}/Recordings/RE00000000000000000000000000000001",
        crate::voice_recordings::ACCOUNT
    );
    let done = tw
        .post(
            &tw.hook("recording"),
            &[
                ("CallSid", "CA-A"),
                ("RecordingSid", "RE00000000000000000000000000000001"),
                ("RecordingUrl", url.as_str()),
                ("RecordingStatus", "completed"),
                ("RecordingDuration", "1"),
            ],
        )
        .await?;
    assert_eq!(done.status, StatusCode::OK, "{}", done.xml);
    let fetcher = baylanys_channels::RecordingFetcher::new(Some((
        crate::voice_recordings::ACCOUNT.to_owned(),
        TOKEN.to_owned(),
    )))?;
    let keeper =
        baylanys_workers::RecordingKeeper::new(app.store.clone(), app.files.clone(), fetcher);
    let now = baylanys_store::now();
    keeper.pass(now).await?;
    let pass = keeper.pass(now + chrono::Duration::seconds(31)).await?;
    assert_eq!(pass.fetched, 1, "{pass:?}");
    let recorded = app.store.call("twilio", "CA-A").await?.map(|c| c.appeal_id);
    let recorded = recorded.ok_or_else(|| anyhow::anyhow!("no call CA-A"))?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{recorded}/assign"),
            app.admin(),
            json!({"staff_id": sup_id}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    run_script(&app, "voice-recordings.mjs", &[]).await?;
    let played = app
        .get(
            "/api/v1/events?kind=call.recording_played&limit=10",
            app.admin(),
        )
        .await?;
    let played = played.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(played.len(), 1, "{played:?}");
    assert_eq!(played[0]["actor_id"], sup_id.to_string(), "{played:?}");
    Ok(())
}
