//! A mail sandbox for trying the e-mail channel on one machine (README, "Try the e-mail
//! channel"): a real Dovecot with two mailboxes — `centre` (the centre reads it) and `citizen`
//! (a citizen's) — and two real SMTP servers (aiosmtpd): one the centre sends through, which
//! delivers into the citizen's mailbox, and one a citizen's mail program sends through, which
//! delivers into the centre's. Needs `dovecot-imapd` and `python3 -m pip install aiosmtpd`
//! (`.ci/run` installs both). Runs until Ctrl-C and removes everything it made.
//!
//! ```sh
//! cargo run -p baylanys-tests --example mail_sandbox
//! ```

use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_tests::dovecot::Dovecot;

const PASSWORD: &str = "sandbox";

/// An aiosmtpd delivering every mail it takes into `maildir`.
async fn smtp_into(maildir: &std::path::Path) -> anyhow::Result<(tokio::process::Child, u16)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = tokio::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .kill_on_drop(true)
        .spawn()
        .context("python3 -m aiosmtpd (python3 -m pip install aiosmtpd)")?;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok((child, port));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("aiosmtpd did not start")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dovecot = Dovecot::start(&[("centre", PASSWORD), ("citizen", PASSWORD)]).await?;
    let (_relay, relay_port) = smtp_into(&dovecot.maildir("citizen")).await?;
    let (_inbound, inbound_port) = smtp_into(&dovecot.maildir("centre")).await?;
    let imap = dovecot.port;
    println!(
        r#"Mail sandbox running (Ctrl-C stops it).

1. Start Baylanys sending through the sandbox's relay:
   BAYLANYS_SMTP_URL=smtp://127.0.0.1:{relay_port} BAYLANYS_MAIL_FROM='Байланыс <centre@gov.test>' \
   BAYLANYS_ADMIN_PASSWORD=change-me-now cargo run --release

2. Add the centre's mailbox (as admin, token in $ADMIN):
   curl -s http://127.0.0.1:8080/api/v1/mailboxes -H "authorization: Bearer $ADMIN" \
     -H 'content-type: application/json' -d '{{"name":"Кеңсе","host":"127.0.0.1","port":{imap},
     "security":"plain","login":"centre","password":"{PASSWORD}","address":"centre@gov.test"}}'

3. Write as a citizen (any mail program on SMTP 127.0.0.1:{inbound_port}, or curl):
   printf 'From: aigul@example.kz\r\nTo: centre@gov.test\r\nSubject: Анықтама\r\nMessage-ID: <1@example.kz>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСәлеметсіз бе! Анықтама қашан дайын болады?\r\n' > mail.txt
   curl -s smtp://127.0.0.1:{inbound_port} --mail-from aigul@example.kz --mail-rcpt centre@gov.test -T mail.txt

4. Read the citizen's mailbox: mail 1 is the acknowledgement, 2 the operator's answer, …
   curl -s -u citizen:{PASSWORD} 'imap://127.0.0.1:{imap}/INBOX;UID=1'
   (or IMAP 127.0.0.1:{imap}, user citizen, password {PASSWORD}, in any mail program). To answer
   it, send a mail as in 3 with 'In-Reply-To: <the Message-ID of the answer>': it joins the appeal.
"#
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping the sandbox");
    Ok(())
}
