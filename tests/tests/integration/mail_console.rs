//! An e-mail appeal in the operator's console, in a real Chromium against a real Dovecot: the
//! mail's headers, its folded history, its files as downloads and a refused one with the reason
//! in the operator's language, in Kazakh and Russian; the reply typed in the console reaches the
//! citizen's mailbox as a mail of their thread (R5.3, R6). A supervisor's Mailboxes panel shows
//! each mailbox's health.

use baylanys_tests::dovecot::Dovecot;
use baylanys_tests::{eventually, Backend, TestApp};
use serde_json::json;

use crate::browser::run_script;
use crate::mail::{add_mailbox, mail_appeals, PASSWORD};
use crate::verification::{body_text, SmtpSink};

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn mail_thread_in_chromium() -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD), ("citizen", PASSWORD)]).await?;
    let sink = SmtpSink::start_into(dovecot.maildir("citizen")).await?;
    let app = TestApp::spawn_delivering(Backend::Sqlite, sink.delivery()?).await?;
    app.default_queue().await?;
    let (op_id, _) = app.staff("op", "operator", None).await?;
    app.patch(
        &format!("/api/v1/staff/{op_id}"),
        app.admin(),
        json!({"languages": ["kk", "ru"]}),
    )
    .await?;
    app.staff("sup", "supervisor", None).await?;
    add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;
    // A mailbox with a wrong password, for the supervisor's panel.
    let broken = app
        .post(
            "/api/v1/mailboxes",
            app.admin(),
            json!({ "name": "Сынық", "host": "127.0.0.1", "port": dovecot.port,
                    "security": "plain", "login": "citizen", "password": "wrong" }),
        )
        .await?;
    assert_eq!(broken.status, 201, "{}", broken.body);

    let pdf: Vec<u8> = b"%PDF-1.4\n"
        .iter()
        .copied()
        .chain((0..3000u32).map(|i| (i % 251) as u8))
        .collect();
    let first_id = "<kz-console-1@mail.example.kz>";
    let raw = format!(
        "From: aigul@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: =?utf-8?B?{}?=\r\n\
         Message-ID: {first_id}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"k\"\r\n\r\n\
         --k\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --k\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%D0%90%D0%BD%D1%8B%D2%9B%D1%82%D0%B0%D0%BC%D0%B0.pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --k\r\nContent-Type: application/x-msdownload; name=\"setup.exe\"\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AAA==\r\n--k--\r\n",
        b64("Жер учаскесі туралы".as_bytes()),
        b64("Сәлеметсіз бе! Анықтаманы қоса жіберемін.\r\n\r\nOn Mon, 2 Nov 2026 at 10:00, Орталық wrote:\r\n> Өткен айдағы хатым туралы.\r\n".as_bytes()),
        b64(&pdf),
    );
    dovecot.append("centre", raw.as_bytes()).await?;
    let appeal = eventually("the mail's appeal", || async {
        Ok(mail_appeals(&app).await?.into_iter().next())
    })
    .await?;
    let pdf_sha = baylanys_store::Files::key(&pdf);
    let reply = "Анықтамаңыз алынды, рақмет. Жауапты 15 жұмыс күні ішінде жібереміз.";
    run_script(
        &app,
        "mail.mjs",
        &[
            ("BAYLANYS_APPEAL", appeal.id.to_string()),
            ("BAYLANYS_PDF_SHA256", pdf_sha),
            ("BAYLANYS_REPLY", reply.to_owned()),
        ],
    )
    .await?;
    // The reply typed in the console reached the citizen as a mail of their thread.
    let got = eventually("the console's reply in the citizen's mailbox", || async {
        Ok(dovecot
            .messages("citizen")
            .into_iter()
            .map(|m| String::from_utf8_lossy(&m).into_owned())
            .find(|m| body_text(m).contains("Анықтамаңыз алынды")))
    })
    .await?;
    assert!(
        got.replace("\r\n", "\n")
            .contains(&format!("In-Reply-To: {first_id}")),
        "{got}"
    );
    Ok(())
}
