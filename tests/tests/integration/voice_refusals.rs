//! What the phone refuses (issue "The phone"): TwiML requests whose signature does not match
//! this centre's public URL, or that are not the provider's, change nothing; callbacks wait for
//! the calling hours (R13.5).

use baylanys_domain::voice::outbound::CallingWindow;
use baylanys_tests::twilio::Provider;
use baylanys_tests::Backend;
use chrono::NaiveTime;
use reqwest::StatusCode;
use serde_json::json;

use crate::voice_twiml::{ok, provider, voice_app, voice_app_calling, PUBLIC, TOKEN};

/// Outside the calling hours nobody is called back (R13.5); the callback can still be cancelled.
#[tokio::test]
async fn callbacks_wait_for_the_calling_hours() -> anyhow::Result<()> {
    let never = CallingWindow {
        from: NaiveTime::MIN,
        to: NaiveTime::MIN,
        working_days_only: true,
    };
    let app = voice_app_calling(Backend::Sqlite, Some(TOKEN), never).await?;
    app.default_queue().await?;
    let tw = provider(&app);
    ok(&tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-W"), ("From", "+77011110009")],
        )
        .await?)?;
    let w = tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-W"), ("QueueTime", "0")])
        .await?;
    ok(&tw
        .post(
            &w.gather().unwrap_or_default(),
            &[("CallSid", "CA-W"), ("Digits", "1")],
        )
        .await?)?;
    let list = app.get("/api/v1/callbacks", app.admin()).await?;
    let cb = list.body[0]["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/callbacks/{cb}/outcome");
    let r = app
        .post(&path, app.admin(), json!({"outcome": "no_answer"}))
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("R13.5"), "{}", r.text);
    let r = app
        .post(&path, app.admin(), json!({"outcome": "cancelled"}))
        .await?;
    assert_eq!(r.body["state"], "cancelled", "{}", r.text);
    assert_eq!(r.body["attempts"], 0);
    Ok(())
}

#[tokio::test]
async fn signatures_are_checked_before_anything_is_read() -> anyhow::Result<()> {
    let app = voice_app(Backend::Sqlite, Some(TOKEN)).await?;
    let tw = provider(&app);
    let call = [
        ("CallSid", "CA-X"),
        ("From", "+77011234567"),
        ("To", "+77172000000"),
    ];
    let before = app.event_count().await?;

    // A parameter changed after signing.
    let url = tw.hook("incoming");
    let owned: Vec<(String, String)> = call
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = baylanys_channels::twiml::signature(TOKEN, &url, &owned);
    let tampered = [
        ("CallSid", "CA-X"),
        ("From", "+77019999999"),
        ("To", "+77172000000"),
    ];
    let t = tw.post_signed(&url, &tampered, &signature).await?;
    assert_eq!(t.status, StatusCode::UNAUTHORIZED, "{}", t.xml);
    // Signed for another public URL (a request replayed from another deployment).
    let other = Provider {
        app: &app,
        token: TOKEN.into(),
        public: app.base.clone(),
    };
    let t = other.post(&other.hook("incoming"), &call).await?;
    assert_eq!(t.status, StatusCode::UNAUTHORIZED, "{}", t.xml);
    // Another account's token; no signature at all.
    let wrong = Provider {
        app: &app,
        token: "someone-else".into(),
        public: PUBLIC.into(),
    };
    assert_eq!(
        wrong.post(&url, &call).await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        tw.post_signed(&url, &call, "").await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.event_count().await?, before, "nothing was written");

    // Signed, but not the provider's parameters.
    let t = tw.post(&url, &[("From", "+77011234567")]).await?;
    assert_eq!(t.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.xml);
    let t = tw.post(&tw.hook("gather"), &call).await?;
    assert_eq!(t.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.xml);
    let t = tw.post(&tw.hook("ring"), &call).await?;
    assert_eq!(t.status, StatusCode::NOT_FOUND, "{}", t.xml);
    // An event of a call never seen is told to hang up, and writes nothing.
    let t = tw
        .post(
            &format!("{}?step=1", tw.hook("gather")),
            &[("CallSid", "CA-unknown")],
        )
        .await?;
    assert!(t.has("Hangup"), "{}", t.xml);
    assert_eq!(app.event_count().await?, before, "nothing was written");

    // Without a token configured the webhook does not exist.
    let bare = voice_app(Backend::Sqlite, None).await?;
    let p = provider(&bare);
    assert_eq!(
        p.post(&p.hook("incoming"), &call).await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}
