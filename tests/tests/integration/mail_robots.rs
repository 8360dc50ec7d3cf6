//! Mail no person wrote and mail meant to hurt (R5.3): auto-replies, lists and bulk mail get no
//! answer (no loops), an auto-reply to our mail is kept quietly on its appeal, a bounce fails
//! the delivery it reports; garbage, a 30 MB file, a program, 500 recipients and a bomb of mails
//! from one sender are each recorded and refused or held, nothing lost; a mailbox with a wrong
//! password says so while the others work and the node stays ready. Against a real Dovecot.

use std::time::Duration;

use anyhow::Context;
use baylanys_tests::dovecot::Dovecot;
use baylanys_tests::{eventually, Backend, TestApp};
use serde_json::json;

use crate::mail::{
    add_mailbox, b64, client_messages, detail, header, inbox, mail, mail_appeals, mail_log,
    outcomes, PASSWORD,
};
use crate::verification::SmtpSink;

mod both {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn robots_get_no_answer_sqlite() -> anyhow::Result<()> {
        super::robots_get_no_answer(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn robots_get_no_answer_postgres() -> anyhow::Result<()> {
        super::robots_get_no_answer(Backend::Postgres).await
    }
    #[tokio::test]
    async fn hostile_mail_is_recorded_and_refused_sqlite() -> anyhow::Result<()> {
        super::hostile_mail_is_recorded_and_refused(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn hostile_mail_is_recorded_and_refused_postgres() -> anyhow::Result<()> {
        super::hostile_mail_is_recorded_and_refused(Backend::Postgres).await
    }
}

async fn robots_get_no_answer(backend: Backend) -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD), ("citizen", PASSWORD)]).await?;
    let sink = SmtpSink::start_into(dovecot.maildir("citizen")).await?;
    let app = TestApp::spawn_delivering(backend, sink.delivery()?).await?;
    let mailbox = add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;

    // A citizen writes; the centre acknowledges.
    dovecot
        .append(
            "centre",
            &mail(
                "erlan@mail.example.kz",
                "Сұрақ",
                "<q1@mail.example.kz>",
                "",
                "Сұрағым бар.",
            ),
        )
        .await?;
    let ack = eventually("the acknowledgement", || async {
        Ok(inbox(&dovecot, "citizen").into_iter().next())
    })
    .await?;
    let ack_id = header(&ack, "message-id").context("ack id")?;
    let appeal = mail_appeals(&app).await?.remove(0);
    let deliveries_before = app.store.deliveries_of(appeal.id).await?.len();

    // Their out-of-office robot answers the acknowledgement; another robot writes out of the
    // blue; a list mail arrives. None is answered; the first is kept on its appeal.
    dovecot
        .append_many(
            "centre",
            &[
                mail(
                    "erlan@mail.example.kz",
                    "Автоматты жауап: Сұрақ",
                    "<ooo1@mail.example.kz>",
                    &format!("Auto-Submitted: auto-replied\r\nIn-Reply-To: {ack_id}\r\n"),
                    "Мен демалыстамын.",
                ),
                mail(
                    "noreply@shop.example.kz",
                    "Жеңілдіктер!",
                    "<promo@shop.example.kz>",
                    "Precedence: bulk\r\n",
                    "Жаңа тауарлар.",
                ),
                mail(
                    "news@list.example.kz",
                    "Жаңалықтар",
                    "<list1@list.example.kz>",
                    "List-Id: <news.list.example.kz>\r\n",
                    "Апта жаңалықтары.",
                ),
            ],
        )
        .await?;
    let log = eventually("the robots' mail logged", || async {
        let log = mail_log(&app, mailbox).await?;
        Ok((log.len() == 4).then_some(log))
    })
    .await?;
    assert_eq!(outcomes(&log, "automatic"), 2, "{log:?}");
    assert_eq!(outcomes(&log, "joined"), 1, "{log:?}");
    assert_eq!(mail_appeals(&app).await?.len(), 1, "robots open no appeals");
    let d = detail(&app, appeal.id).await?;
    let msgs = client_messages(&d);
    assert_eq!(msgs.len(), 2);
    assert!(msgs[1]["mail"]["automatic"].is_string(), "{}", msgs[1]);

    // The provider bounces the acknowledgement: the delivery fails on the appeal's record.
    let dsn = format!(
        "From: MAILER-DAEMON@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <dsn1@mail.example.kz>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example.kz\r\n\r\n\
         Final-Recipient: rfc822; erlan@mail.example.kz\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n\
         --r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ack_id}\r\nSubject: ack\r\n\r\n--r--\r\n"
    );
    dovecot.append("centre", dsn.as_bytes()).await?;
    let failed = eventually("the bounce recorded on the delivery", || async {
        let all = app.store.deliveries_of(appeal.id).await?;
        Ok(all
            .into_iter()
            .find(|d| d.state == baylanys_domain::DeliveryState::Failed))
    })
    .await?;
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("5.1.1"),
        "{failed:?}"
    );
    let log = mail_log(&app, mailbox).await?;
    assert_eq!(outcomes(&log, "bounce"), 1, "{log:?}");
    // Nothing was sent to any robot.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        app.store.deliveries_of(appeal.id).await?.len(),
        deliveries_before
    );
    assert_eq!(
        inbox(&dovecot, "citizen").len(),
        1,
        "only the one acknowledgement"
    );
    Ok(())
}

async fn hostile_mail_is_recorded_and_refused(backend: Backend) -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD), ("other", PASSWORD)]).await?;
    let app = TestApp::spawn(backend).await?;
    // A mailbox with a wrong password beside a working one: the broken one is recorded, the
    // other imports, the node stays ready.
    let broken = app
        .post(
            "/api/v1/mailboxes",
            app.admin(),
            json!({ "name": "Сынық", "host": "127.0.0.1", "port": dovecot.port, "security": "plain",
                    "login": "other", "password": "wrong" }),
        )
        .await?
        .id();
    let mailbox = add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;

    // Garbage, a 30 MB attachment, 500 recipients, a program, and a bomb of 30 mails from one
    // sender in a minute.
    // (IMAP takes any byte but NUL.)
    let mut mails: Vec<Vec<u8>> = vec![(0..4000u32).map(|i| (i * 7919 % 250) as u8 + 1).collect()];
    let big: String = b64(&vec![b'x'; 30 * 1024 * 1024])
        .as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n");
    mails.push(
        format!(
            "From: big@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: big\r\nMessage-ID: <big@mail.example.kz>\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nҮлкен файл.\r\n--m\r\n\
             Content-Type: application/octet-stream; name=\"scan.tif\"\r\nContent-Disposition: attachment; filename=\"scan.tif\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{big}\r\n--m\r\n\
             Content-Type: application/x-msdownload; name=\"invoice.exe\"\r\nContent-Disposition: attachment; filename=\"invoice.exe\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--m--\r\n"
        )
        .into_bytes(),
    );
    let many: Vec<String> = (0..500).map(|i| format!("r{i}@gov.test")).collect();
    mails.push(mail(
        "many@mail.example.kz",
        "Көпке",
        "<many@mail.example.kz>",
        &format!("Cc: {}\r\n", many.join(", ")),
        "Барлығына.",
    ));
    for i in 0..30 {
        mails.push(mail(
            "bomb@mail.example.kz",
            &format!("Хат {i}"),
            &format!("<bomb{i}@mail.example.kz>"),
            "",
            &format!("Хат нөмірі {i}"),
        ));
    }
    dovecot.append_many("centre", &mails).await?;
    let log = eventually("every mail logged", || async {
        let log = mail_log(&app, mailbox).await?;
        Ok((log.len() == mails.len()).then_some(log))
    })
    .await?;
    assert_eq!(outcomes(&log, "unreadable"), 1, "{log:?}");
    assert_eq!(outcomes(&log, "rate_limited"), 25, "{log:?}");
    // Garbage 1 + big + many + 5 from the bomb opened appeals; garbage opened none.
    assert_eq!(outcomes(&log, "opened"), 7, "{log:?}");
    assert_eq!(mail_appeals(&app).await?.len(), 7);
    let appeals = mail_appeals(&app).await?;
    let big_appeal = appeals
        .iter()
        .find(|a| a.external_id.as_deref() == Some("<big@mail.example.kz>"))
        .context("the big mail's appeal")?;
    let d = detail(&app, big_appeal.id).await?;
    let files = client_messages(&d)[0]["attachments"].clone();
    let files = files.as_array().context("files")?;
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0]["refused"], "too_large", "{files:?}");
    assert_eq!(files[0]["size"], 30 * 1024 * 1024);
    assert_eq!(
        files[1]["refused"], "program",
        "a program is never kept: {files:?}"
    );
    let gone = app
        .get(
            &format!(
                "/api/v1/attachments/{}",
                files[0]["id"].as_str().unwrap_or_default()
            ),
            app.admin(),
        )
        .await?;
    assert_eq!(gone.status, 410);
    let many_appeal = appeals
        .iter()
        .find(|a| a.external_id.as_deref() == Some("<many@mail.example.kz>"))
        .context("the many-recipient appeal")?;
    let d = detail(&app, many_appeal.id).await?;
    let m = &client_messages(&d)[0];
    assert_eq!(m["mail"]["recipients"], 501);
    assert_eq!(m["mail"]["cc"].as_array().map(Vec::len), Some(50));
    // The bomb's later mails joined its latest appeal, all kept.
    let bomb: Vec<_> = appeals
        .iter()
        .filter(|a| {
            a.external_id
                .as_deref()
                .is_some_and(|e| e.starts_with("<bomb"))
        })
        .collect();
    assert_eq!(bomb.len(), 5);
    let mut kept = 0;
    for a in &bomb {
        kept += client_messages(&detail(&app, a.id).await?).len();
    }
    assert_eq!(kept, 30, "nothing of the bomb is lost");

    // The broken mailbox says why; the node is ready.
    let broken_view = eventually("the broken mailbox's error", || async {
        let all = app.get("/api/v1/mailboxes", app.admin()).await?.body;
        Ok(all
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["id"] == broken.to_string() && m["health"]["last_error"].is_string())
            .cloned())
    })
    .await?;
    assert_eq!(broken_view["health"]["connected"], false);
    assert_eq!(broken_view["health"]["last_error_kind"], "login_refused");
    assert!(broken_view.get("password").is_none());
    let ready = app.get("/readyz", "").await?;
    assert_eq!(ready.status, 200, "{}", ready.body);
    Ok(())
}
