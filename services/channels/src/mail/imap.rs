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

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{
    AttributeValue, MailboxDatum, MessageSection, Response, ResponseCode, SectionPath, Status,
};
use async_imap::types::UnsolicitedResponse;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use crate::{ChannelError, ChannelResult};

/// RFC 2177 asks clients to end and re-issue IDLE within 29 minutes, or the server may log them
/// off; a longer `wait` is cut to this.
const MAX_IDLE: Duration = Duration::from_secs(25 * 60);

/// The longest UID set put into one command. Dovecot reads lines of up to 64 KiB, but some
/// servers stop at 8 KiB; longer sets are sent as several commands.
const MAX_SET_LEN: usize = 4000;

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

/// The stream under the session: plain TCP, or TLS over TCP. One type for both, so one
/// `Session` type serves every [`Security`].
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stream::Plain(_) => "Stream::Plain",
            Stream::Tls(_) => "Stream::Tls",
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

type Session = async_imap::Session<Stream>;

/// Why a command failed: the connection is gone (dropped with it), or the server said NO/BAD
/// (the session stays usable).
enum Failure {
    Lost(String),
    Refused(String),
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
        let tcp = timeout(t, TcpStream::connect((host, config.port)))
            .await
            .map_err(|_| transport(format!("connecting to {address}: no answer within {t:?}")))?
            .map_err(|e| transport(format!("connecting to {address}: {e}")))?;
        // Commands are short lines answered one by one; Nagle would only delay them.
        let _ = tcp.set_nodelay(true);

        let stream = match config.security {
            Security::Tls => Stream::Tls(Box::new(tls(host, tcp, t).await?)),
            Security::Plain | Security::StartTls => Stream::Plain(tcp),
        };
        let mut client = async_imap::Client::new(stream);
        greeting(&mut client, &address, t).await?;
        if config.security == Security::StartTls {
            match timeout(t, client.run_command_and_check_ok("STARTTLS", None)).await {
                Err(_) => return Err(transport(format!("{address}: STARTTLS unanswered"))),
                Ok(Err(e)) => return Err(transport(format!("{address}: STARTTLS failed: {e}"))),
                Ok(Ok(())) => {}
            }
            let tcp = match client.into_inner() {
                Stream::Plain(tcp) => tcp,
                Stream::Tls(_) => return Err(transport("STARTTLS on a TLS stream".into())),
            };
            // No greeting follows STARTTLS: the client goes straight on to login.
            client = async_imap::Client::new(Stream::Tls(Box::new(tls(host, tcp, t).await?)));
        }

        let login = timeout(
            t,
            client.login_with_capabilities(config.login.as_str(), config.password.as_str()),
        )
        .await
        .map_err(|_| transport(format!("{address}: login unanswered within {t:?}")))?;
        let (mut session, capabilities) = match login {
            Ok(ok) => ok,
            Err((e, _client)) => return Err(login_error(&address, e)),
        };
        let can_idle = match capabilities {
            Some(c) => c.has_str("IDLE"),
            None => timeout(t, session.capabilities())
                .await
                .map_err(|_| transport(format!("{address}: CAPABILITY unanswered")))?
                .map_err(|e| transport(format!("{address}: CAPABILITY: {e}")))?
                .has_str("IDLE"),
        };

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

        let t = self.timeout;
        let session = self.session.take().ok_or_else(closed)?;
        let mut handle = session.idle();
        match timeout(t, handle.init()).await {
            Err(_) => return Err(transport(format!("IDLE unanswered within {t:?}"))),
            Ok(Err(e)) => return Err(transport(format!("IDLE: {e}"))),
            Ok(Ok(())) => {}
        }
        let deadline = Instant::now() + wait;
        let mut changed = false;
        loop {
            // The crate's own timer restarts with every "* OK Still here" of the server; the
            // deadline is kept here.
            let (next, _interrupt) = handle.wait_with_timeout(wait);
            tokio::select! {
                answer = next => match answer {
                    Ok(IdleResponse::NewData(data)) => match data.parsed() {
                        Response::MailboxData(MailboxDatum::Exists(_))
                        | Response::MailboxData(MailboxDatum::Recent(_)) => {
                            changed = true;
                            break;
                        }
                        Response::Data { status: Status::Bye, outcome } => {
                            let why = outcome.information.as_deref().unwrap_or("").to_owned();
                            return Err(transport(format!("server ended the session: {why}")));
                        }
                        // Flags or expunges from other clients: keep waiting.
                        _ => continue,
                    },
                    Ok(IdleResponse::Timeout) => break,
                    // `_interrupt` is never used, so this is the end of the stream.
                    Ok(IdleResponse::ManualInterrupt) => {
                        return Err(transport("connection closed during IDLE".into()));
                    }
                    Err(e) => return Err(transport(format!("during IDLE: {e}"))),
                },
                _ = tokio::time::sleep_until(deadline) => break,
                _ = &mut stop => break,
            }
        }
        let session = match timeout(t, handle.done()).await {
            Err(_) => return Err(transport(format!("DONE unanswered within {t:?}"))),
            Ok(Err(e)) => return Err(transport(format!("ending IDLE: {e}"))),
            Ok(Ok(session)) => session,
        };
        // What arrived while DONE was under way went to the crate's channel.
        while let Ok(notice) = session.unsolicited_responses.try_recv() {
            if matches!(
                notice,
                UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
            ) {
                changed = true;
            }
        }
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

    /// SELECT of the configured folder.
    async fn select(&mut self) -> ChannelResult<Folder> {
        let command = format!("SELECT {}", quote_mailbox(&self.folder));
        let (mut exists, mut uid_validity, mut uid_next) = (0, None, None);
        self.run(&command, |r| match r {
            Response::MailboxData(MailboxDatum::Exists(n)) => exists = *n,
            Response::Data {
                status: Status::Ok,
                outcome,
            } => match outcome.code {
                Some(ResponseCode::UidValidity(v)) => uid_validity = Some(v),
                Some(ResponseCode::UidNext(n)) => uid_next = Some(n),
                _ => {}
            },
            _ => {}
        })
        .await
        .map_err(|e| match e {
            ChannelError::Transport(m) => ChannelError::Transport(m.replacen(
                "imap: ",
                &format!("imap: folder {:?}: ", self.folder),
                1,
            )),
            other => other,
        })?;
        // Announcements during SELECT describe what the first fetch will find anyway.
        self.news = false;
        let uid_validity = uid_validity.ok_or_else(|| {
            transport(format!(
                "folder {:?}: the server reported no UIDVALIDITY",
                self.folder
            ))
        })?;
        Ok(Folder {
            uid_validity,
            uid_next,
            exists,
        })
    }

    /// `UID SEARCH <criteria>`: the UIDs found, ascending.
    ///
    /// A search covers the messages the session has been told of. Mail that arrived since is
    /// announced (EXISTS) only at the end of the command's answer, so the search is run once
    /// more when that happens: a polling caller sees new mail on its first fetch after it.
    async fn search(&mut self, criteria: &str) -> ChannelResult<Vec<u32>> {
        let command = format!("UID SEARCH {criteria}");
        let mut uids = Vec::new();
        for _ in 0..2 {
            self.news = false;
            uids.clear();
            self.run(&command, |r| {
                if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                    uids.extend_from_slice(found);
                }
            })
            .await?;
            if !self.news {
                break;
            }
        }
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Fetches sorted, distinct UIDs: size and header of all, then the whole of those within
    /// `max_size`.
    async fn fetch_sorted(&mut self, uids: &[u32], max_size: u32) -> ChannelResult<Vec<Fetched>> {
        let mut found: Vec<Fetched> = Vec::with_capacity(uids.len());
        for set in uid_sets(uids) {
            let command = format!("UID FETCH {set} (UID RFC822.SIZE BODY.PEEK[HEADER])");
            self.run(&command, |r| {
                let Some(part) = fetch_parts(r) else { return };
                // The server may add FETCH answers of its own (flag changes): keep ours.
                if uids.binary_search(&part.uid).is_ok() {
                    found.push(Fetched {
                        uid: part.uid,
                        size: part.size.unwrap_or(0),
                        raw: None,
                        header: part.header.unwrap_or_default(),
                    });
                }
            })
            .await?;
        }
        found.sort_by_key(|f| f.uid);
        found.dedup_by_key(|f| f.uid);

        let whole: Vec<u32> = found
            .iter()
            .filter(|f| f.size <= max_size)
            .map(|f| f.uid)
            .collect();
        for set in uid_sets(&whole) {
            let command = format!("UID FETCH {set} (UID BODY.PEEK[])");
            let mut bodies = Vec::new();
            self.run(&command, |r| {
                if let Some(FetchParts {
                    uid,
                    raw: Some(raw),
                    ..
                }) = fetch_parts(r)
                {
                    bodies.push((uid, raw));
                }
            })
            .await?;
            for (uid, raw) in bodies {
                if let Ok(i) = found.binary_search_by_key(&uid, |f| f.uid) {
                    if found[i].size <= max_size {
                        found[i].raw = Some(raw);
                    }
                }
            }
        }
        // A message expunged between the two commands has a header but no body: it is gone,
        // so it is left out rather than reported as too large.
        found.retain(|f| f.size > max_size || f.raw.is_some());
        Ok(found)
    }

    /// The live session, or the transport error that ended it.
    fn session(&mut self) -> ChannelResult<&mut Session> {
        self.session.as_mut().ok_or_else(closed)
    }

    /// Runs one command, hands every untagged answer to `each` and waits for the command's own
    /// tagged reply. NO/BAD is a transport error that leaves the session usable; a closed
    /// connection, an I/O error or a server silent for longer than the timeout drops the
    /// session, so every later call fails at once and the caller reconnects.
    async fn run(
        &mut self,
        command: &str,
        mut each: impl FnMut(&Response<'_>) + Send,
    ) -> ChannelResult<()> {
        let t = self.timeout;
        let verb = verb(command);
        let session = self.session.as_mut().ok_or_else(closed)?;
        let news = &mut self.news;
        let outcome = exchange(session, command, t, &mut |r: &Response<'_>| {
            if let Response::MailboxData(MailboxDatum::Exists(_) | MailboxDatum::Recent(_)) = r {
                *news = true;
            }
            each(r);
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Failure::Refused(why)) => Err(transport(format!("{verb} refused: {why}"))),
            Err(Failure::Lost(why)) => {
                self.session = None;
                Err(transport(format!("{verb}: {why}")))
            }
        }
    }
}

/// Sends `command` and reads up to its tagged reply.
async fn exchange(
    session: &mut Session,
    command: &str,
    t: Duration,
    each: &mut (dyn FnMut(&Response<'_>) + Send),
) -> Result<(), Failure> {
    let tag = match timeout(t, session.run_command(command)).await {
        Err(_) => return Err(Failure::Lost(format!("could not send within {t:?}"))),
        Ok(Err(e)) => return Err(Failure::Lost(e.to_string())),
        Ok(Ok(tag)) => tag,
    };
    let mut bye = None;
    loop {
        let answer = match timeout(t, session.read_response()).await {
            Err(_) => return Err(Failure::Lost(format!("no answer within {t:?}"))),
            Ok(Err(e)) => return Err(Failure::Lost(e.to_string())),
            Ok(Ok(None)) => {
                return Err(Failure::Lost(match bye {
                    Some(why) => format!("the server closed the connection: {why}"),
                    None => "the server closed the connection".to_owned(),
                }))
            }
            Ok(Ok(Some(answer))) => answer,
        };
        match answer.parsed() {
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => {
                let why = outcome.information.as_deref().unwrap_or("").to_owned();
                return match status {
                    Status::Ok => Ok(()),
                    Status::No | Status::Bad => Err(Failure::Refused(why)),
                    _ => Err(Failure::Lost(format!("unexpected reply {status:?} {why}"))),
                };
            }
            Response::Data {
                status: Status::Bye,
                outcome,
            } => bye = Some(outcome.information.as_deref().unwrap_or("").to_owned()),
            other => each(other),
        }
    }
}

/// The fields of one FETCH answer this module asks for.
struct FetchParts {
    uid: u32,
    size: Option<u32>,
    header: Option<Vec<u8>>,
    raw: Option<Vec<u8>>,
}

/// Reads a FETCH answer; None for anything else, or a FETCH without UID (not ours).
fn fetch_parts(response: &Response<'_>) -> Option<FetchParts> {
    let Response::Fetch(_, attributes) = response else {
        return None;
    };
    let mut parts = FetchParts {
        uid: 0,
        size: None,
        header: None,
        raw: None,
    };
    for attribute in attributes {
        match attribute {
            AttributeValue::Uid(uid) => parts.uid = *uid,
            AttributeValue::Rfc822Size(size) => parts.size = Some(*size),
            AttributeValue::BodySection {
                section: Some(SectionPath::Full(MessageSection::Header)),
                data,
                ..
            }
            | AttributeValue::Rfc822Header(data) => {
                parts.header = Some(data.as_deref().unwrap_or_default().to_vec());
            }
            AttributeValue::BodySection {
                section: None,
                data,
                ..
            }
            | AttributeValue::Rfc822(data) => {
                parts.raw = Some(data.as_deref().unwrap_or_default().to_vec());
            }
            _ => {}
        }
    }
    (parts.uid != 0).then_some(parts)
}

/// Reads the greeting: `* OK` goes on, `* BYE` (server busy, address refused) is an error.
async fn greeting(
    client: &mut async_imap::Client<Stream>,
    address: &str,
    t: Duration,
) -> ChannelResult<()> {
    let answer = timeout(t, client.read_response())
        .await
        .map_err(|_| transport(format!("{address}: no greeting within {t:?}")))?
        .map_err(|e| transport(format!("{address}: reading the greeting: {e}")))?
        .ok_or_else(|| transport(format!("{address}: closed before the greeting")))?;
    match answer.parsed() {
        Response::Data {
            status: Status::Ok, ..
        } => Ok(()),
        Response::Data { status, outcome } => Err(transport(format!(
            "{address}: greeted with {status:?} {}",
            outcome.information.as_deref().unwrap_or("")
        ))),
        _ => Err(transport(format!("{address}: not an IMAP greeting"))),
    }
}

/// Maps a failed LOGIN: a NO or BAD is the server refusing these credentials, except a NO
/// marked UNAVAILABLE (RFC 5530: the authentication backend is down, worth retrying).
fn login_error(address: &str, e: async_imap::error::Error) -> ChannelError {
    use async_imap::error::Error;
    match e {
        Error::No(why) if why.to_ascii_uppercase().contains("UNAVAILABLE") => {
            transport(format!("{address}: login temporarily impossible: {why}"))
        }
        Error::No(why) | Error::Bad(why) => {
            ChannelError::Rejected(format!("login refused by {address}: {}", server_text(&why)))
        }
        Error::Validate(_) => ChannelError::Config(
            "imap login or password contains a line break, which IMAP cannot send".into(),
        ),
        other => transport(format!("{address}: login: {other}")),
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

/// The TLS handshake, verifying the server's certificate for `host` against the webpki roots.
async fn tls(host: &str, tcp: TcpStream, t: Duration) -> ChannelResult<TlsStream<TcpStream>> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let roots: RootCertStore = webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect();
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ChannelError::Config(format!("tls: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| ChannelError::Config(format!("imap host {host:?} for TLS: {e}")))?;
    timeout(t, TlsConnector::from(Arc::new(config)).connect(name, tcp))
        .await
        .map_err(|_| transport(format!("{host}: TLS handshake unanswered within {t:?}")))?
        .map_err(|e| transport(format!("{host}: TLS: {e}")))
}

/// The server's own words from async-imap's rendering of a NO/BAD
/// (`code: …, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")`).
fn server_text(why: &str) -> String {
    why.split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .map(|text| text.replace("\\\"", "\""))
        .unwrap_or_else(|| why.to_owned())
}

fn transport(why: String) -> ChannelError {
    ChannelError::Transport(format!("imap: {why}"))
}

fn closed() -> ChannelError {
    transport("the connection was lost earlier; connect again".into())
}

/// The command's name for error messages (`UID FETCH`, `SELECT`), never its arguments.
fn verb(command: &str) -> String {
    let mut words = command.split(' ');
    match words.next() {
        Some("UID") => format!("UID {}", words.next().unwrap_or("")),
        Some(word) => word.to_owned(),
        None => String::new(),
    }
}

/// Sorted, distinct UIDs as compact sets (`1:5,7,9:12`), split so no set exceeds
/// [`MAX_SET_LEN`].
fn uid_sets(uids: &[u32]) -> Vec<String> {
    let mut sets = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < uids.len() {
        let first = uids[i];
        let mut last = first;
        while i + 1 < uids.len() && uids[i + 1] == last.wrapping_add(1) {
            i += 1;
            last = uids[i];
        }
        i += 1;
        let range = if first == last {
            first.to_string()
        } else {
            format!("{first}:{last}")
        };
        if !current.is_empty() && current.len() + 1 + range.len() > MAX_SET_LEN {
            sets.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(',');
        }
        current.push_str(&range);
    }
    if !current.is_empty() {
        sets.push(current);
    }
    sets
}

/// A mailbox name as an IMAP quoted string; non-ASCII names in modified UTF-7 (RFC 3501
/// §5.1.3), so a folder named `Кіріс` is found.
fn quote_mailbox(name: &str) -> String {
    let encoded = if name.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_owned()
    } else {
        utf7_imap(name)
    };
    let mut quoted = String::with_capacity(encoded.len() + 2);
    quoted.push('"');
    for c in encoded.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Modified UTF-7: printable ASCII as is (`&` as `&-`), runs of anything else as UTF-16 in
/// base64 with `,` for `/`, between `&` and `-`.
fn utf7_imap(name: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    fn flush(out: &mut String, run: &mut Vec<u16>) {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let digits = chunk.len() + 1;
            for k in 0..digits {
                let index = (n >> (18 - 6 * k)) & 0x3f;
                out.push(char::from(ALPHABET[index as usize]));
            }
        }
        out.push('-');
        run.clear();
    }
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut run);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_sets(&[]), Vec::<String>::new());
        assert_eq!(uid_sets(&[7]), vec!["7"]);
        assert_eq!(
            uid_sets(&[1, 2, 3, 4, 5, 7, 9, 10, 11, 12]),
            vec!["1:5,7,9:12"]
        );
        assert_eq!(
            uid_sets(&[u32::MAX - 1, u32::MAX]),
            vec!["4294967294:4294967295"]
        );
    }

    #[test]
    fn long_uid_sets_are_split() {
        let uids: Vec<u32> = (1..20_000).step_by(2).collect();
        let sets = uid_sets(&uids);
        assert!(sets.len() > 1);
        assert!(sets.iter().all(|s| s.len() <= MAX_SET_LEN));
        let back: Vec<u32> = sets
            .iter()
            .flat_map(|s| s.split(','))
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(back, uids);
    }

    #[test]
    fn mailbox_names_are_quoted_and_encoded() {
        assert_eq!(quote_mailbox("INBOX"), "\"INBOX\"");
        assert_eq!(quote_mailbox("inbox"), "\"INBOX\"");
        assert_eq!(quote_mailbox("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote_mailbox("R&D"), "\"R&-D\"");
        // RFC 3501 §5.1.3's example, and a Kazakh name.
        assert_eq!(
            utf7_imap("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(utf7_imap("Кіріс"), "&BBoEVgRABFYEQQ-");
    }

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

    #[test]
    fn server_words_are_kept() {
        assert_eq!(
            server_text(
                r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#
            ),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
        assert_eq!(server_text("odd"), "odd");
    }

    #[test]
    fn verbs_hide_arguments() {
        assert_eq!(verb("UID FETCH 1:5 (UID)"), "UID FETCH");
        assert_eq!(verb("SELECT \"INBOX\""), "SELECT");
    }
}
