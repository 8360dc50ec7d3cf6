//! The phone through TwiML webhooks (issue "The phone", adapter 2), on both backends. The test
//! plays the provider as Twilio documents it — signed form posts, following the TwiML the
//! centre answers — and an operator through the REST API:
//! - the voice menu as data (clause 3.15, R12.3): Kazakh first, self-service answers, a
//!   language switch, "nothing pressed" asked again, 0 to an operator in every menu;
//! - the queue (R12.1–2): the place and the expected wait on entering, silence between
//!   announcements, a callback request instead of waiting (not a lost call), closed hours with
//!   the next opening and a callback offer;
//! - the operator accepts in the console and the caller is put through to their SIP phone;
//! - a replayed provider request gets the same answer and writes nothing;
//! - the KPIs of these calls (wait after the voice menu, lost share) equal figures worked out
//!   here from the contacts' own times;
//! - signatures are checked against the public URL before anything is read or written.

use baylanys_api::Secret;
use baylanys_domain::voice::outbound::CallingWindow;
use baylanys_tests::twilio::{Provider, Twiml};
use baylanys_tests::{eventually, Backend, TestApp};
use chrono::{DateTime, NaiveTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::http_dispatch::{offers, online};

mod per_backend {
    use baylanys_tests::Backend;

    macro_rules! on_both {
        ($($name:ident),+) => {$(
            mod $name {
                #[tokio::test]
                async fn sqlite() -> anyhow::Result<()> {
                    super::super::$name(super::Backend::Sqlite).await
                }
                #[tokio::test]
                async fn postgres() -> anyhow::Result<()> {
                    super::super::$name(super::Backend::Postgres).await
                }
            }
        )+};
    }
    on_both!(
        a_call_through_the_menu_the_queue_and_the_operator,
        lost_callback_closed_and_self_served_calls
    );
}

pub(crate) const PUBLIC: &str = "https://centre.example";
pub(crate) const TOKEN: &str = "twilio-auth-token-for-tests";

/// Calling hours that are open whenever the test runs (the rule itself has a unit test).
pub(crate) fn always() -> CallingWindow {
    CallingWindow {
        from: NaiveTime::MIN,
        to: NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
        working_days_only: false,
    }
}

pub(crate) async fn voice_app(backend: Backend, token: Option<&str>) -> anyhow::Result<TestApp> {
    voice_app_calling(backend, token, always()).await
}

pub(crate) async fn voice_app_calling(
    backend: Backend,
    token: Option<&str>,
    calling_window: CallingWindow,
) -> anyhow::Result<TestApp> {
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = token.map(|t| Secret(t.to_owned()));
    config.voice.calling_window = calling_window;
    TestApp::spawn_with(backend, config).await
}

pub(crate) fn provider(app: &TestApp) -> Provider<'_> {
    Provider {
        app,
        token: TOKEN.into(),
        public: PUBLIC.into(),
    }
}

/// A caller from `from` enters the queue (no menu), presses 1 at the first announcement and
/// hangs up: a callback request. Returns the answer to the key.
pub(crate) async fn ask_for_callback(
    tw: &Provider<'_>,
    sid: &str,
    from: &str,
) -> anyhow::Result<Twiml> {
    ok(&tw
        .post(&tw.hook("incoming"), &[("CallSid", sid), ("From", from)])
        .await?)?;
    let wait = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "0")])
        .await?;
    let key = tw
        .post(
            &wait.gather().unwrap_or_default(),
            &[("CallSid", sid), ("Digits", "1")],
        )
        .await?;
    ok(&key)?;
    ok(&tw
        .post(
            &tw.hook("status"),
            &[("CallSid", sid), ("CallStatus", "completed")],
        )
        .await?)?;
    Ok(key)
}

pub(crate) fn ok(t: &Twiml) -> anyhow::Result<()> {
    anyhow::ensure!(t.status == StatusCode::OK, "{} {}", t.status, t.xml);
    Ok(())
}

async fn menu(app: &TestApp, language: &str, key: &str, body: Value) -> anyhow::Result<Value> {
    let r = app
        .put(&format!("/api/v1/ivr/{language}/{key}"), app.admin(), body)
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    Ok(r.body)
}

pub(crate) async fn kk_and_ru_menus(app: &TestApp) -> anyhow::Result<()> {
    menu(
        app,
        "kk",
        "main",
        json!({
            "prompt": {"text": "Сәлеметсіз бе! Жұмыс уақыты — 1, оператор — 2, орыс тілі — 9."},
            "options": [
                {"digit": "1", "label": "Жұмыс уақыты", "action": {"type": "answer",
                    "prompt": {"text": "Біз дүйсенбі–жұма 09:00–18:00 жұмыс істейміз."}}},
                {"digit": "2", "label": "Оператор", "action": {"type": "operator"}},
                {"digit": "9", "label": "Русский", "action": {"type": "language", "language": "ru"}}
            ]
        }),
    )
    .await?;
    menu(
        app,
        "ru",
        "main",
        json!({
            "prompt": {"text": "Здравствуйте! Часы работы — 1, оператор — 2."},
            "options": [
                {"digit": "1", "label": "Часы работы", "action": {"type": "answer",
                    "prompt": {"text": "Мы работаем с понедельника по пятницу с 09:00 до 18:00."}}},
                {"digit": "2", "label": "Оператор", "action": {"type": "operator"}}
            ]
        }),
    )
    .await?;
    Ok(())
}

async fn events(app: &TestApp, kind: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(
            &format!("/api/v1/events?kind={kind}&limit=500"),
            app.admin(),
        )
        .await?;
    Ok(r.body["items"].as_array().cloned().unwrap_or_default())
}

/// The appeal a call opened: the one whose contact's first event came from this number's call
/// (the newest voice appeal, as the tests place one call at a time).
async fn appeal_of_newest_call(app: &TestApp) -> anyhow::Result<Value> {
    let r = app
        .get("/api/v1/appeals?channel=voice&limit=1", app.admin())
        .await?;
    let id = r.body["items"][0]["id"]
        .as_str()
        .or_else(|| r.body[0]["id"].as_str())
        .ok_or_else(|| anyhow::anyhow!("no voice appeal: {}", r.text))?
        .to_owned();
    Ok(app
        .get(&format!("/api/v1/appeals/{id}"), app.admin())
        .await?
        .body)
}

/// Waits until the routing engine offers the contact to the operator.
pub(crate) async fn offered(app: &TestApp, operator: &str, contact: &str) -> anyhow::Result<()> {
    eventually("the call offered", || async {
        Ok(offers(app, operator)
            .await?
            .iter()
            .any(|o| o["id"] == contact)
            .then_some(()))
    })
    .await
}

fn contact(appeal: &Value) -> Value {
    appeal["interactions"][0].clone()
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(|s| s.parse().ok())
}

async fn a_call_through_the_menu_the_queue_and_the_operator(
    backend: Backend,
) -> anyhow::Result<()> {
    let app = voice_app(backend, Some(TOKEN)).await?;
    app.default_queue().await?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    kk_and_ru_menus(&app).await?;

    // Two administrators: the second save without the version read is refused (409), the
    // menu stays as the first wrote it.
    let r = app
        .put(
            "/api/v1/ivr/kk/main",
            app.admin(),
            json!({"prompt": {"text": "басқа"}}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // 0 belongs to the operator in every menu; an unknown queue is refused when saved.
    let r = app
        .put(
            "/api/v1/ivr/kk/other",
            app.admin(),
            json!({"prompt": {"text": "x"}, "options": [{"digit": "0", "label": "x", "action": {"type": "repeat"}}]}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .put(
            "/api/v1/ivr/kk/other",
            app.admin(),
            json!({"prompt": {"text": "x"}, "options": [{"digit": "3", "label": "x",
                "action": {"type": "operator", "queue_id": Uuid::now_v7()}}]}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let listed = app.get("/api/v1/ivr", app.admin()).await?;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );

    let tw = provider(&app);
    let sid = "CA0000000000000000000000000000001";
    let number = "+77011234567";

    // The call arrives: the Kazakh menu, with the operator one key away.
    let t = tw
        .post(
            &tw.hook("incoming"),
            &[
                ("CallSid", sid),
                ("From", number),
                ("To", "+77172000000"),
                ("CallStatus", "ringing"),
            ],
        )
        .await?;
    ok(&t)?;
    assert!(t.said().contains("Сәлеметсіз бе!"), "{}", t.xml);
    assert!(
        t.said().contains("Операторға қосылу үшін 0 басыңыз."),
        "{}",
        t.xml
    );
    assert_eq!(t.attr("Say", "language").as_deref(), Some("kk-KZ"));
    let g1 = t
        .gather()
        .ok_or_else(|| anyhow::anyhow!("no gather: {}", t.xml))?;

    // 1: the self-service answer, then the same menu again.
    let t1 = tw.post(&g1, &[("CallSid", sid), ("Digits", "1")]).await?;
    ok(&t1)?;
    assert!(t1.said().contains("09:00–18:00"), "{}", t1.xml);
    assert!(t1.said().contains("Сәлеметсіз бе!"), "{}", t1.xml);
    // The provider retries the same request: the same answer, nothing written.
    let before = app.event_count().await?;
    let again = tw.post(&g1, &[("CallSid", sid), ("Digits", "1")]).await?;
    assert_eq!(again.xml, t1.xml);
    assert_eq!(app.event_count().await?, before, "a replay writes nothing");
    let g2 = t1.gather().ok_or_else(|| anyhow::anyhow!("no gather"))?;
    assert_ne!(g2, g1, "each question has an id of its own");

    // Nothing pressed: asked again, in Kazakh.
    let t2 = tw.post(&g2, &[("CallSid", sid)]).await?;
    assert!(
        t2.said().starts_with("Сіз ештеңе таңдамадыңыз."),
        "{}",
        t2.xml
    );
    // 9: Russian.
    let t3 = tw
        .post(
            &t2.gather().unwrap_or_default(),
            &[("CallSid", sid), ("Digits", "9")],
        )
        .await?;
    assert!(t3.said().contains("Здравствуйте!"), "{}", t3.xml);
    assert!(t3.said().contains("нажмите 0"), "{}", t3.xml);
    assert_eq!(t3.attr("Say", "language").as_deref(), Some("ru-RU"));
    // 2: an operator — into the centre's queue.
    let t4 = tw
        .post(
            &t3.gather().unwrap_or_default(),
            &[("CallSid", sid), ("Digits", "2")],
        )
        .await?;
    assert!(t4.has("Enqueue"), "{}", t4.xml);
    assert_eq!(t4.attr("Enqueue", "waitUrl"), Some(tw.hook("wait")));
    let appeal = appeal_of_newest_call(&app).await?;
    assert_eq!(contact(&appeal)["state"], "queued", "{appeal}");
    assert_eq!(appeal["appeal"]["channel"], "voice");
    let path: Vec<String> = events(&app, "call.menu")
        .await?
        .iter()
        .filter(|e| e["appeal_id"] == appeal["appeal"]["id"])
        .map(|e| {
            format!(
                "{}:{}",
                e["data"]["digit"].as_str().unwrap_or("-"),
                e["data"]["led_to"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(path, ["1:answer", "-:nothing", "9:language", "2:operator"]);

    // In the queue: the place and the expected wait at once (R12.1), with the callback offer.
    let w1 = tw
        .post(
            &tw.hook("wait"),
            &[("CallSid", sid), ("QueueTime", "0"), ("QueuePosition", "1")],
        )
        .await?;
    assert!(w1.said().contains("Ваш номер в очереди — 1."), "{}", w1.xml);
    assert!(w1.said().contains("нажмите 1"), "{}", w1.xml);
    // Then silence until the next announcement is due (at least a minute later, R12.2).
    let w2 = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "3")])
        .await?;
    assert!(w2.has("Pause") && w2.says().is_empty(), "{}", w2.xml);

    // The operator is offered the call; without a phone they cannot take it.
    let contact_id = contact(&appeal)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    offered(&app, &op, &contact_id).await?;
    let accept = format!("/api/v1/interactions/{contact_id}/accept");
    let r = app.post(&accept, &op, json!({})).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": "sip:101@127.0.0.1:5060"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["extension"], "sip:101@127.0.0.1:5060");
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": "101; drop"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app.post(&accept, &op, json!({})).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The next wait tick takes the caller out of the holding area and to the operator's phone.
    let w3 = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "6")])
        .await?;
    assert!(w3.has("Leave"), "{}", w3.xml);
    let l = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", sid),
                ("QueueResult", "leave"),
                ("QueueTime", "6"),
            ],
        )
        .await?;
    assert_eq!(
        l.text_of("Sip").as_deref(),
        Some("sip:101@127.0.0.1:5060"),
        "{}",
        l.xml
    );
    assert!(l.said().contains("Соединяем с оператором."), "{}", l.xml);
    // They talk; the operator's leg ends: the after-contact work begins.
    let d = tw
        .post(
            &tw.hook("dial"),
            &[("CallSid", sid), ("DialCallStatus", "completed")],
        )
        .await?;
    assert!(d.has("Hangup"), "{}", d.xml);
    let s = tw
        .post(
            &tw.hook("status"),
            &[("CallSid", sid), ("CallStatus", "completed")],
        )
        .await?;
    ok(&s)?;
    let after = app
        .get(
            &format!(
                "/api/v1/appeals/{}",
                appeal["appeal"]["id"].as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?
        .body;
    assert_eq!(contact(&after)["state"], "wrap_up", "{after}");
    assert_eq!(contact(&after)["operator_id"], op_id.to_string());
    // A late status callback changes nothing; a wait tick after the end hangs up.
    let late = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "99")])
        .await?;
    assert!(late.has("Hangup"), "{}", late.xml);

    // The number is evidence: the next call from it is the same client's.
    let sid2 = "CA0000000000000000000000000000002";
    ok(&tw
        .post(&tw.hook("incoming"), &[("CallSid", sid2), ("From", number)])
        .await?)?;
    let second = appeal_of_newest_call(&app).await?;
    assert_ne!(second["appeal"]["id"], appeal["appeal"]["id"]);
    assert_eq!(second["appeal"]["client_id"], appeal["appeal"]["client_id"]);
    Ok(())
}

async fn lost_callback_closed_and_self_served_calls(backend: Backend) -> anyhow::Result<()> {
    let app = voice_app(backend, Some(TOKEN)).await?;
    app.default_queue().await?;
    let (op_id, op) = online(&app, "op", "operator", json!(["kk", "ru"]), 1).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"extension": "+77010000001"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let tw = provider(&app);
    let from = Utc::now() - chrono::Duration::seconds(5);

    // No menu configured: a greeting, then straight into the queue.
    // A: waits, hears the announcement, hangs up — a lost call.
    let a = tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-A"), ("From", "+77011110001")],
        )
        .await?;
    assert!(a.said().contains("Байланыс орталығына"), "{}", a.xml);
    assert!(a.has("Enqueue"), "{}", a.xml);
    let a_appeal = appeal_of_newest_call(&app).await?;
    let wa = tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-A"), ("QueueTime", "0")])
        .await?;
    assert!(wa.said().contains("кезекте"), "{}", wa.xml);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    ok(&tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", "CA-A"),
                ("QueueResult", "hangup"),
                ("QueueTime", "1"),
            ],
        )
        .await?)?;
    ok(&tw
        .post(
            &tw.hook("status"),
            &[("CallSid", "CA-A"), ("CallStatus", "completed")],
        )
        .await?)?;

    // B: presses 1 at the announcement — a callback request, not a lost call.
    let kb = ask_for_callback(&tw, "CA-B", "+77011110002").await?;
    assert!(kb.said().contains("Өтініміңіз қабылданды."), "{}", kb.xml);
    assert!(kb.has("Hangup"), "{}", kb.xml);
    let callbacks = app.get("/api/v1/callbacks?state=pending", &op).await?;
    let numbers: Vec<&str> = callbacks
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["number"].as_str())
        .collect();
    assert_eq!(numbers, ["+77011110002"], "{}", callbacks.text);
    let r = app.get("/api/v1/callbacks?state=lost", &op).await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The operator calls back: twice nobody answers, the third time they are reached (R13).
    let cb = callbacks.body[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let outcome = |o: &'static str| {
        let app = &app;
        let op = &op;
        let cb = cb.clone();
        async move {
            app.post(
                &format!("/api/v1/callbacks/{cb}/outcome"),
                op,
                json!({"outcome": o}),
            )
            .await
        }
    };
    let r = outcome("no_answer").await?;
    assert_eq!(
        (r.body["state"].as_str(), r.body["attempts"].as_i64()),
        (Some("pending"), Some(1)),
        "{}",
        r.text
    );
    let r = outcome("later").await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = outcome("busy").await?;
    assert_eq!(r.body["attempts"], 2, "{}", r.text);
    let r = outcome("answered").await?;
    assert_eq!(r.body["state"], "done", "{}", r.text);
    let r = outcome("no_answer").await?;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a done callback takes no more: {}",
        r.text
    );
    let attempts = events(&app, "call.callback_attempted").await?;
    assert_eq!(attempts.len(), 3);

    // C: answered by the operator after a measured wait, then the after-contact work ends.
    ok(&tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-C"), ("From", "+77011110003")],
        )
        .await?)?;
    let c_appeal = appeal_of_newest_call(&app).await?;
    let c_contact = contact(&c_appeal)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ok(&tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-C"), ("QueueTime", "0")])
        .await?)?;
    offered(&app, &op, &c_contact).await?;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let r = app
        .post(
            &format!("/api/v1/interactions/{c_contact}/accept"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let wc = tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-C"), ("QueueTime", "3")])
        .await?;
    assert!(wc.has("Leave"), "{}", wc.xml);
    let lc = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", "CA-C"),
                ("QueueResult", "leave"),
                ("QueueTime", "3"),
            ],
        )
        .await?;
    assert_eq!(
        lc.text_of("Number").as_deref(),
        Some("+77010000001"),
        "{}",
        lc.xml
    );
    ok(&tw
        .post(
            &tw.hook("dial"),
            &[("CallSid", "CA-C"), ("DialCallStatus", "completed")],
        )
        .await?)?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{c_contact}/end"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // D: a menu now exists; the caller hears it and hangs up there — served by the menu
    // alone: the appeal is closed with the path, not left open to go overdue.
    kk_and_ru_menus(&app).await?;
    let d = tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-D"), ("From", "+77011110004")],
        )
        .await?;
    let dg = tw
        .post(
            &d.gather().unwrap_or_default(),
            &[("CallSid", "CA-D"), ("Digits", "1")],
        )
        .await?;
    assert!(dg.said().contains("09:00–18:00"), "{}", dg.xml);
    ok(&tw
        .post(
            &tw.hook("status"),
            &[("CallSid", "CA-D"), ("CallStatus", "completed")],
        )
        .await?)?;
    let d_appeal = appeal_of_newest_call(&app).await?;
    assert_eq!(d_appeal["appeal"]["status"], "closed", "{d_appeal}");
    assert_eq!(contact(&d_appeal)["state"], "ended");

    // E: the queue is closed now (no hours at all): the caller hears so, with a callback offer.
    let closed = app
        .post(
            "/api/v1/queues",
            app.admin(),
            json!({"code": "night", "name": "Night"}),
        )
        .await?
        .id();
    let none = json!([]);
    let r = app
        .put(
            &format!("/api/v1/queues/{closed}/hours"),
            app.admin(),
            json!({"monday": none, "tuesday": none, "wednesday": none, "thursday": none,
                   "friday": none, "saturday": none, "sunday": none, "open_on_holidays": false}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let kk = app.get("/api/v1/ivr", app.admin()).await?.body[0]["version"].clone();
    menu(
        &app,
        "kk",
        "main",
        json!({"version": kk, "prompt": {"text": "Түнгі мәзір."},
               "options": [{"digit": "2", "label": "Кезекші", "action": {"type": "operator", "queue_id": closed}}]}),
    )
    .await?;
    let e = tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-E"), ("From", "+77011110005")],
        )
        .await?;
    let eg = tw
        .post(
            &e.gather().unwrap_or_default(),
            &[("CallSid", "CA-E"), ("Digits", "2")],
        )
        .await?;
    assert!(eg.said().contains("Қазір жұмыс уақыты емес."), "{}", eg.xml);
    assert!(!eg.has("Enqueue"), "{}", eg.xml);
    let ek = tw
        .post(
            &eg.gather().unwrap_or_default(),
            &[("CallSid", "CA-E"), ("Digits", "1")],
        )
        .await?;
    assert!(ek.said().contains("Өтініміңіз қабылданды."), "{}", ek.xml);

    // The KPIs: calls that entered the queue are A (lost) and C (answered); B left a callback
    // request and E never entered a queue. Worked out from the contacts' own times.
    let c_after = app
        .get(
            &format!(
                "/api/v1/appeals/{}",
                c_appeal["appeal"]["id"].as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?
        .body;
    let cc = contact(&c_after);
    let wait = (instant(&cc["answered_at"]).unwrap_or_default()
        - instant(&cc["queued_at"]).unwrap_or_default())
    .num_microseconds()
    .unwrap_or_default() as f64
        / 1e6;
    let a_after = app
        .get(
            &format!(
                "/api/v1/appeals/{}",
                a_appeal["appeal"]["id"].as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?
        .body;
    assert_eq!(contact(&a_after)["state"], "abandoned", "{a_after}");
    let to = Utc::now() + chrono::Duration::seconds(2);
    let q = format!(
        "/api/v1/kpis?from={}&to={}",
        from.to_rfc3339(),
        to.to_rfc3339()
    )
    .replace('+', "%2B");
    let k = app.get(&q, app.admin()).await?.body;
    let figure = |name: &str| {
        k[name]["value"]
            .as_f64()
            .or_else(|| k[name].as_f64())
            .map(|v| (v * 100.0).round() / 100.0)
    };
    assert_eq!(figure("calls_entered"), Some(2.0), "{k}");
    assert_eq!(figure("calls_lost"), Some(1.0), "{k}");
    assert_eq!(figure("lost_calls_pct"), Some(50.0), "{k}");
    assert!(wait >= 0.8, "the wait was measured: {wait}");
    assert_eq!(
        figure("wait_after_ivr_secs"),
        Some((wait * 100.0).round() / 100.0),
        "{k}"
    );

    // F: the operator accepts but their phone does not answer: the caller is not left in
    // silence — a callback is taken for them.
    let fm = tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", "CA-F"), ("From", "+77011110006")],
        )
        .await?;
    // 0 reaches an operator from any menu.
    let fq = tw
        .post(
            &fm.gather().unwrap_or_default(),
            &[("CallSid", "CA-F"), ("Digits", "0")],
        )
        .await?;
    assert!(fq.has("Enqueue"), "{}", fq.xml);
    let f_contact = contact(&appeal_of_newest_call(&app).await?)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    offered(&app, &op, &f_contact).await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{f_contact}/accept"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let wf = tw
        .post(&tw.hook("wait"), &[("CallSid", "CA-F"), ("QueueTime", "0")])
        .await?;
    assert!(wf.has("Leave"), "{}", wf.xml);
    let lf = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", "CA-F"),
                ("QueueResult", "leave"),
                ("QueueTime", "0"),
            ],
        )
        .await?;
    assert!(lf.has("Dial"), "{}", lf.xml);
    let df = tw
        .post(
            &tw.hook("dial"),
            &[("CallSid", "CA-F"), ("DialCallStatus", "no-answer")],
        )
        .await?;
    assert!(df.said().contains("Өтініміңіз қабылданды."), "{}", df.xml);
    let pending = app.get("/api/v1/callbacks?state=pending", &op).await?;
    assert!(pending.text.contains("+77011110006"), "{}", pending.text);
    Ok(())
}
