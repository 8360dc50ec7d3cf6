//! A mailbox read over IMAP (RFC 3501, IDLE from RFC 2177) with async-imap on tokio: what the
//! mailbox poller needs and nothing more. It connects (plain, STARTTLS or TLS with rustls, ring
//! and the webpki roots), logs in, SELECTs one folder and then fetches by UID, marks mail
//! `\Seen` once the centre has stored it (persist before acknowledge), and waits for new mail
//! with IDLE, or by sleeping where the server cannot IDLE.
//!
//! async-imap's typed helpers (`uid_fetch`, `uid_search`, `uid_store`, `select`) take the end of
//! the stream for the end of the answer: a connection that drops mid-command reads as "no
//! messages", and a tagged NO is not reported. So every command here goes through
//! [`Imap::run`], which reads until its own tagged reply and turns a NO/BAD, a closed
//! connection or a timeout into an error. Only the login, STARTTLS and IDLE machinery of the
//! crate are used as they are.

mod command;
mod fetch;
mod idle;
mod login;
mod mailbox_name;
mod select;
mod stream;
mod uid_set;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::timeout;

use self::idle::MAX_IDLE;
use self::stream::Session;
use self::uid_set::uid_sets;
use crate::{ChannelError, ChannelResult};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all: only for a server on the same host or a test server, since the password
    /// crosses the wire in clear.
    Plain,
    /// A plain connection upgraded with the `STARTTLS` command before login (port 143).
    StartTls,
    /// TLS from the first byte (port 993).
    Tls,
}

impl Security {
    /// The name used in configuration: `plain`, `starttls` or `tls`.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Plain => "plain",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }

    /// Reads the configuration name back (case and surrounding blanks do not matter); anything
    /// else is a configuration error naming the accepted values.
    pub fn parse(name: &str) -> ChannelResult<Security> {
        match name.trim().to_ascii_lowercase().as_str() {
            "plain" => Ok(Security::Plain),
            "starttls" => Ok(Security::StartTls),
            "tls" => Ok(Security::Tls),
            _ => Err(ChannelError::Config(format!(
                "imap security {name:?}: expected plain, starttls or tls"
            ))),
        }
    }
}

/// One mailbox to read: where the server is, how to reach it and which folder holds the mail.
#[derive(Clone)]
pub struct ImapConfig {
    /// The server's host name (also the name its TLS certificate must carry) or address.
    pub host: String,
    /// The TCP port: usually 993 for [`Security::Tls`], 143 otherwise.
    pub port: u16,
    /// How the connection is secured.
    pub security: Security,
    /// The IMAP login name.
    pub login: String,
    /// The IMAP password; never shown by `Debug`.
    pub password: String,
    /// The folder read, usually `INBOX`; other names may be non-ASCII (sent in modified UTF-7).
    pub folder: String,
    /// How long to wait for the TCP and TLS connection, and for each answer of the server,
    /// before the connection is given up as dead. One answer can be one whole message: allow
    /// for the largest one fetched (`max_size`) at the link's speed.
    pub timeout: Duration,
}

impl fmt::Debug for ImapConfig {
    // The password stays out of logs and panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .field("folder", &self.folder)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Refuses a configuration that cannot work before a connection is tried.
fn check_config(config: &ImapConfig) -> ChannelResult<()> {
    if config.host.trim().is_empty() {
        return Err(ChannelError::Config("imap host is empty".into()));
    }
    if config.port == 0 {
        return Err(ChannelError::Config("imap port is 0".into()));
    }
    if config.timeout.is_zero() {
        return Err(ChannelError::Config("imap timeout is zero".into()));
    }
    if config.folder.is_empty() || config.folder.contains(['\r', '\n', '\0']) {
        return Err(ChannelError::Config(format!(
            "imap folder {:?} is not a folder name",
            config.folder
        )));
    }
    for (what, value) in [("login", &config.login), ("password", &config.password)] {
        if value.contains(['\r', '\n', '\0']) {
            return Err(ChannelError::Config(format!(
                "imap {what} contains a line break, which IMAP cannot send"
            )));
        }
    }
    Ok(())
}

/// The selected folder, as SELECT reported it. Mail is identified by `uid_validity` and UID:
/// when `uid_validity` changes, every UID stored before means nothing any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folder {
    /// UIDVALIDITY: changes when the server renumbers the folder (restored backup, rebuilt index).
    pub uid_validity: u32,
    /// UIDNEXT: the UID the next message will get at least, when the server says.
    pub uid_next: Option<u32>,
    /// How many messages the folder holds.
    pub exists: u32,
}

/// One fetched message.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its UID in the selected folder (with the folder's UIDVALIDITY, its identity).
    pub uid: u32,
    /// Its size in bytes (RFC822.SIZE), as the server counts it.
    pub size: u32,
    /// The whole message, or None when it is larger than the limit given (then only `header`
    /// is fetched, so the centre can still tell the sender the mail was too large).
    pub raw: Option<Vec<u8>>,
    /// The header block, always fetched.
    pub header: Vec<u8>,
}

/// A logged-in IMAP session with one folder selected.
pub struct Imap {
    /// None once the connection failed (or during IDLE): every later call is a transport
    /// error, so the caller reconnects.
    session: Option<Session>,
    host: String,
    folder: String,
    timeout: Duration,
    can_idle: bool,
    /// The server announced mail (EXISTS/RECENT) since the last UID search: the next
    /// [`Imap::idle`] returns at once instead of waiting for a notice already spent.
    news: bool,
}

impl fmt::Debug for Imap {
    // The session holds nothing worth showing; the login stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Imap")
            .field("host", &self.host)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

impl Imap {
    /// Connects (TCP, then TLS per `security`: rustls with ring and the webpki roots; StartTls
    /// through the STARTTLS command before login), logs in and SELECTs the folder — not
    /// EXAMINE, since the centre sets `\Seen` on what it has stored. Call
    /// [`Imap::fetch_after`] next: mail that arrived before the connection raises no IDLE
    /// notice.
    ///
    /// A refused login is [`ChannelError::Rejected`] (a wrong password: retrying soon will not
    /// help); an unreachable, silent or misbehaving server is [`ChannelError::Transport`];
    /// a configuration IMAP cannot even express is [`ChannelError::Config`].
    pub async fn connect(config: &ImapConfig) -> ChannelResult<(Imap, Folder)> {
        check_config(config)?;
        let t = config.timeout;
        let host = config.host.trim();
        let address = format!("{host}:{}", config.port);
        let client = stream::open(host, config.port, config.security, &address, t).await?;
        let (session, can_idle) = login::login(client, config, &address, t).await?;

        let mut imap = Imap {
            session: Some(session),
            host: host.to_owned(),
            folder: config.folder.clone(),
            timeout: t,
            can_idle,
            news: false,
        };
        let folder = imap.select().await?;
        Ok((imap, folder))
    }

    /// Whether the server announced IDLE (capability): without it [`Imap::idle`] only sleeps,
    /// and the caller polls.
    pub fn can_idle(&self) -> bool {
        self.can_idle
    }

    /// The messages with UIDs above `after`, in ascending UID order, at most `limit` of them,
    /// each with its size and header and, when it is no larger than `max_size`, the whole
    /// message. Everything is fetched with BODY.PEEK, so fetching never sets `\Seen`: only
    /// [`Imap::mark_seen`] does, after the centre has stored the mail.
    ///
    /// The UIDs come from `UID SEARCH UID after+1:*`, filtered: `n:*` always takes in the last
    /// message, even when its UID is below `n`.
    pub async fn fetch_after(
        &mut self,
        after: u32,
        limit: usize,
        max_size: u32,
    ) -> ChannelResult<Vec<Fetched>> {
        if limit == 0 || after == u32::MAX {
            return Ok(Vec::new());
        }
        let mut uids = self.search(&format!("UID {}:*", after + 1)).await?;
        uids.retain(|&u| u > after);
        uids.truncate(limit);
        self.fetch_sorted(&uids, max_size).await
    }

    /// The UIDs of the messages without `\Seen`, ascending: after a UIDVALIDITY change these
    /// are the mail the centre may not have stored yet.
    pub async fn unseen(&mut self) -> ChannelResult<Vec<u32>> {
        self.search("UNSEEN").await
    }

    /// Fetches these UIDs as [`Imap::fetch_after`] does, in ascending UID order; UIDs the
    /// folder no longer holds are left out.
    pub async fn fetch_uids(&mut self, uids: &[u32], max_size: u32) -> ChannelResult<Vec<Fetched>> {
        let mut uids = uids.to_vec();
        uids.sort_unstable();
        uids.dedup();
        uids.retain(|&u| u > 0);
        self.fetch_sorted(&uids, max_size).await
    }

    /// Sets `\Seen` on these UIDs (`UID STORE … +FLAGS.SILENT (\Seen)`), in compact sets such
    /// as `1:5,7,9:12`: the acknowledgement that the centre has stored them.
    pub async fn mark_seen(&mut self, uids: &[u32]) -> ChannelResult<()> {
        let mut uids = uids.to_vec();
        uids.sort_unstable();
        uids.dedup();
        uids.retain(|&u| u > 0);
        for set in uid_sets(&uids) {
            self.run(&format!("UID STORE {set} +FLAGS.SILENT (\\Seen)"), |_| {})
                .await?;
        }
        Ok(())
    }

    /// IDLEs until the server reports new mail (EXISTS/RECENT), `wait` passes (at most 25
    /// minutes, RFC 2177) or `stop` resolves, then ends the IDLE with DONE so the session stays
    /// usable. Returns whether the server reported something; true at once when it already did
    /// during an earlier command since the last [`Imap::fetch_after`]. Flag changes and expunges by
    /// other clients do not end the wait.
    ///
    /// When the server cannot IDLE, sleeps `wait` (or until `stop`) and returns false: the
    /// caller fetches after it anyway (polling).
    pub async fn idle(
        &mut self,
        wait: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> ChannelResult<bool> {
        let wait = wait.min(MAX_IDLE);
        tokio::pin!(stop);
        if self.news {
            self.news = false;
            return Ok(true);
        }
        if !self.can_idle {
            self.session()?;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = &mut stop => {}
            }
            return Ok(false);
        }

        let session = self.session.take().ok_or_else(closed)?;
        let (session, changed) = idle::idle_once(session, wait, self.timeout, stop).await?;
        self.session = Some(session);
        Ok(changed)
    }

    /// NOOP: keeps a polled connection alive and lets the server announce new mail (noted for
    /// the next [`Imap::idle`]).
    pub async fn noop(&mut self) -> ChannelResult<()> {
        self.run("NOOP", |_| {}).await
    }

    /// LOGOUT, ignoring errors: the connection is closed either way.
    pub async fn logout(mut self) {
        if let Some(mut session) = self.session.take() {
            let _ = timeout(self.timeout, session.logout()).await;
        }
    }

    /// The live session, or the transport error that ended it.
    fn session(&mut self) -> ChannelResult<&mut Session> {
        self.session.as_mut().ok_or_else(closed)
    }
}

fn transport(why: String) -> ChannelError {
    ChannelError::Transport(format!("imap: {why}"))
}

fn closed() -> ChannelError {
    transport("the connection was lost earlier; connect again".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_names_round_trip() {
        for s in [Security::Plain, Security::StartTls, Security::Tls] {
            assert_eq!(Security::parse(s.as_str()).ok(), Some(s));
        }
        assert_eq!(Security::parse(" STARTTLS ").ok(), Some(Security::StartTls));
        assert!(matches!(
            Security::parse("ssl"),
            Err(ChannelError::Config(_))
        ));
    }

    #[test]
    fn debug_hides_the_password() {
        let config = ImapConfig {
            host: "imap.example.kz".into(),
            port: 993,
            security: Security::Tls,
            login: "centre".into(),
            password: "hunter2".into(),
            folder: "INBOX".into(),
            timeout: Duration::from_secs(30),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("imap.example.kz"));
    }

    #[test]
    fn bad_configuration_is_refused_before_connecting() {
        let config = ImapConfig {
            host: "imap.example.kz".into(),
            port: 993,
            security: Security::Tls,
            login: "centre".into(),
            password: "a\r\nb".into(),
            folder: "INBOX".into(),
            timeout: Duration::from_secs(30),
        };
        assert!(matches!(
            check_config(&config),
            Err(ChannelError::Config(_))
        ));
    }
}
