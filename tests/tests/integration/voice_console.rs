//! A call in the operator's console, in a real Chromium (issue "The phone", point 6): the test
//! plays the TwiML provider; the operator accepts the ringing call in the console and sees the
//! number it came from (evidence from the network), where the call stands and the way the caller
//! took through the voice menu, in Kazakh and Russian; the callbacks panel lists a caller's
//! request and counts the attempt the operator records. After the accept, the provider's next
//! wait tick takes the caller to the operator's phone.

use baylanys_tests::twilio::Provider;
use baylanys_tests::Backend;
use reqwest::StatusCode;
use serde_json::json;

use crate::browser::run_script;
use crate::voice_twiml::{kk_and_ru_menus, voice_app, PUBLIC, TOKEN};

#[tokio::test]
async fn a_call_in_chromium() -> anyhow::Result<()> {
    let app = voice_app(Backend::Sqlite, Some(TOKEN)).await?;
    app.default_queue().await?;
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
    // They talk; the operator's leg ends. In the console: the after-call work, finished.
    let d = tw
        .post(
            &tw.hook("dial"),
            &[("CallSid", "CA-A"), ("DialCallStatus", "completed")],
        )
        .await?;
    assert!(d.has("Hangup"), "{}", d.xml);
    run_script(
        &app,
        "voice-wrapup.mjs",
        &[("BAYLANYS_CALLER", caller.to_owned())],
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
    Ok(())
}
