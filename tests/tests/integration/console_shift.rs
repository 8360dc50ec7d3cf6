//! Issue 14's "done when", in real Chromium: a shift at the single window by keyboard only, in
//! Kazakh and then Russian, at 1366×768 without scrolling the page (tests/browser/shift.mjs).
//! Afterwards the store is asked what the screen said: every change the operator made by
//! keyboard is there, as the appeal's fields and as events.

use anyhow::Context;
use baylanys_tests::{Backend, TestApp};
use serde_json::{json, Value};

use crate::browser::{drop_proxy, run_script};

#[tokio::test]
async fn a_shift_by_keyboard_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    app.open_queue("second", "Екінші желі").await?;
    let supervisors = app.open_queue("supervisors", "Супервизорлар").await?;
    let r = app
        .put(
            "/api/v1/routing/settings",
            app.admin(),
            json!({"strategy": "longest_idle", "starvation_bound_secs": 300, "offer_timeout_secs": 60,
                   "escalation_queue_id": supervisors}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let (op_id, _) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"languages": ["kk", "ru"], "capacity": {"web_chat": 5, "voice": 1}}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let r = app
        .post(
            "/api/v1/canned-replies",
            &sup,
            json!({"title": "Сәлемдесу", "body_kk": "Сәлеметсіз бе! Қалай көмектесе аламын?",
                   "body_ru": "Здравствуйте! Чем могу помочь?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let mut topics = Vec::new();
    for (code, kk, ru) in [
        ("land", "Жер қатынастары", "Земельные отношения"),
        ("pensions", "Зейнетақы төлемдері", "Пенсионные выплаты"),
    ] {
        let r = app
            .post(
                "/api/v1/topics",
                app.admin(),
                json!({"code": code, "name_kk": kk, "name_ru": ru}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
        topics.push(r.id());
    }
    let pensions = topics[1];
    let r = app
        .post(
            "/api/v1/bodies",
            app.admin(),
            json!({"name_kk": "Ауыл шаруашылығы министрлігі", "name_ru": "Министерство сельского хозяйства",
                   "delivery_method": "portal"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.id();

    let proxy = drop_proxy(&app.base).await?;
    run_script(
        &app,
        "shift.mjs",
        &[
            ("BAYLANYS_PROXY", proxy.base.clone()),
            ("BAYLANYS_CONTROL", proxy.control.clone()),
        ],
    )
    .await?;

    // The five appeals as the store has them, by their first message.
    let list = app.get("/api/v1/appeals?limit=50", app.admin()).await?;
    let items = list.body["items"].as_array().context("appeals")?.clone();
    assert_eq!(items.len(), 5, "{}", list.text);
    let mut by_text = std::collections::HashMap::new();
    for a in &items {
        let id = a["id"].as_str().context("id")?.to_owned();
        let detail = app
            .get(&format!("/api/v1/appeals/{id}"), app.admin())
            .await?;
        let first = messages(&detail.body)
            .into_iter()
            .find(|m| m["author"] == "client")
            .and_then(|m| m["body"].as_str())
            .unwrap_or_default()
            .to_owned();
        by_text.insert(first, detail.body["appeal"].clone());
    }
    let appeal = |text: &str| -> anyhow::Result<&Value> {
        by_text
            .get(text)
            .with_context(|| format!("no appeal begun with {text:?}: {:?}", by_text.keys()))
    };
    // Kind and topic set by keyboard, closed with first-contact resolution.
    let a = appeal("Зейнетақы қашан түседі?")?;
    assert_eq!(a["status"], "closed");
    assert_eq!(a["kind"], "application");
    assert_eq!(a["topic_id"], json!(pensions));
    assert_eq!(a["resolution"], "Кеңес берілді");
    assert_eq!(a["first_contact_resolved"], true);
    let d = appeal("Когда придёт пенсия?")?;
    assert_eq!(
        (&d["status"], &d["kind"], &d["topic_id"]),
        (&json!("closed"), &json!("application"), &json!(pensions))
    );
    // Complaints registered from the console, about the operator in Kazakh.
    for text in [
        "Оператор дөрекі сөйледі, шағым бергім келеді",
        "Хочу пожаловаться на ожидание",
    ] {
        assert_eq!(appeal(text)?["kind"], "complaint", "{text}");
        let id = appeal(text)?["id"].as_str().context("id")?;
        let c = app
            .get(&format!("/api/v1/appeals/{id}/complaint"), app.admin())
            .await?;
        assert_eq!(c.status, 200, "{}", c.text);
    }
    let b = appeal("Оператор дөрекі сөйледі, шағым бергім келеді")?["id"].clone();
    let c = app
        .get(
            &format!(
                "/api/v1/appeals/{}/complaint",
                b.as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?;
    assert_eq!(c.body["category"], "wrong_information");
    assert_eq!(c.body["about_operator_id"], json!(op_id));
    // Redirected to the ministry.
    let r = appeal("Жер учаскесіне құжат қашан дайын болады?")?;
    assert_eq!(r["status"], "redirected");
    let redirected = app
        .get(
            "/api/v1/events?kind=appeal.redirected&limit=10",
            app.admin(),
        )
        .await?;
    assert!(
        redirected.text.contains(&body.to_string()),
        "{}",
        redirected.text
    );
    // One escalation, one transfer, and each field change is an event of its own.
    for (kind, want) in [
        ("routing.escalated", 1),
        ("routing.transferred", 1),
        ("appeal.kind_changed", 2),
        ("appeal.topic_changed", 2),
        ("appeal.extended", 1),
    ] {
        let r = app
            .get(&format!("/api/v1/events?kind={kind}&limit=50"), app.admin())
            .await?;
        assert_eq!(
            r.body["items"].as_array().map(Vec::len),
            Some(want),
            "{kind}: {}",
            r.text
        );
    }
    // The reply typed while the console was cut off is in the store once.
    let a_id = a["id"].as_str().context("id")?;
    let detail = app
        .get(&format!("/api/v1/appeals/{a_id}"), app.admin())
        .await?;
    let times = messages(&detail.body)
        .into_iter()
        .filter(|m| m["body"] == "Байланыс жоқ кезде жазылған жауап")
        .count();
    assert_eq!(times, 1, "{}", detail.text);
    Ok(())
}

/// The messages of an appeal's timeline, in order.
fn messages(detail: &Value) -> Vec<&Value> {
    detail["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e.get("message")).collect())
        .unwrap_or_default()
}

/// Benchmark, not a test (BENCHMARKS.md, issue 14): a citizen's message to the console, with one
/// conversation open and then ten. Run with
/// `cargo nextest run --workspace --run-ignored only -E 'test(console_latency_benchmark)'`;
/// the figures are in target/browser-artifacts/console-latency.json.
#[tokio::test]
#[ignore = "a benchmark: run on demand, figures in BENCHMARKS.md"]
async fn console_latency_benchmark() -> anyhow::Result<()> {
    let mut config = baylanys_tests::test_config();
    // Ten conversations from one address, a message each every 2.5 s: within the limits.
    config.chat.visitor_messages_per_minute = 600;
    let app = TestApp::spawn_with(Backend::Sqlite, config).await?;
    app.default_queue().await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"languages": ["kk"], "capacity": {"web_chat": 10, "voice": 1}}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    run_script(&app, "bench-console.mjs", &[]).await
}
