//! E-mail out over SMTP.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{ChannelError, ChannelResult};

/// Where a mail sits in its thread; ids with their angle brackets.
#[derive(Debug, Clone, Copy)]
pub struct Threading<'a> {
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
}

/// An SMTP relay and the sender address mail goes out from.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    // The transport holds the relay's credentials: only the sender is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// `url` as lettre reads it: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS from the start).
    pub fn new(url: &str, from: &str) -> ChannelResult<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| ChannelError::Config(format!("smtp url: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| ChannelError::Config(format!("mail from {from:?}: {e}")))?;
        Ok(Mailer { transport, from })
    }

    /// The domain of the sender address: the right-hand side of the `Message-ID`s we make, so
    /// they are unique to this centre.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    /// Sends a plain-text message (UTF-8; Kazakh and Russian as they are).
    pub async fn send_text(&self, to: &str, subject: &str, body: &str) -> ChannelResult<()> {
        self.send(to, subject, body, None).await
    }

    /// Sends a plain-text message; with `thread`, as a mail of that thread: our `Message-ID`,
    /// and `In-Reply-To` / `References` so the citizen's mail program files the reply under
    /// the mail it answers (RFC 5322 §3.6.4).
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        thread: Option<Threading<'_>>,
    ) -> ChannelResult<()> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|_| ChannelError::Address(to.to_owned()))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        if let Some(t) = thread {
            builder = builder.message_id(Some(t.message_id.to_owned()));
            if let Some(parent) = t.in_reply_to {
                builder = builder.in_reply_to(parent.to_owned());
            }
            if !t.references.is_empty() {
                builder = builder.references(t.references.join(" "));
            }
        }
        let message = builder
            .body(body.to_owned())
            .map_err(|e| ChannelError::Config(format!("message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(ChannelError::Rejected(e.to_string())),
            Err(e) => Err(ChannelError::Transport(e.to_string())),
        }
    }
}
