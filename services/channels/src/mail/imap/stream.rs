//! The connection under the session: TCP, then TLS from the first byte or after STARTTLS
//! (rustls with ring and the webpki roots), up to the server's greeting.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::imap_proto::{Response, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::{transport, Security};
use crate::{ChannelError, ChannelResult};

/// The stream under the session: plain TCP, or TLS over TCP. One type for both, so one
/// `Session` type serves every [`Security`].
pub(super) enum Stream {
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

pub(super) type Session = async_imap::Session<Stream>;

/// Connects to `host:port` (`address` in error messages), secures the connection per
/// `security` and reads the greeting; StartTls upgrades with the STARTTLS command, after
/// which the client goes straight on to login. Every step waits at most `t`.
pub(super) async fn open(
    host: &str,
    port: u16,
    security: Security,
    address: &str,
    t: Duration,
) -> ChannelResult<async_imap::Client<Stream>> {
    let tcp = timeout(t, TcpStream::connect((host, port)))
        .await
        .map_err(|_| transport(format!("connecting to {address}: no answer within {t:?}")))?
        .map_err(|e| transport(format!("connecting to {address}: {e}")))?;
    // Commands are short lines answered one by one; Nagle would only delay them.
    let _ = tcp.set_nodelay(true);

    let stream = match security {
        Security::Tls => Stream::Tls(Box::new(tls(host, tcp, t).await?)),
        Security::Plain | Security::StartTls => Stream::Plain(tcp),
    };
    let mut client = async_imap::Client::new(stream);
    greeting(&mut client, address, t).await?;
    if security == Security::StartTls {
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
    Ok(client)
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
