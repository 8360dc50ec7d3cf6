//! One way out for every channel: each sender takes an [`Outgoing`] message and delivers it on
//! its channel. The outbox worker holds the senders configured on this node by the delivery
//! method they serve, so a new channel (a Telegram bot, a voice callback) plugs in as one more
//! sender, not as another branch of the worker.

use baylanys_domain::DeliveryVia;

use crate::email::Threading;
use crate::{ChannelError, ChannelResult, Mailer, SmsGateway, WebhookSender};

/// What leaves the centre, whatever the channel; each sender reads what its channel needs.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The delivery's own id: the idempotency key a receiver may deduplicate on.
    pub id: &'a str,
    /// An e-mail address, a phone number, a webhook URL.
    pub address: &'a str,
    pub subject: Option<&'a str>,
    /// The text, or a webhook's JSON document.
    pub body: &'a str,
    /// A mail's place in its thread.
    pub thread: Option<Threading<'a>>,
    /// The secret a webhook is signed with.
    pub secret: Option<&'a str>,
    /// Buttons under the message, rows of (label, data), where the channel has them.
    pub buttons: &'a [Vec<(String, String)>],
}

/// A channel's sender.
#[async_trait::async_trait]
pub trait Sender: Send + Sync + std::fmt::Debug {
    /// The delivery method it serves.
    fn via(&self) -> DeliveryVia;
    async fn send(&self, out: &Outgoing<'_>) -> ChannelResult<()>;
}

#[async_trait::async_trait]
impl Sender for Mailer {
    fn via(&self) -> DeliveryVia {
        DeliveryVia::Email
    }

    async fn send(&self, out: &Outgoing<'_>) -> ChannelResult<()> {
        let subject = out.subject.unwrap_or("Baylanys");
        Mailer::send(self, out.address, subject, out.body, out.thread).await
    }
}

#[async_trait::async_trait]
impl Sender for SmsGateway {
    fn via(&self) -> DeliveryVia {
        DeliveryVia::Sms
    }

    async fn send(&self, out: &Outgoing<'_>) -> ChannelResult<()> {
        SmsGateway::send(self, out.address, out.body)
            .await
            .map(|_| ())
    }
}

#[async_trait::async_trait]
impl Sender for WebhookSender {
    fn via(&self) -> DeliveryVia {
        DeliveryVia::Webhook
    }

    /// Signed (Standard Webhooks) with the body's secret, the delivery's id as `webhook-id`.
    async fn send(&self, out: &Outgoing<'_>) -> ChannelResult<()> {
        let secret = out.secret.ok_or_else(|| {
            ChannelError::Config("the body has no webhook secret; issue one".into())
        })?;
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.post(out.address, secret, out.id, at, out.body).await
    }
}
