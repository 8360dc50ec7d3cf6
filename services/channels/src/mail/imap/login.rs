//! LOGIN, with async-imap's own machinery, and what the server can do once logged in.

use std::time::Duration;

use tokio::time::timeout;

use super::stream::{Session, Stream};
use super::{transport, ImapConfig};
use crate::{ChannelError, ChannelResult};

/// Logs in with the configured login and password and returns the session and whether the
/// server announced IDLE (from the capabilities sent with the login's answer, or asked for
/// with CAPABILITY when there were none).
pub(super) async fn login(
    client: async_imap::Client<Stream>,
    config: &ImapConfig,
    address: &str,
    t: Duration,
) -> ChannelResult<(Session, bool)> {
    let login = timeout(
        t,
        client.login_with_capabilities(config.login.as_str(), config.password.as_str()),
    )
    .await
    .map_err(|_| transport(format!("{address}: login unanswered within {t:?}")))?;
    let (mut session, capabilities) = match login {
        Ok(ok) => ok,
        Err((e, _client)) => return Err(login_error(address, e)),
    };
    let can_idle = match capabilities {
        Some(c) => c.has_str("IDLE"),
        None => timeout(t, session.capabilities())
            .await
            .map_err(|_| transport(format!("{address}: CAPABILITY unanswered")))?
            .map_err(|e| transport(format!("{address}: CAPABILITY: {e}")))?
            .has_str("IDLE"),
    };
    Ok((session, can_idle))
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

/// The server's own words from async-imap's rendering of a NO/BAD
/// (`code: …, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")`).
fn server_text(why: &str) -> String {
    why.split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .map(|text| text.replace("\\\"", "\""))
        .unwrap_or_else(|| why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
