//! A Telegram appeal in the operator's console, in a real Chromium against the local Bot API
//! server: the message the citizen edited in their chat is marked as a change of the earlier one
//! (both kept, R5.4), the phone they shared is on the client card as a claim, not verified (R11),
//! in Kazakh and Russian; the reply typed in the console arrives in the citizen's chat. A
//! supervisor's Telegram bots panel shows each bot's mode, state and lag, and a bot whose token
//! Telegram refuses failing with the reason in their language.

use anyhow::Context;
use baylanys_tests::telegram::BotApi;
use baylanys_tests::{eventually, Backend, TestApp};
use serde_json::json;

use crate::browser::run_script;
use crate::telegram::{add_bot, telegram_appeals, until_said, TOKEN};

#[tokio::test]
async fn telegram_appeal_in_chromium() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk", "ru"]}),
    )
    .await?;
    app.staff("sup", "supervisor", None).await?;
    add_bot(&app, &api, "Кеңес боты", "polling").await?;
    // A bot whose token Telegram refuses, for the supervisor's panel.
    let broken = app
        .post(
            "/api/v1/telegram/bots",
            app.admin(),
            json!({ "name": "Ескі бот", "token": "999:RevokedTokenOfAnOldBot", "mode": "polling", "api_url": api.url }),
        )
        .await?;
    assert_eq!(broken.status, 201, "{}", broken.body);

    // A citizen writes in Kazakh, goes through the menu, edits a message and shares their phone.
    let chat = 7301;
    api.push(BotApi::text(chat, "Айгүл", "kk", "Сәлеметсіз бе"));
    until_said(&api, chat, "Тілді таңдаңыз").await?;
    api.push(BotApi::callback(chat, "lang:kk", 1));
    until_said(&api, chat, "тақырыбын таңдаңыз").await?;
    api.push(BotApi::callback(chat, "topic:none", 2));
    until_said(&api, chat, "оператор осы чатта жауап береді").await?;
    let appeal = eventually("the appeal", || async {
        Ok(telegram_appeals(&app).await?.into_iter().next())
    })
    .await?;
    let question = BotApi::text(chat, "Айгүл", "kk", "Жәрдемақы туралы сұрақ");
    let tg_id = question["message"]["message_id"]
        .as_i64()
        .context("message id")?;
    api.push(question);
    let edited = "Бала күтіміне арналған жәрдемақы туралы сұрақ";
    api.push(BotApi::edited(chat, tg_id, edited));
    api.push(BotApi::contact(chat, "77015550101"));
    until_said(&api, chat, "нөміріңіз жазылды").await?;
    eventually("the edit on the timeline", || async {
        let m = app.store.messages_after(appeal.id, 0, 50).await?;
        Ok(m.iter().any(|m| m.body == edited).then_some(()))
    })
    .await?;

    let reply = "Жәрдемақыны egov.kz арқылы рәсімдеуге болады.";
    run_script(
        &app,
        "telegram.mjs",
        &[
            ("BAYLANYS_EDITED", edited.to_owned()),
            ("BAYLANYS_REPLY", reply.to_owned()),
        ],
    )
    .await?;
    // The reply typed in the console reached the citizen's chat.
    until_said(&api, chat, "egov.kz арқылы").await?;
    Ok(())
}
