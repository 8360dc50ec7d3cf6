//! SELECT of the configured folder, read into a [`Folder`].

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};

use super::mailbox_name::quote_mailbox;
use super::{transport, Folder, Imap};
use crate::{ChannelError, ChannelResult};

impl Imap {
    /// SELECT of the configured folder.
    pub(super) async fn select(&mut self) -> ChannelResult<Folder> {
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
}
