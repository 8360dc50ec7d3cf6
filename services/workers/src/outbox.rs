//! The outbox worker: delivers what the store's outbox holds — notices to clients by e-mail or
//! SMS, redirected appeals to bodies by e-mail or signed webhook (R6, R30). A failed attempt is
//! retried with exponential back-off; a refusal, or the last attempt, gives up on that channel and
//! the store moves on to the client's next known one. Woken at once when something is written
//! on this node, and every few seconds for what other nodes wrote and for retries.

use std::sync::Arc;
use std::time::Duration;

use baylanys_channels::{
    ChannelError, Mailer, Outgoing, Sender, SmsGateway, Threading, WebhookSender,
};
use baylanys_domain::DeliveryVia;
use baylanys_store::{Delivery, Store, StoreResult};
use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::supervisor::{Next, StepError, Worker};

/// How hard the worker tries.
#[derive(Debug, Clone, Copy)]
pub struct OutboxSettings {
    /// The wait after the first failed attempt; it doubles after each, up to an hour.
    pub retry_base: Duration,
    /// Attempts per channel before giving up on it.
    pub max_attempts: u32,
    /// How often the outbox is looked at without a wake-up.
    pub poll: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            retry_base: Duration::from_secs(30),
            max_attempts: 8,
            poll: Duration::from_secs(5),
        }
    }
}

/// A worker that died mid-attempt leaves its claim; another takes it after this long.
const LEASE: Duration = Duration::from_secs(120);
const BATCH: u32 = 20;

pub struct OutboxWorker {
    store: Arc<dyn Store>,
    /// The senders configured on this node, one per delivery method.
    senders: Vec<Arc<dyn Sender>>,
    wake: Arc<Notify>,
    settings: OutboxSettings,
}

impl std::fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let via: Vec<&str> = self.senders.iter().map(|s| s.via().as_str()).collect();
        f.debug_struct("OutboxWorker")
            .field("senders", &via)
            .field("settings", &self.settings)
            .finish()
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxReport {
    pub sent: u32,
    pub failed: u32,
}

/// Under a [`Supervisor`](crate::Supervisor), a step is one pass; a full batch asks for the
/// next at once (more may be waiting), otherwise it comes on a wake-up or after the poll.
impl Worker for OutboxWorker {
    async fn step(&self) -> Result<Next, StepError> {
        let r = self.pass(baylanys_store::now()).await?;
        // A full batch may have left more; a sent message may have let the next one to its
        // chat go (a chat's messages leave one at a time).
        Ok(if r.sent + r.failed >= BATCH || r.sent > 0 {
            Next::Again
        } else {
            Next::Wait
        })
    }

    async fn idle(&self) {
        tokio::select! {
            _ = self.wake.notified() => {}
            _ = tokio::time::sleep(self.settings.poll) => {}
        }
    }
}

impl OutboxWorker {
    /// Its name under the supervisor, in `/readyz`.
    pub const NAME: &'static str = "outbox";

    pub fn new(
        store: Arc<dyn Store>,
        mailer: Option<Arc<Mailer>>,
        sms: Option<Arc<SmsGateway>>,
        wake: Arc<Notify>,
        settings: OutboxSettings,
    ) -> Result<Self, ChannelError> {
        let mut senders: Vec<Arc<dyn Sender>> = vec![Arc::new(WebhookSender::new()?)];
        if let Some(m) = mailer {
            senders.push(m);
        }
        if let Some(s) = sms {
            senders.push(s);
        }
        Ok(OutboxWorker {
            store,
            senders,
            wake,
            settings,
        })
    }

    /// Adds a channel's sender (Telegram's), replacing one of the same method.
    pub fn with_sender(mut self, sender: Arc<dyn Sender>) -> Self {
        self.senders.retain(|s| s.via() != sender.via());
        self.senders.push(sender);
        self
    }

    /// Claims what is due at `now` and tries each once.
    pub async fn pass(&self, now: DateTime<Utc>) -> StoreResult<OutboxReport> {
        let lease = chrono::Duration::from_std(LEASE).unwrap_or_default();
        let due = self.store.claim_deliveries(now, now + lease, BATCH).await?;
        let mut report = OutboxReport::default();
        for d in due {
            match self.attempt(&d).await {
                Ok(()) => {
                    self.store.delivery_sent(d.id).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    report.failed += 1;
                    if let (ChannelError::Blocked(_), DeliveryVia::Telegram) = (&e, d.method) {
                        // Nothing more goes to that chat until the citizen writes again.
                        if let Some((bot, chat)) =
                            baylanys_channels::telegram::parse_address(&d.address)
                        {
                            self.store.telegram_chat_blocked(bot, chat).await?;
                        }
                    }
                    let retry_at = self.retry_at(&d, &e);
                    tracing::info!(delivery = %d.id, method = d.method.as_str(), error = %e,
                        retry = retry_at.is_some(), "delivery attempt failed");
                    if let Some(next) = self
                        .store
                        .delivery_failed(d.id, &e.to_string(), retry_at)
                        .await?
                    {
                        tracing::info!(delivery = %next.id, method = next.method.as_str(), "falling back");
                    }
                }
            }
        }
        Ok(report)
    }

    /// A refusal or a missing sender will not pass on a retry; the rest back off and retry
    /// until the attempts run out.
    fn retry_at(&self, d: &Delivery, e: &ChannelError) -> Option<DateTime<Utc>> {
        // The provider said when: that is when, and it does not count against the attempts
        // (Telegram's flood control is a pace, not a failure of the delivery).
        if let ChannelError::RetryAfter(wait) = e {
            let wait = (*wait).clamp(Duration::from_millis(100), Duration::from_secs(3600));
            return Some(
                baylanys_store::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
            );
        }
        if !matches!(e, ChannelError::Transport(_)) || d.attempts + 1 >= self.settings.max_attempts
        {
            return None;
        }
        let factor = 2u32.saturating_pow(d.attempts.min(16));
        let wait = self
            .settings
            .retry_base
            .saturating_mul(factor)
            .min(Duration::from_secs(3600));
        Some(baylanys_store::now() + chrono::Duration::from_std(wait).unwrap_or_default())
    }

    async fn attempt(&self, d: &Delivery) -> Result<(), ChannelError> {
        let sender = self
            .senders
            .iter()
            .find(|s| s.via() == d.method)
            .ok_or_else(|| match d.method {
                DeliveryVia::Email => ChannelError::Config("no SMTP server is configured".into()),
                DeliveryVia::Sms => ChannelError::Config("no SMS gateway is configured".into()),
                other => ChannelError::Config(format!("no {other} sender is configured")),
            })?;
        // A body's webhook is signed with its current secret.
        let secret = match (d.method, d.redirection_id) {
            (DeliveryVia::Webhook, Some(r)) => self
                .store
                .redirection_secret(r)
                .await
                .map_err(|e| ChannelError::Transport(e.to_string()))?,
            _ => None,
        };
        let id = d.id.to_string();
        let out = Outgoing {
            id: &id,
            address: &d.address,
            subject: d.subject.as_deref(),
            body: &d.payload,
            thread: d.mail_thread.as_ref().map(|t| Threading {
                message_id: &t.message_id,
                in_reply_to: t.in_reply_to.as_deref(),
                references: &t.references,
            }),
            secret: secret.as_deref(),
            buttons: &d.buttons,
        };
        sender.send(&out).await
    }
}
