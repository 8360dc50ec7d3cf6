//! IDLE (RFC 2177): waiting on the selected folder until the server announces new mail.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{MailboxDatum, Response, Status};
use async_imap::types::UnsolicitedResponse;
use tokio::time::{timeout, Instant};

use super::stream::Session;
use super::transport;
use crate::ChannelResult;

/// RFC 2177 asks clients to end and re-issue IDLE within 29 minutes, or the server may log them
/// off; a longer `wait` is cut to this.
pub(super) const MAX_IDLE: Duration = Duration::from_secs(25 * 60);

/// One IDLE on `session`: until the server reports new mail (EXISTS/RECENT), `wait` passes or
/// `stop` resolves, then DONE. Returns the session, usable again, and whether the server
/// reported something (also while DONE was under way); flag changes and expunges by other
/// clients do not end the wait. Each answer is awaited at most `t`; on an error the session is
/// dropped, so the caller reconnects.
pub(super) async fn idle_once(
    session: Session,
    wait: Duration,
    t: Duration,
    mut stop: Pin<&mut (impl Future<Output = ()> + Send)>,
) -> ChannelResult<(Session, bool)> {
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
    Ok((session, changed))
}
