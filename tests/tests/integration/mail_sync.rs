//! A mailbox read through faults (DESIGN principles 1 and 2): the IMAP connection cut twice in
//! the middle of a 500-mail sync and the node replaced by another, and a mailbox rebuilt with a
//! new UIDVALIDITY — every mail imported once, none skipped, all marked seen. And the files of
//! mails kept in an S3-compatible bucket when one is configured. Against a real Dovecot.

use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_tests::dovecot::{CutProxy, Dovecot};
use baylanys_tests::{eventually, Backend, TestApp};

use crate::mail::{
    add_mailbox, b64, client_messages, detail, mail, mail_appeals, mail_log, outcomes, PASSWORD,
};

mod both {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn cuts_and_restarts_lose_and_repeat_nothing_sqlite() -> anyhow::Result<()> {
        super::cuts_and_restarts_lose_and_repeat_nothing(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn cuts_and_restarts_lose_and_repeat_nothing_postgres() -> anyhow::Result<()> {
        super::cuts_and_restarts_lose_and_repeat_nothing(Backend::Postgres).await
    }
    #[tokio::test]
    async fn a_rebuilt_mailbox_is_not_imported_again_sqlite() -> anyhow::Result<()> {
        super::a_rebuilt_mailbox_is_not_imported_again(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn a_rebuilt_mailbox_is_not_imported_again_postgres() -> anyhow::Result<()> {
        super::a_rebuilt_mailbox_is_not_imported_again(Backend::Postgres).await
    }
    #[tokio::test]
    async fn files_can_live_in_an_s3_bucket_sqlite() -> anyhow::Result<()> {
        super::files_can_live_in_an_s3_bucket(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn files_can_live_in_an_s3_bucket_postgres() -> anyhow::Result<()> {
        super::files_can_live_in_an_s3_bucket(Backend::Postgres).await
    }
}

async fn cuts_and_restarts_lose_and_repeat_nothing(backend: Backend) -> anyhow::Result<()> {
    const N: usize = 500;
    let dovecot = Dovecot::start(&[("centre", PASSWORD)]).await?;
    let proxy = CutProxy::start(dovecot.port).await?;
    let mails: Vec<Vec<u8>> = (0..N)
        .map(|i| {
            mail(
                &format!("c{i}@mail.example.kz"),
                &format!("Өтініш {i}"),
                &format!("<m{i}@mail.example.kz>"),
                "",
                &format!("Өтініш мәтіні {i}"),
            )
        })
        .collect();
    dovecot.append_many("centre", &mails).await?;
    let app = TestApp::spawn(backend).await?;
    let mailbox = add_mailbox(&app, "Кеңсе", proxy.port, "centre").await?;

    // Cut the connection twice in the middle of the sync.
    for at in [N / 5, N / 3] {
        eventually("the sync to get going", || async {
            Ok((mail_appeals(&app).await?.len() >= at).then_some(()))
        })
        .await?;
        proxy.cut();
    }
    // Then "restart": this node's pollers stop, a new node takes the mailbox over when the
    // lease lapses, and its connection is cut too in the middle of the rest.
    eventually("more imported", || async {
        Ok((mail_appeals(&app).await?.len() >= N / 2).then_some(()))
    })
    .await?;
    app.stop_worker(baylanys_workers::MailboxKeeper::NAME)
        .await?;
    app.stop_worker("mailbox Кеңсе").await?;
    let before_restart = proxy.connections();
    let second = TestApp::spawn_node(&app, baylanys_bus::Bus::local()).await?;
    eventually("the new node to read the mailbox", || async {
        Ok((proxy.connections() > before_restart
            && mail_appeals(&second).await?.len() >= N * 3 / 5)
            .then_some(()))
    })
    .await?;
    proxy.cut();
    let appeals = eventually("every mail imported", || async {
        let a = mail_appeals(&second).await?;
        Ok((a.len() >= N).then_some(a))
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let appeals_after = mail_appeals(&second).await?;
    assert_eq!(appeals_after.len(), N, "nothing imported twice");
    let mut ids: Vec<String> = appeals
        .iter()
        .filter_map(|a| a.external_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "every mail once");
    assert!(
        proxy.connections() >= 4,
        "the connection was cut and made again"
    );
    eventually("every mail marked seen", || async {
        Ok((dovecot.seen_count("centre") == N).then_some(()))
    })
    .await?;
    let log = mail_log(&second, mailbox).await?;
    assert_eq!(outcomes(&log, "opened"), N);
    Ok(())
}

async fn a_rebuilt_mailbox_is_not_imported_again(backend: Backend) -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD)]).await?;
    let app = TestApp::spawn(backend).await?;
    let mailbox = add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;
    let batch = |from: usize, to: usize| -> Vec<Vec<u8>> {
        (from..to)
            .map(|i| {
                mail(
                    &format!("u{i}@mail.example.kz"),
                    &format!("Хат {i}"),
                    &format!("<u{i}@mail.example.kz>"),
                    "",
                    &format!("Мәтін {i}"),
                )
            })
            .collect()
    };
    dovecot.append_many("centre", &batch(0, 3)).await?;
    eventually("three imported", || async {
        Ok((mail_appeals(&app).await?.len() == 3).then_some(()))
    })
    .await?;
    let before =
        app.get("/api/v1/mailboxes", app.admin()).await?.body[0]["health"]["uid_validity"].clone();
    // The server's mailbox is rebuilt: every UID changes, the old mails are still there.
    dovecot.change_uid_validity("centre").await?;
    dovecot.append_many("centre", &batch(3, 4)).await?;
    eventually("the new mail imported", || async {
        Ok((mail_appeals(&app).await?.len() == 4).then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(mail_appeals(&app).await?.len(), 4, "nothing imported again");
    let after =
        app.get("/api/v1/mailboxes", app.admin()).await?.body[0]["health"]["uid_validity"].clone();
    assert_ne!(before, after, "the new UIDVALIDITY is recorded");
    let log = mail_log(&app, mailbox).await?;
    assert_eq!(outcomes(&log, "opened"), 4, "{log:?}");
    Ok(())
}

/// A local S3-compatible server (moto, from PyPI; `.ci/run` installs it) with one bucket.
pub(crate) struct S3Server {
    child: tokio::process::Child,
    pub(crate) endpoint: String,
    bucket: String,
}

impl S3Server {
    pub(crate) async fn start(bucket: &str) -> anyhow::Result<S3Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = tokio::process::Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("python3 -m moto.server (pip install 'moto[server]', as .ci/run does)")?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(r) = http.put(format!("{endpoint}/{bucket}")).send().await {
                if r.status().is_success() {
                    return Ok(S3Server {
                        child,
                        endpoint,
                        bucket: bucket.to_owned(),
                    });
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("moto did not start (pip install 'moto[server]')")
    }
}

impl S3Server {
    /// The attachment store in this server's bucket, as a deployer configures it.
    pub(crate) fn files(&self) -> anyhow::Result<baylanys_store::Files> {
        Ok(baylanys_store::Files::s3(&baylanys_store::S3Config {
            bucket: self.bucket.clone(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".into(),
            access_key: "test-key".into(),
            secret_key: "test-secret".into(),
        })?)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// With an S3-compatible bucket configured, a mail's files are kept there and download the same.
async fn files_can_live_in_an_s3_bucket(backend: Backend) -> anyhow::Result<()> {
    let s3 = S3Server::start("attachments").await?;
    let files = s3.files()?;
    let dovecot = Dovecot::start(&[("centre", PASSWORD)]).await?;
    let app = TestApp::spawn_storing(backend, Default::default(), files).await?;
    add_mailbox(&app, "Кеңсе", dovecot.port, "centre").await?;
    let scan: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
    let raw = format!(
        "From: asel@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: Анықтама\r\nMessage-ID: <s3@mail.example.kz>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"s\"\r\n\r\n--s\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nАнықтаманың көшірмесі қоса беріліп отыр.\r\n--s\r\n\
         Content-Type: image/png; name=\"scan.png\"\r\nContent-Disposition: attachment; filename=\"scan.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--s--\r\n",
        b64(&scan)
    );
    dovecot.append("centre", raw.as_bytes()).await?;
    let appeal = eventually("the mail's appeal", || async {
        Ok(mail_appeals(&app).await?.into_iter().next())
    })
    .await?;
    let d = detail(&app, appeal.id).await?;
    let file = client_messages(&d)[0]["attachments"][0].clone();
    assert_eq!(file["name"], "scan.png", "{d}");
    let sha = file["sha256"].as_str().unwrap_or_default().to_owned();
    // The object is in the bucket, under its hash…
    let listing = reqwest::get(format!("{}/attachments?list-type=2", s3.endpoint))
        .await?
        .text()
        .await?;
    assert!(listing.contains(&sha), "{listing}");
    // …and downloads exactly through the API.
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
    assert_eq!(got.bytes().await?.as_ref(), scan.as_slice());
    Ok(())
}
