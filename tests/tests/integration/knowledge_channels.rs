//! The knowledge base's self-service on the other channels (issue 18; clause 3.15, R12.3): the
//! Telegram bot answers `/help <words>` from the published articles and, when a citizen's
//! message opens an appeal, offers the articles that may answer it while an operator is on the
//! way; the voice menu reads an article's short answer in the caller's language and goes on.
//! Against the Bot API's and Twilio's wire formats, as in `telegram` and `voice_twiml`.

use baylanys_tests::telegram::BotApi;
use baylanys_tests::{both, eventually, TestApp};
use serde_json::json;

use crate::knowledge::{import_fixtures, knowledge_cast};
use crate::telegram::{add_bot, said, until_said, TOKEN};
use crate::voice_twiml::{ok, provider, voice_app, TOKEN as TWILIO};

both!(the_bot_answers_from_the_knowledge_base);

async fn import(app: &TestApp) -> anyhow::Result<()> {
    let editor = knowledge_cast(app).await?;
    import_fixtures(app, &editor).await
}

async fn views_of(app: &TestApp, slug: &str) -> anyhow::Result<i64> {
    let list = app
        .get("/api/v1/knowledge/articles?limit=200", app.admin())
        .await?;
    let id = list
        .body
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["slug"] == slug)
        .map(|a| a["id"].clone())
        .unwrap_or_default();
    let u = app.get("/api/v1/knowledge/usage", app.admin()).await?;
    Ok(u.body["articles"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["article_id"] == id)
        .and_then(|a| a["views"].as_i64())
        .unwrap_or(0))
}

async fn the_bot_answers_from_the_knowledge_base(app: TestApp) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    app.default_queue().await?;
    import(&app).await?;
    add_bot(&app, &api, "Кеңес боты", "polling").await?;
    let chat = 7101;

    // `/help` alone says how to ask; with words, the articles in the chat's language.
    api.push(BotApi::text(chat, "Айгүл", "kk", "/help"));
    until_said(&api, chat, "/help деп жазып").await?;
    api.push(BotApi::text(
        chat,
        "Айгүл",
        "kk",
        "/help зейнетақыға шығу жасы",
    ));
    let (text, _) = until_said(&api, chat, "Бұл сұрағыңызға жауап болуы мүмкін:").await?;
    assert!(text.contains("Ер адамдар 63 жасқа"), "{text}");
    assert!(
        text.contains("/help?article=age-pension&lang=kk"),
        "a link to the whole article: {text}"
    );
    api.push(BotApi::text(
        chat,
        "Айгүл",
        "kk",
        "/help Байқоңыр ғарыш айлағы",
    ));
    until_said(&api, chat, "Анықтамадан жауап табылмады").await?;
    // Asking the help opened no appeal.
    assert!(crate::telegram::telegram_appeals(&app).await?.is_empty());

    // A question that opens an appeal is offered the article too, before the operator comes.
    let other = 7102;
    api.push(BotApi::text(
        other,
        "Иван",
        "ru",
        "Во сколько лет выходят на пенсию по возрасту?",
    ));
    until_said(&api, other, "Выберите язык").await?;
    api.push(BotApi::callback(other, "lang:ru", 1));
    until_said(&api, other, "Выберите тему обращения").await?;
    api.push(BotApi::callback(other, "topic:none", 2));
    let (text, _) = until_said(&api, other, "Возможно, это ответ на ваш вопрос:").await?;
    assert!(text.contains("у мужчин в 63 года"), "{text}");
    let appeal = eventually("the appeal", || async {
        Ok(crate::telegram::telegram_appeals(&app)
            .await?
            .into_iter()
            .next())
    })
    .await?;
    assert_eq!(appeal.language, baylanys_domain::Language::Ru);
    // The offer came before the invitation to write on, in that order (the bot sends them one
    // after the other: the second is awaited before the order is read).
    until_said(&api, other, "оператор ответит в этом чате").await?;
    let texts: Vec<String> = said(&api, other).into_iter().map(|(t, _)| t).collect();
    let offer = texts.iter().position(|t| t.starts_with("Возможно"));
    let write_on = texts
        .iter()
        .position(|t| t.contains("оператор ответит в этом чате"));
    assert!(
        offer.is_some() && write_on.is_some() && offer < write_on,
        "{texts:?}"
    );
    // Each article offered is a view of it on the Telegram channel.
    assert_eq!(views_of(&app, "age-pension").await?, 2);
    api.shutdown().await;
    Ok(())
}

/// The voice menu reads a published article's short answer in the caller's language (R12.3),
/// then the menu again; an article withdrawn since puts the caller through to an operator.
#[tokio::test]
async fn the_voice_menu_reads_an_article() -> anyhow::Result<()> {
    voice_menu_reads_an_article(baylanys_tests::Backend::Sqlite).await
}

#[tokio::test]
async fn the_voice_menu_reads_an_article_postgres() -> anyhow::Result<()> {
    voice_menu_reads_an_article(baylanys_tests::Backend::Postgres).await
}

async fn voice_menu_reads_an_article(backend: baylanys_tests::Backend) -> anyhow::Result<()> {
    let app = voice_app(backend, Some(TWILIO)).await?;
    app.default_queue().await?;
    import(&app).await?;
    let r = app
        .put(
            "/api/v1/ivr/kk/main",
            app.admin(),
            json!({"prompt": {"text": "Сәлеметсіз бе! Зейнетақы — 1."},
                   "options": [{"digit": "1", "label": "Зейнетақы",
                                "action": {"type": "article", "slug": "age-pension"}},
                               {"digit": "2", "label": "Жоба", "action": {"type": "article", "slug": "residence-permit-foreigners"}}]}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let bad = app
        .put(
            "/api/v1/ivr/kk/other",
            app.admin(),
            json!({"prompt": {"text": "x"}, "options": [{"digit": "1", "label": "x", "action": {"type": "article", "slug": "Not A Slug"}}]}),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);

    let tw = provider(&app);
    let sid = "CA00000000000000000000000000000kb";
    let t = tw
        .post(
            &tw.hook("incoming"),
            &[
                ("CallSid", sid),
                ("From", "+77011234599"),
                ("To", "+77172000000"),
                ("CallStatus", "ringing"),
            ],
        )
        .await?;
    ok(&t)?;
    let g = t
        .gather()
        .ok_or_else(|| anyhow::anyhow!("no gather: {}", t.xml))?;
    let t1 = tw.post(&g, &[("CallSid", sid), ("Digits", "1")]).await?;
    ok(&t1)?;
    assert!(t1.said().contains("Ер адамдар 63 жасқа"), "{}", t1.xml);
    assert!(
        t1.said().contains("Сәлеметсіз бе!"),
        "the menu again: {}",
        t1.xml
    );
    assert_eq!(views_of(&app, "age-pension").await?, 1);
    // A draft is not read out: the caller reaches an operator instead.
    let g1 = t1
        .gather()
        .ok_or_else(|| anyhow::anyhow!("no gather: {}", t1.xml))?;
    let t2 = tw.post(&g1, &[("CallSid", sid), ("Digits", "2")]).await?;
    ok(&t2)?;
    assert!(t2.has("Enqueue"), "{}", t2.xml);
    Ok(())
}
