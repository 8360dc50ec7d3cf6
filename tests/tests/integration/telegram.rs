//! The Telegram channel against a local server speaking the Bot API's wire format (Telegram
//! cannot be reached from here): a citizen writes to a polling bot in Kazakh, chooses the
//! language and the topic with inline buttons, and their words become the appeal's first
//! message; the acknowledgement and the operator's answer come back in the chat through the
//! outbox; `/status` tells the appeal's state. A webhook-mode bot is pointed at the centre with
//! a secret; a forged secret is refused before anything is stored, a malformed body is a 400,
//! and an update delivered three times at once is handled once.

use std::time::Duration;

use anyhow::Context;
use baylanys_domain::{AppealScope, Channel};
use baylanys_store::AppealFilter;
use baylanys_tests::telegram::BotApi;
use baylanys_tests::{eventually, Backend, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) const TOKEN: &str = "123456789:AAFakeTokenForBaylanysTests_0123456789";

mod both {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn a_citizen_talks_to_a_polling_bot_sqlite() -> anyhow::Result<()> {
        super::a_citizen_talks_to_a_polling_bot(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn a_citizen_talks_to_a_polling_bot_postgres() -> anyhow::Result<()> {
        super::a_citizen_talks_to_a_polling_bot(Backend::Postgres).await
    }
    #[tokio::test]
    async fn files_come_with_their_messages_sqlite() -> anyhow::Result<()> {
        super::files_come_with_their_messages(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn files_come_with_their_messages_postgres() -> anyhow::Result<()> {
        super::files_come_with_their_messages(Backend::Postgres).await
    }
    #[tokio::test]
    async fn long_polling_survives_a_restart_sqlite() -> anyhow::Result<()> {
        super::long_polling_survives_a_restart(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn long_polling_survives_a_restart_postgres() -> anyhow::Result<()> {
        super::long_polling_survives_a_restart(Backend::Postgres).await
    }
    #[tokio::test]
    async fn outbound_keeps_to_the_limits_sqlite() -> anyhow::Result<()> {
        super::outbound_keeps_to_the_limits(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn outbound_keeps_to_the_limits_postgres() -> anyhow::Result<()> {
        super::outbound_keeps_to_the_limits(Backend::Postgres).await
    }
    #[tokio::test]
    async fn after_the_menu_sqlite() -> anyhow::Result<()> {
        super::after_the_menu(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn after_the_menu_postgres() -> anyhow::Result<()> {
        super::after_the_menu(Backend::Postgres).await
    }
    #[tokio::test]
    async fn the_webhook_is_guarded_and_idempotent_sqlite() -> anyhow::Result<()> {
        super::the_webhook_is_guarded_and_idempotent(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn the_webhook_is_guarded_and_idempotent_postgres() -> anyhow::Result<()> {
        super::the_webhook_is_guarded_and_idempotent(Backend::Postgres).await
    }
}

pub(crate) async fn add_bot(
    app: &TestApp,
    api: &BotApi,
    name: &str,
    mode: &str,
) -> anyhow::Result<Uuid> {
    let r = app
        .post(
            "/api/v1/telegram/bots",
            app.admin(),
            json!({ "name": name, "token": TOKEN, "mode": mode, "api_url": api.url }),
        )
        .await?;
    anyhow::ensure!(r.status == 201, "bot not created: {} {}", r.status, r.body);
    assert!(
        !r.body.to_string().contains(TOKEN),
        "the token is never returned"
    );
    Ok(r.id())
}

pub(crate) async fn telegram_appeals(app: &TestApp) -> anyhow::Result<Vec<baylanys_store::Appeal>> {
    let mut f = AppealFilter::new(AppealScope::All);
    f.channel = Some(Channel::Telegram);
    f.limit = 500;
    Ok(app.store.list_appeals(f).await?)
}

/// The texts the bot sent to a chat, in order.
pub(crate) fn said(api: &BotApi, chat: i64) -> Vec<(String, Value)> {
    api.sent()
        .into_iter()
        .filter(|s| s.chat_id == chat)
        .map(|s| (s.text, s.reply_markup))
        .collect()
}

pub(crate) async fn until_said(
    api: &BotApi,
    chat: i64,
    needle: &str,
) -> anyhow::Result<(String, Value)> {
    eventually(&format!("the bot to say {needle:?}"), || async {
        Ok(said(api, chat)
            .into_iter()
            .find(|(t, _)| t.contains(needle)))
    })
    .await
}

/// The callback data of the buttons of a reply markup.
pub(crate) fn buttons(markup: &Value) -> Vec<String> {
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}

async fn a_citizen_talks_to_a_polling_bot(backend: Backend) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    // Queue status every two seconds here (R12.2 asks for at least every minute).
    let mut config = baylanys_tests::test_config();
    config.chat.queue_status_every = Duration::from_secs(2);
    let app = TestApp::spawn_with(backend, config).await?;
    // The queue a fresh install has, open round the clock.
    app.default_queue().await?;
    let topic = app
        .post(
            "/api/v1/topics",
            app.admin(),
            json!({ "code": "address", "name_kk": "Мекенжай анықтамасы", "name_ru": "Адресная справка" }),
        )
        .await?
        .id();
    add_bot(&app, &api, "Кеңес боты", "polling").await?;
    let chat = 7001;

    // The first words come before any menu: they are kept.
    let first = "Сәлеметсіз бе! Мекенжай анықтамасын қалай аламын?";
    api.push(BotApi::text(chat, "Айгүл", "kk", first));
    let (_, markup) = until_said(&api, chat, "Тілді таңдаңыз").await?;
    assert_eq!(buttons(&markup), ["lang:kk", "lang:ru", "lang:en"]);
    api.push(BotApi::callback(chat, "lang:kk", 1));
    let (_, markup) = until_said(&api, chat, "тақырыбын таңдаңыз").await?;
    let choices = buttons(&markup);
    assert_eq!(choices, [format!("topic:{topic}"), "topic:none".to_owned()]);
    api.push(BotApi::callback(chat, &format!("topic:{topic}"), 2));
    until_said(&api, chat, "оператор осы чатта жауап береді").await?;
    let appeal = eventually("the appeal", || async {
        Ok(telegram_appeals(&app).await?.into_iter().next())
    })
    .await?;
    assert_eq!(appeal.topic_id, Some(topic));
    assert_eq!(appeal.language, baylanys_domain::Language::Kk);
    let first_message = app.store.messages_after(appeal.id, 0, 10).await?;
    assert_eq!(
        first_message[0].body, first,
        "the words before the menu are not lost"
    );
    // The acknowledgement (R6.1) comes through the outbox into the chat.
    until_said(&api, chat, &appeal.number).await?;
    // Waiting in line, the citizen is told their place and that waiting is free, again and
    // again (R12.1–2).
    let statuses = eventually("two queue statuses", || async {
        let s: Vec<_> = api
            .sent()
            .into_iter()
            .filter(|s| s.chat_id == chat && s.text.contains("Күту тегін"))
            .collect();
        Ok((s.len() >= 2).then_some(s))
    })
    .await?;
    assert!(
        statuses[0].text.starts_with("Сіз кезекте 1-орындасыз."),
        "{}",
        statuses[0].text
    );
    let gap = statuses[1].at.duration_since(statuses[0].at);
    assert!(
        gap >= Duration::from_millis(1500),
        "told again after {gap:?}"
    );

    // The operator answers: the answer arrives in the chat.
    let answer = "Анықтаманы egov.kz арқылы немесе ХҚКО-да алуға болады.";
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/messages", appeal.id),
            app.admin(),
            json!({ "body": answer }),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.body);
    until_said(&api, chat, "egov.kz").await?;

    // The citizen answers: it joins the appeal; /status tells its state in their language.
    api.push(BotApi::text(chat, "Айгүл", "kk", "Рақмет!"));
    eventually("the thanks to join the appeal", || async {
        let m = app.store.messages_after(appeal.id, 0, 50).await?;
        Ok(m.iter().any(|m| m.body == "Рақмет!").then_some(()))
    })
    .await?;
    api.push(BotApi::text(
        chat,
        "Айгүл",
        "kk",
        &format!("/status {}", appeal.number),
    ));
    let (status, _) = until_said(&api, chat, "Жауап мерзімі").await?;
    assert!(status.contains(&appeal.number), "{status}");
    // Another chat cannot read it.
    api.push(BotApi::text(
        7002,
        "Бөтен",
        "ru",
        &format!("/status {}", appeal.number),
    ));
    until_said(&api, 7002, "не найдено").await?;
    assert_eq!(telegram_appeals(&app).await?.len(), 1);
    // /readyz shows the bot and when it last heard from Telegram.
    let ready = app.get("/readyz", "").await?;
    let health = &ready.body["telegram"][0];
    assert_eq!(health["name"], "Кеңес боты", "{}", ready.body);
    assert_eq!(health["mode"], "polling");
    assert!(health["last_update_at"].is_string(), "{health}");
    assert!(health["last_error_kind"].is_null(), "{health}");
    Ok(())
}

/// After the menu, in Russian: the phone button is offered and a shared phone becomes a claim on
/// the citizen's record, not an identity (R11) — someone else's contact card is no claim at all;
/// an edited message comes as a message naming the one it changes, both kept (R5.4); the
/// survey comes with buttons 1–5, one press rates the appeal, a second is told it was rated
/// (R5.7).
async fn after_the_menu(backend: Backend) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let app = TestApp::spawn(backend).await?;
    app.default_queue().await?;
    add_bot(&app, &api, "Справочная", "polling").await?;
    let chat = 7101;
    api.push(BotApi::text(chat, "Ерлан", "ru", "Здравствуйте"));
    until_said(&api, chat, "Выберите язык").await?;
    api.push(BotApi::callback(chat, "lang:ru", 1));
    until_said(&api, chat, "Выберите тему").await?;
    api.push(BotApi::callback(chat, "topic:none", 2));
    let (_, markup) = until_said(&api, chat, "оператор ответит в этом чате").await?;
    let button = &markup["keyboard"][0][0];
    assert_eq!(button["request_contact"], true, "{markup}");
    assert_eq!(button["text"], "📱 Поделиться номером телефона");
    let appeal = eventually("the appeal", || async {
        Ok(telegram_appeals(&app).await?.into_iter().next())
    })
    .await?;
    let detail = || async {
        let r = app
            .get(&format!("/api/v1/appeals/{}", appeal.id), app.admin())
            .await?;
        anyhow::ensure!(r.status == 200, "{}", r.text);
        anyhow::Ok(r.body)
    };

    // A message, then the citizen edits it: both versions are on the timeline, the second
    // naming the first.
    let said_first = BotApi::text(chat, "Ерлан", "ru", "Вопрос о пособии на ребёнка");
    let tg_id = said_first["message"]["message_id"]
        .as_i64()
        .context("message id")?;
    api.push(said_first);
    let edited_text = "Вопрос о пособии по уходу за ребёнком до 1,5 лет";
    api.push(BotApi::edited(chat, tg_id, edited_text));
    let timeline = eventually("the edit on the timeline", || async {
        let d = detail().await?;
        let messages: Vec<Value> = d["timeline"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("message").cloned())
            .collect();
        Ok(messages
            .iter()
            .any(|m| m["body"] == edited_text)
            .then_some(messages))
    })
    .await?;
    let original = timeline
        .iter()
        .find(|m| m["body"] == "Вопрос о пособии на ребёнка")
        .context("the original is kept")?;
    let edit = timeline
        .iter()
        .find(|m| m["body"] == edited_text)
        .context("the edit")?;
    assert_eq!(edit["edit"]["of"], original["id"], "{edit}");
    assert!(original.get("edit").is_none(), "{original}");

    // Someone else's contact card: no claim, and the citizen is asked for their own.
    let mut other = BotApi::contact(chat, "+77019998877");
    other["message"]["contact"]["user_id"] = json!(424242);
    api.push(other);
    until_said(&api, chat, "Отправьте свой номер").await?;
    // Their own number: a claim, shown on the card apart from the identities.
    api.push(BotApi::contact(chat, "77015550101"));
    let (_, markup) = until_said(&api, chat, "ваш номер записан").await?;
    assert_eq!(markup["remove_keyboard"], true, "{markup}");
    let card = app
        .get(
            &format!("/api/v1/clients/{}", appeal.client_id),
            app.admin(),
        )
        .await?;
    assert_eq!(card.status, 200, "{}", card.text);
    let claims = card.body["claims"].as_array().cloned().unwrap_or_default();
    assert_eq!(claims.len(), 1, "{}", card.body);
    assert_eq!(claims[0]["value"], "+77015550101");
    assert_eq!(claims[0]["kind"], "phone");
    assert_eq!(claims[0]["channel"], "telegram");
    let identities = card.body["identities"].to_string();
    assert!(
        !identities.contains("77015550101") && !identities.contains("voice"),
        "a claim is not an identity: {identities}"
    );
    let claimed = app
        .get("/api/v1/events?kind=client.claimed", app.admin())
        .await?;
    let items = claimed.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", claimed.body);
    assert!(
        !items[0].to_string().contains("77015550101"),
        "the log keeps no number"
    );
    // The same number again: nothing new.
    api.push(BotApi::contact(chat, "+7 701 555 01 01"));
    eventually("the second thanks", || async {
        Ok((said(&api, chat)
            .iter()
            .filter(|(t, _)| t.contains("ваш номер записан"))
            .count()
            >= 2)
            .then_some(()))
    })
    .await?;
    let again = app
        .get("/api/v1/events?kind=client.claimed", app.admin())
        .await?;
    assert_eq!(again.body["items"].as_array().map(Vec::len), Some(1));

    // Closed: the survey comes with five buttons; one press rates.
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/status", appeal.id),
            app.admin(),
            json!({"status": "closed", "resolution": "Разъяснено"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let survey = eventually("the survey with its buttons", || async {
        Ok(said(&api, chat)
            .into_iter()
            .find(|(_, m)| buttons(m).iter().any(|b| b.starts_with("rate:"))))
    })
    .await?;
    let rates: Vec<String> = (1..=5).map(|n| format!("rate:{}:{n}", appeal.id)).collect();
    assert_eq!(buttons(&survey.1), rates, "{}", survey.0);
    api.push(BotApi::callback(chat, &rates[3], 9));
    until_said(&api, chat, "Спасибо за оценку: 4 из 5").await?;
    api.push(BotApi::callback(chat, &rates[0], 9));
    until_said(&api, chat, "Вы уже оценили").await?;
    // A press from another chat rates nothing.
    api.push(BotApi::callback(7102, &rates[0], 9));
    let events = app
        .get("/api/v1/events?kind=survey.answered", app.admin())
        .await?;
    let items = events.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", events.body);
    assert_eq!(items[0]["data"]["score"], 4);
    assert_eq!(items[0]["data"]["channel"], "telegram");
    Ok(())
}

async fn the_webhook_is_guarded_and_idempotent(backend: Backend) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let app = TestApp::spawn(backend).await?;
    let bot = add_bot(&app, &api, "Вебхук", "webhook").await?;
    // The keeper points the bot at the centre, with a secret.
    let (url, secret) = eventually("the webhook to be set", || async { Ok(api.webhook()) }).await?;
    assert!(url.ends_with(&format!("/webhooks/telegram/{bot}")), "{url}");
    let secret = secret.context("a secret token")?;
    let hook = format!("{}/webhooks/telegram/{bot}", app.base);
    let post = |body: Vec<u8>, secret: Option<String>| {
        let http = app.http.clone();
        let hook = hook.clone();
        async move {
            let mut req = http
                .post(hook)
                .header("content-type", "application/json")
                .body(body);
            if let Some(s) = secret {
                req = req.header("x-telegram-bot-api-secret-token", s);
            }
            anyhow::Ok(req.send().await?.status().as_u16())
        }
    };
    let chat = 8001;
    let update = |id: i64, u: Value| {
        let mut u = u;
        u["update_id"] = json!(id);
        serde_json::to_vec(&u).unwrap_or_default()
    };
    let events_before = app.event_count().await?;

    // A forged or missing secret: 401, nothing stored.
    let text = update(5001, BotApi::text(chat, "Ерлан", "ru", "Здравствуйте"));
    assert_eq!(post(text.clone(), Some("forged".into())).await?, 401);
    assert_eq!(post(text.clone(), None).await?, 401);
    assert_eq!(app.event_count().await?, events_before);
    assert!(!app.store.update_seen(bot, 5001).await?);
    // Not an update: 400.
    assert_eq!(
        post(b"{not json".to_vec(), Some(secret.clone())).await?,
        400
    );

    // The first message, then the language and topic, each delivered three times at once.
    for body in [
        text,
        update(5002, BotApi::callback(chat, "lang:ru", 1)),
        update(5003, BotApi::callback(chat, "topic:none", 2)),
    ] {
        let (a, b, c) = tokio::join!(
            post(body.clone(), Some(secret.clone())),
            post(body.clone(), Some(secret.clone())),
            post(body, Some(secret.clone())),
        );
        assert_eq!((a?, b?, c?), (200, 200, 200));
    }
    let appeals = eventually("the appeal", || async {
        let a = telegram_appeals(&app).await?;
        Ok((!a.is_empty()).then_some(a))
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let appeals = if appeals.len() == 1 {
        telegram_appeals(&app).await?
    } else {
        appeals
    };
    assert_eq!(appeals.len(), 1, "one appeal for a thrice-delivered update");
    let messages = app.store.messages_after(appeals[0].id, 0, 50).await?;
    let firsts = messages.iter().filter(|m| m.body == "Здравствуйте").count();
    assert_eq!(firsts, 1, "one message: {messages:?}");
    assert_eq!(appeals[0].language, baylanys_domain::Language::Ru);

    // Row 10 of the БОҚБЕ report names the bot while one is active, and only then.
    let half = {
        use chrono::Datelike;
        let now = baylanys_domain::deadline::local_date(baylanys_store::now());
        format!("{}-H{}", now.year(), if now.month() <= 6 { 1 } else { 2 })
    };
    let row10 = || async {
        let r = app
            .get(
                &format!("/api/v1/reports/boqbe/{half}?lang=kk"),
                app.admin(),
            )
            .await?;
        anyhow::ensure!(r.status == 200, "{}", r.text);
        anyhow::Ok(
            r.body["rows"][9]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let with_bot = row10().await?;
    assert!(with_bot.contains("Telegram-бот"), "{with_bot}");
    let r = app
        .patch(
            &format!("/api/v1/telegram/bots/{bot}"),
            app.admin(),
            json!({ "enabled": false }),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.body);
    let without = row10().await?;
    assert!(!without.contains("Telegram"), "{without}");
    Ok(())
}

/// 200 messages to 40 chats (each chat's acknowledgement and four answers) against a server that
/// enforces Telegram's limits: every one arrives and none is refused for flooding. A 429 the
/// server forces is waited out as it says; a chat whose citizen blocked the bot is given up on,
/// not retried forever, and later notices go elsewhere.
async fn outbound_keeps_to_the_limits(backend: Backend) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    api.strict_limits(true);
    let app = TestApp::spawn(backend).await?;
    let bot = add_bot(&app, &api, "Шектеулер", "polling").await?;
    const CHATS: i64 = 40;
    let mut appeals = Vec::new();
    for i in 0..CHATS {
        let client = app
            .client(
                app.admin(),
                json!({ "language": "kk", "identities": [{ "channel": "telegram", "address": format!("{bot}:{}", 9000 + i) }] }),
            )
            .await?;
        let r = app
            .post(
                "/api/v1/appeals",
                app.admin(),
                json!({ "client_id": client, "kind": "request", "channel": "telegram" }),
            )
            .await?;
        anyhow::ensure!(r.status == 201, "{}", r.body);
        appeals.push(r.id());
    }
    // One forced 429 on the way: it is waited out, not given up.
    api.throttle_next(1, 1);
    for round in 0..4 {
        for a in &appeals {
            let r = app
                .post(
                    &format!("/api/v1/appeals/{a}/messages"),
                    app.admin(),
                    json!({ "body": format!("Жауап {round}") }),
                )
                .await?;
            anyhow::ensure!(r.status == 201, "{}", r.body);
        }
    }
    let want = (CHATS * 5) as usize;
    eventually("every message in its chat", || async {
        let n = api
            .sent()
            .iter()
            .filter(|s| (9000..9000 + CHATS).contains(&s.chat_id))
            .count();
        Ok((n >= want).then_some(()))
    })
    .await?;
    let sent = api.sent();
    let ours: Vec<_> = sent
        .iter()
        .filter(|s| (9000..9000 + CHATS).contains(&s.chat_id))
        .collect();
    assert_eq!(ours.len(), want, "each exactly once");
    let refused = api
        .calls()
        .iter()
        .filter(|(m, _)| m == "sendMessage")
        .count()
        - sent.len();
    assert_eq!(refused, 1, "only the forced 429 was refused: the pace held");
    // In each chat, the acknowledgement then the four answers in order.
    for i in 0..CHATS {
        let texts: Vec<&str> = ours
            .iter()
            .filter(|s| s.chat_id == 9000 + i)
            .map(|s| s.text.as_str())
            .collect();
        assert!(texts[0].contains("тіркелді"), "{texts:?}");
        assert_eq!(&texts[1..], ["Жауап 0", "Жауап 1", "Жауап 2", "Жауап 3"]);
    }

    // The citizen of the first chat blocks the bot: the answer fails once, for good.
    api.block(9000);
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/messages", appeals[0]),
            app.admin(),
            json!({ "body": "Тағы бір жауап" }),
        )
        .await?;
    assert_eq!(r.status, 201);
    let failed = eventually("the delivery to fail", || async {
        Ok(app
            .store
            .deliveries_of(appeals[0])
            .await?
            .into_iter()
            .find(|d| d.state == baylanys_domain::DeliveryState::Failed))
    })
    .await?;
    assert_eq!(
        failed.attempts, 1,
        "a blocked chat is not retried: {failed:?}"
    );
    let chat = app.store.telegram_chat(bot, 9000).await?;
    assert!(chat.is_some_and(|c| c.blocked_at.is_some()));
    Ok(())
}

/// Long polling across a restart: updates pushed while no node polls, and while the poll is
/// handed from one node to another, are each handled once — none lost, none repeated.
async fn long_polling_survives_a_restart(backend: Backend) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let app = TestApp::spawn(backend).await?;
    let bot = add_bot(&app, &api, "Қайта іске қосу", "polling").await?;
    // Ten citizens finish the menu on the first node.
    for chat in 100..110 {
        api.push(BotApi::text(chat, "Азамат", "kk", "Сәлем"));
        api.push(BotApi::callback(chat, "lang:kk", 1));
        api.push(BotApi::callback(chat, "topic:none", 2));
    }
    eventually("ten appeals", || async {
        Ok((telegram_appeals(&app).await?.len() == 10).then_some(()))
    })
    .await?;
    // The node stops polling; the citizens write on; another node takes the bot over.
    app.stop_worker(baylanys_workers::BotKeeper::NAME).await?;
    app.stop_worker("telegram Қайта іске қосу").await?;
    for chat in 100..110 {
        api.push(BotApi::text(
            chat,
            "Азамат",
            "kk",
            &format!("Екінші хат {chat}"),
        ));
    }
    let second = TestApp::spawn_node(&app, baylanys_bus::Bus::local()).await?;
    for chat in 100..110 {
        api.push(BotApi::text(
            chat,
            "Азамат",
            "kk",
            &format!("Үшінші хат {chat}"),
        ));
    }
    let appeals = telegram_appeals(&second).await?;
    eventually("every message in its appeal", || async {
        let mut n = 0;
        for a in &appeals {
            n += second
                .store
                .messages_after(a.id, 0, 100)
                .await?
                .iter()
                .filter(|m| m.author == baylanys_domain::Author::Client)
                .count();
        }
        Ok((n == 30).then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for a in &appeals {
        let texts: Vec<String> = second
            .store
            .messages_after(a.id, 0, 100)
            .await?
            .into_iter()
            .filter(|m| m.author == baylanys_domain::Author::Client)
            .map(|m| m.body)
            .collect();
        assert_eq!(texts.len(), 3, "each once, in order: {texts:?}");
        assert_eq!(texts[0], "Сәлем");
        assert!(texts[1].starts_with("Екінші хат") && texts[2].starts_with("Үшінші хат"));
    }
    assert_eq!(telegram_appeals(&second).await?.len(), 10);
    let offset = second.store.get_bot(bot).await?.update_offset;
    assert_eq!(
        offset,
        api.next_update_id(),
        "the offset is past every update"
    );
    Ok(())
}

/// The files a citizen sends — before the menu is done, with a caption, alone — come with their
/// messages into the attachment store, byte for byte; a program and a file over the limit are
/// recorded with why, never silently dropped.
async fn files_come_with_their_messages(backend: Backend) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let app = TestApp::spawn(backend).await?;
    add_bot(&app, &api, "Файлдар", "polling").await?;
    let chat = 7301;
    let scan: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    api.add_file("doc-1", scan.clone());
    let photo: Vec<u8> = (0..9_000u32).map(|i| (i % 199) as u8).collect();
    api.add_file("photo-1", photo.clone());
    api.add_file("exe-1", b"MZ\x90\x00".to_vec());

    // A document before the menu: kept for the appeal's first message.
    api.push(BotApi::document(
        chat,
        "doc-1",
        "Анықтама.pdf",
        "application/pdf",
        40_000,
    ));
    until_said(&api, chat, "Тілді таңдаңыз").await?;
    api.push(BotApi::callback(chat, "lang:kk", 1));
    until_said(&api, chat, "тақырыбын таңдаңыз").await?;
    api.push(BotApi::callback(chat, "topic:none", 2));
    let appeal = eventually("the appeal", || async {
        Ok(telegram_appeals(&app).await?.into_iter().next())
    })
    .await?;
    // Then a photo, a program and a file over the limit.
    api.push(BotApi::photo(chat, "photo-1", 9_000));
    api.push(BotApi::document(
        chat,
        "exe-1",
        "setup.exe",
        "application/x-msdownload",
        4,
    ));
    api.push(BotApi::document(
        chat,
        "big-1",
        "video.mp4",
        "video/mp4",
        30 * 1024 * 1024,
    ));
    let files = eventually("four files on the appeal", || async {
        let files = app.store.message_extras(appeal.id).await?.files;
        Ok((files.len() == 4).then_some(files))
    })
    .await?;
    let by_name = |n: &str| files.iter().find(|f| f.name.as_deref() == Some(n)).cloned();
    let doc = by_name("Анықтама.pdf").context("the document")?;
    assert_eq!(doc.refused, None);
    assert_eq!(app.files.get(&doc.sha256).await?, scan, "byte for byte");
    let pic = by_name("photo.jpg").context("the photo")?;
    assert_eq!(app.files.get(&pic.sha256).await?, photo);
    assert_eq!(
        by_name("setup.exe").and_then(|f| f.refused).as_deref(),
        Some("program")
    );
    let big = by_name("video.mp4").context("the big file")?;
    assert_eq!(big.refused.as_deref(), Some("too_large"));
    assert_eq!(big.size, 30 * 1024 * 1024);
    // The document is the appeal's first message, named when no words came with it.
    let first = app.store.messages_after(appeal.id, 0, 1).await?;
    assert_eq!(first[0].body, "[Анықтама.pdf]");
    assert_eq!(doc.message_id, first[0].id);
    Ok(())
}
