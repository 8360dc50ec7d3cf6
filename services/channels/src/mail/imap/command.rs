//! The own command loop: every command goes through [`Imap::run`], which reads up to the
//! command's tagged reply and turns a NO/BAD, a closed connection or a timeout into an error
//! (async-imap's typed helpers take the end of the stream for the end of the answer).

use std::time::Duration;

use async_imap::imap_proto::{MailboxDatum, Response, Status};
use tokio::time::timeout;

use super::stream::Session;
use super::{closed, transport, Imap};
use crate::ChannelResult;

/// Why a command failed: the connection is gone (dropped with it), or the server said NO/BAD
/// (the session stays usable).
enum Failure {
    Lost(String),
    Refused(String),
}

impl Imap {
    /// Runs one command, hands every untagged answer to `each` and waits for the command's own
    /// tagged reply. NO/BAD is a transport error that leaves the session usable; a closed
    /// connection, an I/O error or a server silent for longer than the timeout drops the
    /// session, so every later call fails at once and the caller reconnects.
    pub(super) async fn run(
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

/// The command's name for error messages (`UID FETCH`, `SELECT`), never its arguments.
fn verb(command: &str) -> String {
    let mut words = command.split(' ');
    match words.next() {
        Some("UID") => format!("UID {}", words.next().unwrap_or("")),
        Some(word) => word.to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_hide_arguments() {
        assert_eq!(verb("UID FETCH 1:5 (UID)"), "UID FETCH");
        assert_eq!(verb("SELECT \"INBOX\""), "SELECT");
    }
}
