//! The server driven by teloxide-core, the client the centre uses.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use teloxide_core::net::Download;
use teloxide_core::prelude::*;
use teloxide_core::types::{
    CallbackQueryId, ChatAction, FileId, InlineKeyboardButton, InlineKeyboardMarkup, Seconds,
    UpdateKind,
};
use teloxide_core::{ApiError, RequestError};

use super::BotApi;

const TOKEN: &str = "123456:test-token";

fn client(api: &BotApi, token: &str) -> anyhow::Result<Bot> {
    Ok(Bot::new(token).set_api_url(reqwest::Url::parse(&api.url)?))
}

#[tokio::test]
async fn get_me_and_send_message() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let bot = client(&api, TOKEN)?;
    let me = bot.get_me().await?;
    assert_eq!(me.username(), "baylanys_test_bot");
    assert_eq!(me.user.id, UserId(123456));
    assert!(me.user.is_bot);

    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Иә", "yes")]]);
    let m = bot
        .send_message(ChatId(5), "Сәлем")
        .reply_markup(keyboard)
        .await?;
    assert_eq!(m.text(), Some("Сәлем"));
    assert_eq!(m.chat.id, ChatId(5));
    assert!(m.chat.is_private());
    assert_eq!(m.from.as_ref().map(|u| u.id), Some(UserId(123456)));
    assert!(m.reply_markup().is_some());

    let sent = api.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].chat_id, sent[0].text.as_str()), (5, "Сәлем"));
    assert_eq!(
        sent[0].reply_markup["inline_keyboard"][0][0]["callback_data"],
        "yes"
    );
    // teloxide POSTs JSON to /bot{token}/SendMessage (the Bot API's names are
    // case-insensitive); calls() names methods as the Bot API does.
    let calls = api.calls();
    assert_eq!(calls[0], ("getMe".to_owned(), json!({})));
    assert_eq!(calls[1].0, "sendMessage");
    assert_eq!(calls[1].1["chat_id"], json!(5));

    // Edits: the message, then the same content again (not modified), then the keyboard.
    let edited = bot.edit_message_text(ChatId(5), m.id, "Сәлем!").await?;
    assert_eq!(edited.text(), Some("Сәлем!"));
    assert!(edited.edit_date().is_some());
    let again = bot.edit_message_text(ChatId(5), m.id, "Сәлем!").await;
    assert!(matches!(
        again,
        Err(RequestError::Api(ApiError::MessageNotModified))
    ));
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Жоқ", "no")]]);
    let edited = bot
        .edit_message_reply_markup(ChatId(5), m.id)
        .reply_markup(keyboard)
        .await?;
    assert_eq!(edited.text(), Some("Сәлем!"));
    bot.answer_callback_query(CallbackQueryId("42".into()))
        .await?;
    bot.send_chat_action(ChatId(5), ChatAction::Typing).await?;

    // A wrong token, an unknown method, GET with query parameters.
    let wrong = client(&api, "123456:wrong")?.get_me().await;
    assert!(matches!(
        wrong,
        Err(RequestError::Api(ApiError::InvalidToken))
    ));
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/bot{TOKEN}/sendCarrierPigeon", api.url))
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await?;
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 404, "description": "Not Found"})
    );
    let r = http
        .get(format!(
            "{}/bot{TOKEN}/sendmessage?chat_id=7&text=007",
            api.url
        ))
        .send()
        .await?;
    let body: Value = r.json().await?;
    assert_eq!(body["result"]["text"], "007");
    assert_eq!(body["result"]["chat"]["id"], 7);
    let r = http
        .post(format!("{}/bot123456:wrong/getMe", api.url))
        .send()
        .await?;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await?;
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );
    let form = [
        ("chat_id", "7"),
        ("text", "true"),
        ("reply_markup", r#"{"remove_keyboard":true}"#),
    ];
    let r = http
        .post(format!("{}/bot{TOKEN}/sendMessage", api.url))
        .form(&form)
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let last = api.sent().pop().map(|s| (s.text, s.reply_markup));
    assert_eq!(
        last,
        Some(("true".into(), json!({"remove_keyboard": true})))
    );
    assert_eq!(
        api.calls().last().map(|c| c.0.clone()).as_deref(),
        Some("sendMessage")
    );
    Ok(())
}

#[tokio::test]
async fn faults() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let bot = client(&api, TOKEN)?;
    api.throttle_next(2, 7);
    let r = bot.send_message(ChatId(5), "a").await;
    assert!(matches!(r, Err(RequestError::RetryAfter(s)) if s == Seconds::from_seconds(7)));
    let r = reqwest::Client::new()
        .post(format!("{}/bot{TOKEN}/sendMessage", api.url))
        .json(&json!({"chat_id": 5, "text": "a"}))
        .send()
        .await?;
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.json::<Value>().await?,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7",
               "parameters": {"retry_after": 7}})
    );
    bot.send_message(ChatId(5), "a").await?;

    api.block(9);
    let r = bot.send_message(ChatId(9), "a").await;
    assert!(matches!(r, Err(RequestError::Api(ApiError::BotBlocked))));
    let r = bot.send_message(ChatId(5), " ").await;
    assert!(matches!(
        r,
        Err(RequestError::Api(ApiError::MessageTextIsEmpty))
    ));
    let r = bot.send_message(ChatId(5), "ә".repeat(4097)).await;
    assert!(matches!(
        r,
        Err(RequestError::Api(ApiError::MessageIsTooLong))
    ));
    bot.send_message(ChatId(5), "ә".repeat(4096)).await?;
    assert_eq!(api.sent().len(), 2);

    api.strict_limits(true);
    for _ in 0..3 {
        bot.send_message(ChatId(6), "burst").await?;
    }
    let r = bot.send_message(ChatId(6), "one too many").await;
    assert!(matches!(r, Err(RequestError::RetryAfter(s)) if s == Seconds::from_seconds(1)));
    bot.send_message(ChatId(8), "another chat").await?;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    bot.send_message(ChatId(6), "a second later").await?;
    Ok(())
}

#[tokio::test]
async fn updates_by_long_polling() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let bot = client(&api, TOKEN)?;
    assert_eq!(api.next_update_id(), 1000);
    let first = api.push(BotApi::text(5, "Айгүл", "kk", "/start ref_1"));
    assert_eq!(first, 1000);
    api.push(BotApi::callback(5, "lang:kk", 17));
    api.push(BotApi::contact(5, "77011234567"));
    api.push(BotApi::document(
        5,
        "doc-1",
        "арыз.pdf",
        "application/pdf",
        1234,
    ));
    api.push(BotApi::photo(5, "photo-1", 50_000));
    api.push(BotApi::voice(5, "voice-1", 3, 4000));
    api.push(BotApi::edited(5, 3, "түзетілген"));
    api.push(BotApi::unknown());
    let last = api.push(json!({"future_kind": {"x": 1}}));

    let updates = bot.get_updates().timeout(1).await?;
    assert_eq!(updates.len(), 9);
    assert_eq!(updates[0].id.0, 1000);
    let UpdateKind::Message(m) = &updates[0].kind else {
        panic!("{:?}", updates[0].kind)
    };
    assert_eq!(m.text(), Some("/start ref_1"));
    assert_eq!(
        m.from.as_ref().and_then(|u| u.language_code.as_deref()),
        Some("kk")
    );
    assert_eq!(m.entities().map(|e| e[0].length), Some(6));
    let UpdateKind::CallbackQuery(q) = &updates[1].kind else {
        panic!("{:?}", updates[1].kind)
    };
    assert_eq!(q.data.as_deref(), Some("lang:kk"));
    assert_eq!(q.regular_message().map(|m| m.id.0), Some(17));
    let message = |i: usize| match &updates[i].kind {
        UpdateKind::Message(m) => m.clone(),
        other => panic!("update {i}: {other:?}"),
    };
    assert_eq!(
        message(2).contact().map(|c| c.phone_number.as_str()),
        Some("77011234567")
    );
    let document = message(3).document().cloned();
    assert_eq!(document.and_then(|d| d.file_name), Some("арыз.pdf".into()));
    let photo = message(4).photo().map(|p| p.to_vec()).unwrap_or_default();
    assert_eq!(photo.last().map(|p| p.file.id.0.as_str()), Some("photo-1"));
    assert_eq!(message(5).voice().map(|v| v.duration.seconds()), Some(3));
    assert!(matches!(&updates[6].kind, UpdateKind::EditedMessage(m) if m.id.0 == 3));
    assert!(matches!(&updates[7].kind, UpdateKind::PollAnswer(_)));
    // A kind teloxide does not know: parsed as Error with the raw update, the batch intact.
    assert!(matches!(&updates[8].kind, UpdateKind::Error(v) if v["future_kind"]["x"] == 1));

    // Unconfirmed updates come again; an offset confirms them.
    assert_eq!(bot.get_updates().await?.len(), 9);
    let offset = i32::try_from(last + 1)?;
    let started = Instant::now();
    let none = bot.get_updates().offset(offset).timeout(1).await?;
    assert!(none.is_empty() && started.elapsed() >= Duration::from_millis(900));

    // A long poll ends as soon as an update comes.
    let pusher = api.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        pusher.push(BotApi::text(5, "Айгүл", "kk", "сәлем"));
    });
    let started = Instant::now();
    let got = bot.get_updates().offset(offset).timeout(10).await?;
    assert_eq!(got.len(), 1);
    assert!(started.elapsed() < Duration::from_secs(3));

    // A second poll ends the first with 409.
    let first_poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().offset(offset + 1).timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    bot.get_updates().offset(offset + 1).await?;
    let r = first_poll.await?;
    assert!(matches!(
        r,
        Err(RequestError::Api(ApiError::TerminatedByOtherGetUpdates))
    ));

    api.shutdown().await;
    assert!(matches!(bot.get_me().await, Err(RequestError::Network(_))));
    Ok(())
}

#[tokio::test]
async fn files() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let bot = client(&api, TOKEN)?;
    let bytes: Vec<u8> = (0..=255).cycle().take(70_000).collect();
    api.add_file("doc-1", bytes.clone());
    let file = bot.get_file(FileId("doc-1".into())).await?;
    assert_eq!(file.path, "documents/file_0");
    assert_eq!(file.meta.size, 70_000);
    let mut got = Vec::new();
    bot.download_file(&file.path, &mut got).await?;
    assert_eq!(got, bytes);
    let r = bot.get_file(FileId("nope".into())).await;
    assert!(
        matches!(&r, Err(RequestError::Api(ApiError::Unknown(d))) if d == "Bad Request: invalid file_id"),
        "{r:?}"
    );
    let mut got = Vec::new();
    assert!(bot.download_file("documents/nope", &mut got).await.is_err());
    // teloxide sends documents%2Ffile_0; a plain slash works too, a wrong token does not.
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/file/bot{TOKEN}/documents/file_0", api.url))
        .send()
        .await?;
    assert_eq!(r.bytes().await?.len(), 70_000);
    let r = http
        .get(format!("{}/file/bot1:x/documents/file_0", api.url))
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    Ok(())
}

#[tokio::test]
async fn webhook() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let bot = client(&api, TOKEN)?;
    // The centre's side: checks the secret, keeps the update ids.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let handler = move |headers: axum::http::HeaderMap, body: axum::Json<Value>| {
        let keep = keep.clone();
        async move {
            let secret = headers.get("x-telegram-bot-api-secret-token");
            if secret.and_then(|v| v.to_str().ok()) != Some("s3cret-1") {
                return axum::http::StatusCode::UNAUTHORIZED;
            }
            if let Ok(mut seen) = keep.lock() {
                seen.push(body["update_id"].clone());
            }
            axum::http::StatusCode::OK
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/tg", listener.local_addr()?);
    let app = axum::Router::new().route("/tg", axum::routing::post(handler));
    let centre = tokio::spawn(async move { axum::serve(listener, app).await });

    assert!(api.deliver(1, BotApi::unknown()).await.is_err());
    bot.set_webhook(reqwest::Url::parse(&url)?)
        .secret_token("s3cret-1")
        .await?;
    assert_eq!(api.webhook(), Some((url.clone(), Some("s3cret-1".into()))));
    let info = bot.get_webhook_info().await?;
    assert_eq!(info.url.map(String::from), Some(url.clone()));

    let update = BotApi::text(5, "Айгүл", "kk", "сәлем");
    assert_eq!(api.deliver(77, update.clone()).await?, 200);
    assert_eq!(api.deliver(77, update).await?, 200);
    assert_eq!(
        *seen.lock().map_err(|e| anyhow::anyhow!("{e}"))?,
        [json!(77), json!(77)]
    );

    // getUpdates conflicts with a webhook; Telegram's words are unknown to teloxide.
    let r = bot.get_updates().await;
    assert!(
        matches!(&r, Err(RequestError::Api(ApiError::Unknown(d))) if d.starts_with("Conflict: can't use getUpdates")),
        "{r:?}"
    );
    bot.set_webhook(reqwest::Url::parse(&url)?).await?;
    assert_eq!(api.deliver(78, BotApi::unknown()).await?, 401);

    bot.delete_webhook().await?;
    assert_eq!(api.webhook(), None);
    assert!(bot.get_webhook_info().await?.url.is_none());
    assert!(bot.get_updates().await?.is_empty());
    centre.abort();
    Ok(())
}
