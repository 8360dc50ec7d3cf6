//! The e-mail channel against a real Dovecot (R5.3, R5.4, R6.1): a mailbox added through the
//! API is read by IMAP IDLE; a citizen's mail opens an appeal and is acknowledged in its thread;
//! the operator's reply reaches the citizen's own mailbox (through a real SMTP server delivering
//! into the Maildir Dovecot serves) with threading headers and the appeal number; the citizen's
//! answer joins the appeal even with another subject. Charsets read back exactly; mailboxes are
//! admin resources whose password is never shown. Robots and hostile mail: `mail_robots`; cuts,
//! restarts, rebuilt mailboxes and the attachment bucket: `mail_sync`. The helpers here serve
//! all three.

use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_domain::{AppealScope, Channel};
use baylanys_store::AppealFilter;
use baylanys_tests::dovecot::Dovecot;
use baylanys_tests::{eventually, Backend, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::verification::{body_text, SmtpSink};

mod both {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn a_mail_is_answered_in_its_thread_sqlite() -> anyhow::Result<()> {
        super::a_mail_is_answered_in_its_thread(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn a_mail_is_answered_in_its_thread_postgres() -> anyhow::Result<()> {
        super::a_mail_is_answered_in_its_thread(Backend::Postgres).await
    }
    #[tokio::test]
    async fn charsets_read_back_exactly_sqlite() -> anyhow::Result<()> {
        super::charsets_read_back_exactly(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn charsets_read_back_exactly_postgres() -> anyhow::Result<()> {
        super::charsets_read_back_exactly(Backend::Postgres).await
    }
    #[tokio::test]
    async fn mailboxes_are_admin_resources_sqlite() -> anyhow::Result<()> {
        super::mailboxes_are_admin_resources(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn mailboxes_are_admin_resources_postgres() -> anyhow::Result<()> {
        super::mailboxes_are_admin_resources(Backend::Postgres).await
    }
}

pub(crate) const PASSWORD: &str = "mail-secret-7";

/// A raw mail as a citizen's program writes it (CRLF line ends).
pub(crate) fn mail(
    from: &str,
    subject: &str,
    message_id: &str,
    extra: &str,
    body: &str,
) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: Орталық <centre@gov.test>\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n\
         Date: Fri, 04 Dec 2026 10:00:00 +0500\r\nMIME-Version: 1.0\r\n{extra}\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// `=?utf-8?B?…?=` of a header text.
pub(crate) fn encoded(text: &str) -> String {
    use base64::Engine;
    format!(
        "=?utf-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// Adds a mailbox reading `user` of this Dovecot (or of `port`, a proxy in front of it).
pub(crate) async fn add_mailbox(
    app: &TestApp,
    name: &str,
    port: u16,
    user: &str,
) -> anyhow::Result<Uuid> {
    let r = app
        .post(
            "/api/v1/mailboxes",
            app.admin(),
            json!({
                "name": name, "host": "127.0.0.1", "port": port, "security": "plain",
                "login": user, "password": PASSWORD, "language": "kk",
                "address": format!("{user}@gov.test"),
            }),
        )
        .await?;
    if r.status != 201 {
        bail!("mailbox not created: {} {}", r.status, r.body);
    }
    Ok(r.id())
}

pub(crate) async fn mail_log(app: &TestApp, mailbox: Uuid) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(
            &format!("/api/v1/mailboxes/{mailbox}/log?limit=1000"),
            app.admin(),
        )
        .await?;
    Ok(r.body.as_array().cloned().unwrap_or_default())
}

pub(crate) fn outcomes(log: &[Value], outcome: &str) -> usize {
    log.iter().filter(|l| l["outcome"] == outcome).count()
}

/// The e-mail appeals, newest first: every page of them (a page holds at most 500), so a
/// duplicate past the first page is counted too.
pub(crate) async fn mail_appeals(app: &TestApp) -> anyhow::Result<Vec<baylanys_store::Appeal>> {
    let mut all: Vec<baylanys_store::Appeal> = Vec::new();
    loop {
        let mut filter = AppealFilter::new(AppealScope::All);
        filter.channel = Some(Channel::Email);
        filter.limit = 500;
        filter.before = all.last().map(|a| a.id);
        let page = app.store.list_appeals(filter).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

pub(crate) async fn detail(app: &TestApp, appeal: Uuid) -> anyhow::Result<Value> {
    Ok(app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?
        .body)
}

/// The client's messages of an appeal's timeline, oldest first.
pub(crate) fn client_messages(detail: &Value) -> Vec<Value> {
    detail["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("message"))
        .filter(|m| m["author"] == "client")
        .cloned()
        .collect()
}

/// A header of a raw mail, unfolded.
pub(crate) fn header(raw: &str, name: &str) -> Option<String> {
    let raw = raw.replace("\r\n", "\n");
    let head = raw.split("\n\n").next().unwrap_or_default();
    let mut value: Option<String> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}

/// The subject of a raw mail, decoded from its RFC 2047 words (lettre writes UTF-8 base64 or
/// quoted-printable words).
pub(crate) fn subject(raw: &str) -> String {
    let Some(s) = header(raw, "subject") else {
        return String::new();
    };
    let mut out = String::new();
    let mut last_encoded = false;
    for word in s.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        if parts.len() == 5 && parts[0] == "=" && parts[4] == "=" {
            // Space between two encoded words is not part of the text (RFC 2047 §6.2).
            if !out.is_empty() && !last_encoded {
                out.push(' ');
            }
            last_encoded = true;
            use base64::Engine;
            let bytes = if parts[2].eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD
                    .decode(parts[3])
                    .unwrap_or_default()
            } else {
                let q = parts[3].replace('_', " ");
                let mut v = Vec::new();
                let b = q.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'=' && i + 2 < b.len() {
                        if let Ok(x) = u8::from_str_radix(&q[i + 1..i + 3], 16) {
                            v.push(x);
                            i += 3;
                            continue;
                        }
                    }
                    v.push(b[i]);
                    i += 1;
                }
                v
            };
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            last_encoded = false;
            out.push_str(word);
        }
    }
    out
}

/// The mails the citizen's mailbox received, as text.
pub(crate) fn inbox(dovecot: &Dovecot, user: &str) -> Vec<String> {
    dovecot
        .messages(user)
        .into_iter()
        .map(|m| String::from_utf8_lossy(&m).into_owned())
        .collect()
}

async fn a_mail_is_answered_in_its_thread(backend: Backend) -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD), ("citizen", PASSWORD)]).await?;
    // The centre's SMTP relay delivers into the citizen's Maildir, as their provider would.
    let sink = SmtpSink::start_into(dovecot.maildir("citizen")).await?;
    let app = TestApp::spawn_delivering(backend, sink.delivery()?).await?;
    let mailbox = add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;

    let first_id = "<kz-citizen-1@mail.example.kz>";
    let text = "Сәлеметсіз бе! Жер учаскесін рәсімдеу туралы өтінішім қайда қаралып жатыр?";
    dovecot
        .append(
            "centre",
            &mail(
                "Айгүл Сәрсенова <aigul@mail.example.kz>",
                &encoded("Жер учаскесі туралы"),
                first_id,
                "",
                text,
            ),
        )
        .await?;
    let appeal = eventually("the mail to open an appeal", || async {
        Ok(mail_appeals(&app).await?.into_iter().next())
    })
    .await?;
    assert_eq!(appeal.subject.as_deref(), Some("Жер учаскесі туралы"));
    assert_eq!(appeal.language, baylanys_domain::Language::Kk);
    assert_eq!(appeal.external_id.as_deref(), Some(first_id));
    let d = detail(&app, appeal.id).await?;
    let msgs = client_messages(&d);
    assert_eq!(msgs.len(), 1, "{d}");
    assert_eq!(msgs[0]["body"], text);
    assert_eq!(msgs[0]["mail"]["from"], "aigul@mail.example.kz");
    assert_eq!(msgs[0]["mail"]["subject"], "Жер учаскесі туралы");
    assert_eq!(d["client"]["name"], "Айгүл Сәрсенова");

    // The acknowledgement (R6.1): in the citizen's thread, with the number and date, in Kazakh.
    let ack = eventually("the acknowledgement in the citizen's mailbox", || async {
        Ok(inbox(&dovecot, "citizen").into_iter().next())
    })
    .await?;
    assert_eq!(header(&ack, "in-reply-to").as_deref(), Some(first_id));
    assert!(subject(&ack).contains(&appeal.number), "{}", subject(&ack));
    let ack_text = body_text(&ack);
    assert!(
        ack_text.contains(&appeal.number) && ack_text.contains("тіркелді"),
        "{ack_text}"
    );
    let ack_id = header(&ack, "message-id").context("the ack has a Message-ID")?;

    // The operator answers; the citizen's mailbox receives the answer threaded under their mail.
    let answer =
        "Өтінішіңіз жер қатынастары бөліміне жіберілді, жауап 15 жұмыс күні ішінде беріледі.";
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/messages", appeal.id),
            app.admin(),
            json!({ "body": answer }),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.body);
    let reply = eventually("the answer in the citizen's mailbox", || async {
        Ok(inbox(&dovecot, "citizen")
            .into_iter()
            .find(|m| body_text(m).contains("жер қатынастары")))
    })
    .await?;
    assert_eq!(body_text(&reply).trim(), answer);
    assert_eq!(header(&reply, "in-reply-to").as_deref(), Some(first_id));
    let refs = header(&reply, "references").unwrap_or_default();
    assert!(refs.contains(first_id) && refs.contains(&ack_id), "{refs}");
    let reply_subject = subject(&reply);
    assert!(
        reply_subject.starts_with("Re: Жер учаскесі туралы")
            && reply_subject.contains(&appeal.number),
        "{reply_subject}"
    );
    let reply_id = header(&reply, "message-id").context("the reply has a Message-ID")?;

    // The citizen answers with another subject: it joins the appeal by its thread, without a
    // second acknowledgement.
    let second = "Рақмет! Қосымша құжаттарды жіберемін.";
    dovecot
        .append(
            "centre",
            &mail(
                "aigul@mail.example.kz",
                "Құжаттар",
                "<kz-citizen-2@mail.example.kz>",
                &format!("In-Reply-To: {reply_id}\r\nReferences: {first_id} {reply_id}\r\n"),
                &format!("{second}\r\n\r\nOn Fri, 4 Dec 2026 at 11:00, Baylanys wrote:\r\n> {answer}\r\n"),
            ),
        )
        .await?;
    let d = eventually("the answer to join the appeal", || async {
        let d = detail(&app, appeal.id).await?;
        Ok((client_messages(&d).len() == 2).then_some(d))
    })
    .await?;
    let msgs = client_messages(&d);
    assert_eq!(msgs[1]["body"], second, "the quoted history is folded away");
    assert!(msgs[1]["mail"]["quoted"]
        .as_str()
        .unwrap_or_default()
        .contains("жер қатынастары"));
    assert_eq!(mail_appeals(&app).await?.len(), 1);
    let log = mail_log(&app, mailbox).await?;
    assert_eq!(outcomes(&log, "opened"), 1, "{log:?}");
    assert_eq!(outcomes(&log, "joined"), 1, "{log:?}");
    // Both were committed before they were marked seen.
    eventually("both mails marked seen", || async {
        Ok((dovecot.seen_count("centre") == 2).then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let acks = inbox(&dovecot, "citizen")
        .iter()
        .filter(|m| body_text(m).contains("тіркелді"))
        .count();
    assert_eq!(acks, 1, "one acknowledgement per appeal");
    // The mailbox's health shows where it stands.
    let ready = app.get("/readyz", "").await?;
    let health = &ready.body["mailboxes"][0];
    assert_eq!(health["name"], "Кеңсе", "{}", ready.body);
    assert_eq!(health["connected"], true);
    assert!(health["last_uid"].as_u64().unwrap_or(0) >= 2, "{health}");
    assert!(health.get("last_error").is_none());
    Ok(())
}

/// A Kazakh and Russian alphabet table for single-byte charsets (the letters these tests use).
fn cp1251(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'Ё' => 0xA8,
            'ё' => 0xB8,
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect()
}

fn koi8r(s: &str) -> Vec<u8> {
    // KOI8-R orders the letters by their Latin sound: юабцдефгхийклмнопярстужвьызшэщчъ.
    const LOWER: &str = "юабцдефгхийклмнопярстужвьызшэщчъ";
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                return c as u8;
            }
            let lower: String = c.to_lowercase().collect();
            let Some(i) = LOWER.chars().position(|x| lower.starts_with(x)) else {
                return b'?';
            };
            let i = i as u8;
            if c.is_uppercase() {
                0xE0 + i
            } else {
                0xC0 + i
            }
        })
        .collect()
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn charsets_read_back_exactly(backend: Backend) -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD)]).await?;
    let app = TestApp::spawn(backend).await?;
    add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;

    let ru_text = "Здравствуйте, прошу сообщить срок рассмотрения обращения";
    let ru_subject = "Срок рассмотрения";
    // windows-1251, 8bit body, base64 subject, and a PDF with a windows-1251 file name.
    let pdf: Vec<u8> = (0u8..=255).cycle().take(3000).collect();
    let mut win = format!(
        "From: ivan@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: =?windows-1251?B?{}?=\r\n\
         Message-ID: <cp1251@mail.example.kz>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        b64(&cp1251(ru_subject))
    )
    .into_bytes();
    win.extend(cp1251(ru_text));
    win.extend(
        format!(
            "\r\n--b1\r\nContent-Type: application/pdf; name=\"=?windows-1251?B?{}?=\"\r\n\
             Content-Disposition: attachment; filename=\"=?windows-1251?B?{}?=\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
            b64(&cp1251("Справка.pdf")),
            b64(&cp1251("Справка.pdf")),
            b64(&pdf)
        )
        .into_bytes(),
    );
    // KOI8-R with a quoted-printable subject.
    let koi_text = "Прошу выдать справку";
    let qp: String = koi8r("Справка")
        .iter()
        .map(|b| format!("={b:02X}"))
        .collect();
    let mut koi = format!(
        "From: olga@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: =?koi8-r?Q?{qp}?=\r\n\
         Message-ID: <koi8@mail.example.kz>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    koi.extend(koi8r(koi_text));
    koi.extend(b"\r\n");
    // UTF-8 Kazakh with an RFC 2231 file name.
    let kk_text = "Құрметті орталық, өтінішімнің көшірмесін жіберемін. Рақмет!";
    let kk_file = "Өтініш көшірмесі.txt";
    let kk_bytes = "Мәтін: әғқңөұүһі ӘҒҚҢӨҰҮҺІ".as_bytes();
    let encoded_name: String = kk_file
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let utf = format!(
        "From: =?utf-8?B?{}?= <dana@mail.example.kz>\r\nTo: centre@gov.test\r\nSubject: {}\r\n\
         Message-ID: <utf8@mail.example.kz>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b2\"\r\n\r\n--b2\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b2\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename*=UTF-8''{}\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b2--\r\n",
        b64("Дана Әбдіқадыр".as_bytes()),
        encoded("Көшірме"),
        b64(kk_text.as_bytes()),
        encoded_name,
        b64(kk_bytes),
    )
    .into_bytes();
    dovecot.append_many("centre", &[win, koi, utf]).await?;
    let appeals = eventually("three appeals", || async {
        let a = mail_appeals(&app).await?;
        Ok((a.len() == 3).then_some(a))
    })
    .await?;
    let by_id = |id: &str| {
        appeals
            .iter()
            .find(|a| a.external_id.as_deref() == Some(id))
            .cloned()
            .with_context(|| format!("appeal of {id}"))
    };

    let ru = by_id("<cp1251@mail.example.kz>")?;
    assert_eq!(ru.subject.as_deref(), Some(ru_subject));
    assert_eq!(ru.language, baylanys_domain::Language::Ru);
    let d = detail(&app, ru.id).await?;
    let m = &client_messages(&d)[0];
    assert_eq!(m["body"], ru_text);
    let file = &m["attachments"][0];
    assert_eq!(file["name"], "Справка.pdf", "{m}");
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["size"], 3000);
    let got = app
        .http
        .get(format!(
            "{}/api/v1/attachments/{}",
            app.base,
            file["id"].as_str().unwrap_or_default()
        ))
        .bearer_auth(app.admin())
        .send()
        .await?;
    assert_eq!(got.status(), 200);
    assert!(got
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .starts_with("attachment;"));
    assert_eq!(got.bytes().await?.as_ref(), pdf.as_slice());

    let koi = by_id("<koi8@mail.example.kz>")?;
    assert_eq!(koi.subject.as_deref(), Some("Справка"));
    let d = detail(&app, koi.id).await?;
    assert_eq!(client_messages(&d)[0]["body"], koi_text);

    let kk = by_id("<utf8@mail.example.kz>")?;
    assert_eq!(kk.subject.as_deref(), Some("Көшірме"));
    assert_eq!(kk.language, baylanys_domain::Language::Kk);
    let d = detail(&app, kk.id).await?;
    assert_eq!(d["client"]["name"], "Дана Әбдіқадыр");
    let m = &client_messages(&d)[0];
    assert_eq!(m["body"], kk_text);
    assert_eq!(m["attachments"][0]["name"], kk_file, "{m}");
    let got = app
        .http
        .get(format!(
            "{}/api/v1/attachments/{}",
            app.base,
            m["attachments"][0]["id"].as_str().unwrap_or_default()
        ))
        .bearer_auth(app.admin())
        .send()
        .await?;
    assert_eq!(got.bytes().await?.as_ref(), kk_bytes);
    Ok(())
}

async fn mailboxes_are_admin_resources(backend: Backend) -> anyhow::Result<()> {
    let app = TestApp::spawn(backend).await?;
    let r = app
        .post(
            "/api/v1/mailboxes",
            app.admin(),
            json!({ "name": "Кеңсе", "host": "imap.gov.test", "login": "centre@gov.test",
                    "password": "s3cret-pass" }),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["port"], 993);
    assert_eq!(r.body["security"], "tls");
    assert_eq!(r.body["folder"], "INBOX");
    assert!(
        !r.body.to_string().contains("s3cret-pass"),
        "the password is never returned"
    );
    let id = r.id();
    // Bad input: a clear 4xx, nothing changed.
    for bad in [
        json!({ "name": "", "host": "h", "login": "l", "password": "p" }),
        json!({ "name": "x", "host": "imap://h/", "login": "l", "password": "p" }),
        json!({ "name": "x", "host": "h", "login": "l", "password": "p", "security": "ssl3" }),
        json!({ "name": "x", "host": "h", "login": "l", "password": "p", "port": 0 }),
        json!({ "name": "x\u{0}", "host": "h", "login": "l", "password": "p" }),
        json!({ "name": "x", "host": "h", "login": "l" }),
    ] {
        let r = app
            .post("/api/v1/mailboxes", app.admin(), bad.clone())
            .await?;
        assert!(
            r.status == 422 || r.status == 400,
            "{bad} → {} {}",
            r.status,
            r.body
        );
    }
    let dup = app
        .post(
            "/api/v1/mailboxes",
            app.admin(),
            json!({ "name": "Кеңсе", "host": "h", "login": "l", "password": "p" }),
        )
        .await?;
    assert_eq!(dup.status, 409);
    let list = app.get("/api/v1/mailboxes", app.admin()).await?;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    // An operator may not see or change them.
    let (_, op) = app.staff("op1", "operator", None).await?;
    assert_eq!(app.get("/api/v1/mailboxes", &op).await?.status, 403);
    let r = app
        .patch(
            &format!("/api/v1/mailboxes/{id}"),
            app.admin(),
            json!({ "password": "new-pass-2", "enabled": false }),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["enabled"], false);
    // The trail names the changed fields, never the password.
    let events = app
        .get("/api/v1/events?kind=mailbox.saved", app.admin())
        .await?;
    let text = events.body.to_string();
    assert!(
        text.contains("password") && !text.contains("new-pass-2"),
        "{text}"
    );
    let r = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/mailboxes/{id}"),
            Some(app.admin()),
            None,
        )
        .await?;
    assert_eq!(r.status, 204);
    assert_eq!(
        app.get("/api/v1/mailboxes", app.admin())
            .await?
            .body
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    Ok(())
}
