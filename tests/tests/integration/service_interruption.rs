//! A service interruption (issue "The phone", point 8; R34): one switch through the API, and
//! while it is on every citizen is told first, on their own channel and in their language, that
//! the service is interrupted, when it is expected back (Astana time) and which other channels
//! work — a caller before the menu (TwiML), a web-chat visitor on opening the chat and in the
//! conversation, a Telegram citizen in their chat, an e-mail citizen in their thread (a real
//! Dovecot and SMTP server). Each appeal is told once per interruption. On and off are events;
//! refused switches change nothing.

use baylanys_tests::dovecot::Dovecot;
use baylanys_tests::telegram::BotApi;
use baylanys_tests::twilio::Twiml;
use baylanys_tests::{eventually, Backend, TestApp};
use chrono::{Duration, Timelike, Utc};
use serde_json::{json, Value};

use crate::mail::{add_mailbox, header, inbox, mail, mail_appeals, PASSWORD};
use crate::telegram::{add_bot, telegram_appeals, until_said, TOKEN as BOT};
use crate::verification::{body_text, SmtpSink};
use crate::voice_twiml::{ok, provider, PUBLIC, TOKEN as TWILIO};
use crate::ws_operator::{next, send, Socket};

/// The switch in the console and the notice in the web chat, in Chromium (`interruption.mjs`);
/// the expected return typed in Astana time is stored as that instant.
#[tokio::test]
async fn the_switch_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    other_channels(&app).await?;
    app.staff("op", "operator", None).await?;
    app.staff("sup", "supervisor", None).await?;
    // Tomorrow at 18:00 in Astana: 13:00 UTC.
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let typed = format!("{}T18:00", day.format("%Y-%m-%d"));
    crate::browser::run_script(
        &app,
        "interruption.mjs",
        &[
            ("BAYLANYS_RESUMES", typed),
            ("BAYLANYS_KK", KK.to_owned()),
            ("BAYLANYS_RU", RU.to_owned()),
        ],
    )
    .await?;
    let on = events(&app, "service.interrupted").await?;
    assert_eq!(on.len(), 1, "{on:?}");
    let expected = day.and_hms_opt(13, 0, 0).map(|t| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    });
    assert_eq!(
        on[0]["data"]["resumes_at"]
            .as_str()
            .and_then(|s| s.parse::<chrono::DateTime<Utc>>().ok())
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        expected
    );
    assert_eq!(events(&app, "service.resumed").await?.len(), 1);
    assert_eq!(notice(&app).await?["active"], false);
    Ok(())
}

mod both {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn an_interruption_reaches_every_channel_sqlite() -> anyhow::Result<()> {
        super::an_interruption_reaches_every_channel(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn an_interruption_reaches_every_channel_postgres() -> anyhow::Result<()> {
        super::an_interruption_reaches_every_channel(Backend::Postgres).await
    }
}

const KK: &str = "Құрметті азамат, байланыс орталығының телефон желісінде ақау бар.";
const RU: &str = "Уважаемый гражданин, на телефонной линии контакт-центра авария.";
const OTHER_KK: &str = "Бізге Telegram арқылы жазыңыз: @gov_kz_bot";
const OTHER_RU: &str = "Пишите нам в Telegram: @gov_kz_bot";

/// The other channels the out-of-hours settings name, which the notice carries.
async fn other_channels(app: &TestApp) -> anyhow::Result<()> {
    let r = app
        .put(
            "/api/v1/routing/out-of-hours",
            app.admin(),
            json!({"other_channels_kk": OTHER_KK, "other_channels_ru": OTHER_RU}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    Ok(())
}

async fn notice(app: &TestApp) -> anyhow::Result<Value> {
    Ok(app.get("/api/v1/ivr/notice", app.admin()).await?.body)
}

async fn events(app: &TestApp, kind: &str) -> anyhow::Result<Vec<Value>> {
    Ok(app
        .get(&format!("/api/v1/events?kind={kind}&limit=50"), app.admin())
        .await?
        .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

/// An incoming call's first answer.
async fn call(app: &TestApp, sid: &str) -> anyhow::Result<Twiml> {
    let tw = provider(app);
    let t = tw
        .post(
            &tw.hook("incoming"),
            &[
                ("CallSid", sid),
                ("From", "+77011234500"),
                ("To", "+77172000000"),
                ("CallStatus", "ringing"),
            ],
        )
        .await?;
    ok(&t)?;
    Ok(t)
}

async fn chat(app: &TestApp, language: &str) -> anyhow::Result<(Socket, Value)> {
    let url = format!("{}/ws/chat", app.base.replacen("http://", "ws://", 1));
    let mut socket = tokio_tungstenite::connect_async(url).await?.0;
    send(
        &mut socket,
        json!({"type": "hello", "v": 1, "language": language}),
    )
    .await?;
    let welcome = next(&mut socket).await?;
    anyhow::ensure!(welcome["type"] == "welcome", "{welcome}");
    Ok((socket, welcome))
}

/// Sends a message and waits for its acknowledgement.
async fn say(socket: &mut Socket, id: &str, body: &str) -> anyhow::Result<()> {
    send(
        socket,
        json!({"type": "message", "client_id": id, "body": body}),
    )
    .await?;
    for _ in 0..50 {
        let f = next(socket).await?;
        if f["type"] == "ack" && f["client_id"] == id {
            return Ok(());
        }
        anyhow::ensure!(f["type"] != "close", "{f}");
    }
    anyhow::bail!("no ack for {id}")
}

/// The notices of an appeal's timeline that carry `text`.
async fn told(app: &TestApp, appeal: &str, text: &str) -> anyhow::Result<usize> {
    let d = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body;
    Ok(d["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "message.added")
        .filter_map(|e| e.get("message"))
        .filter(|m| m["kind"] == "notice" && m["body"].as_str().is_some_and(|b| b.contains(text)))
        .count())
}

async fn an_interruption_reaches_every_channel(backend: Backend) -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD), ("citizen", PASSWORD)]).await?;
    let sink = SmtpSink::start_into(dovecot.maildir("citizen")).await?;
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = Some(baylanys_api::Secret(TWILIO.to_owned()));
    let app = TestApp::spawn_full(backend, config, sink.delivery()?).await?;
    app.default_queue().await?;
    let api = BotApi::start(BOT).await?;
    add_bot(&app, &api, "Кеңес боты", "polling").await?;
    add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;
    other_channels(&app).await?;
    let (_, operator) = app.staff("op", "operator", None).await?;
    let (_, supervisor) = app.staff("sup", "supervisor", None).await?;

    // Refused: an operator's switch, a notice without its Russian text, a recording that is not
    // a sound file's address. Nothing changes, no event.
    let resumes = (Utc::now() + Duration::hours(3))
        .with_nanosecond(0)
        .unwrap_or_else(Utc::now);
    let on = json!({"active": true, "kk": KK, "ru": RU, "resumes_at": resumes});
    let r = app.put("/api/v1/ivr/notice", &operator, on.clone()).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .put(
            "/api/v1/ivr/notice",
            &supervisor,
            json!({"active": true, "kk": KK}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("active"), "{}", r.text);
    let mut bad = on.clone();
    bad["kk_audio_url"] = json!("javascript:alert(1)");
    let r = app.put("/api/v1/ivr/notice", &supervisor, bad).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("kk_audio_url"), "{}", r.text);
    assert_eq!(notice(&app).await?["active"], false);
    assert!(events(&app, "service.interrupted").await?.is_empty());

    // On: the supervisor's switch, an event with the expected return; every member of staff
    // reads it (the console's mark).
    let r = app
        .put("/api/v1/ivr/notice", &supervisor, on.clone())
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let since = r.body["since"].as_str().unwrap_or_default().to_owned();
    assert!(!since.is_empty(), "{}", r.text);
    let seen = app.get("/api/v1/ivr/notice", &operator).await?;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["kk"], KK);
    let on_events = events(&app, "service.interrupted").await?;
    assert_eq!(on_events.len(), 1, "{on_events:?}");
    assert_eq!(
        on_events[0]["data"]["resumes_at"]
            .as_str()
            .and_then(|s| s.parse::<chrono::DateTime<Utc>>().ok()),
        Some(resumes)
    );
    // Saving new words while on keeps the interruption (and its start); no second event.
    let r = app
        .put("/api/v1/ivr/notice", &supervisor, on.clone())
        .await?;
    assert_eq!(r.body["since"], since.as_str());
    assert_eq!(events(&app, "service.interrupted").await?.len(), 1);

    // What every citizen is told, worked out here: the words, the return in Astana time (UTC+5,
    // Kazakhstan's one zone since 2024), the other channels.
    let local = (resumes + Duration::hours(5)).format("%d.%m.%Y %H:%M");
    let kk_words = format!("{KK} Қызмет шамамен {local} қалпына келеді. {OTHER_KK}");
    let ru_words = format!("{RU} Ожидаемое время возобновления: {local}. {OTHER_RU}");

    // The phone: said after the greeting, before anything else (no menu here: then the queue).
    let t = call(&app, "CA0000000000000000000000000000int1").await?;
    let says = t.says();
    assert_eq!(says.len(), 2, "{}", t.xml);
    assert_eq!(says[1], kk_words, "{}", t.xml);
    assert!(says[0].starts_with("Сәлеметсіз бе"), "{}", t.xml);

    // The web chat: shown on opening, then in the conversation once the appeal begins; a second
    // message is not told again.
    let (mut socket, welcome) = chat(&app, "ru").await?;
    assert_eq!(welcome["service_notice"], ru_words.as_str(), "{welcome}");
    say(
        &mut socket,
        "00000000-0000-4000-8000-000000000001",
        "Здравствуйте, мне нужна справка.",
    )
    .await?;
    let mut appeal = String::new();
    for _ in 0..50 {
        let f = next(&mut socket).await?;
        if f["type"] == "welcome" && f["appeal_id"].is_string() {
            appeal = f["appeal_id"].as_str().unwrap_or_default().to_owned();
        }
        if f["type"] == "notice" {
            assert_eq!(f["text"], ru_words.as_str(), "{f}");
            break;
        }
        anyhow::ensure!(f["type"] != "close", "{f}");
    }
    assert!(!appeal.is_empty(), "the welcome named the appeal");
    say(
        &mut socket,
        "00000000-0000-4000-8000-000000000002",
        "Это срочно.",
    )
    .await?;
    assert_eq!(told(&app, &appeal, RU).await?, 1);

    // Telegram: in the chat, in the language the citizen chose, after the registration.
    let tg_chat = 7301;
    api.push(BotApi::text(tg_chat, "Айгүл", "kk", "Сәлеметсіз бе!"));
    until_said(&api, tg_chat, "Тілді таңдаңыз").await?;
    api.push(BotApi::callback(tg_chat, "lang:kk", 1));
    until_said(&api, tg_chat, "тақырыбын таңдаңыз").await?;
    api.push(BotApi::callback(tg_chat, "topic:none", 2));
    let (text, _) = until_said(&api, tg_chat, KK).await?;
    assert_eq!(text, kk_words);
    let tg_appeal = eventually("the Telegram appeal", || async {
        Ok(telegram_appeals(&app).await?.into_iter().next())
    })
    .await?;
    api.push(BotApi::text(tg_chat, "Айгүл", "kk", "Тағы бір сұрақ."));
    eventually("the second message", || async {
        Ok((app.store.messages_after(tg_appeal.id, 0, 50).await?.len() >= 4).then_some(()))
    })
    .await?;
    assert_eq!(told(&app, &tg_appeal.id.to_string(), KK).await?, 1);

    // E-mail: the acknowledgement and the notice, both in the citizen's thread.
    let first_id = "<kz-citizen-int@mail.example.kz>";
    dovecot
        .append(
            "centre",
            &mail(
                "Айгүл <aigul@mail.example.kz>",
                "Анықтама",
                first_id,
                "",
                "Сәлеметсіз бе! Анықтама керек.",
            ),
        )
        .await?;
    let mails = eventually("two mails in the citizen's mailbox", || async {
        let m = inbox(&dovecot, "citizen");
        Ok((m.len() >= 2).then_some(m))
    })
    .await?;
    let interrupted = mails
        .iter()
        .find(|m| body_text(m).contains(KK))
        .ok_or_else(|| anyhow::anyhow!("no notice among {mails:?}"))?;
    assert!(body_text(interrupted).contains(&kk_words), "{interrupted}");
    assert_eq!(
        header(interrupted, "in-reply-to").as_deref(),
        Some(first_id)
    );
    assert_eq!(mail_appeals(&app).await?.len(), 1);

    // Off: an event with how long it lasted; no one is told any more.
    let r = app
        .put(
            "/api/v1/ivr/notice",
            &supervisor,
            json!({"active": false, "kk": KK, "ru": RU}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["since"].is_null(), "{}", r.text);
    let off = events(&app, "service.resumed").await?;
    assert_eq!(off.len(), 1, "{off:?}");
    assert!(
        off[0]["data"]["lasted_secs"]
            .as_i64()
            .is_some_and(|s| s >= 0),
        "{off:?}"
    );
    let t = call(&app, "CA0000000000000000000000000000int2").await?;
    assert!(!t.said().contains(KK), "{}", t.xml);
    let (_, welcome) = chat(&app, "kk").await?;
    assert!(welcome.get("service_notice").is_none(), "{welcome}");
    say(
        &mut socket,
        "00000000-0000-4000-8000-000000000003",
        "Ещё вопрос.",
    )
    .await?;
    assert_eq!(told(&app, &appeal, RU).await?, 1);

    // A new interruption tells the same conversation again, once.
    let r = app.put("/api/v1/ivr/notice", &supervisor, on).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.body["since"], since.as_str());
    say(
        &mut socket,
        "00000000-0000-4000-8000-000000000004",
        "И ещё.",
    )
    .await?;
    assert_eq!(told(&app, &appeal, RU).await?, 2);
    assert_eq!(events(&app, "service.interrupted").await?.len(), 2);
    api.shutdown().await;
    Ok(())
}
