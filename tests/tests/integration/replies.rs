//! A staff reply goes out on the appeal's own channel (R5.3, R6): an e-mail appeal's answer is a
//! mail of the citizen's thread, delivered through a real SMTP server (aiosmtpd), with our
//! `Message-ID` and `In-Reply-To` / `References` chaining it to the citizen's mail, whether the
//! operator writes through the API or the console's socket; a resend sends nothing twice; the
//! delivery is on the appeal's timeline.

use anyhow::Context;
use baylanys_tests::{eventually, Backend, TestApp};
use serde_json::{json, Value};

use crate::verification::{body_text, wait_for_mail, SmtpSink};
use crate::ws_chat_frames::until;
use crate::ws_operator::send;

mod both {
    #[tokio::test]
    async fn sqlite() -> anyhow::Result<()> {
        super::email_reply_threads(baylanys_tests::Backend::Sqlite).await
    }
    #[tokio::test]
    async fn postgres() -> anyhow::Result<()> {
        super::email_reply_threads(baylanys_tests::Backend::Postgres).await
    }
}

/// A header of a raw mail, unfolded (RFC 5322 §2.2.3).
fn header(raw: &str, name: &str) -> Option<String> {
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

fn ids(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_owned).collect()
}

const CITIZEN_MAIL: &str = "<CAF7q1-x9@mail.example.kz>";

async fn email_reply_threads(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let delivery = sink.delivery()?;
    let app = TestApp::spawn_delivering(backend, delivery).await?;
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let client = app
        .client(
            &op,
            json!({"name": "Айжан", "language": "ru", "identities": [
                {"channel": "email", "address": "Aizhan@Example.kz"}]}),
        )
        .await?;
    // The citizen's mail, registered with its Message-ID.
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "request", "channel": "email",
                   "subject": "Справка о несудимости", "external_id": CITIZEN_MAIL,
                   "text": "Как получить справку о несудимости?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let appeal = r.id();
    let number = r.body["number"].as_str().unwrap_or_default().to_owned();

    // R6.1: the number and date, as a mail of the citizen's thread.
    let registered = wait_for_mail(&sink, 1).await?;
    assert!(body_text(&registered).contains(&number), "{registered}");
    assert_eq!(
        header(&registered, "In-Reply-To").as_deref(),
        Some(CITIZEN_MAIL),
        "{registered}"
    );
    let notice_id = header(&registered, "Message-ID").context("notice Message-ID")?;
    assert!(notice_id.ends_with("@baylanys.test>"), "{notice_id}");

    // The operator answers through the API: the answer goes out by mail, in the thread.
    let answer = "Справку выдаёт ЦОН по удостоверению личности, срок — 1 рабочий день.";
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/messages"),
            &op,
            json!({"body": answer, "external_id": "reply-1"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["channel"], "email", "{}", r.text);
    let mail = wait_for_mail(&sink, 2).await?;
    assert_eq!(
        header(&mail, "To").as_deref(),
        Some("aizhan@example.kz"),
        "{mail}"
    );
    assert!(body_text(&mail).contains(answer), "{mail}");
    let reply_id = header(&mail, "Message-ID").context("reply Message-ID")?;
    assert!(
        reply_id.starts_with('<') && reply_id.ends_with("@baylanys.test>"),
        "{reply_id}"
    );
    assert_ne!(reply_id, notice_id);
    assert_eq!(
        header(&mail, "In-Reply-To").as_deref(),
        Some(CITIZEN_MAIL),
        "an answer replies to the citizen's mail: {mail}"
    );
    assert_eq!(
        ids(&header(&mail, "References").unwrap_or_default()),
        vec![CITIZEN_MAIL.to_owned(), notice_id.clone()],
        "{mail}"
    );
    let subject = header(&mail, "Subject").unwrap_or_default();
    assert!(!subject.is_empty(), "{mail}");

    // A resend of the same reply stores and sends nothing more.
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/messages"),
            &op,
            json!({"body": answer, "external_id": "reply-1"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // The second answer, written in the console's socket, follows in the same thread.
    let url = format!("{}/ws/operator", app.base.replacen("http://", "ws://", 1));
    let (mut o, _) = tokio_tungstenite::connect_async(url).await?;
    send(&mut o, json!({"type": "hello", "v": 1, "token": op})).await?;
    let client_msg = uuid::Uuid::now_v7();
    send(
        &mut o,
        json!({"type": "message", "appeal_id": appeal, "client_id": client_msg,
               "body": "Также можно заказать справку на egov.kz."}),
    )
    .await?;
    let ack = until(&mut o, "ack").await?;
    assert_eq!(ack["appeal_id"], appeal.to_string(), "{ack}");
    let mail = wait_for_mail(&sink, 3).await?;
    assert!(body_text(&mail).contains("egov.kz"), "{mail}");
    assert_eq!(
        header(&mail, "In-Reply-To").as_deref(),
        Some(CITIZEN_MAIL),
        "{mail}"
    );
    assert_eq!(
        ids(&header(&mail, "References").unwrap_or_default()),
        vec![CITIZEN_MAIL.to_owned(), notice_id.clone(), reply_id.clone()],
        "{mail}"
    );

    // On the timeline: both replies by the operator, each with its delivery sent.
    let detail = eventually("replies delivered", || async {
        let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
        let sent = d.body["deliveries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["state"] == "sent")
            .count();
        Ok((sent == 3).then_some(d.body))
    })
    .await?;
    let replies: Vec<&Value> = detail["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "message.added" && e["message"]["author"] == "operator")
        .collect();
    assert_eq!(replies.len(), 2, "{detail}");
    assert!(
        replies
            .iter()
            .all(|e| e["actor_id"] == op_id.to_string() && e["message"]["channel"] == "email"),
        "{detail}"
    );
    assert_eq!(sink.messages().len(), 3, "nothing was sent twice");
    Ok(())
}
