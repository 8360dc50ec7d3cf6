//! The console in a real browser: Debian's Chromium driven by playwright-core (tests/browser).
//! `.ci/run` installs both; the test fails with a clear message when they are missing.

use std::path::PathBuf;

use anyhow::{bail, Context};
use baylanys_tests::{Backend, TestApp};
use serde_json::json;

/// Runs a script of tests/browser against the server; it must exit 0 and print that it passed.
pub(crate) async fn run_script(
    app: &TestApp,
    script: &str,
    env: &[(&str, String)],
) -> anyhow::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    if !dir.join("node_modules/playwright-core").exists() {
        bail!("run `npm ci --prefix tests/browser` first (as .ci/run does)");
    }
    // Screenshots are kept as artifacts of the run.
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/browser-artifacts");
    std::fs::create_dir_all(&shots)?;
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(dir.join(script))
        .env("BAYLANYS_BASE", &app.base)
        .env("BAYLANYS_SCREENSHOTS", &shots)
        .env("BAYLANYS_ADMIN_TOKEN", app.admin())
        .current_dir(&dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .await
        .context("running node (is Node.js installed?)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !(out.status.success() && stdout.contains("browser test passed")) {
        bail!("{script} failed:\n{stdout}\n{stderr}");
    }
    Ok(())
}

#[tokio::test]
async fn console_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk"]}),
    )
    .await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    app.post(
        "/api/v1/canned-replies",
        &sup,
        json!({"title": "Сәлемдесу", "body_kk": "Сәлеметсіз бе! Қалай көмектесе аламын?", "body_ru": "Здравствуйте! Чем могу помочь?"}),
    )
    .await?;
    // op2 speaks only English: the router never offers them this Kazakh chat, so only the
    // supervisor's reassignment can.
    let (op2_id, _) = app.staff("op2", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op2_id}"),
        app.admin(),
        json!({"languages": ["en"]}),
    )
    .await?;
    let client = app
        .client(
            app.admin(),
            json!({"name": "Браузер", "language": "kk", "iin": "061211600012",
                   "identities": [{"channel": "voice", "address": "+77015550101"}]}),
        )
        .await?;
    // An earlier call of the same client: the history pane shows it once verified.
    app.appeal(app.admin(), client, "Өткен аптада қоңырау шалдым")
        .await?;
    let appeal = app
        .post(
            "/api/v1/appeals",
            app.admin(),
            json!({"client_id": client, "kind": "request", "channel": "web_chat"}),
        )
        .await?
        .id();
    run_script(
        &app,
        "console.mjs",
        &[("BAYLANYS_APPEAL", appeal.to_string())],
    )
    .await?;
    let r = app
        .get("/api/v1/events?kind=routing.transferred", app.admin())
        .await?;
    assert_eq!(
        r.body["items"][0]["data"]["to_operator"],
        op2_id.to_string()
    );
    assert_eq!(r.body["items"][0]["data"]["reason"], "тілі бойынша");
    Ok(())
}

/// The citizens' chat page: a conversation, markup shown as text, a reload that resumes.
#[tokio::test]
async fn chat_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    run_script(&app, "chat.mjs", &[]).await?;
    // Stored verbatim: two messages, the client's and the operator's.
    let appeals = app
        .get("/api/v1/appeals?channel=web_chat", app.admin())
        .await?;
    assert_eq!(appeals.body["items"][0]["last_seq"], 2);
    Ok(())
}

/// A TCP proxy in front of the server whose connections a browser script can cut, for a real
/// network drop: `GET {control}/down` closes every proxied connection and refuses new ones;
/// `GET {control}/up` lets them through again.
pub(crate) struct DropProxy {
    pub(crate) base: String,
    pub(crate) control: String,
}

pub(crate) async fn drop_proxy(target: &str) -> anyhow::Result<DropProxy> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    let target = target.trim_start_matches("http://").to_owned();
    let front = TcpListener::bind("127.0.0.1:0").await?;
    let control = TcpListener::bind("127.0.0.1:0").await?;
    let proxy = DropProxy {
        base: format!("http://{}", front.local_addr()?),
        control: format!("http://{}", control.local_addr()?),
    };
    let up = Arc::new(AtomicBool::new(true));
    let (cut, _) = tokio::sync::broadcast::channel::<()>(4);
    {
        let (up, cut) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = front.accept().await {
                if !up.load(Ordering::SeqCst) {
                    continue; // dropped: the browser sees the connection fail
                }
                let target = target.clone();
                let mut cut = cut.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.recv() => {}
                    }
                });
            }
        });
    }
    tokio::spawn(async move {
        while let Ok((mut s, _)) = control.accept().await {
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            if head.starts_with("GET /down") {
                up.store(false, Ordering::SeqCst);
                let _ = cut.send(());
            } else if head.starts_with("GET /up") {
                up.store(true, Ordering::SeqCst);
            }
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    Ok(proxy)
}

/// The whole story in real Chromium: two citizens write in Kazakh and Russian at `/chat`; an
/// operator signs in at `/console`, takes both into tabs, verifies the Kazakh citizen and sees
/// their earlier call in the history pane, replies in both languages; read receipts show; the
/// Kazakh citizen's network drops (a real cut of the TCP connections) while the operator writes
/// twice, and after it comes back every message is there once, in order; the Russian chat is
/// transferred and the citizen is told. Screenshots of both pages are kept.
#[tokio::test]
async fn chat_and_console_story_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    app.open_queue("second", "Second line").await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk", "ru"], "capacity": {"web_chat": 3, "voice": 1}}),
    )
    .await?;
    let client = app
        .client(
            app.admin(),
            json!({"name": "Айжан Серікова", "language": "kk", "iin": "061211600012",
                   "identities": [{"channel": "voice", "address": "+77015550101"}]}),
        )
        .await?;
    app.appeal(app.admin(), client, "Өткен аптада қоңырау шалдым")
        .await?;
    let proxy = drop_proxy(&app.base).await?;
    run_script(
        &app,
        "story.mjs",
        &[
            ("BAYLANYS_PROXY", proxy.base.clone()),
            ("BAYLANYS_CONTROL", proxy.control.clone()),
        ],
    )
    .await?;
    // The Kazakh conversation is whole in the store: the citizen's message, the assignment, the
    // three replies; the Russian one was transferred.
    let transferred = app
        .get("/api/v1/events?kind=routing.transferred", app.admin())
        .await?;
    assert_eq!(transferred.body["items"].as_array().map(Vec::len), Some(1));
    Ok(())
}

/// Issue 5's story in Chromium: redirect from the console to a ministry, the ministry's officer
/// accepts and answers in the console, the citizen hears each step in Kazakh in the chat.
#[tokio::test]
async fn redirection_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk", "ru"]}),
    )
    .await?;
    let body = app
        .post(
            "/api/v1/bodies",
            app.admin(),
            json!({"name_kk": "Қазақстан Республикасының Әділет министрлігі",
                   "name_ru": "Министерство юстиции Республики Казахстан", "delivery_method": "portal"}),
        )
        .await?
        .id();
    app.post(
        &format!("/api/v1/bodies/{body}/departments"),
        app.admin(),
        json!({"name_kk": "Тіркеу қызметі департаменті", "name_ru": "Департамент регистрационной службы",
               "position_kk": "Департамент директоры", "position_ru": "Директор департамента"}),
    )
    .await?;
    app.staff("minjust", "body_officer", Some(body)).await?;
    run_script(&app, "redirect.mjs", &[]).await?;
    let accepted = app
        .get("/api/v1/events?kind=redirection.accepted", app.admin())
        .await?;
    assert_eq!(accepted.body["items"].as_array().map(Vec::len), Some(1));
    let rated = app
        .get("/api/v1/events?kind=survey.answered", app.admin())
        .await?;
    assert_eq!(rated.body["items"][0]["data"]["score"], 5);
    Ok(())
}

/// Complaint analytics (R10) in Chromium: a supervisor opens the console's Complaints panel and
/// reads the last 30 days by category, by the operator complained about and by topic, in Kazakh
/// and Russian; an empty and an inverted period; an operator has no such panel.
#[tokio::test]
async fn complaint_analytics_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"display_name": "Айгүл Серікқызы"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let r = app
        .post(
            "/api/v1/topics",
            app.admin(),
            json!({"code": "pensions", "name_kk": "Зейнетақы төлемдері", "name_ru": "Пенсионные выплаты"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let topic = r.id();
    let client = app.client(&op, json!({"name": "Ерлан"})).await?;
    // Three complaints: about the operator's conduct (confirmed), about waiting (not
    // confirmed), about waiting on no topic (not decided yet).
    for (category, topic, about_operator, confirmed) in [
        ("operator_conduct", Some(topic), Some(op_id), Some(true)),
        ("waiting", Some(topic), None, Some(false)),
        ("waiting", None, None, None),
    ] {
        let r = app
            .post(
                "/api/v1/appeals",
                &op,
                json!({"client_id": client, "kind": "request", "channel": "voice",
                       "topic_id": topic, "text": "Шағым"}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
        let path = format!("/api/v1/appeals/{}/complaint", r.id());
        let r = app
            .post(
                &path,
                &op,
                json!({"category": category, "about_operator_id": about_operator}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
        if let Some(confirmed) = confirmed {
            let r = app.post(&format!("{path}/review"), &sup, json!({})).await?;
            assert_eq!(r.status, 200, "{}", r.text);
            let r = app
                .post(
                    &format!("{path}/decide"),
                    &sup,
                    json!({"confirmed": confirmed, "result": "Шағым қаралды."}),
                )
                .await?;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
    run_script(&app, "complaints.mjs", &[]).await
}

/// Delivery state (R6) in Chromium: a centre whose mail server is down (a closed port) and whose
/// SMS gateway works. An appeal registered for a client with an e-mail and a phone is redirected
/// to a body that takes appeals by e-mail: each notice's e-mail fails three times and its SMS
/// fallback is sent; the letter to the body fails. A supervisor reads that in the console under
/// the notice and the redirection, retries the failed e-mail from the Deliveries panel (an event
/// of theirs) and sees it fail again.
#[tokio::test]
async fn deliveries_in_chromium() -> anyhow::Result<()> {
    use baylanys_api::Delivery;
    use baylanys_channels::{Mailer, SmsGateway};
    use baylanys_tests::eventually;
    use serde_json::Value;
    use std::sync::Arc;

    use crate::verification::{gateway, SID, TOKEN};

    let closed = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let (gw_base, _gw) = gateway().await?;
    let delivery = Delivery {
        mailer: Some(Arc::new(Mailer::new(
            &format!("smtp://127.0.0.1:{closed}"),
            "Байланыс <noreply@baylanys.test>",
        )?)),
        sms: Some(Arc::new(SmsGateway::new(
            &gw_base,
            SID,
            TOKEN,
            "+77000000000",
        )?)),
    };
    let app = TestApp::spawn_delivering(Backend::Sqlite, delivery).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let (sup_id, _) = app.staff("sup", "supervisor", None).await?;
    let r = app
        .post(
            "/api/v1/bodies",
            app.admin(),
            json!({"name_kk": "Еңбек министрлігі", "name_ru": "Министерство труда",
                   "delivery_method": "email", "delivery_address": "kense@enbek.example.kz"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.id();
    let client = app
        .client(
            &op,
            json!({"name": "Дәурен", "language": "kk", "identities": [
                {"channel": "email", "address": "dauren@example.kz"},
                {"channel": "voice", "address": "+77015550000"}]}),
        )
        .await?;
    let appeal = app.appeal(&op, client, "Жәрдемақы қашан?").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirect"),
            &op,
            json!({"body_id": body, "reason": "жәрдемақы тағайындау"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // Two notices (registered, redirected), each an e-mail given up and an SMS sent; a letter to
    // the body given up.
    let deliveries = eventually("every delivery settled", || async {
        let r = app
            .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
            .await?;
        let d = r.body["deliveries"].as_array().cloned().unwrap_or_default();
        Ok((d.len() == 5 && d.iter().all(|x| x["state"] != "pending")).then_some(d))
    })
    .await?;
    let find = |pred: &dyn Fn(&Value) -> bool| -> anyhow::Result<Value> {
        deliveries
            .iter()
            .find(|d| pred(d))
            .cloned()
            .with_context(|| format!("no such delivery in {deliveries:?}"))
    };
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    // The first e-mail to the client carries the registration notice.
    let failed = find(&|d| d["recipient"] == "client" && d["method"] == "email")?;
    assert_eq!(failed["state"], "failed", "{failed}");
    let fallback = find(&|d| d["fallback_of"] == failed["id"])?;
    assert_eq!(
        (s(&fallback["method"]), s(&fallback["state"])),
        ("sms".into(), "sent".into()),
        "{fallback}"
    );
    let letter = find(&|d| d["recipient"] == "body")?;
    assert_eq!(letter["state"], "failed", "{letter}");
    run_script(
        &app,
        "deliveries.mjs",
        &[
            ("BAYLANYS_APPEAL", appeal.to_string()),
            ("BAYLANYS_NOTICE", s(&failed["message_id"])),
            ("BAYLANYS_FAILED", s(&failed["id"])),
            ("BAYLANYS_FALLBACK", s(&fallback["id"])),
            ("BAYLANYS_LETTER", s(&letter["id"])),
        ],
    )
    .await?;
    // The retry is the supervisor's act on the record.
    let r = app
        .get("/api/v1/events?kind=delivery.retried", app.admin())
        .await?;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
    assert_eq!(r.body["items"][0]["actor_id"], sup_id.to_string());
    assert_eq!(r.body["items"][0]["data"]["delivery_id"], failed["id"]);
    Ok(())
}

/// Competence and parts (R30) in Chromium: two ministries each competent for one topic, a web
/// chat about both topics registered under the first. The operator sees the first ministry proposed in
/// the redirect form, splits the second matter off with the second topic (a blank subject refused
/// inline first), sees the part listed with its number, opens it, sees the second ministry
/// proposed there, picks it with a click and redirects the part to it; the part says whose part
/// it is. The second ministry's officer opens the part without the split action.
#[tokio::test]
async fn split_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"languages": ["kk", "ru"]}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut topic_ids = Vec::new();
    for (code, kk, ru) in [
        ("pensions", "Зейнетақы төлемдері", "Пенсионные выплаты"),
        ("land", "Жер қатынастары", "Земельные отношения"),
    ] {
        let r = app
            .post(
                "/api/v1/topics",
                app.admin(),
                json!({"code": code, "name_kk": kk, "name_ru": ru}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
        topic_ids.push(r.id());
    }
    let (pensions, land) = (topic_ids[0], topic_ids[1]);
    let mut body_ids = Vec::new();
    for (kk, ru, topic) in [
        (
            "Еңбек және халықты әлеуметтік қорғау министрлігі",
            "Министерство труда и социальной защиты населения",
            pensions,
        ),
        (
            "Ауыл шаруашылығы министрлігі",
            "Министерство сельского хозяйства",
            land,
        ),
    ] {
        let r = app
            .post(
                "/api/v1/bodies",
                app.admin(),
                json!({"name_kk": kk, "name_ru": ru, "delivery_method": "portal"}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
        let body = r.id();
        let r = app
            .put(
                &format!("/api/v1/bodies/{body}/topics"),
                app.admin(),
                json!({"topic_ids": [topic]}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        body_ids.push(body);
    }
    let (labour, agri) = (body_ids[0], body_ids[1]);
    let r = app
        .post(
            &format!("/api/v1/bodies/{agri}/departments"),
            app.admin(),
            json!({"name_kk": "Жер ресурстарын басқару комитеті",
                   "name_ru": "Комитет по управлению земельными ресурсами",
                   "position_kk": "Комитет төрағасы", "position_ru": "Председатель комитета"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let department = r.id();
    app.staff("agri", "body_officer", Some(agri)).await?;
    let client = app
        .client(&op, json!({"name": "Сәуле", "language": "kk"}))
        .await?;
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "request", "channel": "web_chat", "topic_id": pensions,
                   "text": "Зейнетақым неге азайды? Жер учаскесіне құжат қашан дайын болады?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let appeal = r.id();
    let number = r.body["number"].as_str().unwrap_or_default().to_owned();
    let due = r.body["due_at"].clone();
    // The chat is the operator's: it is in their list.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/assign"),
            &op,
            json!({"staff_id": op_id}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let status = r.body["status"].clone();
    let before = app.get("/api/v1/appeals?limit=500", app.admin()).await?;
    assert_eq!(before.body["items"].as_array().map(Vec::len), Some(1));

    run_script(
        &app,
        "parts.mjs",
        &[
            ("BAYLANYS_APPEAL", appeal.to_string()),
            ("BAYLANYS_NUMBER", number.clone()),
            ("BAYLANYS_LABOUR", labour.to_string()),
            ("BAYLANYS_AGRI", agri.to_string()),
            ("BAYLANYS_DEPARTMENT", department.to_string()),
        ],
    )
    .await?;

    // One part, split off the appeal with the second topic and the appeal's term, redirected by
    // the operator to the ministry competent for it; the appeal itself stays with the centre.
    let detail = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let parts = detail.body["parts"].as_array().cloned().unwrap_or_default();
    assert_eq!(parts.len(), 1, "{}", detail.text);
    let part = &parts[0];
    assert_eq!(part["parent_id"], appeal.to_string());
    assert_eq!(part["topic_id"], land.to_string());
    assert_eq!(part["subject"], "Жер учаскесіне құжат");
    assert_eq!(part["due_at"], due);
    assert_eq!(part["status"], "redirected");
    assert_eq!(part["body_id"], agri.to_string());
    assert_eq!(part["department_id"], department.to_string());
    assert_ne!(part["number"], number.as_str());
    assert_eq!(detail.body["appeal"]["body_id"], serde_json::Value::Null);
    assert_eq!(detail.body["appeal"]["status"], status);
    let after = app.get("/api/v1/appeals?limit=500", app.admin()).await?;
    assert_eq!(
        after.body["items"].as_array().map(Vec::len),
        Some(2),
        "the blank subject split nothing off"
    );
    let part_id = part["id"].as_str().unwrap_or_default();
    let r = app
        .get(&format!("/api/v1/appeals/{part_id}"), app.admin())
        .await?;
    assert_eq!(r.body["appeal"]["parent_id"], appeal.to_string());
    assert_eq!(r.body["appeal"]["body_id"], agri.to_string());
    // Both the split and the redirection are the operator's acts.
    for kind in ["appeal.split", "appeal.redirected"] {
        let r = app
            .get(&format!("/api/v1/events?kind={kind}"), app.admin())
            .await?;
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "{kind}: {}", r.text);
        assert_eq!(items[0]["actor_id"], op_id.to_string(), "{kind}");
    }
    Ok(())
}

/// The supervisors' dashboards (R35) and the semi-annual report (R36) in Chromium, on real
/// traffic of today: a voice call queued after the voice menu, offered to an online operator,
/// answered and ended; another abandoned in the queue while the operator is away; a web chat the
/// operator registered and answered at the first contact. A supervisor opens the KPI panel: today
/// live from the socket, two calls entered and one lost, the lost-calls tile worse than its
/// 5–10 % band, the queue's and the operator's rows, the lost call's event opening its appeal;
/// the last 30 days as SVG charts with today's points; the per-day CSV export downloaded; an
/// inverted period refused inline. An admin opens the БОҚБЕ report of the previous half-year in
/// Kazakh and Russian (28 rows, the profile's name in row 1), comments on row 17, marks it
/// checked, downloads the XLSX and opens the printable page, and sees a bad profile refused
/// inline before saving a good one.
#[tokio::test]
async fn dashboard_in_chromium() -> anyhow::Result<()> {
    use baylanys_tests::eventually;
    use chrono::Datelike;

    let app = TestApp::spawn(Backend::Sqlite).await?;
    let main = app.default_queue().await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"display_name": "Айгүл Серікқызы", "languages": ["kk"],
                   "capacity": {"web_chat": 1, "voice": 1}}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    app.staff("sup", "supervisor", None).await?;
    app.staff("adm", "admin", None).await?;
    let r = app
        .put(
            "/api/v1/auth/me/presence",
            &op,
            json!({"presence": "online"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let client = app
        .client(&op, json!({"name": "Арман", "language": "kk"}))
        .await?;
    // A call registered by the admin (who holds that contact, so the operator is free for it),
    // queued after the voice menu, answered and ended.
    let appeal = app.appeal(app.admin(), client, "Қоңырау").await?;
    let queue_call = || async {
        let r = app
            .post(
                &format!("/api/v1/appeals/{appeal}/interactions"),
                app.admin(),
                json!({"channel": "voice", "queue_id": main}),
            )
            .await?;
        anyhow::ensure!(r.status == 201 && r.body["state"] == "queued", "{}", r.text);
        anyhow::Ok(r.id())
    };
    let answered = queue_call().await?;
    eventually("the call offered", || async {
        let o = app.get("/api/v1/routing/offers", &op).await?;
        Ok(o.body
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == answered.to_string()))
            .then_some(()))
    })
    .await?;
    for verb in ["accept", "end"] {
        let r = app
            .post(
                &format!("/api/v1/interactions/{answered}/{verb}"),
                &op,
                json!({}),
            )
            .await?;
        assert_eq!(r.status, 200, "{verb}: {}", r.text);
    }
    // The operator is away; the next call waits and the caller hangs up.
    let r = app
        .put("/api/v1/auth/me/presence", &op, json!({"presence": "away"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let lost = queue_call().await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{lost}/abandon"),
            app.admin(),
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // Another client's web chat the operator registered and answered at once.
    let other = app
        .client(&op, json!({"name": "Сәуле", "language": "kk"}))
        .await?;
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": other, "kind": "request", "channel": "web_chat",
                   "text": "Анықтама қалай алуға болады?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let chat = r.id();
    let r = app
        .post(
            &format!("/api/v1/appeals/{chat}/status"),
            &op,
            json!({"status": "answered", "resolution": "eGov арқылы алуға болады.",
                   "first_contact_resolved": true}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let number = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body["appeal"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!number.is_empty());

    let profile = json!({
        "name_kk": "«Азаматтарға арналған үкімет» байланыс орталығы",
        "name_ru": "Контакт-центр «Правительство для граждан»",
        "founding_document": "№ 443/НҚ, 22.08.2024",
        "address_kk": "Астана қ., Мәңгілік Ел даңғылы, 8",
        "address_ru": "г. Астана, проспект Мангилик Ел, 8",
        "branches": true, "phone": "1414", "email": "cc@gov.example.kz",
        "staff_permanent": 40, "staff_non_permanent": 5,
        "software": ["IVR"], "certification_date": "2026-04-01", "certified_managers": 3,
        "workplaces_equipped": true, "auxiliary_rooms": true, "internal_regulations": true,
        "preparer": "Сейітова А. Б.", "preparer_phone": "+7 7172 00 00 00", "head": "Жұмабеков Н. К."});
    let r = app
        .put("/api/v1/settings/centre-profile", app.admin(), profile)
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // The half-year before this one (2026-H1 on 29 November 2026), in Almaty.
    let today = chrono::Utc::now()
        .with_timezone(&baylanys_domain::TZ)
        .date_naive();
    let half = if today.month() <= 6 {
        format!("{}-H2", today.year() - 1)
    } else {
        format!("{}-H1", today.year())
    };
    let state_path = format!("/api/v1/reports/boqbe/{half}/state");
    let before = app.get(&state_path, app.admin()).await?;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(before.body["status"], "draft");
    let overdue = before.body["overdue"].as_bool().unwrap_or_default();
    let due = before.body["due"].as_str().unwrap_or_default().to_owned();

    let comment = "Өтініштердің 3 пайызы 7 күн ішінде қайталанды";
    run_script(
        &app,
        "dashboard.mjs",
        &[
            ("BAYLANYS_APPEAL", appeal.to_string()),
            ("BAYLANYS_NUMBER", number),
            ("BAYLANYS_QUEUE", main.to_string()),
            ("BAYLANYS_OPERATOR", op_id.to_string()),
            ("BAYLANYS_HALF", half.clone()),
            ("BAYLANYS_DUE", due),
            ("BAYLANYS_OVERDUE", overdue.to_string()),
            ("BAYLANYS_COMMENT", comment.to_owned()),
        ],
    )
    .await?;

    // What the admin did in the browser is on the record.
    let after = app.get(&state_path, app.admin()).await?;
    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(after.body["status"], "checked", "{}", after.text);
    assert_eq!(after.body["comments"]["17"], comment, "{}", after.text);
    assert_eq!(
        after.body["comments"].as_object().map(|c| c.len()),
        Some(1),
        "{}",
        after.text
    );
    let report = app
        .get(
            &format!("/api/v1/reports/boqbe/{half}?lang=ru"),
            app.admin(),
        )
        .await?;
    assert_eq!(report.body["rows"][16]["comment"], comment);
    assert_eq!(report.body["status"], "checked");
    // The profile saved from the form: the phone changed, the rest as it was.
    let p = app
        .get("/api/v1/settings/centre-profile", app.admin())
        .await?;
    assert_eq!(p.body["phone"], "1414, +7 7172 11 11 11", "{}", p.text);
    assert_eq!(p.body["software"], json!(["IVR", "WFM"]), "{}", p.text);
    assert_eq!(p.body["staff_permanent"], 40, "{}", p.text);
    assert_eq!(p.body["certification_date"], "2026-04-01", "{}", p.text);
    Ok(())
}

/// QA reviews (R26–R28, KPI 2) in Chromium. An operator answered three contacts (appeals they
/// registered by phone) and supervisor A one of their own. A reviews one of the operator's from
/// the sample beside its appeal (a score of 150 refused inline first, their own contact refused
/// too), B reviews the same contact from the list with other scores, A compares the two
/// (calibration); the operator reads their reviews; an admin edits the scorecard. Afterwards the
/// API holds exactly the two reviews and KPI 2 counts them.
#[tokio::test]
async fn qa_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let (sup_a_id, sup_a) = app.staff("supa", "supervisor", None).await?;
    let (sup_b_id, _) = app.staff("supb", "supervisor", None).await?;
    app.staff("adm", "admin", None).await?;
    for (id, name) in [
        (op_id, "Айгүл Серікқызы"),
        (sup_a_id, "Бақыт Ахметов"),
        (sup_b_id, "Гүлнар Оспанова"),
    ] {
        let r = app
            .patch(
                &format!("/api/v1/staff/{id}"),
                app.admin(),
                json!({"display_name": name}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let client = app
        .client(&op, json!({"name": "Ерлан", "language": "kk"}))
        .await?;
    // An appeal registered by staff comes with its contact, answered by them at once.
    let contact = |token: String, text: &'static str| {
        let app = &app;
        async move {
            let appeal = app.appeal(&token, client, text).await?;
            let d = app
                .get(&format!("/api/v1/appeals/{appeal}"), &token)
                .await?;
            let i = d.body["interactions"][0]["id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
                .ok_or_else(|| anyhow::anyhow!("no interaction: {}", d.text))?;
            anyhow::Ok((appeal, i))
        }
    };
    let (appeal, reviewed) = contact(op.clone(), "Зейнетақы қашан түседі?").await?;
    let (_, i2) = contact(op.clone(), "Анықтама керек").await?;
    let (_, i3) = contact(op.clone(), "Мекенжайды өзгерту").await?;
    let (_, own) = contact(sup_a.clone(), "Супервизорға қоңырау").await?;

    let number = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body["appeal"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    run_script(
        &app,
        "qa.mjs",
        &[
            ("BAYLANYS_APPEAL_NUMBER", number),
            ("BAYLANYS_OPERATOR", op_id.to_string()),
            ("BAYLANYS_SUP_A", sup_a_id.to_string()),
            ("BAYLANYS_SUP_B", sup_b_id.to_string()),
            ("BAYLANYS_APPEAL", appeal.to_string()),
            ("BAYLANYS_REVIEWED", reviewed.to_string()),
            ("BAYLANYS_OTHERS", format!("{i2},{i3}")),
            ("BAYLANYS_OWN", own.to_string()),
        ],
    )
    .await?;

    // Two reviews of the contact, by A and B, with the scores typed in the browser.
    let r = app
        .get(
            &format!("/api/v1/qa/reviews?interaction_id={reviewed}"),
            &sup_a,
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let got: Vec<_> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["reviewer_id"].as_str().unwrap_or_default().to_owned(),
                x["operator_id"].as_str().unwrap_or_default().to_owned(),
                x["total"].as_f64(),
                x["accurate"].as_bool(),
                x["comment"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                sup_a_id.to_string(),
                op_id.to_string(),
                Some(90.0),
                Some(true),
                json!("Дұрыс әрі толық жауап берді")
            ),
            (
                sup_b_id.to_string(),
                op_id.to_string(),
                Some(83.25),
                Some(false),
                json!(null)
            ),
        ],
        "{}",
        r.text
    );
    assert_eq!(r.body[1]["scores"]["accuracy"], 70, "{}", r.text);
    // Nothing else was recorded: not the score of 150, not A's own contact.
    let all = app.get("/api/v1/qa/reviews", &sup_a).await?;
    assert_eq!(all.body.as_array().map(Vec::len), Some(2), "{}", all.text);
    let events = app
        .get("/api/v1/events?kind=qa.reviewed", app.admin())
        .await?;
    assert_eq!(
        events.body["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        events.text
    );
    // KPI 2 counts both reviews: one accurate of two.
    let now = chrono::Utc::now();
    let from =
        (now - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (now + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let k = app
        .get(&format!("/api/v1/kpis?from={from}&to={to}"), &sup_a)
        .await?;
    assert_eq!(k.status, 200, "{}", k.text);
    assert_eq!(k.body["accuracy_pct"]["count"], 2, "{}", k.text);
    assert_eq!(
        k.body["accuracy_pct"]["value"].as_f64(),
        Some(50.0),
        "{}",
        k.text
    );
    // The admin's scorecard: the refused one left nothing, the saved one is in force.
    let card = app.get("/api/v1/settings/qa-scorecard", &op).await?;
    assert_eq!(
        card.body,
        json!({
            "weights": {"accuracy": 40, "completeness": 15, "procedure": 20, "courtesy": 15, "data_protection": 10},
            "pass_mark": 80,
            "sample_per_operator": 3,
        }),
        "{}",
        card.text
    );
    Ok(())
}

/// Accessibility (issue 14): axe-core finds no serious or critical violation and one main
/// landmark on the chat and the console, in Kazakh.
#[tokio::test]
async fn accessibility_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk"]}),
    )
    .await?;
    app.staff("adm", "admin", None).await?;
    run_script(&app, "axe.mjs", &[]).await
}

/// A complaint registered from the console (R8, issue 14), checked through the API.
#[tokio::test]
async fn complaint_from_the_console_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({"name": "Наразы азамат"})).await?;
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "request", "channel": "voice",
                   "text": "Маған қате ақпарат берілді", "contact": {"type": "answered"}}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let appeal = r.id();
    let number = r.body["number"].as_str().unwrap_or_default().to_owned();
    // In the operator's list of their appeals.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/assign"),
            app.admin(),
            json!({"staff_id": op_id}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    run_script(&app, "complaint.mjs", &[("BAYLANYS_NUMBER", number)]).await?;
    let c = app
        .get(&format!("/api/v1/appeals/{appeal}/complaint"), app.admin())
        .await?;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(c.body["category"], "wrong_information");
    assert_eq!(c.body["about_operator_id"], op_id.to_string());
    Ok(())
}
