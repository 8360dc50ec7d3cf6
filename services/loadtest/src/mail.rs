//! The mail scenario (issue: the e-mail channel): a real Dovecot with a mailbox of `mails`
//! messages — Kazakh and Russian text, every tenth with a 20 KB file, each from its own sender —
//! synced into a fresh database by the mailbox poller exactly as `baylanys serve` runs it (the
//! supervisor, the keeper, the lease, the centre's `receive_mail`: parse, thread, client,
//! appeal, message, files, the citizen's acknowledgement and its outbox row, `\Seen`, the
//! position). Side by side in the same run, the ceiling: the same mailbox fetched whole with the
//! same IMAP client and nothing else. Prints mails/s of each, the ratio, the peak memory of this
//! process, and checks that every mail became exactly one appeal.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use baylanys_channels::mail::imap::{Imap, ImapConfig, Security};
use baylanys_domain::Language;
use baylanys_store::{Actor, NewMailbox};
use baylanys_tests::dovecot::Dovecot;
use sqlx::Connection;

use crate::Args;

const PASSWORD: &str = "bench-password";

fn mail(i: usize) -> Vec<u8> {
    let text = if i.is_multiple_of(2) {
        "Сәлеметсіз бе! Жер учаскесін рәсімдеу бойынша өтінішім қай кезеңде екенін білгім келеді. \
         Құжаттарды өткен айда тапсырғанмын, әлі жауап жоқ. Рақмет."
    } else {
        "Здравствуйте! Прошу сообщить, на каком этапе рассмотрения находится моё обращение \
         о выдаче адресной справки. Документы были поданы в прошлом месяце."
    };
    let mut body = String::new();
    for _ in 0..6 {
        body.push_str(text);
        body.push_str("\r\n");
    }
    if i.is_multiple_of(10) {
        use base64::Engine;
        let file: Vec<u8> = (0..20_000u32).map(|b| (b % 251) as u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&file);
        let lines: Vec<&str> = enc
            .as_bytes()
            .chunks(76)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        format!(
            "From: citizen{i}@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: Өтініш {i}\r\n\
             Message-ID: <bench-{i}@mail.example.kz>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--b\r\n\
             Content-Type: application/pdf; name=\"doc{i}.pdf\"\r\nContent-Disposition: attachment; filename=\"doc{i}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            lines.join("\r\n")
        )
        .into_bytes()
    } else {
        format!(
            "From: citizen{i}@mail.example.kz\r\nTo: centre@gov.test\r\nSubject: Өтініш {i}\r\n\
             Message-ID: <bench-{i}@mail.example.kz>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
        )
        .into_bytes()
    }
}

/// This process's resident memory now and at its peak, in MiB (Linux).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The ceiling: every mail of the folder fetched whole, in the poller's batch size.
async fn bare_fetch(port: u16, n: usize) -> anyhow::Result<Duration> {
    let config = ImapConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
        login: "centre".into(),
        password: PASSWORD.into(),
        folder: "INBOX".into(),
        timeout: Duration::from_secs(60),
    };
    let start = Instant::now();
    let (mut imap, _) = Imap::connect(&config).await?;
    let (mut after, mut got) = (0u32, 0usize);
    loop {
        let batch = imap.fetch_after(after, 100, 64 * 1024 * 1024).await?;
        let Some(last) = batch.iter().map(|f| f.uid).max() else {
            break;
        };
        got += batch.iter().filter(|f| f.raw.is_some()).count();
        after = last;
    }
    let elapsed = start.elapsed();
    imap.logout().await;
    if got != n {
        bail!("the bare fetch read {got} of {n} mails");
    }
    Ok(elapsed)
}

/// The e-mail appeals in the database and how many distinct mails they came from.
async fn appeals(url: &str) -> anyhow::Result<(i64, i64)> {
    let sql = "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM appeals WHERE channel = 'email'";
    Ok(if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query_as(sql).fetch_one(&mut c).await?
    } else {
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::query_as(sql).fetch_one(&mut c).await?
    })
}

pub async fn run(args: &Args, url: String) -> anyhow::Result<()> {
    let n = args.mails;
    let dovecot = Dovecot::start(&[("centre", PASSWORD)]).await?;
    let raws: Vec<Vec<u8>> = (0..n).map(mail).collect();
    let bytes: usize = raws.iter().map(Vec::len).sum();
    for chunk in raws.chunks(1000) {
        dovecot.append_many("centre", chunk).await?;
    }
    println!(
        "mail: {n} mails ({:.1} MiB) in Dovecot; backend {}",
        bytes as f64 / 1024.0 / 1024.0,
        match args.backend {
            crate::Backend::Sqlite => "sqlite",
            crate::Backend::Postgres => "postgres",
        }
    );

    // The ceiling first, so both read a folder the server has warm.
    let bare = bare_fetch(dovecot.port, n).await?;

    let store = baylanys_store::connect(&url).await?;
    store.migrate().await?;
    let files_dir = std::env::temp_dir().join(format!("bl-bench-files-{}", uuid::Uuid::now_v7()));
    // A mailer is configured, so every new appeal writes the citizen's acknowledgement and its
    // outbox row, as in production; no outbox worker runs, so nothing is sent.
    let delivery = baylanys_api::Delivery {
        mailer: Some(Arc::new(baylanys_channels::Mailer::new(
            "smtp://127.0.0.1:9",
            "Байланыс <centre@gov.test>",
        )?)),
        sms: None,
    };
    let state = baylanys_api::AppState::new(store.clone(), baylanys_api::ApiConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_delivery(delivery)
        .with_files(baylanys_store::Files::new(&files_dir));
    let workers = baylanys_workers::Supervisor::new(Default::default());
    let keeper = baylanys_workers::MailboxKeeper::new(
        state.centre.clone(),
        state.files.clone(),
        workers.spawner(),
        baylanys_workers::MailSettings::default(),
        state.mailboxes.clone(),
    );
    let (rss_before, _) = memory();
    let mailbox = store
        .create_mailbox(
            NewMailbox {
                name: "bench".into(),
                host: "127.0.0.1".into(),
                port: dovecot.port,
                security: "plain".into(),
                login: "centre".into(),
                password: PASSWORD.into(),
                folder: "INBOX".into(),
                queue_id: None,
                topic_id: None,
                language: Language::Kk,
                address: None,
                enabled: true,
            },
            Actor::SYSTEM,
        )
        .await?;
    let start = Instant::now();
    workers.spawn(baylanys_workers::MailboxKeeper::NAME, Arc::new(keeper))?;
    let synced = loop {
        let m = store.get_mailbox(mailbox.id).await?;
        if m.state.last_uid as usize >= n {
            break start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(3600) {
            bail!("the sync did not finish in an hour");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (rss_after, peak) = memory();
    workers.shutdown(Duration::from_secs(10)).await;
    let (count, distinct) = appeals(&url).await?;
    let (count, distinct) = (count as usize, distinct as usize);
    let seen = dovecot.seen_count("centre");
    let _ = std::fs::remove_dir_all(&files_dir);
    if count != n || distinct != n {
        bail!("{count} appeals ({distinct} distinct mails) for {n} mails");
    }
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("| path | mails/s | seconds |");
    println!("|---|---:|---:|");
    println!(
        "| bare IMAP fetch (ceiling) | {:.0} | {:.2} |",
        rate(bare),
        bare.as_secs_f64()
    );
    println!(
        "| **mailbox poller → appeals** | **{:.0}** | {:.2} |",
        rate(synced),
        synced.as_secs_f64()
    );
    println!(
        "poller ÷ ceiling: {:.0} %; appeals {count} for {n} mails (duplicates {}); marked seen {seen}",
        100.0 * bare.as_secs_f64() / synced.as_secs_f64(),
        count.saturating_sub(n)
    );
    println!(
        "memory of this process: {rss_before:.0} MiB before the sync, {rss_after:.0} MiB after, peak {peak:.0} MiB"
    );
    drop(state);
    Ok(())
}
