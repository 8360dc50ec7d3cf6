//! Identity before confidential data (R11): a one-time code sent to the e-mail on file through
//! a real SMTP server (aiosmtpd, delivering into a Maildir) or to the phone on file through a
//! local gateway speaking Twilio's Messages API; wrong codes counted and bounded; codes per
//! appeal limited; the verification and every code sent are events that never hold the code.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use baylanys_api::Delivery;
use baylanys_channels::{Mailer, SmsGateway};
use baylanys_tests::{fresh_database, Backend, TestApp};
use serde_json::{json, Value};

/// `python3 -m aiosmtpd` on a free port, storing what it receives in a Maildir.
pub(crate) struct SmtpSink {
    child: tokio::process::Child,
    pub(crate) port: u16,
    maildir: PathBuf,
}

impl SmtpSink {
    pub(crate) async fn start() -> anyhow::Result<SmtpSink> {
        let (_, tmp) = fresh_database(Backend::Sqlite).await?;
        Self::start_into(tmp.context("no temp dir")?.join("Maildir")).await
    }

    /// A server delivering into `maildir` — e.g. a Dovecot user's, so what the centre sends
    /// lands in a mailbox that user reads by IMAP.
    pub(crate) async fn start_into(maildir: PathBuf) -> anyhow::Result<SmtpSink> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = tokio::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .kill_on_drop(true)
            .spawn()
            .context("python3 -m aiosmtpd (pip install aiosmtpd, as .ci/run does)")?;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(SmtpSink {
                    child,
                    port,
                    maildir,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("aiosmtpd did not start (is it installed? pip install aiosmtpd)")
    }

    /// Mail delivery through this server (no SMS gateway), from the centre's test address.
    pub(crate) fn delivery(&self) -> anyhow::Result<Delivery> {
        Ok(Delivery {
            mailer: Some(Arc::new(Mailer::new(
                &format!("smtp://127.0.0.1:{}", self.port),
                "Байланыс <noreply@baylanys.test>",
            )?)),
            sms: None,
        })
    }

    /// The messages delivered so far, raw.
    pub(crate) fn messages(&self) -> Vec<String> {
        let dir = self.maildir.join("new");
        let mut out: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let at = e.metadata().ok()?.modified().ok()?;
                Some((at, std::fs::read_to_string(e.path()).ok()?))
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, m)| m).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The text of a single-part message, whatever transfer encoding lettre chose.
pub(crate) fn body_text(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw.as_str(), ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap_or_default();
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    if head.contains("content-transfer-encoding: quoted-printable") {
        let soft = body.replace("=\n", "");
        let mut bytes = Vec::new();
        let mut it = soft.bytes().peekable();
        while let Some(b) = it.next() {
            if b == b'=' {
                let hex: Vec<u8> = it.by_ref().take(2).collect();
                let v = std::str::from_utf8(&hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                bytes.push(v.unwrap_or(b'?'));
            } else {
                bytes.push(b);
            }
        }
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    body.to_owned()
}

/// The six-digit code in a text.
pub(crate) fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_owned)
}

/// A local SMS gateway speaking Twilio's Messages API: Basic auth `AccountSid:AuthToken`, a
/// form with To, From, Body; `201` with a `sid`. It can be told to fail the next requests.
#[derive(Clone, Default)]
pub(crate) struct Gateway {
    pub(crate) sent: Arc<Mutex<Vec<(String, String, String)>>>,
    pub(crate) fail_next: Arc<Mutex<u32>>,
}

pub(crate) const SID: &str = "AC0123456789abcdef0123456789abcdef";
pub(crate) const TOKEN: &str = "gateway-auth-token";

async fn messages_json(
    State(g): State<Gateway>,
    axum::extract::Path(account): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    if !baylanys_tests::twilio::authorised(&headers, &account, SID, TOKEN) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": 20003, "message": "Authenticate", "status": 401})),
        )
            .into_response();
    }
    if let Ok(mut n) = g.fail_next.lock() {
        if *n > 0 {
            *n -= 1;
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    json!({"code": 20500, "message": "Internal Server Error", "status": 503}),
                ),
            )
                .into_response();
        }
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (to, from, text) = (field("To"), field("From"), field("Body"));
    if to.is_empty() || from.is_empty() || text.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"code": 21604, "message": "A 'To' phone number is required.", "status": 400})),
        )
            .into_response();
    }
    if let Ok(mut sent) = g.sent.lock() {
        sent.push((to.clone(), from, text.clone()));
    }
    (
        StatusCode::CREATED,
        axum::Json(json!({"sid": format!("SM{}", uuid::Uuid::now_v7().simple()), "status": "queued", "to": to, "body": text})),
    )
        .into_response()
}

pub(crate) async fn gateway() -> anyhow::Result<(String, Gateway)> {
    let g = Gateway::default();
    let app = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            axum::routing::post(messages_json),
        )
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base, g))
}

async fn events_of(app: &TestApp, kind: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(
            &format!("/api/v1/events?kind={kind}&limit=100"),
            app.admin(),
        )
        .await?;
    Ok(r.body["items"].as_array().cloned().unwrap_or_default())
}

pub(crate) async fn wait_for_mail(sink: &SmtpSink, n: usize) -> anyhow::Result<String> {
    for _ in 0..100 {
        let m = sink.messages();
        if m.len() >= n {
            return m.into_iter().last().context("no mail");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("no mail arrived in {}", sink.maildir.display())
}

async fn one_time_codes(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let (gw_base, gw) = gateway().await?;
    let delivery = Delivery {
        mailer: Some(Arc::new(Mailer::new(
            &format!("smtp://127.0.0.1:{}", sink.port),
            "Байланыс <noreply@baylanys.test>",
        )?)),
        sms: Some(Arc::new(SmsGateway::new(
            &gw_base,
            SID,
            TOKEN,
            "+77000000000",
        )?)),
    };
    let app = TestApp::spawn_delivering(backend, delivery).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app
        .client(
            &op,
            json!({"name": "Айжан", "language": "kk", "identities": [
                {"channel": "email", "address": "aizhan@example.kz"},
                {"channel": "voice", "address": "+77011234567"}]}),
        )
        .await?;
    let appeal = app.appeal(&op, client, "Менің өтінішім қайда?").await?;
    // Registered from a call: the client is told the number and the date by e-mail (R6).
    let registered = body_text(&wait_for_mail(&sink, 1).await?);
    let number = app
        .get(&format!("/api/v1/appeals/{appeal}"), &op)
        .await?
        .body["appeal"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        registered.contains(&number) && registered.contains("тіркелді"),
        "{registered}"
    );
    let verify = format!("/api/v1/appeals/{appeal}/verify");
    let send = format!("/api/v1/appeals/{appeal}/verify/code");

    // No record with this IIN, no code yet, and the two methods mixed: refused, nothing
    // changes.
    let before = app.event_count().await?;
    let r = app
        .post(
            &verify,
            &op,
            json!({"iin": "061211600012", "on_file": "+77011234567"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app.post(&verify, &op, json!({"code": "123456"})).await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app
        .post(
            &verify,
            &op,
            json!({"code": "123456", "iin": "061211600012"}),
        )
        .await?;
    assert_eq!(
        (r.status.as_u16(), r.problem()),
        (422, "/problems/validation"),
        "{}",
        r.text
    );
    let r = app.post(&send, &op, json!({"via": "pigeon"})).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(app.event_count().await?, before);

    // By e-mail: the code arrives through the SMTP server, in Kazakh.
    let r = app.post(&send, &op, json!({"via": "email"})).await?;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["sent_to"], "a***@example.kz");
    let mail = wait_for_mail(&sink, 2).await?;
    assert!(mail.contains("aizhan@example.kz"), "{mail}");
    let text = body_text(&mail);
    assert!(text.contains("растау кодыңыз"), "{text}");
    let code = code_in(&text).context("no code in the mail")?;
    // A wrong code is counted; a malformed one is not even tried.
    let wrong = format!("{:06}", (code.parse::<u32>()? + 1) % 1_000_000);
    let r = app.post(&verify, &op, json!({"code": wrong})).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("4 attempts left"), "{}", r.text);
    let r = app.post(&verify, &op, json!({"code": "12ab56"})).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        events_of(&app, "client.verification_failed").await?.len(),
        1
    );
    let r = app.post(&verify, &op, json!({"code": code})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["verification_method"], "otp_email");
    // Used once: it does not work again.
    let r = app.post(&verify, &op, json!({"code": code})).await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let verified = events_of(&app, "client.verified").await?;
    assert_eq!(verified[0]["data"]["method"], "otp_email");
    // The log says a code was sent and how, never the code or the address.
    let sent = events_of(&app, "client.code_sent").await?;
    let logged = serde_json::to_string(&sent)?;
    assert!(
        !logged.contains(&code) && !logged.contains("aizhan"),
        "{logged}"
    );
    assert_eq!(sent[0]["data"]["via"], "email");

    // Told of a redirection on their own channel: the appeal came by phone, the e-mail on file
    // receives it (R6).
    let body = app.body("Әділет министрлігі").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/redirect"),
            &op,
            json!({"body_id": body, "reason": "құзыреті бойынша"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let told = body_text(&wait_for_mail(&sink, 3).await?);
    assert!(
        told.contains("Әділет министрлігі (kk)") && told.contains("жіберілді"),
        "{told}"
    );
    let timeline = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    let recorded = timeline.body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["message"]["kind"] == "notice" && e["message"]["channel"] == "email");
    assert!(recorded, "the notification is on the timeline");

    // By SMS, on a second appeal: the gateway fails once (503 to the operator), then delivers.
    let second = app.appeal(&op, client, "Тағы бір сұрақ").await?;
    let send = format!("/api/v1/appeals/{second}/verify/code");
    let verify = format!("/api/v1/appeals/{second}/verify");
    if let Ok(mut n) = gw.fail_next.lock() {
        *n = 1;
    }
    let r = app.post(&send, &op, json!({"via": "sms"})).await?;
    assert_eq!(r.status, 503, "{}", r.text);
    let r = app.post(&send, &op, json!({"via": "sms"})).await?;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["sent_to"], "********4567");
    let (to, from, body) = gw
        .sent
        .lock()
        .ok()
        .and_then(|s| s.last().cloned())
        .context("no SMS")?;
    assert_eq!(
        (to.as_str(), from.as_str()),
        ("+77011234567", "+77000000000")
    );
    let code = code_in(&body).context("no code in the SMS")?;
    // Five wrong codes and it stops working, even for the right one.
    let wrong = format!("{:06}", (code.parse::<u32>()? + 7) % 1_000_000);
    for left in (0..5).rev() {
        let r = app.post(&verify, &op, json!({"code": wrong})).await?;
        assert_eq!(r.status, 422, "{}", r.text);
        if left == 0 {
            assert!(r.text.contains("no attempts are left"), "{}", r.text);
        }
    }
    let r = app.post(&verify, &op, json!({"code": code})).await?;
    assert_eq!(r.status, 409, "{}", r.text);
    // Five codes an hour per appeal (the failed delivery counts too).
    for _ in 0..3 {
        let r = app.post(&send, &op, json!({"via": "sms"})).await?;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let r = app.post(&send, &op, json!({"via": "sms"})).await?;
    assert_eq!(r.status, 429, "{}", r.text);
    // Only centre staff send codes.
    let body = app.body("Body").await?;
    let (_, officer) = app.staff("officer", "body_officer", Some(body)).await?;
    let r = app.post(&send, &officer, json!({"via": "sms"})).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .get(&format!("/api/v1/appeals/{second}"), app.admin())
        .await?;
    assert!(r.body["appeal"]["verified_at"].is_null());
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

#[tokio::test]
async fn one_time_codes_sqlite() -> anyhow::Result<()> {
    one_time_codes(Backend::Sqlite).await
}

#[tokio::test]
async fn one_time_codes_postgres() -> anyhow::Result<()> {
    one_time_codes(Backend::Postgres).await
}

/// Without SMTP or an SMS gateway configured, asking for a code says so and changes nothing.
#[tokio::test]
async fn codes_need_a_configured_sender() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let client = app
        .client(
            app.admin(),
            json!({"identities": [{"channel": "email", "address": "x@example.kz"}]}),
        )
        .await?;
    let appeal = app.appeal(app.admin(), client, "сұрақ").await?;
    let before = app.event_count().await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/verify/code"),
            app.admin(),
            json!({"via": "email"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("not configured"), "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/verify/code"),
            app.admin(),
            json!({"via": "sms"}),
        )
        .await?;
    assert_eq!(r.status, 409, "no phone on file: {}", r.text);
    assert_eq!(app.event_count().await?, before);
    Ok(())
}
